"""Issuing one document: the city attorney's approval and the ladder first, then the file into
the blob store, then one transaction for the document, its event and the case's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select

from ..cases import Case, HistoryEntry
from ..errors import InputError, NoticegenError
from ..files import write_atomically
from ..mail.inputs import input_name
from ..record.db import now, record_blob
from ..record.tables import documents
from ..render import RenderedDocument, Renderer, renderer
from ..render.document import Format
from ..review.approvals import require_approved
from ..review.entries import of_registry
from ..review.hashing import content_hash
from ..rules import require
from ..rules.deadlines import local, six_month_follow_up
from ..rules.ladder import _last
from .app import App
from .cases import CaseRecord, insert_event, load_case, unprintable, verify_photos


@dataclass(frozen=True)
class Issued:
    document: RenderedDocument
    file: Path
    new: bool
    """False when the very same document was already on record (nothing was added)."""


def renderer_of(app: App) -> Renderer:
    return renderer(app.project, app.out / ".cache" / "photos")


def issue(app: App, doc_type: str, case_number: str, issued: datetime, *,
          recipient: str | None = None, variant: str | None = None, fmt: Format = "pdf",
          draft: bool = False, reservice: str | None = None, out: Path | None = None
          ) -> Issued:
    """Render and record one document; a draft is rendered for review and recorded nowhere."""
    r = renderer_of(app)
    kind = r.registry.get(doc_type)  # type: ignore[attr-defined]
    entry = kind.template(variant)
    record = load_case(app, case_number)
    verify_photos(app, record.case)
    if problems := unprintable(app, [record.case]):
        raise InputError(problems)
    issued = local(issued, app.project.settings.zone)
    if draft:
        doc = r.render(doc_type, record.case, issued, recipient=recipient, variant=variant,
                       fmt=fmt, draft=True)
        target = out or app.out / record.case.case_number / f"DRAFT-{doc.document_id}.{fmt}"
        if "draft" not in target.name.lower():
            raise NoticegenError(f"a draft's file name must say DRAFT: {target.name}",
                                 f"name it {target.with_name('DRAFT-' + target.name).name}")
        write_atomically(target, doc.content)
        return Issued(doc, target, False)
    require_approved(r, doc_type, entry)  # only what the city attorney approved is served
    _, doc_id = r.identify(doc_type, entry, record.case, issued, recipient)
    with app.record.read() as c:
        on_record = c.execute(select(documents.c.id).where(documents.c.id == doc_id)).first()
    # The very same document already on record (the command run again) was allowed when it
    # was issued: it is given back below, not refused as a second one.
    if on_record is None:
        require(kind.step, record.case, app.project.catalog, app.project.settings,
                issued.date(), reservice=reservice)
    app.ready_to_issue()
    doc = r.render(doc_type, record.case, issued, recipient=recipient, variant=variant,
                   fmt=fmt)
    target = out or app.out / record.case.case_number / f"{doc.document_id}.{fmt}"
    app.blobs.put(doc.content)  # the file first: a crash after this leaves no record
    with app.transaction() as (c, actor):
        found = c.execute(select(documents.c.sha256).where(
            documents.c.id == doc.document_id)).scalar()
        if found is not None and found != doc.sha256:
            raise NoticegenError(
                f"document {doc.document_id} is on record with other content",
                "the case or a template changed since it was issued at this time; give "
                "another --issued time")
        if found is None:
            record_document(c, actor, doc, record, kind.action, entry.id,
                            content_hash(r.templates, of_registry(doc_type, kind, entry)),
                            input_name(app.root, target), reservice)
    app.blobs.copy_to(doc.sha256, target)
    return Issued(doc, target, found is None)


def record_document(c: Connection, actor: int, doc: RenderedDocument, record: CaseRecord,
                    action: str | None, template_id: str, template_hash: str, file: str,
                    reservice: str | None, *, batch_id: str | None = None,
                    role: str = "notice") -> None:
    """The document's row and, for a step of the ladder, its event in the case's log."""
    case = record.case
    record_blob(c, doc.sha256, len(doc.content), _media(doc.format))
    closure = case.closure
    follow_up = six_month_follow_up(closure.on) if (
        doc.doc_type == "closure" and closure and closure.extenuating_circumstances) else None
    c.execute(insert(documents).values(
        id=doc.document_id, case_number=case.case_number, revision_id=record.revision_id,
        document_type=doc.doc_type, role=role, template_id=template_id,
        template_version=doc.template_version, template_hash=template_hash, sha256=doc.sha256,
        format=doc.format, file=file, recipient=doc.recipient_id,
        recipient_role=doc.recipient_role, delivery=doc.delivery,
        violations=[[v.id, v.ordinance] for v in case.violations],
        deadline=doc.deadline.wording if doc.deadline else None,
        deadline_on=doc.deadline.on if doc.deadline else None, follow_up_due=follow_up,
        batch_id=batch_id, issued_at=doc.issued, actor_id=actor, recorded_at=now()))
    if action is not None:
        insert_event(c, case.case_number, step_entry(case, doc, action, reservice), actor,
                     "issued", document_id=doc.document_id)


def step_entry(case: Case, doc: RenderedDocument, action: str,
               reservice: str | None) -> HistoryEntry:
    """The history entry an issued document stands for, as the ladder reads it."""
    data: dict[str, object] = {
        "action": action, "on": doc.issued.replace(tzinfo=None),
        "method": _method(doc), "document": doc.document_id,
        "violations": [v.id for v in case.violations]}
    if doc.recipient_id in {p.id for p in case.responsible_parties}:
        data["recipients"] = [doc.recipient_id]
    if action == "nov" and doc.deadline and doc.deadline.on:
        data["deadline"] = doc.deadline.on
    if action == "vca":
        request = _last(case, "vca_request")
        assert request is not None  # the ladder allows a VCA only after one
        data |= {"admitted": request.admitted, "extended_until": request.extended_until}
    if reservice:
        data["reason"] = reservice
    return HistoryEntry.model_validate(data)


def _method(doc: RenderedDocument) -> str | None:
    """The template's delivery as a history method: the same words, but a door hanger is
    its own method and a case-file document is not served."""
    if doc.template_id.endswith("door-hanger"):
        return "door_hanger"
    return None if doc.delivery == "case_file" else doc.delivery


def _media(fmt: str) -> str:
    return "application/pdf" if fmt == "pdf" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
