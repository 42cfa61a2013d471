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
from ..rules.hearing import ordered_words
from ..rules.ladder import _at, _last, offense_inspection
from ..rules.serving import DELIVERY, Serving, service_name
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
from .hearing import (
    MAY_ORDER_WORDS,
    HearingCitedView,
    HearingView,
    OrderView,
    at_words,
    hearing_settings,
)
from .identity import document_id, facts_digest, qr_data_uri, verification_url
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
    hearing: datetime | None = None
    """For a notice of public hearing: when the hearing is held."""

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
        # What every document prints from besides its case: digested once, not per document.
        object.__setattr__(self, "project_digest", facts_digest({
            "settings": self.project.settings.model_dump(mode="json", exclude={
                "state_dir": True, "store_url": True, "agency": {"logo"},
                "officers": {"__all__": {"signature"}},
                "verification": {"key_env", "key_file"}}),
            "catalog": self.project.catalog.model_dump(mode="json")}))

    def render(self, doc_type: str, case: Case, issued: datetime, *,
               hearing: datetime | None = None,
               recipient: str | None = None, variant: str | None = None, fmt: Format = "pdf",
               draft: bool = False, serving: Serving | None = None) -> RenderedDocument:
        """The document's bytes and facts. Whether it may be served (the ladder, the city
        attorney's approval, grounds for posting) is the service's to decide before it asks."""
        settings = self.project.settings
        issued = local(issued, settings.zone)
        kind: DocumentType = self.registry.get(doc_type)  # type: ignore[attr-defined]
        entry = self.template(kind, variant, serving)
        served = self.serving(kind, entry, serving)
        party, context, deadline = self.context(doc_type, entry, case, issued, recipient,
                                                draft, served, hearing)
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
                                served.delivery if served else entry.delivery or kind.delivery,
                                fmt, content, deadline, draft,
                                local(hearing, settings.zone) if hearing else None)

    @staticmethod
    def template(kind: DocumentType, variant: str | None, serving: Serving | None
                 ) -> TemplateEntry:
        """The variant named, else the one made for the service method (the posted NOV),
        else the type's default."""
        if variant is None and serving is not None:
            for entry in kind.templates:
                if entry.delivery == serving.delivery:
                    return entry
        return kind.template(variant)

    @staticmethod
    def serving(kind: DocumentType, entry: TemplateEntry, serving: Serving | None
                ) -> Serving | None:
        """How the document is served: as asked (a variant made for one delivery takes that
        one, or its entry's other `services`), else as its template is delivered (not stated:
        nothing prints it as done); none for a document that is not served."""
        delivery = entry.delivery or kind.delivery
        if serving is None:
            return Serving(service_name(delivery), stated=False) \
                if delivery in DELIVERY.values() else None
        if serving.method not in kind.services:
            raise NoticegenError(
                f"a {kind.title.lower()} is not served {serving.words}",
                "--service " + " | ".join(kind.services) if kind.services else
                f"leave out --service: a {kind.title.lower()} is not served")
        if entry.delivery and entry.delivery != serving.delivery \
                and serving.method not in entry.services:
            raise NoticegenError(f"the {entry.variant} variant of the {kind.title.lower()} is "
                                 f"not served {serving.words}",
                                 "leave out --variant, or name the matching --service")
        return serving

    def context(self, doc_type: str, entry: TemplateEntry, case: Case, issued: datetime,
                recipient: str | None = None, draft: bool = False,
                serving: Serving | None = None, hearing: datetime | None = None
                ) -> tuple[tuple[str, str], dict[str, Any], Printed | None]:
        """(recipient id and role, the facts the template sees, the deadline) — without the
        ladder's say, so the legal review's specimens are built by the same code."""
        settings = self.project.settings
        issued = local(issued, settings.zone)
        kind: DocumentType = self.registry.get(doc_type)  # type: ignore[attr-defined]
        served = self.serving(kind, entry, serving)
        if served is not None and needs_grounds(kind, served) and not served.grounds:
            raise NoticegenError(f"a posted {kind.title.lower()} must say why it was posted",
                                 "a returned, refused or unclaimed piece, or the officer's "
                                 "reason personal service failed")
        if served is not None:
            kind = kind.model_copy(update={"delivery": served.delivery})
        elif entry.delivery:
            kind = kind.model_copy(update={"delivery": entry.delivery})
        if hearing is not None and doc_type != "hearing-notice":
            raise NoticegenError(f"a {kind.title.lower()} has no hearing date",
                                 "--hearing goes with a notice of public hearing only")
        hearing = local(hearing, settings.zone) if hearing else None
        party = self._recipient(kind, case, recipient)
        doc_id = self._document_id(doc_type, entry, case, issued, party[0], draft, served,
                                   hearing)
        url = verification_url(settings.verification.base_url, self.key, doc_id)
        doc = DocumentView(
            id=doc_id, type=doc_type, title=kind.title, directive=kind.directive,
            template_id=entry.id, template_version=entry.version, variant=entry.variant,
            issued=when(issued), issued_date=long_date(issued.date()),
            issued_iso=issued.isoformat(), verify_url=url,
            qr=qr_data_uri(url), draft=draft,
            copy_label="CASE FILE COPY" if entry.variant == "file-copy" else None)
        context, deadline = _BUILDERS[doc_type](self, case, doc, party[0], issued, kind,
                                                hearing)
        context["served"] = served
        context["copy_of"] = None  # the mailed piece a batch's case-file copy copies
        return party, context, deadline

    def identify(self, doc_type: str, entry: TemplateEntry, case: Case, issued: datetime,
                 recipient: str | None = None, draft: bool = False,
                 serving: Serving | None = None, hearing: datetime | None = None
                 ) -> tuple[tuple[str, str], str]:
        """(recipient id and role, the document's id) — what `render` would make, without
        rendering it."""
        zone = self.project.settings.zone
        kind: DocumentType = self.registry.get(doc_type)  # type: ignore[attr-defined]
        party = self._recipient(kind, case, recipient)
        return party, self._document_id(
            doc_type, entry, case, local(issued, zone), party[0], draft,
            self.serving(kind, entry, serving), local(hearing, zone) if hearing else None)

    def _document_id(self, doc_type: str, entry: TemplateEntry, case: Case, issued: datetime,
                     party: str, draft: bool, served: Serving | None,
                     hearing: datetime | None) -> str:
        options = {"served": [served.method, served.grounds] if served else None,
                   "hearing": hearing.isoformat() if hearing else None}
        # A draft gets an id of its own, so it can never verify as the issued document.
        return document_id(case.case_number, doc_type, party, issued,
                           entry.id + ("#draft" if draft else ""), entry.version,
                           self.facts(case, issued, options))

    def facts(self, case: Case, issued: datetime, options: dict[str, Any]) -> str:
        """The digest of what a document is made from: the case (its photos by content) and
        its history before the issue moment, the settings and catalogs it prints from, and
        the options. Paths and the signing key are left out, so that a copy of the project
        names the same documents the same; and an NOV's acted-on date, which moves with its
        tracking, is left out of the history."""
        before = issued.replace(tzinfo=None)
        data = case.model_dump(mode="json", exclude={"history"})
        for violation in data["violations"]:
            for photo in violation["photos"]:
                photo["file"] = Path(photo["file"]).name
        return facts_digest({
            "case": data, "options": options,
            "history": [e.model_dump(mode="json", exclude={"deadline"})
                        for e in case.history if _at(e) < before],
            "project": self.project_digest})  # type: ignore[attr-defined]

    def party(self, kind: DocumentType, case: Case, recipient: str | None) -> str:
        """The id of the party a document of this type would go to."""
        return self._recipient(kind, case, recipient)[0]

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
        elif method == "door_hanger":
            served = replace(served, basis=f"left on the front door {when(issued)}")
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


def needs_grounds(kind: DocumentType, serving: Serving) -> bool:
    """Posting a notice that is served otherwise is a fallback that must say why; a stop
    work order is posted as a matter of course."""
    return serving.method == "posted" and kind.delivery != "posting"


def _notice(r: Renderer, case: Case, doc: DocumentView, recipient: str, issued: datetime,
            kind: DocumentType,
            hearing: datetime | None = None) -> tuple[dict[str, Any], Printed]:
    """Warning notice and NOV: violations with their own deadlines, photos, code text."""
    party_case = PartyCase.of(case)
    per_violation, earliest, basis = r.deadlines(party_case, issued, kind.delivery)
    building = _dangerous(r, case)
    cited = _hearing_cited(r, case, building, issued)
    awaiting = {v.id for v in building.violations}
    kept = [d for vid, d in per_violation.items() if vid not in awaiting]
    first = min(kept, key=lambda d: d.due_at) if kept else None
    printed = Printed(first.wording, first.due_at.date()) if first else \
        Printed(HEARING_DEADLINE, None)
    settings = r.project.settings
    context = r.common(party_case, doc, recipient)
    context.update(violations=_awaiting(r.violations(party_case, per_violation), awaiting,
                                        cited),
                   hearing_cited=cited, to_correct=len(kept), deadline=printed.wording,
                   service=basis,
                   levels=ENFORCEMENT_LEVELS,
                   presumed=long_date(earliest.service.served.date())
                   if earliest.service.presumed else None,
                   chief=settings.chief,
                   priority=rank(case, r.project.catalog),
                   recipients=tuple(PartyView.of(p) for p in party_case.responsible_parties),
                   page_size=f"{settings.printing.door_hanger_width_in}in "
                             f"{settings.printing.door_hanger_height_in}in")
    return context, printed


def _vca(r: Renderer, case: Case, doc: DocumentView, recipient: str, issued: datetime,
         kind: DocumentType,
         hearing: datetime | None = None) -> tuple[dict[str, Any], Printed]:
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
              kind: DocumentType,
              hearing: datetime | None = None) -> tuple[dict[str, Any], Printed]:
    party_case = PartyCase.of(case)
    settings = r.project.settings
    found = offense_inspection(case, r.project.catalog, settings)
    if found is None:
        raise NoticegenError(
            f"{case.case_number}: a citation charges what a follow-up inspection found "
            "uncorrected after the compliance date (directive VIII.D.2–3); none is on record",
            "record the follow-up in the case's history (action: follow_up, result: "
            "not_corrected or no_contact)")
    court_at = appearance(issued.date(), settings.court.sessions,
                          OfficeCalendar(settings.calendar), settings.zone)
    due, inspection = found
    context = r.common(party_case, doc, recipient)
    context.update(offense_on=when(inspection.on), compliance_date=long_date(due),
                   violations=r.violations(party_case, None, with_photos=False),
                   court=settings.court, court_lines=tuple(settings.court.address.printed),
                   appearance=f"{long_date_with_weekday(court_at.date())} at {clock(court_at)}")
    return context, Printed(f"appear {long_date(court_at.date())}", None)


def _stop_work(r: Renderer, case: Case, doc: DocumentView, recipient: str, issued: datetime,
               kind: DocumentType,
               hearing: datetime | None = None) -> tuple[dict[str, Any], Printed]:
    party_case = PartyCase.of(case)
    catalog = r.project.catalog
    cited = PartyCase.of(case.model_copy(update={"violations": [
        v for v in case.violations if catalog.ordinance(v.ordinance).stop_work_order]}))
    context = r.common(party_case, doc, recipient)
    context.update(violations=r.violations(cited, None), inspector=r.project.settings.
                   building_inspector)
    return context, Printed("stop all work now", None)


def _closure(r: Renderer, case: Case, doc: DocumentView, recipient: str, issued: datetime,
             kind: DocumentType,
             hearing: datetime | None = None) -> tuple[dict[str, Any], None]:
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
                  kind: DocumentType,
                  hearing: datetime | None = None) -> tuple[dict[str, Any], None]:
    """The case file's record of the field visits: they come from the case itself, never
    from the party view (their witnesses may be the complainant)."""
    party_case = PartyCase.of(case)
    context = r.common(party_case, doc, recipient)
    context.update(violations=r.violations(party_case, None),
                   visits=tuple(case.site_visits), when=when,
                   parties=tuple(PartyView.of(p) for p in party_case.responsible_parties))
    return context, None


HEARING_DEADLINE = "as ordered after the public hearing"
"""An NOV's deadline when every violation on it awaits a public hearing (§214.001)."""


def _dangerous(r: Renderer, case: Case) -> PartyCase:
    """The case with only its violations that await a public hearing."""
    catalog = r.project.catalog
    return PartyCase.of(case.model_copy(update={"violations": [
        v for v in case.violations if catalog.ordinance(v.ordinance).hearing_required]}))


def _hearing_cited(r: Renderer, case: Case, building: PartyCase, issued: datetime
                   ) -> HearingCitedView | None:
    """What an NOV says of the hearing its dangerous-building violations (`building`) await:
    no order and no deadline before it (Tom Bean Code §14-40(b), LGC §214.001)."""
    if not building.violations:
        return None
    settings = hearing_settings(r.project.settings)
    numbers = {v.id: n for n, v in enumerate(case.violations, start=1)}
    catalog = r.project.catalog
    noticed = _last(case, "hearing_notice")
    scheduled = noticed.hearing_at if noticed and noticed.hearing_at and \
        noticed.hearing_at > issued.replace(tzinfo=None) else None
    return HearingCitedView(
        tuple(f"No. {numbers[v.id]}, {catalog.ordinance(v.ordinance).title} "
              f"({catalog.ordinance(v.ordinance).citation})" for v in building.violations),
        settings.body, settings.notice_days, MAY_ORDER_WORDS,
        at_words(scheduled) if scheduled else None)


def _awaiting(views: tuple[ViolationView, ...], awaiting: set[str],
              cited: HearingCitedView | None) -> tuple[ViolationView, ...]:
    """A violation that awaits its hearing is given no order and no deadline: what may be
    ordered is the hearing's to decide."""
    if cited is None:
        return views
    return tuple(replace(
        v, corrective_action=f"Nothing is ordered by this notice. Only the {cited.body}, after "
        f"a public hearing, may order the building {cited.may_order}: see “Public hearing” "
        "below.", deadline_label="Public hearing first",
        deadline="The order made after the hearing sets the deadline.")
        if v.id in awaiting else v for v in views)


def _hearing_notice(r: Renderer, case: Case, doc: DocumentView, recipient: str,
                    issued: datetime, kind: DocumentType, hearing: datetime | None
                    ) -> tuple[dict[str, Any], Printed]:
    """Notice of a public hearing on a dangerous building (Local Government Code §214.001)."""
    if hearing is None:
        raise NoticegenError("a notice of public hearing needs the hearing's date and time",
                             '--hearing "YYYY-MM-DD HH:MM", e.g. --hearing "2026-12-15 18:00"')
    settings = hearing_settings(r.project.settings)
    party_case = PartyCase.of(case)
    context = r.common(party_case, doc, recipient)
    context.update(violations=r.violations(_dangerous(r, case), None, with_photos=False),
                   hearing=HearingView.of(settings, hearing),
                   recipients=tuple(PartyView.of(p) for p in party_case.responsible_parties))
    return context, Printed(f"public hearing {long_date(hearing.date())}", None)


def _hearing_order(r: Renderer, case: Case, doc: DocumentView, recipient: str,
                   issued: datetime, kind: DocumentType,
                   hearing: datetime | None = None) -> tuple[dict[str, Any], Printed]:
    """The order made at the hearing, with its deadline counted from service."""
    held = _last(case, "hearing_held")
    if held is None or not held.ordered:
        raise NoticegenError(f"{case.case_number}: an order after a hearing needs the hearing "
                             "held, and what it ordered, on record",
                             "record it in the case's history (action: hearing_held, ordered: "
                             "[secure, demolish], …)")
    settings = hearing_settings(r.project.settings)
    building = _dangerous(r, case)
    per_violation, earliest, basis = r.deadlines(building, issued, kind.delivery)
    context = r.common(PartyCase.of(case), doc, recipient)
    context.update(violations=r.violations(building, per_violation, with_photos=False),
                   order=OrderView(when(held.on), settings.body, ordered_words(held.ordered),
                                   settings.newspaper),
                   deadline=earliest.wording, service=basis)
    return context, Printed(earliest.wording, earliest.due_at.date())


_BUILDERS = {"warning": _notice, "nov": _notice, "vca": _vca, "citation": _citation,
             "stop-work": _stop_work, "closure": _closure, "field-report": _field_report,
             "hearing-notice": _hearing_notice, "hearing-order": _hearing_order}


def renderer(project: Project, cache: Path) -> Renderer:
    """A renderer over the project's templates folder, signing with the configured key."""
    return Renderer(project, project.root / "templates", cache,
                    project.settings.verification.key())


