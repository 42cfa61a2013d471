"""What the public verification page may say about a document: whether it is genuine, what it
is, its case, when it was issued and where it stands — and nothing else (no name, address,
complainant or article number: those belong to the people the document concerns)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from sqlalchemy import select

from ..files import sha256_bytes
from ..record.tables import documents, events
from ..rules import long_date
from ..rules.deadlines import local
from ..tracking import PieceRecord
from .app import App
from .tracking import Match, TrackingError, pieces, verify_link, verify_sha256

Verdict = Literal["genuine", "not genuine", "not on record"]
ROLES = {"file-copy": "case-file copy", "affidavit": "affidavit of mailing"}
DELIVERY = {"in_person": "for service in person", "door_hanger": "to be left at the door",
            "posting": "to be posted at the property", "first_class_mail": "by first-class mail",
            "certified_mail": "for certified mail", "case_file": "for the case file"}
MAIL = {"in_transit": "in transit", "notice_left": "a notice of arrival left",
        "delivered": "delivered", "return_receipt": "delivered (return receipt on file)",
        "unclaimed": "unclaimed and returned", "refused": "refused",
        "returned_undeliverable": "returned undeliverable"}


@dataclass(frozen=True)
class DocumentFacts:
    what: str
    """The document's type as printed ('Notice of Violation'), and for a batch's own paper
    what it is ('Affidavit of mailing — Notice of Violation')."""
    case_number: str
    issued_on: date
    status: list[str]
    """Where it stands, one sentence a line: issued, mailed, delivered or returned, the
    case open or closed."""


@dataclass(frozen=True)
class Verification:
    verdict: Verdict
    how: str
    """'link' (the QR code's signed link) or 'file' (a PDF's SHA-256)."""
    documents: list[DocumentFacts]


def check_link(app: App, document_id: str, sig: str) -> Verification:
    """A verification link: genuine when its signature is the agency's and the document is
    on record; a link altered or not signed by the agency is not genuine."""
    try:
        match = verify_link(app, document_id, sig)
    except TrackingError:
        return Verification("not genuine", "link", [])
    return _answer(app, match, "link")


def check_file(app: App, content: bytes) -> Verification:
    """A file: genuine when its SHA-256 is that of a document or mailed packet on record;
    any other file (another document, or one changed by a single byte) is not on record."""
    return _answer(app, verify_sha256(app, sha256_bytes(content)), "file")


def _answer(app: App, match: Match, how: str) -> Verification:
    made_for = {c.document["id"]: c.piece for c in match.copied}
    found = [_facts(app, doc, _pieces_of(app, doc, made_for)) for doc in match.documents]
    seen = {d["id"] for d in match.documents}
    for piece in match.pieces:  # a mailed packet: the notice in it
        if piece.document_id not in seen:
            seen.add(piece.document_id)
            found.append(_facts(app, _document(app, piece.document_id), [piece]))
    if not found:
        return Verification("not on record", how, [])
    return Verification("genuine", how, found)


def _document(app: App, document_id: str) -> dict[str, Any]:
    with app.record.read() as c:
        return dict(c.execute(select(documents).where(documents.c.id == document_id))
                    .mappings().one())


def _pieces_of(app: App, doc: dict[str, Any], made_for: dict[str, PieceRecord]
               ) -> list[PieceRecord]:
    """The mail piece a document was mailed as, or (an affidavit, a case-file copy) made for."""
    if doc["id"] in made_for:
        return [made_for[doc["id"]]]
    return [p for p in pieces(app, case=doc["case_number"]) if p.document_id == doc["id"]]


def _facts(app: App, doc: dict[str, Any], mailed: list[PieceRecord]) -> DocumentFacts:
    zone = app.project.settings.zone
    title = _title(app, doc["document_type"])
    role = ROLES.get(doc["role"])
    what = f"{role[0].upper()}{role[1:]} — {title}" if role else title
    issued = doc["issued_at"]
    issued_on = local(issued, zone).date()
    issued_line = f"Issued on {long_date(issued_on)}"
    if not mailed and not role and doc["delivery"] in DELIVERY:
        issued_line += " " + DELIVERY[doc["delivery"]]
    status = [issued_line]
    for piece in mailed:
        line = f"Mailed by certified mail on {long_date(piece.mailing_date)}"
        last = piece.events[-1] if piece.events else None
        if last is not None and last.status in MAIL:
            line += f"; {MAIL[last.status]} on {long_date(last.on)}"
        status.append(line)
    status.append(_case_state(app, doc["case_number"]))
    return DocumentFacts(what, doc["case_number"], issued_on, status)


def _title(app: App, doc_type: str) -> str:
    from ..render.registry import load_registry

    kinds = load_registry(app.root / "templates").documents
    return kinds[doc_type].title if doc_type in kinds else doc_type


def _case_state(app: App, case_number: str) -> str:
    """The case closed (on its date) or open, from its event log."""
    with app.record.read() as c:
        last = c.execute(select(events.c.kind, events.c.occurred_at).where(
            events.c.case_number == case_number, events.c.kind.in_(("closed", "reopened")))
            .order_by(events.c.occurred_at.desc(), events.c.id.desc()).limit(1)).first()
    if last is not None and last.kind == "closed":
        return f"The case was closed on {long_date(last.occurred_at.date())}"
    return "The case is open"
