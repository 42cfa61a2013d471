"""One document from one case: check the ladder, build the context, render PDF or DOCX."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from ..cases import Case
from ..errors import NoticegenError
from ..files import sha256_bytes
from ..project import Project
from ..rules import OfficeCalendar, long_date, notice_deadlines, rank, service
from ..rules.court import appearance
from ..rules.deadlines import (
    ComplianceDeadline,
    clock,
    local,
    long_date_with_weekday,
    six_month_follow_up,
)
from ..rules.ladder import _last
from .context import (
    CLOSURE_REASONS,
    ENFORCEMENT_LEVELS,
    DocumentView,
    Letterhead,
    PartyCase,
    PartyView,
    PhotoView,
    ViolationView,
    officer_view,
    when,
)
from .identity import document_id, qr_data_uri, verification_url
from .pdf import PHOTO_SCHEME, environment, render_html, write_pdf
from .photos import caption, prepare_photo
from .registry import DocumentType, TemplateEntry, load_registry

Format = Literal["pdf", "docx"]
_MAILED = {"certified_mail", "first_class_mail"}


@dataclass(frozen=True)
class RenderedDocument:
    """A finished document and the facts its record needs."""

    document_id: str
    doc_type: str
    title: str
    template_id: str
    template_version: int
    case_number: str
    recipient_id: str
    recipient_role: str
    issued: datetime
    delivery: str
    format: Format
    content: bytes = field(repr=False)
    deadline: Printed | None = None
    draft: bool = False
    """Rendered with --draft: watermarked on every page, never recorded as issued."""

    @property
    def sha256(self) -> str:
        return sha256_bytes(self.content)


@dataclass(frozen=True)
class Printed:
    """The deadline as printed on a document, and its date: what the record acts on."""

    wording: str
    on: date | None


@dataclass(frozen=True)
class Renderer:
    """The templates, the photo cache and the signing key one session of rendering uses."""

    project: Project
    templates: Path
    cache: Path
    key: bytes

    def __post_init__(self) -> None:
        object.__setattr__(self, "registry", load_registry(self.templates))
        object.__setattr__(self, "env", environment(self.templates))

    def render(self, doc_type: str, case: Case, issued: datetime, *,
               recipient: str | None = None, variant: str | None = None, fmt: Format = "pdf",
               draft: bool = False) -> RenderedDocument:
        """The document's bytes and facts. Whether it may be served (the ladder, the city
        attorney's approval) is the service's to decide before it asks."""
        settings = self.project.settings
        issued = local(issued, settings.zone)
        kind: DocumentType = self.registry.get(doc_type)  # type: ignore[attr-defined]
        entry = kind.template(variant)
        party, context, deadline = self.context(doc_type, entry, case, issued, recipient,
                                                draft)
        doc_id = context["doc"].id
        if fmt == "docx":
            if not entry.docx:
                raise NoticegenError(f"the {kind.title.lower()} has no editable DOCX version",
                                     "use --format pdf")
            from .docx import render_docx

            content = render_docx(self.templates / "docx" / entry.docx, context)
        else:
            html = render_html(self.env, entry.file, context)  # type: ignore[attr-defined]
            content = write_pdf(html, self.templates, [self.templates / "assets"],
                                int(issued.timestamp()), photos=self.cache)
        return RenderedDocument(doc_id, doc_type, kind.title, entry.id, entry.version,
                                case.case_number, party[0], party[1], issued,
                                entry.delivery or kind.delivery,
                                fmt, content, deadline, draft)

    def context(self, doc_type: str, entry: TemplateEntry, case: Case, issued: datetime,
                recipient: str | None = None, draft: bool = False
                ) -> tuple[tuple[str, str], dict[str, Any], Printed | None]:
        """(recipient id and role, the facts the template sees, the deadline) — without the
        ladder's say, so the legal review's specimens are built by the same code."""
        settings = self.project.settings
        issued = local(issued, settings.zone)
        kind: DocumentType = self.registry.get(doc_type)  # type: ignore[attr-defined]
        if entry.delivery:
            kind = kind.model_copy(update={"delivery": entry.delivery})
        party, doc_id = self.identify(doc_type, entry, case, issued, recipient, draft)
        url = verification_url(settings.verification.base_url, self.key, doc_id)
        doc = DocumentView(
            id=doc_id, type=doc_type, title=kind.title, directive=kind.directive,
            template_id=entry.id, template_version=entry.version, variant=entry.variant,
            issued=when(issued), issued_date=long_date(issued.date()),
            issued_iso=issued.isoformat(), verify_url=url,
            qr=qr_data_uri(url), draft=draft,
            copy_label="CASE FILE COPY" if entry.variant == "file-copy" else None)
        context, deadline = _BUILDERS[doc_type](self, case, doc, party[0], issued, kind)
        return party, context, deadline

    def identify(self, doc_type: str, entry: TemplateEntry, case: Case, issued: datetime,
                 recipient: str | None = None, draft: bool = False
                 ) -> tuple[tuple[str, str], str]:
        """(recipient id and role, the document's id) — what `render` would make, without
        rendering it."""
        issued = local(issued, self.project.settings.zone)
        kind: DocumentType = self.registry.get(doc_type)  # type: ignore[attr-defined]
        party = self._recipient(kind, case, recipient)
        # A draft gets an id of its own, so it can never verify as the issued document.
        return party, document_id(case.case_number, doc_type, party[0], issued,
                                  entry.id + ("#draft" if draft else ""), entry.version)

    def _recipient(self, kind: DocumentType, case: Case, recipient: str | None
                   ) -> tuple[str, str]:
        if kind.audience == "complainant":
            return "complainant", "complainant"
        if kind.audience == "case_file":
            return "case-file", "case file"
        ids = [p.id for p in case.responsible_parties]
        if recipient is None:
            if len(ids) > 1:
                raise NoticegenError(f"{case.case_number} has {len(ids)} responsible parties; "
                                     f"name the one this {kind.title.lower()} is for",
                                     "--recipient " + " | ".join(ids))
            recipient = ids[0]
        if recipient not in ids:
            raise NoticegenError(f"{case.case_number} has no responsible party '{recipient}'",
                                 "known: " + ", ".join(ids))
        return recipient, case.party(recipient).role

    # -- pieces shared by the builders --------------------------------------------------

    def violations(self, case: PartyCase, deadlines: dict[str, ComplianceDeadline] | None,
                   with_photos: bool = True) -> tuple[ViolationView, ...]:
        catalog, zone = self.project.catalog, self.project.settings.zone
        views, photo_number = [], 0
        for number, v in enumerate(case.violations, start=1):
            section = catalog.ordinance(v.ordinance)
            photos = []
            if with_photos:
                for photo in v.photos:
                    photo_number += 1
                    prepared = prepare_photo(photo.file, self.cache, zone)
                    text = caption(photo_number, prepared)
                    if photo.caption:
                        text += f" — {photo.caption}"
                    photos.append(PhotoView(photo_number, PHOTO_SCHEME + prepared.path.name,
                                            text, number, str(prepared.path.resolve())))
            fine = (f"${section.fine.minimum:,.2f} to ${section.fine.maximum:,.2f}"
                    if section.fine else None)
            d = deadlines[v.id] if deadlines else None
            views.append(ViolationView(
                number, v.id, section.citation, section.title, section.summary, section.text,
                v.location, when(v.observed), long_date(v.observed.date()), v.description,
                v.corrective_action, d.rule.label if d else section.title,
                d.wording if d else "", tuple(photos), fine, section.stop_work_order))
        return tuple(views)

    def deadlines(self, case: PartyCase, issued: datetime, method: str
                  ) -> tuple[dict[str, ComplianceDeadline], ComplianceDeadline, str]:
        settings = self.project.settings
        served = service(issued, "mail" if method in _MAILED else "in_person", settings.zone,
                         settings.calendar)
        if method == "posting":
            served = replace(served, basis=f"posted at the property {when(issued)}")
        result = notice_deadlines([(v.id, v.ordinance) for v in case.violations],
                                  self.project.catalog, served,
                                  OfficeCalendar(settings.calendar),
                                  settings.calendar.roll_to_business_day)
        return result.by_violation, result.earliest, served.basis

    def common(self, case: PartyCase, doc: DocumentView, recipient: str) -> dict[str, Any]:
        settings = self.project.settings
        return {"doc": doc, "agency": Letterhead.of(settings), "case": case.view,
                "code_name": self.project.catalog.code.code,
                "officer": officer_view(settings, case.officer),
                "recipient": PartyView.of(case.party(recipient)) if recipient not in (
                    "complainant", "case-file") else None}


def _notice(r: Renderer, case: Case, doc: DocumentView, recipient: str, issued: datetime,
            kind: DocumentType) -> tuple[dict[str, Any], Printed]:
    """Warning notice and NOV: violations with their own deadlines, photos, code text."""
    party_case = PartyCase.of(case)
    per_violation, earliest, basis = r.deadlines(party_case, issued, kind.delivery)
    settings = r.project.settings
    context = r.common(party_case, doc, recipient)
    context.update(violations=r.violations(party_case, per_violation),
                   deadline=earliest.wording, service=basis, levels=ENFORCEMENT_LEVELS,
                   chief=settings.chief, mailed=kind.delivery in _MAILED,
                   priority=rank(case, r.project.catalog),
                   recipients=tuple(PartyView.of(p) for p in party_case.responsible_parties),
                   page_size=f"{settings.printing.door_hanger_width_in}in "
                             f"{settings.printing.door_hanger_height_in}in")
    return context, Printed(earliest.wording, earliest.due_at.date())


def _vca(r: Renderer, case: Case, doc: DocumentView, recipient: str, issued: datetime,
         kind: DocumentType) -> tuple[dict[str, Any], Printed]:
    party_case = PartyCase.of(case)
    request = _last(case, "vca_request")
    nov = _last(case, "nov")
    assert request is not None and request.extended_until and nov is not None
    extended = f"on or before {long_date(request.extended_until)}"
    context = r.common(party_case, doc, recipient)
    context.update(violations=r.violations(party_case, None, with_photos=False),
                   extended_until=extended, nov_date=when(nov.on), request_date=when(request.on),
                   chief=r.project.settings.chief)
    return context, Printed(extended, request.extended_until)


def _citation(r: Renderer, case: Case, doc: DocumentView, recipient: str, issued: datetime,
              kind: DocumentType) -> tuple[dict[str, Any], Printed]:
    party_case = PartyCase.of(case)
    settings = r.project.settings
    court_at = appearance(issued.date(), settings.court.sessions,
                          OfficeCalendar(settings.calendar), settings.zone)
    context = r.common(party_case, doc, recipient)
    context.update(violations=r.violations(party_case, None, with_photos=False),
                   court=settings.court, court_lines=tuple(settings.court.address.printed),
                   appearance=f"{long_date_with_weekday(court_at.date())} at {clock(court_at)}")
    return context, Printed(f"appear {long_date(court_at.date())}", None)


def _stop_work(r: Renderer, case: Case, doc: DocumentView, recipient: str, issued: datetime,
               kind: DocumentType) -> tuple[dict[str, Any], Printed]:
    party_case = PartyCase.of(case)
    catalog = r.project.catalog
    cited = PartyCase.of(case.model_copy(update={"violations": [
        v for v in case.violations if catalog.ordinance(v.ordinance).stop_work_order]}))
    context = r.common(party_case, doc, recipient)
    context.update(violations=r.violations(cited, None), inspector=r.project.settings.
                   building_inspector)
    return context, Printed("stop all work now", None)


def _closure(r: Renderer, case: Case, doc: DocumentView, recipient: str, issued: datetime,
             kind: DocumentType) -> tuple[dict[str, Any], None]:
    settings = r.project.settings
    closure, complainant = case.closure, case.complainant
    assert closure is not None and complainant is not None and complainant.name
    follow_up = None
    if closure.extenuating_circumstances:
        follow_up = long_date(six_month_follow_up(closure.on))
    context = {
        "doc": doc, "agency": Letterhead.of(settings), "case": PartyCase.of(case).view,
        "officer": officer_view(settings, case.officer),
        "complainant_name": complainant.name,
        "complainant_lines": tuple(complainant.mailing_address.printed)
        if complainant.mailing_address else (),
        "complainant_email": complainant.email,
        "complaint_received": long_date(case.complaint.received),
        "complaint_type": case.complaint.type,
        "reason": CLOSURE_REASONS[closure.reason], "resolution": closure.resolution,
        "closed": long_date(closure.on), "follow_up": follow_up}
    return context, None


def _field_report(r: Renderer, case: Case, doc: DocumentView, recipient: str, issued: datetime,
                  kind: DocumentType) -> tuple[dict[str, Any], None]:
    party_case = PartyCase.of(case)
    context = r.common(party_case, doc, recipient)
    context.update(violations=r.violations(party_case, None),
                   visits=party_case.site_visits, when=when,
                   parties=tuple(PartyView.of(p) for p in party_case.responsible_parties))
    return context, None


_BUILDERS = {"warning": _notice, "nov": _notice, "vca": _vca, "citation": _citation,
             "stop-work": _stop_work, "closure": _closure, "field-report": _field_report}


def renderer(project: Project, cache: Path) -> Renderer:
    """A renderer over the project's templates folder, signing with the configured key."""
    return Renderer(project, project.root / "templates", cache,
                    project.settings.verification.key())


