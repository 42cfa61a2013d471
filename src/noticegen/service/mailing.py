"""A certified-mail batch issued as one transaction: the pieces are made into the blob store
with the article numbers they will carry, then one transaction claims those numbers and
records the batch, its documents, pieces and events — or, if another batch claimed the
numbers meanwhile, the batch is made again with the next ones. Readable copies go to out/
after the commit."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select

from ..cases import Case
from ..errors import InputError, NoticegenError, Problem
from ..mail.batch import Batch, pairs
from ..mail.chunks import CHUNK_SIZE
from ..record.db import now, record_blob
from ..record.numbers import Number, ensure_sequence, lock, next_numbers
from ..record.tables import batches, documents, events, mail_pieces
from ..render.document import Printed
from ..review.approvals import require_batch_approved
from ..review.entries import MAIL_TEMPLATES, of_registry
from ..review.hashing import content_hash
from ..rules import StepRefused, batch_order, long_date, require
from ..rules.mailing import before_the_case, case_facts, mail_date_refusals
from ..words import plural
from .app import App
from .cases import ACTIONS, CaseRecord, insert_event, load_case, unprintable, verify_photos
from .issue import complainant_named, renderer_of, step_entry

ATTEMPTS = 5
"""Times a batch is made again because other batches claimed its numbers first."""
PAPERS = ("print.pdf", "firm-mailing-book.pdf", "manifest.csv", "batch.json")
PAPER_COLUMNS = dict(zip(PAPERS, ("print_sha256", "book_sha256", "manifest_sha256",
                                  "record_sha256"), strict=True))
"""Each paper of a batch and the column of `batches` that names its blob."""
MAIL_DATE_FIELD = "mail date"
BATCH_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
BATCH_ID_HINT = "e.g. nov-2026-11-25"
REQUEST = "(request)"
"""Where a batch asked for through the service (the web, the API) is named in a problem."""


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    folder: Path
    pieces: int
    rendered: int
    already_complete: bool
    timings: dict[str, float] = field(default_factory=dict)


class _Claimed(Exception):
    """Another batch claimed the predicted numbers first."""


def mail_batch(app: App, case_numbers: list[str], doc_type: str, mail_date: date,
               batch_id: str, *, reservice: str | None = None, workers: int | None = None,
               progress: Callable[[int, int], None] | None = None,
               chunk_size: int = CHUNK_SIZE) -> BatchResult:
    app.ready_to_issue()
    if refusal := batch_id_refusal(batch_id):
        raise InputError([Problem("(command line)", None, "batch id", refusal, BATCH_ID_HINT)])
    folder = app.out / batch_id
    with app.record.read() as c:
        done = c.execute(select(batches).where(batches.c.id == batch_id)).mappings().first()
        clash = conflict(c, batch_id, doc_type, mail_date, case_numbers)
    if done is not None:
        if clash:
            raise NoticegenError(clash, "choose a new --batch-id for other cases or another "
                                 "day; a finished batch is never changed")
        with app.record.read() as c:
            top = {name: serial for name, serial in c.execute(
                select(mail_pieces.c.sequence, func.max(mail_pieces.c.serial))
                .where(mail_pieces.c.batch_id == batch_id).group_by(mail_pieces.c.sequence))}
        kept = app.mailed()
        if any(kept.get(name, 0) < serial for name, serial in top.items()):
            app.note_mailed(top)  # a crash right after the commit left it unsaid
        materialize(app, batch_id)
        shutil.rmtree(app.work / batch_id, ignore_errors=True)  # left by a crash after commit
        return BatchResult(batch_id, folder, done["pieces"], 0, True)
    r = renderer_of(app)
    require_batch_approved(r, doc_type)  # before anything is made or claimed
    records = {n: load_case(app, n) for n in dict.fromkeys(case_numbers)}
    catalog, settings = app.project.catalog, app.project.settings
    ordered = batch_order([rec.case for rec in records.values()], catalog)
    if problems := refusals(app, ordered, doc_type, mail_date, reservice):
        raise InputError(problems)
    for case in ordered:
        verify_photos(app, case)
    work = app.work / batch_id
    batch = Batch(app.project, r, ordered, {n: rec.sha256 for n, rec in records.items()},
                  doc_type, mail_date, batch_id, work, app.blobs, workers=workers,
                  chunk_size=chunk_size)
    with app.record.read() as c:
        problems = _issued_before(c, batch)
        seen = _last_step(c, list(records))
    if problems:
        raise InputError(problems)
    source = settings.mail.article_numbers
    count = len(batch.keys())
    with app.transaction() as (c, actor):
        ensure_sequence(c, source, actor)
    for _ in range(ATTEMPTS):
        kept = app.mailed()  # never below a number ever mailed, whatever was restored
        with app.record.read() as c:
            numbers = next_numbers(c, source, count, kept)
        made = batch.make(batch.pieces([n.article for n in numbers]), progress)
        try:
            with app.transaction() as (c, actor):
                lock(c, source)
                if next_numbers(c, source, count, kept) != numbers:
                    raise _Claimed
                if problems := _issued_before(c, batch):  # by a batch run at the same time
                    raise InputError(problems)
                if _last_step(c, list(records)) != seen:
                    raise NoticegenError(
                        f"batch {batch_id}: a step of the ladder was recorded for one of its "
                        "cases while it was made (another run); nothing was recorded",
                        "run the same command again: the ladder decides on the record as it "
                        "is now")
                _record(c, actor, app, r, batch, records, made.entries, made.papers, numbers,
                        reservice)
        except _Claimed:
            continue
        break
    else:
        raise NoticegenError(f"batch {batch_id}: other batches claimed its article numbers "
                             f"{ATTEMPTS} times while it was made; nothing was recorded",
                             "run the same command again when the other batches are done")
    app.note_mailed(_highest(numbers))
    materialize(app, batch_id)
    shutil.rmtree(work, ignore_errors=True)
    return BatchResult(batch_id, folder, count, made.rendered, False, made.timings)


def check_batch(app: App, case_numbers: list[str], doc_type: str, mail_date: date,
                batch_id: str, reservice: str | None = None) -> None:
    """What `mail_batch` checks before it makes anything, for a batch asked for now and made
    later by the worker: the templates' approval, then the batch id, the cases, the mail date
    and the ladder — every refusal at once (InputError)."""
    app.ready()
    require_batch_approved(renderer_of(app), doc_type)
    problems = []
    if not case_numbers:
        problems.append(Problem(REQUEST, None, "cases", "no case is chosen",
                                "choose the cases the ladder allows"))
    if refusal := batch_id_refusal(batch_id):
        problems.append(Problem(REQUEST, None, "batch id", refusal, BATCH_ID_HINT))
    found = []
    for number in dict.fromkeys(case_numbers):
        try:
            found.append(load_case(app, number).case)
        except NoticegenError as exc:
            problems.append(Problem(number, None, "case", exc.message, exc.hint))
    ordered = batch_order(found, app.project.catalog)
    problems += refusals(app, ordered, doc_type, mail_date, reservice, where=REQUEST)
    if not refusal:
        with app.record.read() as c:
            if clash := conflict(c, batch_id, doc_type, mail_date, case_numbers):
                problems.append(Problem(REQUEST, None, "batch id", clash,
                                        "choose a new batch id: a finished batch is never "
                                        "changed"))
    if problems:
        raise InputError(problems)


def refusals(app: App, cases: list[Case], doc_type: str, mail_date: date,
             reservice: str | None = None, where: str = "(command line)") -> list[Problem]:
    """Why these cases (in batch order) may not go into one batch mailed that day, every
    reason at once (none if they may): the mail date (a day the post office takes certified
    mail, not far ahead, not before anything a case records), free text naming the
    complainant (V.A.3), the ladder, text the fonts cannot draw. `noticegen batch`, the
    web's new batch and its job all decide with it; `where` names what gave the date."""
    catalog, settings = app.project.catalog, app.project.settings
    problems = [Problem(where, None, MAIL_DATE_FIELD, refusal,
                        "choose a day the post office is open, not far ahead")
                for refusal in mail_date_refusals(mail_date, app.today(), settings.mail)]
    for case in cases:
        if refusal := before_the_case(mail_date, case_facts(case)):
            problems.append(Problem(case.case_number, None, MAIL_DATE_FIELD, refusal,
                                    "date the batch on the day it is taken to the post office"))
        problems += complainant_named(app, case)
    for case in cases:
        try:
            require(doc_type, case, catalog, settings, mail_date, reservice=reservice)
        except StepRefused as exc:
            problems.append(Problem(case.case_number, None, "history", exc.message,
                                    "leave the case out of the batch, or give the re-service "
                                    "reason (--reservice) if the notice must be served again"))
    return problems + unprintable(app, cases)


def batch_id_refusal(batch_id: str) -> str | None:
    """A batch id names its folder out/<batch-id>/ and its record: letters, digits, '.', '_'
    and '-' only, so it can never name a path outside out/."""
    if BATCH_ID.fullmatch(batch_id):
        return None
    return (f"'{batch_id[:80]}' is not a batch id: up to 80 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit")


def conflict(c: Connection, batch_id: str, doc_type: str, mail_date: date,
             case_numbers: list[str]) -> str | None:
    """Why the batch id cannot be used for these cases on that day: it is on record for
    another batch (a finished batch is never changed). None if it is free or the very same."""
    done = c.execute(select(batches).where(batches.c.id == batch_id)).mappings().first()
    if done is None:
        return None
    mailed = set(c.execute(select(mail_pieces.c.case_number).where(
        mail_pieces.c.batch_id == batch_id)).scalars())
    if done["document_type"] == doc_type and done["mail_date"] == mail_date \
            and mailed == set(case_numbers):
        return None
    return (f"batch {batch_id} is on record as a {done['document_type']} batch mailed "
            f"{done['mail_date'].isoformat()} to the {plural('case', len(mailed))} "
            f"{', '.join(sorted(mailed))}")


def _highest(numbers: list[Number]) -> dict[str, int]:
    """The highest serial of each sequence among these numbers."""
    top: dict[str, int] = {}
    for n in numbers:
        top[n.sequence] = max(top.get(n.sequence, 0), n.serial)
    return top


def _last_step(c: Connection, numbers: list[str]) -> int | None:
    """The newest step of the ladder recorded for these cases (what the ladder decided on)."""
    return c.execute(select(func.max(events.c.id)).where(
        events.c.case_number.in_(numbers), events.c.kind.in_(ACTIONS))).scalar()


def _issued_before(c: Connection, batch: Batch) -> list[Problem]:
    """The pieces whose notice is already on record: the same notice to the same party mailed
    the same day, on the same facts, has the same document id, so a re-service is mailed on
    another day."""
    letter = batch.kind.template(None)
    wanted = {batch.renderer.identify(batch.doc_type, letter, case, batch.issued, party.id)[1]:
              (case.case_number, party.id)
              for case, party in pairs([batch.cases[n] for n in batch.order])}
    found = c.execute(select(documents.c.id, documents.c.batch_id).where(
        documents.c.id.in_(list(wanted)))).all()
    return [Problem(wanted[doc_id][0], None, "history",
                    f"the {batch.kind.title.lower()} to {wanted[doc_id][1]} mailed "
                    f"{long_date(batch.mail_date)} is already on record ({doc_id}, batch "
                    f"{other})", "mail it again in a batch on another day")
            for doc_id, other in sorted(found)]


def _record(c: Connection, actor: int, app: App, r: Any, batch: Batch,
            records: dict[str, CaseRecord], entries: list[dict[str, Any]],
            papers: dict[str, str], numbers: list[Number], reservice: str | None) -> None:
    """Every row of the batch, in the transaction that claims its numbers."""
    kind = batch.kind
    fees = app.project.settings.mail.fees
    costs = batch.costs(entries)
    hashes = {t.id: content_hash(r.templates, of_registry(batch.doc_type, kind, t))
              for t in kind.templates}
    hashes |= {t.id: content_hash(r.templates, t) for t in MAIL_TEMPLATES}
    for name, sha in papers.items():
        record_blob(c, sha, app.blobs.path(sha).stat().st_size, "text/csv"
                    if name.endswith(".csv") else "application/json" if name.endswith(".json")
                    else "application/pdf")
    c.execute(insert(batches).values(
        id=batch.batch_id, document_type=batch.doc_type, mail_date=batch.mail_date,
        pieces=len(entries), record_sha256=papers["batch.json"],
        print_sha256=papers["print.pdf"], book_sha256=papers["firm-mailing-book.pdf"],
        manifest_sha256=papers["manifest.csv"], actor_id=actor, recorded_at=now()))
    issued = batch.issued
    for entry, number, cost in zip(entries, numbers, costs, strict=True):
        piece = entry["piece"]
        record = records[piece["case_number"]]
        case = record.case
        deadline = entry["deadline"]
        for role, facts, file in (("notice", entry["notice"], "packet"),
                                  ("file-copy", entry["file_copy"], "file_copy"),
                                  ("affidavit", entry["affidavit"], "affidavit")):
            if facts is None:
                continue
            item = entry["files"][file]
            record_blob(c, item["sha256"], app.blobs.path(item["sha256"]).stat().st_size,
                        "application/pdf")
            c.execute(insert(documents).values(
                id=facts["id"], case_number=case.case_number, revision_id=record.revision_id,
                document_type=facts["document_type"], role=role,
                template_id=facts["template_id"], template_version=facts["template_version"],
                template_hash=hashes[facts["template_id"]], sha256=item["sha256"],
                format="pdf", file=f"out/{batch.batch_id}/{item['path']}",
                recipient=facts["recipient"], recipient_role=facts["recipient_role"],
                delivery=facts["delivery"],
                violations=[[v.id, v.ordinance] for v in case.violations],
                deadline=deadline["wording"] if deadline and role != "affidavit" else None,
                deadline_on=date.fromisoformat(deadline["on"])
                if deadline and deadline["on"] and role != "affidavit" else None,
                batch_id=batch.batch_id, issued_at=issued, actor_id=actor,
                recorded_at=now()))
        c.execute(insert(mail_pieces).values(
            article_number=number.article, sequence=number.sequence, serial=number.serial,
            batch_id=batch.batch_id, line=entry["line"], document_id=entry["notice"]["id"],
            case_number=case.case_number, recipient=piece["party_id"], addressee=piece["name"],
            address=", ".join(piece["address_lines"]), mailing_date=batch.mail_date,
            service=f"Certified Mail, return receipt ({fees.return_receipt_kind})",
            postage=cost.postage, fees=cost.certified + cost.return_receipt,
            packet_sha256=entry["files"]["packet"]["sha256"]))
        notice = _Issued(entry["notice"]["id"], issued, piece["party_id"], deadline,
                         kind.delivery, entry["notice"]["template_id"])
        if kind.action:
            insert_event(c, case.case_number, step_entry(case, notice, kind.action, reservice),
                         actor, f"batch:{batch.batch_id}", document_id=notice.document_id)
        c.execute(insert(events).values(
            case_number=case.case_number, kind="mailed",
            occurred_at=datetime.combine(batch.mail_date, time(0, 0)),
            data={"status": "mailed", "on": batch.mail_date.isoformat()},
            article_number=number.article, document_id=notice.document_id,
            correction=False, source=f"batch:{batch.batch_id}", actor_id=actor,
            recorded_at=now()))


@dataclass(frozen=True)
class _Issued:
    """What `step_entry` reads of a notice mailed in a batch."""

    document_id: str
    issued: datetime
    recipient_id: str
    printed: dict[str, Any] | None
    delivery: str
    template_id: str

    @property
    def deadline(self) -> Printed | None:
        if not self.printed:
            return None
        on = self.printed["on"]
        return Printed(self.printed["wording"], date.fromisoformat(on) if on else None)


def materialize(app: App, batch_id: str) -> int:
    """The readable copies of a recorded batch under out/<batch-id>/ (made again if they went
    missing); returns how many were written."""
    with app.record.read() as c:
        row = c.execute(select(batches).where(batches.c.id == batch_id)).mappings().one()
        files = c.execute(select(documents.c.file, documents.c.sha256).where(
            documents.c.batch_id == batch_id)).all()
    folder = app.out / batch_id
    wanted = [(folder / name, row[column]) for name, column in PAPER_COLUMNS.items()]
    wanted += [(app.root / file, sha) for file, sha in files]
    written = 0
    for target, sha in wanted:
        if not target.is_file():
            written += 1
        app.blobs.copy_to(sha, target)
    return written
