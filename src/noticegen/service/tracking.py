"""What happened to mail pieces, from the record: events recorded (one at a time or from a
carrier's CSV), pieces with their service and deadline, follow-ups due, and verification of a
document or a link against the record."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import Connection, insert, select

from ..errors import InputError, NoticegenError, Problem
from ..files import sha256_file
from ..mail.chunks import piece_stem
from ..record.db import now
from ..record.numbers import load_roll as _load_roll
from ..record.tables import documents, events, mail_pieces, people
from ..render.identity import verify_signature
from ..tracking import EVENTS, Event, PieceRecord
from ..tracking.report import FollowUp, PieceReport, followups, piece_report
from ..tracking.service import check_transition
from .app import App

IMPORT_COLUMNS = ("article_number", "status", "date")
SOURCE_LENGTH = 120
"""The longest `events.source` the record keeps."""


class TrackingError(NoticegenError):
    exit_code = 2

    def __init__(self, message: str, hint: str | None = None, field: str = "status") -> None:
        super().__init__(message, hint)
        self.field = field
        """The column of an imported row that is wrong."""


def _events(c: Connection, article: str) -> list[Event]:
    rows = c.execute(select(events.c.kind, events.c.occurred_at, events.c.data,
                            events.c.correction).where(events.c.article_number == article,
                                                       events.c.kind.in_(EVENTS))
                     .order_by(events.c.id)).all()
    return [_event(row) for row in rows]


def _event(row: Any) -> Event:
    """A tracking event from its row in the event log."""
    return Event(row.kind, row.occurred_at.date(), row.data.get("signer"),
                 bool(row.correction))


def add_event(app: App, article: str, status: str, on: date, *, signer: str | None = None,
              detail: str | None = None, correction: bool = False, source: str = "manual",
              receipt_number: str | None = None) -> None:
    """Record one event after checking it can follow the piece's current status."""
    app.ready()
    if status == "return_receipt" and not signer:
        raise TrackingError("a return receipt records who signed it", "give the signer's name",
                            "signed_by")
    with app.transaction() as (c, actor):
        _add(c, actor, article, status, on, signer, detail, correction, source,
             receipt_number)


def _add(c: Connection, actor: int, article: str, status: str, on: date, signer: str | None,
         detail: str | None, correction: bool, source: str, receipt_number: str | None,
         once: bool = False) -> bool:
    """Record the event (False: `once` and the very same event is on record already)."""
    query = select(mail_pieces.c.case_number, mail_pieces.c.mailing_date,
                   mail_pieces.c.document_id).where(mail_pieces.c.article_number == article)
    if c.dialect.name != "sqlite":
        query = query.with_for_update()
    piece = c.execute(query).first()
    if piece is None:
        raise TrackingError(f"no mail piece with article number {article}",
                            "check the number; `noticegen track list` shows them",
                            "article_number")
    data = {"status": status, "on": on.isoformat()} | {
        k: v for k, v in (("signer", signer), ("detail", detail),
                          ("receipt_number", receipt_number)) if v}
    if once and data in c.execute(select(events.c.data).where(
            events.c.article_number == article, events.c.kind == status,
            events.c.occurred_at == datetime.combine(on, time(0, 0)))).scalars().all():
        return False
    history = _events(c, article)
    check_transition(history[-1].status if history else None, status, correction)
    if on < piece.mailing_date and not correction:
        raise TrackingError(f"{status} on {on.isoformat()} is before the piece was mailed "
                            f"({piece.mailing_date.isoformat()})", "check the date", "date")
    c.execute(insert(events).values(
        case_number=piece.case_number, kind=status,
        occurred_at=datetime.combine(on, time(0, 0)), data=data, article_number=article,
        document_id=piece.document_id, correction=correction, source=source, actor_id=actor,
        recorded_at=now()))
    return True


@dataclass(frozen=True)
class EventsImported:
    """What a tracking CSV added: rows recorded now, rows already on record (the same event
    imported before, or recorded by hand), and each row that could not be recorded."""

    file: str
    """The file's name as the problems name it."""
    recorded: int
    already: int
    problems: list[Problem]


def import_events(app: App, file: Path) -> EventsImported:
    """Events from a carrier's CSV file (see `import_csv`)."""
    return import_csv(app, str(file), file.read_bytes())


def import_csv(app: App, name: str, data: bytes) -> EventsImported:
    """Events from a carrier's CSV (article_number, status, date; optional signed_by, detail,
    receipt_number), `name` naming it in problems: each row that can be recorded is; a row
    whose very event is on record already adds nothing (importing a file twice records it
    once); the others are returned, by line."""
    app.ready()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, data[:exc.start].count(b"\n") + 1, "",
                                  f"not UTF-8 text (byte {exc.start + 1})",
                                  "save the file as CSV in UTF-8")]) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError([Problem(name, 1, ", ".join(missing), "missing column(s)",
                                  "the first row must name: " + ", ".join(IMPORT_COLUMNS))])
    source = f"import:{PurePosixPath(name.replace(chr(92), '/')).name}"[:SOURCE_LENGTH]
    problems, recorded, already = [], 0, 0
    for row in reader:
        number = reader.line_num  # the file's line (blank lines and quoted newlines count)
        article = (row["article_number"] or "").replace(" ", "")
        try:
            on = date.fromisoformat((row["date"] or "").strip())
        except ValueError:
            problems.append(Problem(name, number, "date", f"'{row['date']}' is not a date",
                                    "write YYYY-MM-DD"))
            continue
        try:
            status = (row["status"] or "").strip()
            if status == "return_receipt" and not row.get("signed_by"):
                raise TrackingError("a return receipt records who signed it",
                                    "fill in the signed_by column", "signed_by")
            with app.transaction() as (c, actor):
                added = _add(c, actor, article, status, on, row.get("signed_by") or None,
                             row.get("detail") or None, False, source,
                             row.get("receipt_number") or None, once=True)
            recorded += added
            already += not added
        except NoticegenError as exc:
            problems.append(Problem(name, number, getattr(exc, "field", "status"),
                                    exc.message, exc.hint))
    return EventsImported(name, recorded, already, problems)


@dataclass(frozen=True)
class Tracked:
    """One event of a piece as the record holds it: what, when, and who recorded it how."""

    status: str
    on: date
    signer: str | None
    detail: str | None
    receipt_number: str | None
    correction: bool
    source: str
    recorded_by: str
    recorded_at: datetime


def piece_history(app: App, article: str) -> list[Tracked]:
    """A piece's events, oldest first, with their details and who recorded each."""
    app.ready()
    with app.record.read() as c:
        rows = c.execute(select(events.c.kind, events.c.occurred_at, events.c.data,
                                events.c.correction, events.c.source, events.c.recorded_at,
                                people.c.name).join(people, people.c.id == events.c.actor_id)
                         .where(events.c.article_number == article, events.c.kind.in_(EVENTS))
                         .order_by(events.c.id)).all()
    return [Tracked(r.kind, r.occurred_at.date(), r.data.get("signer"), r.data.get("detail"),
                    r.data.get("receipt_number"), bool(r.correction), r.source, r.name,
                    r.recorded_at) for r in rows]


def pieces(app: App, status: str | None = None, case: str | None = None,
           article: str | None = None) -> list[PieceRecord]:
    app.ready()
    with app.record.read() as c:
        found = read_pieces(c, case, article)
    return [f for f in found if status is None or f.status == status]


def read_pieces(c: Connection, case: str | None = None, article: str | None = None
                ) -> list[PieceRecord]:
    """The pieces (of a case, or one article) with their events, in two queries on an open
    connection."""
    p, d = mail_pieces, documents
    query = select(p, d.c.document_type, d.c.recipient_role, d.c.violations, d.c.deadline,
                   d.c.deadline_on).join(d, d.c.id == p.c.document_id)
    if case:
        query = query.where(p.c.case_number == case)
    if article:
        query = query.where(p.c.article_number == article)
    rows = c.execute(query.order_by(p.c.batch_id, p.c.line)).mappings().all()
    mail = select(events.c.article_number, events.c.kind, events.c.occurred_at,
                  events.c.data, events.c.correction).where(
        events.c.kind.in_(EVENTS)).order_by(events.c.id)
    if case or article:  # else every piece's events: one query either way
        mail = mail.where(events.c.article_number.in_([r["article_number"] for r in rows]))
    by_piece: dict[str, list[Any]] = {}
    for event in c.execute(mail):
        by_piece.setdefault(event.article_number, []).append(event)
    found = []
    for r in rows:
        history = by_piece.get(r["article_number"], [])
        receipts = [e.data.get("receipt_number") for e in history
                    if e.kind == "return_receipt" and e.data.get("receipt_number")]
        found.append(PieceRecord(
            r["article_number"], r["document_id"], r["case_number"], r["document_type"],
            r["recipient"], r["recipient_role"], r["addressee"], r["address"],
            r["mailing_date"], r["batch_id"], tuple(tuple(v) for v in r["violations"]),
            r["deadline"], r["deadline_on"], receipts[-1] if receipts else None,
            tuple(_event(e) for e in history)))
    return found


def reports(app: App, **where: Any) -> list[PieceReport]:
    return [piece_report(p, app.project.catalog, app.project.settings)
            for p in pieces(app, **where)]


@dataclass(frozen=True)
class PieceReportView:
    """A piece's report in one flat shape (what /api/pieces answers): the piece, its service,
    and the compliance date the record acts on."""

    article_number: str
    case_number: str
    batch_id: str
    document_id: str
    recipient: str
    recipient_role: str
    addressee: str
    mailing_date: date
    status: str | None
    service_state: str
    served_on: date | None
    service: str
    """How the notice was served, as `noticegen track list` says it."""
    printed_deadline: str | None
    compliance_date: date | None
    compliance: str
    """The compliance date the record acts on and why, as `noticegen track list` says it."""
    return_receipt_number: str | None
    events: tuple[Tracked, ...] = ()
    """Only for one piece (GET /api/pieces/{article}): `piece_history`."""


def report_view(report: PieceReport, events: Iterable[Tracked] = ()) -> PieceReportView:
    p = report.piece
    return PieceReportView(p.article_number, p.case_number, p.batch_id, p.document_id,
                           p.recipient, p.recipient_role, p.addressee, p.mailing_date, p.status,
                           report.service.state, report.service.on, report.service.basis,
                           p.printed_deadline, report.acts_on, report.compliance,
                           p.return_receipt_number, tuple(events))


def due(app: App, as_of: date) -> list[FollowUp]:
    app.ready()
    with app.record.read() as c:
        checks = c.execute(select(documents.c.case_number, documents.c.follow_up_due).where(
            documents.c.follow_up_due.is_not(None))).all()
    return followups(pieces(app), [(n, d) for n, d in checks], app.project.catalog,
                     app.project.settings, as_of)


@dataclass(frozen=True)
class Copied:
    """A case-file document made for one mail piece (its affidavit of mailing or case-file
    copy), with the piece."""

    document: dict[str, Any]
    piece: PieceRecord
    line: int


@dataclass(frozen=True)
class Match:
    how: str
    documents: list[dict[str, Any]]
    pieces: list[PieceRecord]
    copied: list[Copied] = field(default_factory=list)
    """Documents of `documents` that were made for a mail piece, with that piece."""


def verify_file(app: App, path: Path) -> Match:
    """The record's documents and pieces whose file has this file's SHA-256; an affidavit of
    mailing or case-file copy also with the piece it was made for."""
    app.ready()
    if not path.is_file():
        raise NoticegenError(f"{path}: no such file", "give a PDF or a verification URL")
    return verify_sha256(app, sha256_file(path))


def verify_sha256(app: App, digest: str) -> Match:
    """As verify_file, for a file's SHA-256 (a file uploaded to the verification page)."""
    app.ready()
    with app.record.read() as c:
        docs = [dict(r) for r in c.execute(select(documents).where(
            documents.c.sha256 == digest)).mappings()]
        articles = c.execute(select(mail_pieces.c.article_number).where(
            mail_pieces.c.packet_sha256 == digest)).scalars().all()
        made_for = [(doc, _made_for(c, doc)) for doc in docs
                    if doc["batch_id"] and doc["role"] != "notice"]
    found = [p for a in articles for p in pieces(app, article=a)]
    copied = [Copied(doc, pieces(app, article=article)[0], line)
              for doc, (article, line) in made_for if article]
    return Match(f"SHA-256 {digest[:16]}…", docs, found, copied)


def _made_for(c: Connection, doc: dict[str, Any]) -> tuple[str, int]:
    """(article number, line) of the piece of the document's batch whose files' names start
    as the document's file name does; ('', 0) if none."""
    name = PurePosixPath(doc["file"]).name
    rows = c.execute(select(mail_pieces.c.article_number, mail_pieces.c.line,
                            mail_pieces.c.recipient).where(
        mail_pieces.c.batch_id == doc["batch_id"],
        mail_pieces.c.case_number == doc["case_number"])).all()
    return next(((article, line) for article, line, party in rows
                 if name.startswith(piece_stem(line, doc["case_number"], party) + "-")),
                ("", 0))


def verify_link(app: App, doc_id: str, sig: str) -> Match:
    """The document a verification link names, if its signature is genuine."""
    app.ready()
    if not verify_signature(app.project.settings.verification.key(), doc_id, sig):
        raise TrackingError(f"the link's signature does not match document {doc_id}",
                            "the link was altered or not issued by this agency")
    with app.record.read() as c:
        docs = [dict(r) for r in c.execute(select(documents).where(
            documents.c.id == doc_id)).mappings()]
        articles = c.execute(select(mail_pieces.c.article_number).where(
            mail_pieces.c.document_id == doc_id)).scalars().all()
    return Match("signature valid", docs, [p for a in articles for p in pieces(app, article=a)])


def load_roll(app: App, first: str, size: int) -> str:
    """Record a new PS 3800 label roll (when the settings use rolls)."""
    app.ready()
    with app.transaction() as (c, actor):
        return _load_roll(c, app.project.settings.mail.article_numbers, first, size, actor)
