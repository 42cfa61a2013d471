"""Mail batches as a clerk sees them: which open cases a new batch may take on a mailing day
(each with the ladder's answer, the refused ones with their reasons), and the batches on
record with their pieces and papers, read from the record and the blob store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from sqlalchemy import select

from ..errors import NotFound, Problem
from ..mail.chunks import piece_stem
from ..record.tables import batches, documents, events, mail_pieces, people
from ..render.context import ROLE_LABELS
from ..rules import batch_order, next_steps, rank
from ..rules.mailing import mail_date_refusals
from ..tracking import EVENTS
from .app import App
from .cases import case_numbers, load_case
from .mailing import MAIL_DATE_FIELD, PAPER_COLUMNS, REQUEST, refusals

MEDIA = {".pdf": "application/pdf", ".csv": "text/csv; charset=utf-8",
         ".json": "application/json"}


class NoSuchBatch(NotFound):
    """No batch (or no paper of a batch) of that name in the record."""


@dataclass(frozen=True)
class Candidate:
    """An open case as a new batch would take it on the mailing day: one piece per
    responsible party, eligible or refused with the rules that say so."""

    case_number: str
    property: str
    priority: str
    parties: tuple[str, ...]
    """The role of each party that gets a piece."""
    eligible: bool
    reasons: tuple[str, ...]
    """The ladder's answer: the rule that allows the notice, or every reason it may not go."""
    date_refusal: str | None
    """Why the case may not be mailed on that day (it records something later)."""


@dataclass(frozen=True)
class Plan:
    """A new batch as it may be made on `mail_date`, before anything is asked."""

    doc_type: str
    mail_date: date
    batch_id: str
    """The id it gets unless the clerk names another."""
    date_refusals: tuple[Problem, ...]
    """Why nothing may be mailed that day (the post office closed, too far ahead)."""
    candidates: tuple[Candidate, ...]
    """Every open case, in the order the batch would mail them (priority, III.A)."""


def next_mail_day(app: App) -> date:
    """Today, or the first day after it, that the post office takes certified mail."""
    day, mail = app.today(), app.project.settings.mail
    for ahead in range(mail.max_days_ahead + 1):
        if not mail_date_refusals(day + timedelta(days=ahead), day, mail):
            return day + timedelta(days=ahead)
    return day


def default_batch_id(doc_type: str, mail_date: date) -> str:
    """As `noticegen batch` names a batch without --batch-id."""
    return f"{doc_type}-{mail_date.isoformat()}"


def plan_batch(app: App, mail_date: date | None = None, doc_type: str = "nov") -> Plan:
    """Every open case with what `noticegen batch` would decide for it on that day (the same
    checks, `mailing.refusals`), and the day's own refusals."""
    app.ready()
    day = mail_date or next_mail_day(app)
    project = app.project
    open_cases = [c for c in (load_case(app, n).case for n in case_numbers(app))
                  if c.closure is None]
    ordered = batch_order(open_cases, project.catalog)
    problems = refusals(app, ordered, doc_type, day, where=REQUEST)
    dated = tuple(p for p in problems if p.field == MAIL_DATE_FIELD and p.file == REQUEST)
    candidates = []
    for case in ordered:
        step = next(s for s in next_steps(case, project.catalog, project.settings, day)
                    if s.name == doc_type)
        other = tuple(p.message for p in problems if p.file == case.case_number
                      and p.field not in (MAIL_DATE_FIELD, "history"))  # unprintable text
        eligible = step.allowed and not other
        candidates.append(Candidate(
            case.case_number, case.property.address.one_line(),
            rank(case, project.catalog).label,
            tuple(party.role_detail or ROLE_LABELS[party.role]
                  for party in case.responsible_parties),
            eligible, step.reasons if eligible else
            (() if step.allowed else step.reasons) + other,
            next((p.message for p in problems if p.file == case.case_number
                  and p.field == MAIL_DATE_FIELD), None)))
    return Plan(doc_type, day, default_batch_id(doc_type, day), dated, tuple(candidates))


# -- batches on record -------------------------------------------------------------------

@dataclass(frozen=True)
class PieceLine:
    """One piece of a batch, with the documents made for it."""

    line: int
    article_number: str
    case_number: str
    recipient: str
    recipient_role: str
    addressee: str
    postage: Decimal
    fees: Decimal
    status: str | None
    notice_id: str
    affidavit_id: str | None
    file_copy_id: str | None


@dataclass(frozen=True)
class BatchSummary:
    batch_id: str
    document_type: str
    mail_date: date
    pieces: int
    actor: str
    recorded_at: datetime


@dataclass(frozen=True)
class Paper:
    """One of a batch's papers (print.pdf, …), the SHA-256 the record names for it, and the
    page that serves it."""

    name: str
    sha256: str
    href: str


@dataclass(frozen=True)
class BatchView(BatchSummary):
    """A batch with its papers and its pieces in mailing order (what GET
    /api/batches/{batch_id} answers)."""

    papers: tuple[Paper, ...]
    lines: tuple[PieceLine, ...]
    total: Decimal
    """The postage and fees of every piece."""


def _summary(row: Any) -> BatchSummary:
    return BatchSummary(row.id, row.document_type, row.mail_date, row.pieces, row.name,
                        row.recorded_at)


def list_batches(app: App, limit: int = 100) -> list[BatchSummary]:
    """The batches on record, newest first."""
    app.ready()
    with app.record.read() as c:
        rows = c.execute(select(batches, people.c.name).join(
            people, people.c.id == batches.c.actor_id)
            .order_by(batches.c.recorded_at.desc(), batches.c.id).limit(limit)).all()
    return [_summary(r) for r in rows]


def batch_view(app: App, batch_id: str) -> BatchView:
    """A batch with its papers and its pieces in mailing order, each with its status and the
    ids of its notice, affidavit of mailing and case-file copy."""
    app.ready()
    with app.record.read() as c:
        row = c.execute(select(batches, people.c.name).join(
            people, people.c.id == batches.c.actor_id).where(batches.c.id == batch_id)).first()
        if row is None:
            raise NoSuchBatch(f"there is no batch {batch_id} in the record",
                              "the batches page lists them")
        pieces = c.execute(select(mail_pieces, documents.c.recipient_role).join(
            documents, documents.c.id == mail_pieces.c.document_id)
            .where(mail_pieces.c.batch_id == batch_id).order_by(mail_pieces.c.line)).all()
        made = c.execute(select(documents.c.id, documents.c.role, documents.c.file).where(
            documents.c.batch_id == batch_id, documents.c.role != "notice")).all()
        status: dict[str, str] = {}
        for article, kind in c.execute(select(events.c.article_number, events.c.kind).where(
                events.c.article_number.in_([p.article_number for p in pieces]),
                events.c.kind.in_(EVENTS)).order_by(events.c.id)):
            status[article] = kind

    def made_for(p: Any, role: str) -> str | None:
        stem = piece_stem(p.line, p.case_number, p.recipient) + "-"
        return next((d.id for d in made if d.role == role
                     and PurePosixPath(d.file).name.startswith(stem)), None)

    lines = tuple(PieceLine(p.line, p.article_number, p.case_number, p.recipient,
                            p.recipient_role, p.addressee, p.postage, p.fees,
                            status.get(p.article_number), p.document_id,
                            made_for(p, "affidavit"), made_for(p, "file-copy"))
                  for p in pieces)
    papers = tuple(Paper(name, getattr(row, column), f"/batches/{batch_id}/{name}")
                   for name, column in PAPER_COLUMNS.items())
    return BatchView(**vars(_summary(row)), papers=papers, lines=lines,
                     total=sum((p.postage + p.fees for p in lines), Decimal("0")))


def paper(app: App, batch_id: str, name: str) -> tuple[Path, str]:
    """The blob of one of a batch's papers (print.pdf, firm-mailing-book.pdf, manifest.csv,
    batch.json), checked against the SHA-256 the record names, and its media type: served
    from the blob store, never from out/."""
    if name not in PAPER_COLUMNS:
        raise NoSuchBatch(f"a batch has no paper '{name}'",
                          "its papers: " + ", ".join(PAPER_COLUMNS))
    app.ready()
    with app.record.read() as c:
        sha = c.execute(select(batches.c[PAPER_COLUMNS[name]]).where(
            batches.c.id == batch_id)).scalar()
    if sha is None:
        raise NoSuchBatch(f"there is no batch {batch_id} in the record",
                          "the batches page lists them")
    if app.blobs.check(sha) is not None:
        app.blobs.read(sha)  # raises the precise error: missing, or damaged
    return app.blobs.path(sha), MEDIA[PurePosixPath(name).suffix]
