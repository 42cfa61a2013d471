"""A case as a person sees it on its page: property, parties, violations and photos, the event
log, every document and mail piece, and what the ladder lets the clerk issue now. The
complainant is in the view only for the roles that need it (directive V.A.3): for the others
the view is built without it, the complainant's own documents are left out and refused, and
any mention of the complainant in free text an officer typed reads "[complainant]"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel
from sqlalchemy import Connection, select

from ..cases import Case, redacted
from ..errors import InputError, NotFound, NoticegenError, Problem
from ..images import BROWSER, HEAD, image_format
from ..mail.article_numbers import printed
from ..record.tables import case_revisions, documents, events, people, photos
from ..render.context import public_places
from ..render.identity import verification_url
from ..render.registry import Registry, load_registry
from ..rules import Step, next_steps, rank
from ..rules.deadlines import local
from ..rules.mailing import before_the_case, case_facts
from ..rules.serving import DELIVERY
from ..tracking import EVENTS
from ..tracking.report import piece_report
from .app import App
from .cases import CaseRecord, load_case
from .dates import parse_moment
from .issue import issue
from .queue import (
    Compliance,
    Option,
    PriorityView,
    StepView,
    compliance,
    officer_name,
    priority_view,
)

MEDIA = {"pdf": "application/pdf",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
ROLE_ORDER = {"notice": 0, "file-copy": 1, "affidavit": 2}
"""A batch's documents for one party: the notice, its case-file copy, the affidavit."""
HIDDEN = "[complainant]"
"""What a role that may not see the complainant reads where free text names them."""
SKEW = timedelta(minutes=1)
"""How far ahead of the service's clock an issue time may be (the browser's clock)."""


class UnknownFile(NotFound):
    """No such document, or no such photo of this case (a page answers 404)."""


class Withheld(NoticegenError):
    """A complainant's document asked for by someone whose role may not see the complainant
    (a page answers 403)."""


class PartyView(BaseModel):
    id: str
    role: str
    name: str
    address: str


class ComplainantView(BaseModel):
    anonymous: bool
    name: str | None
    phone: str | None
    email: str | None
    address: str | None


class PhotoView(BaseModel):
    sha256: str
    name: str
    caption: str | None
    url: str


class ViolationView(BaseModel):
    id: str
    ordinance: str
    citation: str
    title: str
    observed: datetime
    location: str
    description: str
    photos: list[PhotoView]


class EventView(BaseModel):
    kind: str
    at: datetime
    """The agency's wall-clock time it happened."""
    actor: str
    detail: str
    source: str
    correction: bool
    document_id: str | None
    article_number: str | None


class DocumentView(BaseModel):
    id: str
    doc_type: str
    title: str
    role: str
    """'notice' (what the recipient gets), 'file-copy' or 'affidavit'."""
    issued_at: datetime
    recipient: str
    recipient_role: str
    template_id: str
    template_version: int
    sha256: str
    format: str
    batch_id: str | None
    deadline: str | None
    actor: str
    open_url: str
    download_url: str
    verify_url: str
    """The signed verification link, as a path of this service."""


class PieceView(BaseModel):
    article_number: str
    printed: str
    document_id: str
    batch_id: str
    addressee: str
    recipient_role: str
    mailing_date: date
    status: str | None
    service: str
    """How the notice was served, as `noticegen track list` says it."""
    compliance_on: date | None
    compliance: str
    """The compliance date that follows and why, in the words of `noticegen track list`."""
    url: str


class ClosureView(BaseModel):
    reason: str
    on: date
    resolution: str


class IssueChoice(BaseModel):
    """A document the ladder allows now, with what the clerk chooses when issuing it."""

    doc_type: str
    title: str
    reasons: list[str]
    recipients: list[Option]
    """The responsible parties, when the document goes to one (else empty)."""
    variants: list[Option]
    services: list[str]
    """How it may be served (`--service`); empty when it is not served."""
    needs_hearing: bool


class CaseView(BaseModel):
    """The case page's facts for a role that does not see the complainant."""

    case_number: str
    address: str
    parcel_id: str
    zoning: str | None
    opened: date
    complaint_type: str
    complaint_received: date
    complaint_source: str
    officer: str
    officer_name: str
    priority: PriorityView
    closure: ClosureView | None
    compliance: Compliance
    parties: list[PartyView]
    violations: list[ViolationView]
    events: list[EventView]
    documents: list[DocumentView]
    pieces: list[PieceView]
    as_of: date
    steps: list[StepView]
    """The ladder's steps allowed now."""
    may_issue: list[IssueChoice]


class ClerkCaseView(CaseView):
    """The same, with the complainant, for the roles whose work needs it."""

    complainant: ComplainantView | None


@dataclass(frozen=True)
class File:
    """A file of the record to send: its bytes (checked against the hash), type and name."""

    content: bytes
    media_type: str
    name: str
    shown: bool
    """A browser may show it (inline) as `media_type`: a PDF, a photo that is a JPEG, PNG,
    WebP or GIF image. Anything else is only ever downloaded."""


def registry(app: App) -> Registry:
    """The document types (templates/registry.yaml): titles, audiences, variants, services."""
    return load_registry(app.root / "templates")


def _complainants(reg: Registry) -> set[str]:
    """Document types that may name the complainant: those that go to them, and the case
    file's own records (a field report lists the witnesses, and the complainant is often
    one)."""
    return {name for name, kind in reg.documents.items()
            if kind.audience in ("complainant", "case_file")}


def _local(app: App, moment: datetime) -> datetime:
    """The agency's wall-clock time of a wall-clock moment (an issue time: SQLite gives back
    its naive wall-clock digits, PostgreSQL the instant in UTC)."""
    return local(moment, app.project.settings.zone).replace(tzinfo=None)


def case_view(app: App, number: str, sees_complainant: bool, as_of: date
              ) -> CaseView | ClerkCaseView:
    """The case page's facts; with the complainant and their documents only when
    `sees_complainant` (otherwise neither is in the view at all)."""
    record = load_case(app, number)
    case = record.case
    catalog, settings = app.project.catalog, app.project.settings
    reg = registry(app)
    withheld = set() if sees_complainant else _complainants(reg)
    hide = _text_for(app, case, sees_complainant)
    with app.record.read() as c:
        pictures = _photos(c, record, hide)
        docs = _documents(app, c, number, reg, withheld)
        timeline = _events(app, c, number, {d.id for d in docs}, hide)
    steps = next_steps(case, catalog, settings, as_of)
    allowed = [s for s in steps if s.allowed]
    facts: dict[str, Any] = dict(
        case_number=case.case_number, address=case.property.address.one_line(),
        parcel_id=case.property.parcel_id, zoning=case.property.zoning, opened=case.opened,
        complaint_type=hide(case.complaint.type), complaint_received=case.complaint.received,
        complaint_source=case.complaint.source.replace("_", " "), officer=case.officer,
        officer_name=officer_name(settings, case.officer),
        priority=priority_view(rank(case, catalog)),
        closure=ClosureView(reason=case.closure.reason.replace("_", " "), on=case.closure.on,
                            resolution=hide(case.closure.resolution)) if case.closure else None,
        compliance=compliance(record, catalog, settings, as_of),
        parties=[PartyView(id=p.id, role=p.role, name=p.name,
                           address=p.mailing_address.one_line())
                 for p in case.responsible_parties],
        violations=[ViolationView(
            id=v.id, ordinance=v.ordinance, citation=catalog.ordinance(v.ordinance).citation,
            title=catalog.ordinance(v.ordinance).title, observed=v.observed,
            location=hide(v.location), description=hide(v.description),
            photos=pictures.get(v.id, []))
            for v in case.violations],
        events=timeline, documents=docs, pieces=_pieces(app, record), as_of=as_of,
        steps=[StepView(name=s.name, reasons=list(s.reasons)) for s in allowed],
        may_issue=_may_issue(reg, record, allowed, withheld))
    if not sees_complainant:
        return CaseView(**facts)
    person = case.complainant
    return ClerkCaseView(**facts, complainant=ComplainantView(
        anonymous=person.anonymous, name=person.name, phone=person.phone, email=person.email,
        address=person.mailing_address.one_line() if person.mailing_address else None)
        if person else None)


def _text_for(app: App, case: Case, sees_complainant: bool) -> Callable[[str], str]:
    """Free text as a role reads it: for a role that may not see the complainant, each mention
    of their name, phone, email or address (an officer's notes, a site visit, a violation)
    replaced by "[complainant]"."""
    who = case.complainant
    if sees_complainant or who is None:
        return lambda text: text
    facts = who.identifying((case.property.address, *public_places(app.project.settings)))
    return lambda text: redacted(text, facts, HIDDEN)


def _may_issue(reg: Registry, record: CaseRecord, allowed: list[Step], withheld: set[str]
               ) -> list[IssueChoice]:
    """The document types whose step the ladder allows now, with their choices."""
    parties = record.case.responsible_parties
    return [IssueChoice(
        doc_type=name, title=kind.title, reasons=list(step.reasons),
        recipients=[Option(value=p.id, label=f"{p.name} ({p.role})") for p in parties]
        if kind.audience == "responsible_party" else [],
        variants=[Option(value=t.variant, label=f"{t.variant} ({t.id} v{t.version})")
                  for t in kind.templates],
        services=list(kind.services), needs_hearing=name == "hearing-notice")
        for step in allowed for name, kind in reg.documents.items()
        if kind.step == step.name and name not in withheld]


def missing_facts(choices: list[IssueChoice], doc_type: str, recipient: str | None,
                  hearing: datetime | None) -> list[Problem]:
    """What a request to issue one of the offered documents leaves out (a type not offered
    is left to the service, which refuses it with the ladder's rule)."""
    choice = next((c for c in choices if c.doc_type == doc_type), None)
    if choice is None:
        return []
    problems = []
    if len(choice.recipients) > 1 and not recipient:
        problems.append(Problem("form", None, "recipient",
                                f"the case has {len(choice.recipients)} responsible parties; "
                                f"choose the one this {choice.title.lower()} is for",
                                "one of: " + ", ".join(r.value for r in choice.recipients)))
    if choice.needs_hearing and hearing is None:
        problems.append(Problem("form", None, "hearing",
                                "a notice of public hearing needs the hearing's date and time",
                                "give it as YYYY-MM-DD HH:MM"))
    return problems


class IssueRequest(BaseModel):
    """One document to issue, as the case page's form (or an API client) asks for it: the
    options of `noticegen render`."""

    type: str
    recipient: str | None = None
    variant: str | None = None
    service: str | None = None
    issued: str | None = None
    """YYYY-MM-DD HH:MM in the agency's time zone [default: now]."""
    hearing: str | None = None
    """For a notice of public hearing: when it is held (YYYY-MM-DD HH:MM)."""
    posting_reason: str | None = None
    reservice: str | None = None


class IssuedAnswer(BaseModel):
    document_id: str
    case_number: str
    title: str
    template_id: str
    template_version: int
    sha256: str
    new: bool
    """False when the very same document was already on record (nothing was added)."""


def moment(given: str | None, field: str) -> datetime | None:
    """A wall-clock date-time in the agency's zone from a form (YYYY-MM-DD HH:MM, or the
    browser's YYYY-MM-DDTHH:MM); None when left empty."""
    if not given or not given.strip():
        return None
    return parse_moment(given, field)


def issue_request(app: App, number: str, req: IssueRequest, sees_complainant: bool
                  ) -> IssuedAnswer:
    """Issue one document as `noticegen render` does, after checking the request names what
    the offered document needs (the ladder and the approval are the service's to refuse)."""
    record = load_case(app, number)
    given = {k: (v.strip() or None) if isinstance(v, str) else v
             for k, v in req.model_dump().items()}
    doc_type = given["type"] or ""
    issued = moment(given["issued"], "issued") or app.now()
    hearing = moment(given["hearing"], "hearing")
    problems = []
    if given["service"] and given["service"] not in DELIVERY:
        problems.append(Problem("form", None, "service", f"'{given['service']}' is not a way "
                                "of serving", "one of: " + ", ".join(DELIVERY)))
    reg = registry(app)
    withheld = set() if sees_complainant else _complainants(reg)
    if doc_type in withheld:
        raise Withheld(f"a {doc_type} may name the complainant",
                       "directive V.A.3: only the roles that see the complainant issue it")
    problems += issued_refusals(app, record.case, issued)
    catalog, settings = app.project.catalog, app.project.settings
    allowed = [s for s in next_steps(record.case, catalog, settings, issued.date())
               if s.allowed]
    problems += missing_facts(_may_issue(reg, record, allowed, withheld), doc_type,
                              given["recipient"], hearing)
    if problems:
        raise InputError(problems)
    done = issue(app, doc_type, number, issued, recipient=given["recipient"],
                 variant=given["variant"], reservice=given["reservice"],
                 service=given["service"], posting_reason=given["posting_reason"],
                 hearing=hearing)
    doc = done.document
    return IssuedAnswer(document_id=doc.document_id, case_number=number, title=doc.title,
                        template_id=doc.template_id, template_version=doc.template_version,
                        sha256=doc.sha256, new=done.new)


def issued_refusals(app: App, case: Case, issued: datetime) -> list[Problem]:
    """A document issued from the case page is dated now or earlier, and not before what the
    case records: the ladder is asked as of its date, so a later one would skip a compliance
    period. (`noticegen render --issued` is not asked: it records documents printed earlier.)"""
    now = app.now()
    problems = []
    if issued > now + SKEW:
        problems.append(Problem(
            "form", None, "issued", f"{issued:%Y-%m-%d %H:%M} is later than now "
            f"({now:%Y-%m-%d %H:%M} in the agency's time zone): a document is dated when it "
            "is issued, and the ladder is asked as of that day",
            "leave it empty to issue it now"))
    if refusal := before_the_case(issued.date(), case_facts(case), "the issue date"):
        problems.append(Problem("form", None, "issued", refusal,
                                "give the time it was issued, or leave it empty for now"))
    return problems


def _photos(c: Connection, record: CaseRecord, hide: Callable[[str], str]
            ) -> dict[str, list[PhotoView]]:
    rows = c.execute(select(photos).where(photos.c.revision_id == record.revision_id)
                     .order_by(photos.c.violation_id, photos.c.position)).mappings()
    found: dict[str, list[PhotoView]] = {}
    for r in rows:
        found.setdefault(r["violation_id"], []).append(PhotoView(
            sha256=r["sha256"], name=r["name"],
            caption=hide(r["caption"]) if r["caption"] else None,
            url=f"/cases/{record.case.case_number}/photos/{r['sha256']}"))
    return found


def _documents(app: App, c: Connection, number: str, reg: Registry, withheld: set[str]
               ) -> list[DocumentView]:
    rows = c.execute(select(documents, people.c.name.label("actor")).join(
        people, people.c.id == documents.c.actor_id).where(documents.c.case_number == number)
        ).mappings().all()
    shown = sorted((r for r in rows if r["document_type"] not in withheld),
                   key=lambda r: (_local(app, r["issued_at"]), r["batch_id"] or "",
                                  r["recipient"], ROLE_ORDER.get(r["role"], 3), r["id"]))
    key = app.project.settings.verification.key() if shown else b""
    base = app.project.settings.verification.base_url
    views = []
    for r in shown:
        link = urlsplit(verification_url(base, key, r["id"]))
        kind = reg.documents.get(r["document_type"])
        views.append(DocumentView(
            id=r["id"], doc_type=r["document_type"],
            title=(kind.title if kind else r["document_type"].replace("-", " ").capitalize())
            + (" (case-file copy)" if r["role"] == "file-copy" else ""),
            role=r["role"], issued_at=_local(app, r["issued_at"]), recipient=r["recipient"],
            recipient_role=r["recipient_role"], template_id=r["template_id"],
            template_version=r["template_version"], sha256=r["sha256"], format=r["format"],
            batch_id=r["batch_id"], deadline=r["deadline"], actor=r["actor"],
            open_url=f"/documents/{r['id']}", download_url=f"/documents/{r['id']}/download",
            verify_url=f"{link.path}?{link.query}"))
    return views


def _events(app: App, c: Connection, number: str, shown: set[str],
            hide: Callable[[str], str]) -> list[EventView]:
    """The event log, oldest first; a withheld document is not named in it, nor a withheld
    complainant in its text."""
    rows = c.execute(select(events, people.c.name.label("actor")).join(
        people, people.c.id == events.c.actor_id).where(events.c.case_number == number)
        .order_by(events.c.occurred_at, events.c.id)).mappings().all()
    return [EventView(kind=r["kind"], at=r["occurred_at"], actor=r["actor"],
                      detail=hide(_detail(r["kind"], r["data"], r["article_number"])),
                      source=r["source"], correction=bool(r["correction"]),
                      document_id=r["document_id"] if r["document_id"] in shown else None,
                      article_number=r["article_number"]) for r in rows]


def _detail(kind: str, data: dict[str, Any], article: str | None) -> str:
    """One line of what the event records, from its fields (the complainant is in no event's
    own fields, but an officer's notes or a place may name them)."""
    if kind in EVENTS:
        parts = [f"article {printed(article)}" if article else "",
                 f"signed by {data['signer']}" if data.get("signer") else "",
                 data.get("detail") or ""]
    elif kind == "complaint_received":
        parts = [f"{data.get('type', '')} ({str(data.get('source', '')).replace('_', ' ')})"]
    elif kind == "inspection":
        parts = [str(data.get("place", ""))]
    elif kind == "closed":
        parts = [str(data.get("reason", "")).replace("_", " "), data.get("resolution") or ""]
    elif kind == "reopened":
        parts = [f"reopened as revision {data.get('revision')}"]
    else:
        parts = [
            str(data.get("method") or "").replace("_", " "),
            "to " + ", ".join(data["recipients"]) if data.get("recipients") else "",
            "violations " + ", ".join(data["violations"]) if data.get("violations") else "",
            f"result: {data['result'].replace('_', ' ')}" if data.get("result") else "",
            f"compliance date {data['deadline']}" if data.get("deadline") else "",
            f"extended until {data['extended_until']}" if data.get("extended_until") else "",
            f"hearing at {data['hearing_at']}" if data.get("hearing_at") else "",
            "ordered: " + ", ".join(data["ordered"]) if data.get("ordered") else "",
            f"re-served: {data['reason']}" if data.get("reason") else "",
            data.get("notes") or ""]
    return "; ".join(p for p in parts if p)


def _pieces(app: App, record: CaseRecord) -> list[PieceView]:
    catalog, settings = app.project.catalog, app.project.settings
    views = []
    for piece in record.pieces:
        report = piece_report(piece, catalog, settings)
        views.append(PieceView(
            article_number=piece.article_number, printed=printed(piece.article_number),
            document_id=piece.document_id, batch_id=piece.batch_id, addressee=piece.addressee,
            recipient_role=piece.recipient_role, mailing_date=piece.mailing_date,
            status=piece.status, service=report.service.basis, compliance_on=report.acts_on,
            compliance=report.compliance, url=f"/pieces/{piece.article_number}"))
    return views


def document_file(app: App, doc_id: str, sees_complainant: bool) -> File:
    """A document's file from the blob store (checked against its SHA-256); a complainant's
    document only for the roles that see the complainant."""
    app.ready()
    with app.record.read() as c:
        row = c.execute(select(documents.c.document_type, documents.c.sha256,
                               documents.c.format).where(documents.c.id == doc_id)).first()
    if row is None:
        raise UnknownFile(f"no document {doc_id} in the record",
                          "the case page lists its documents")
    if not sees_complainant and row.document_type in _complainants(registry(app)):
        raise Withheld(f"document {doc_id} may name the complainant",
                       "directive V.A.3: the complainant's identity is kept to the clerks, "
                       "officers and managers who need it")
    return File(app.blobs.read(row.sha256), MEDIA.get(row.format, "application/octet-stream"),
                f"{doc_id}.{row.format}", shown=row.format == "pdf")


def case_photo(app: App, number: str, sha256: str) -> File:
    """A photo of the case (any revision of it) from the blob store, checked by its hash,
    typed by what its bytes are (never its imported name: a case file could list a page as a
    photo)."""
    app.ready()
    with app.record.read() as c:
        name = c.execute(select(photos.c.name).join(
            case_revisions, case_revisions.c.id == photos.c.revision_id).where(
            case_revisions.c.case_number == number, photos.c.sha256 == sha256)).scalar()
    if name is None:
        raise UnknownFile(f"case {number} has no photo {sha256[:16]}",
                          "the case page shows its photos")
    return photo_file(app.blobs.read(sha256), name)


def photo_file(content: bytes, name: str) -> File:
    """A photo to send, typed by what its bytes are: a JPEG, PNG, WebP or GIF image is shown;
    a HEIC photo (no browser shows it) and anything else are downloaded."""
    found = image_format(content[:HEAD])
    if found in BROWSER:
        return File(content, BROWSER[found], name, shown=True)
    return File(content, "image/heic" if found == "HEIF" else "application/octet-stream", name,
                shown=False)
