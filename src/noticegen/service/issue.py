"""Issuing one document: the city attorney's approval and the ladder first, then the file into
the blob store, then one transaction for the document, its event and the case's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, insert, select

from ..cases import Case, HistoryEntry
from ..errors import InputError, NoticegenError, Problem
from ..files import write_atomically
from ..mail.article_numbers import printed
from ..mail.inputs import input_name
from ..record.db import now, record_blob
from ..record.tables import documents
from ..render import RenderedDocument, Renderer, renderer
from ..render.context import complainant_mentions, public_places
from ..render.document import Format, needs_grounds
from ..render.hearing import hearing_settings
from ..render.registry import DocumentType
from ..review.approvals import require_approved
from ..review.entries import of_registry
from ..review.hashing import content_hash
from ..rules import require
from ..rules.calendar import OfficeCalendar
from ..rules.deadlines import local, six_month_follow_up
from ..rules.hearing import hearing_refusals
from ..rules.ladder import StepRefused, _last
from ..rules.serving import FAILED, FailedPiece, Serving, posting_grounds
from .app import App
from .cases import CaseRecord, insert_event, load_case, unprintable, verify_photos
from .submissions import receive_once, refuse_seen


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
          draft: bool = False, reservice: str | None = None, out: Path | None = None,
          service: str | None = None, posting_reason: str | None = None,
          hearing: datetime | None = None, key: str | None = None) -> Issued:
    """Render and record one document; a draft is rendered for review and recorded nowhere.
    `service` is how it is served (mail, in-person, posted, left-at-door); a notice posted
    instead needs a failed piece on record for the party, or the officer's `posting_reason`.
    `hearing`: when the public hearing a notice of public hearing gives notice of is held.
    `key`: the one-time key of the form that asked (service.submissions), recorded with the
    document; a form sent again is refused (AlreadyReceived) before anything else is asked."""
    r = renderer_of(app)
    kind = r.registry.get(doc_type)  # type: ignore[attr-defined]
    record = load_case(app, case_number)
    if key is not None:
        with app.record.read() as c:
            refuse_seen(c, key)
    serving = _serving(r, kind, record, recipient, service, posting_reason)
    entry = r.template(kind, variant, serving)
    verify_photos(app, record.case)
    problems = unprintable(app, [record.case])
    if kind.audience == "responsible_party":
        problems += complainant_named(app, record.case)
    if problems:
        raise InputError(problems)
    issued = local(issued, app.project.settings.zone)
    if draft:
        doc = r.render(doc_type, record.case, issued, recipient=recipient, variant=variant,
                       fmt=fmt, draft=True, serving=serving, hearing=hearing)
        target = out or app.out / record.case.case_number / f"DRAFT-{doc.document_id}.{fmt}"
        if "draft" not in target.name.lower():
            raise NoticegenError(f"a draft's file name must say DRAFT: {target.name}",
                                 f"name it {target.with_name('DRAFT-' + target.name).name}")
        write_atomically(target, doc.content)
        return Issued(doc, target, False)
    require_approved(r, doc_type, entry)  # only what the city attorney approved is served
    _, doc_id = r.identify(doc_type, entry, record.case, issued, recipient, serving=serving,
                           hearing=hearing)
    with app.record.read() as c:
        on_record = c.execute(select(documents.c.id).where(documents.c.id == doc_id)).first()
    # The very same document already on record (the command run again) was allowed when it
    # was issued: it is given back below, not refused as a second one.
    if on_record is None:
        require(kind.step, record.case, app.project.catalog, app.project.settings,
                issued.date(), reservice=reservice)
        if hearing is not None:
            _require_hearing_date(app, record.case, hearing, issued)
    app.ready_to_issue()
    doc = r.render(doc_type, record.case, issued, recipient=recipient, variant=variant,
                   fmt=fmt, serving=serving, hearing=hearing)
    target = out or app.out / record.case.case_number / f"{doc.document_id}.{fmt}"
    app.blobs.put(doc.content)  # the file first: a crash after this leaves no record
    with app.transaction() as (c, actor):
        if key is not None:  # a double tap's second request, issued the same minute too
            receive_once(c, actor, key, "document", {"document_id": doc.document_id,
                                                     "title": doc.title})
        found = c.execute(select(documents.c.sha256).where(
            documents.c.id == doc.document_id)).scalar()
        if found is not None and found != doc.sha256:
            raise NoticegenError(
                f"document {doc.document_id} is on record with other content",
                "its id is derived from the case, its history, the settings and the "
                "catalogs, so a template, an image or the signing key changed since it was "
                "issued at this time; give another --issued time")
        if found is None:
            record_document(c, actor, doc, record, kind.action, entry.id,
                            content_hash(r.templates, of_registry(doc_type, kind, entry)),
                            input_name(app.root, target), reservice)
    app.blobs.copy_to(doc.sha256, target)
    return Issued(doc, target, found is None)


def complainant_named(app: App, case: Case) -> list[Problem]:
    """Free text of the case that would carry the complainant's identity onto a document for
    a responsible party (directive V.A.3), by field."""
    return [Problem(case.case_number, None, field,
                    "names the complainant, whose identity may not appear on a notice to the "
                    "responsible party (directive V.A.3)",
                    "reword it so it does not identify the complainant")
            for field in complainant_mentions(case, public_places(app.project.settings))]


def _serving(r: Renderer, kind: DocumentType, record: CaseRecord, recipient: str | None,
             service: str | None, posting_reason: str | None) -> Serving | None:
    """The service asked for; a notice posted instead of served otherwise carries its
    grounds from the record (the party's returned piece) or the officer's reason."""
    if service is None:
        if posting_reason:
            raise NoticegenError("a posting reason goes with --service posted",
                                 "add --service posted, or leave out --posting-reason")
        return None
    serving = Serving(service)
    if not needs_grounds(kind, serving):
        return serving
    party = r.party(kind, record.case, recipient)
    failed = [FailedPiece(printed(p.article_number), p.mailing_date, p.status, p.events[-1].on)
              for p in record.pieces if p.recipient == party and p.status in FAILED]
    return Serving(service, posting_grounds(failed, posting_reason))


def _require_hearing_date(app: App, case: Case, hearing: datetime, issued: datetime) -> None:
    """A hearing set far enough ahead for its notice, on a day the City is open."""
    settings = app.project.settings
    refusals = hearing_refusals(local(hearing, settings.zone), issued,
                                hearing_settings(settings), OfficeCalendar(settings.calendar))
    if refusals:
        raise StepRefused(f"{case.case_number}: a hearing at {hearing:%Y-%m-%d %H:%M} may not "
                          "be noticed now:\n  - " + "\n  - ".join(refusals),
                          "set the hearing (--hearing) on a later business day")


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
    if action == "hearing_notice":
        assert doc.hearing is not None  # its builder refuses a notice without one
        data["hearing_at"] = doc.hearing.replace(tzinfo=None)
    if action == "vca":
        request = _last(case, "vca_request")
        assert request is not None  # the ladder allows a VCA only after one
        data |= {"admitted": request.admitted, "extended_until": request.extended_until}
    if reservice:
        data["reason"] = reservice
    return HistoryEntry.model_validate(data)


def _method(doc: RenderedDocument) -> str | None:
    """How the document was served, as a history method; a case-file document is not."""
    return None if doc.delivery == "case_file" else doc.delivery


def _media(fmt: str) -> str:
    return "application/pdf" if fmt == "pdf" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
