"""A certified-mail batch: packets for window envelopes, the print file, the firm mailing book,
the manifest, affidavits and file copies — resumable, with every output hashed."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import threading
import time as clock
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from ..cases import Case, ResponsibleParty
from ..errors import InputError, NoticegenError, Problem, display_path
from ..project import Project
from ..records import append_records, write_atomically
from ..render import Renderer
from ..render.context import ROLE_LABELS
from ..render.pdf import render_html, write_pdf
from ..review.approvals import require_batch_approved
from ..rules import StepRefused, batch_order, long_date, require
from ..rules.deadlines import local
from ..tracking.store import open_store
from .article_numbers import Allocator
from .book import Totals, book_line, book_pages
from .chunks import CHUNK_SIZE, ChunkJob, Piece, pdf_date, prepare, render_chunk
from .inputs import (
    InputsChanged,
    case_inputs,
    changed_inputs,
    input_files,
    input_name,
    inputs_digest,
)
from .pdfparts import stream_files

ARTICLE_DB = "article-numbers.sqlite"
JOURNAL = ".journal.jsonl"
INPUTS = ".inputs.json"
"""The SHA-256 of every input as the batch first started: a resumed batch must match it."""
BOOK_PART_PAGES = 25
"""Sheets of the firm mailing book laid out at a time (about 4 MB of memory a sheet)."""
_GRAND_TOTAL = re.compile(r'<tr class="grand">.*?</tr>', re.DOTALL)
WORKER_TASKS = 40
"""Chunks a worker renders before the pool is replaced by a fresh one: a long batch's memory
stays flat instead of creeping with heap fragmentation; a new pool costs about two seconds.
(Not ProcessPoolExecutor's max_tasks_per_child: on Python 3.11 a batch hung when workers were
replaced that way.)"""
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    folder: Path
    pieces: int
    rendered: int
    already_complete: bool
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: plan, photos, render (wall), layout/write/split (summed over the
    workers), merge (print.pdf), record."""


def plan(project: Project, doc_type: str, mail_date: date) -> list[tuple[Case, ResponsibleParty]]:
    """Every (case, party) that gets a piece, in priority order; refuses before anything is
    allocated if the ladder does not allow the document for any case."""
    problems: list[Problem] = []
    cases = batch_order(list(project.cases.values()), project.catalog)
    for case in cases:
        try:
            require(doc_type, case, project.catalog, project.settings, mail_date)
        except StepRefused as exc:
            problems.append(Problem(display_path(project.files[case.case_number]), None,
                                    "history", exc.message, exc.hint))
    if problems:
        raise InputError(problems)
    return [(case, party) for case in cases for party in case.responsible_parties]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Batch:
    """One batch folder, out/<batch-id>/, built in steps that a crash can interrupt anywhere."""

    def __init__(self, project: Project, renderer: Renderer, doc_type: str, mail_date: date,
                 batch_id: str, out: Path, *, workers: int | None = None,
                 chunk_size: int = CHUNK_SIZE) -> None:
        self.project, self.renderer, self.doc_type = project, renderer, doc_type
        self.mail_date, self.batch_id = mail_date, batch_id
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.chunk_size = chunk_size
        self.timings: dict[str, float] = {}
        self.folder = out / batch_id
        self.issued = local(datetime.combine(mail_date, time(0, 0)), project.settings.zone)
        self.kind = renderer.registry.get(doc_type)  # type: ignore[attr-defined]
        self.digest: dict[str, str] = {}

    def run(self, progress: Progress | None = None) -> BatchResult:
        started = clock.perf_counter()
        require_batch_approved(self.renderer, self.doc_type)  # before any number is allocated
        digest = inputs_digest(self.project)
        finished = self.folder / "batch.json"
        if finished.is_file():
            recorded = json.loads(finished.read_text(encoding="utf-8"))
            if recorded["inputs"] != digest or recorded["mail_date"] != self.mail_date.isoformat():
                raise NoticegenError(
                    f"batch {self.batch_id} is complete but was made from other inputs",
                    "choose a new --batch-id; a finished batch is never changed")
            return BatchResult(self.batch_id, self.folder, len(recorded["pieces"]), 0, True)

        pinned = self.folder / INPUTS
        if pinned.is_file():
            changed = changed_inputs(json.loads(pinned.read_text(encoding="utf-8")), digest)
            if changed:
                raise InputsChanged(self.batch_id, changed, during=False)
        pieces = self.pieces()
        if not pinned.is_file():
            write_atomically(pinned, json.dumps(digest, indent=1, sort_keys=True).encode())
        self.digest = digest
        self.timings = {"plan": clock.perf_counter() - started}
        rendered = self._render(pieces, self._journal(), progress)
        self._finish(pieces, self._journal(), digest)
        return BatchResult(self.batch_id, self.folder, len(pieces), rendered, False,
                           dict(self.timings))

    def pieces(self) -> list[Piece]:
        """Every piece in mailing order, with its article number (allocated once per key:
        asking again returns the same numbers)."""
        pairs = plan(self.project, self.doc_type, self.mail_date)
        keys = [f"{self.batch_id}|{c.case_number}|{self.doc_type}|{p.id}" for c, p in pairs]
        settings = self.project.settings
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        with Allocator(settings.state_dir / ARTICLE_DB, settings.mail.article_numbers) as alloc:
            numbers = alloc.allocate(keys)
        return [Piece(line, key, case.case_number, party.id, party.name,
                      party.role_detail or ROLE_LABELS[party.role],
                      tuple(party.mailing_address.printed), party.mailing_address.zip,
                      numbers[key], f"{line:04d}-{case.case_number}-{party.id}")
                for line, ((case, party), key) in enumerate(zip(pairs, keys, strict=True),
                                                            start=1)]

    # -- rendering: fixed-size chunks of pieces, spread over worker processes ------------

    def _render(self, pieces: list[Piece], journal: dict[str, dict[str, Any]],
                progress: Progress | None) -> int:
        """Render every chunk that is not finished on disk; journal each piece once its chunk's
        files are written. Returns the number of pieces rendered now."""
        total = len(pieces)
        chunks = [pieces[i:i + self.chunk_size] for i in range(0, total, self.chunk_size)]
        todo = [chunk for chunk in chunks
                if not all(p.key in journal and self._intact(journal[p.key]) for p in chunk)]
        done = total - sum(len(chunk) for chunk in todo)
        if progress:
            progress(done, total)
        cases = self.project.cases
        photos = sorted({photo.file for chunk in todo for p in chunk
                         for v in cases[p.case_number].violations for photo in v.photos})
        tasks = [(photo, self.renderer.cache, self.project.settings.zone) for photo in photos]
        root = self.project.root
        common = tuple((name, self.digest[name]) for name in
                       (input_name(root, f) for f in input_files(self.project, [])))
        workers = min(self.workers, max(len(todo), 1))
        totals = {"photos": 0.0, "render": 0.0, "layout": 0.0, "write": 0.0, "split": 0.0}
        wave = WORKER_TASKS * workers  # then a fresh pool: memory stays flat in a long batch
        for first in range(0, max(len(todo), 1), wave):
            # a wave's jobs at a time, so that the parent does not grow with the batch
            jobs = [self._job(index, chunk, total, common)
                    for index, chunk in enumerate(todo[first:first + wave], start=first)]
            with _pool(workers) as pool:
                started = clock.perf_counter()
                if first == 0:  # every distinct photo once, before any chunk needs it
                    if pool is None:
                        for task in tasks:
                            prepare(task)
                    else:
                        list(pool.map(prepare, tasks,
                                      chunksize=max(1, len(tasks) // (8 * workers))))
                    totals["photos"] = clock.perf_counter() - started
                    started = clock.perf_counter()
                for entries, timings in _results(pool, jobs):
                    self._append_journal(*entries)  # read back once the workers are gone
                    for stage, seconds in timings.items():
                        totals[stage] += seconds
                    done += len(entries)
                    if progress:
                        progress(done, total)
                totals["render"] += clock.perf_counter() - started
        self.timings.update(totals)
        return sum(len(chunk) for chunk in todo)

    def _job(self, index: int, chunk: list[Piece], total: int,
             common: tuple[tuple[str, str], ...]) -> ChunkJob:
        """`common`: the pinned catalogs, settings and templates every chunk reads."""
        files = tuple(sorted({self.project.files[p.case_number] for p in chunk}))
        root = self.project.root
        read = case_inputs(self.project, [p.case_number for p in chunk])
        pinned = common + tuple((name, self.digest[name]) for name in
                                (input_name(root, f) for f in read))
        return ChunkJob(index, root, files, self.renderer.templates,
                        self.renderer.cache, self.renderer.key, self.doc_type, self.batch_id,
                        self.mail_date, self.issued, total, self.folder, tuple(chunk), pinned)

    def _pdf(self, template: str, context: dict[str, Any]) -> bytes:
        return self._write(render_html(self.renderer.env, template, context))  # type: ignore[attr-defined]

    def _write(self, html: str) -> bytes:
        templates = self.renderer.templates
        return write_pdf(html, templates / "mail", [templates / "assets"],
                         int(self.issued.timestamp()))

    # -- journal: what a crashed run already finished ----------------------------------

    def _journal(self) -> dict[str, dict[str, Any]]:
        path = self.folder / JOURNAL
        entries: dict[str, dict[str, Any]] = {}
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line cut short by a crash: that piece is simply redone
                entries[entry["key"]] = entry
        return entries

    def _append_journal(self, *entries: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / JOURNAL, "a", encoding="utf-8") as handle:
            handle.write("".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))
            handle.flush()
            os.fsync(handle.fileno())

    def _intact(self, entry: dict[str, Any]) -> bool:
        for item in entry["files"].values():
            path = self.folder / item["path"]
            if not path.is_file() or _sha(path.read_bytes()) != item["sha256"]:
                return False
        return True

    # -- the batch's own papers ------------------------------------------------------------

    def _finish(self, pieces: list[Piece], journal: dict[str, dict[str, Any]],
                digest: dict[str, str]) -> None:
        entries = [journal[p.key] for p in pieces]
        started = clock.perf_counter()
        stream_files(self.folder / "print.pdf",
                     (self.folder / e["files"]["packet"]["path"] for e in entries),
                     seed=f"{self.batch_id}|print", pad_to_even=True,
                     info={"Title": f"Batch {self.batch_id}: print file", "Producer": "noticegen",
                           "CreationDate": pdf_date(self.issued)})
        self.timings["merge"] = clock.perf_counter() - started
        started = clock.perf_counter()
        self._book(pieces)
        outputs = {"manifest.csv": self._manifest(pieces, journal)}
        for name, content in outputs.items():
            write_atomically(self.folder / name, content)
        files = {name: _sha(content) for name, content in outputs.items()}
        for name in ("print.pdf", "firm-mailing-book.pdf"):
            files[name] = _file_sha(self.folder / name)
        for entry in entries:
            files.update({item["path"]: item["sha256"] for item in entry["files"].values()})
        record = {
            "batch_id": self.batch_id, "document_type": self.doc_type,
            "mail_date": self.mail_date.isoformat(), "inputs": digest,
            "templates": sorted({(e["notice"]["template_id"], e["notice"]["template_version"])
                                 for e in entries} | {("mail-cover", 1), ("firm-mailing-book", 1),
                                                      ("affidavit-of-mailing", 1)}),
            "pieces": [{"line": e["line"], "case": e["piece"]["case_number"],
                        "recipient": e["piece"]["party_id"], "article": e["piece"]["article"],
                        "document_id": e["notice"]["id"],
                        "notice_sha256": e["notice"]["sha256"]} for e in entries],
            "outputs": files}
        ledger = [self._ledger(e["notice"], e["files"]["packet"]["path"], e["piece"]["article"])
                  for e in entries]
        ledger += [self._ledger(e["file_copy"], e["files"]["file_copy"]["path"], None)
                   for e in entries if e["file_copy"]]
        append_records(self.folder.parent, ledger)
        content = json.dumps(record, indent=2, sort_keys=True).encode()
        self._record(pieces, journal, _sha(content))
        write_atomically(self.folder / "batch.json", content)
        self.timings["record"] = clock.perf_counter() - started

    def _ledger(self, doc: dict[str, Any], file: str, article: str | None) -> dict[str, Any]:
        """The same keys as a single document's record (records.record_of)."""
        return {"document_id": doc["id"], "type": doc["document_type"],
                "case": doc["case_number"], "recipient": doc["recipient"],
                "role": doc["recipient_role"], "template_id": doc["template_id"],
                "template_version": doc["template_version"], "sha256": doc["sha256"],
                "issued": self.issued.isoformat(), "delivery": doc["delivery"],
                "batch": self.batch_id, "article": article, "file": file}

    def _record(self, pieces: list[Piece], journal: dict[str, dict[str, Any]],
                record_sha256: str) -> None:
        """The official record: the batch, every notice and file copy, every piece mailed."""
        fees = self.project.settings.mail.fees
        documents, rows = [], []
        for p in pieces:
            entry = journal[p.key]
            case = self.project.cases[p.case_number]
            for kind in ("notice", "file_copy"):
                if entry[kind]:
                    documents.append({**entry[kind], "issued_at": self.issued,
                                      "batch_id": self.batch_id, "deadline": entry["deadline"],
                                      "violations": [[v.id, v.ordinance]
                                                     for v in case.violations],
                                      "follow_up_due": None,
                                      "file": entry["files"]["packet" if kind == "notice"
                                                             else "file_copy"]["path"]})
            rows.append({"article_number": p.article, "document_id":
                         entry["notice"]["id"], "batch_id": self.batch_id, "line": p.line,
                         "service": f"Certified Mail, return receipt ({fees.return_receipt_kind})",
                         "postage": fees.postage, "fees": fees.certified + fees.return_receipt,
                         "mailing_date": self.mail_date, "addressee": p.name,
                         "address": ", ".join(p.address_lines),
                         "packet_sha256": entry["files"]["packet"]["sha256"]})
        store = open_store(self.project.settings)
        try:
            store.record(documents, {"id": self.batch_id, "document_type": self.doc_type,
                                     "mail_date": self.mail_date, "pieces": len(pieces),
                                     "record_sha256": record_sha256}, rows)
        finally:
            store.close()

    def book_context(self, pieces: list[Piece]) -> dict[str, Any]:
        """What the firm mailing book template sees (also the legal review's specimen)."""
        settings = self.project.settings
        fees = settings.mail.fees
        lines = [book_line(p.line, p.article_printed, p.name, ", ".join(p.address_lines), fees)
                 for p in pieces]
        return {"pages": book_pages(lines, settings.mail.book_lines_per_page),
                "totals": Totals.of(lines), "batch_id": self.batch_id,
                "sender_name": settings.mail.return_name,
                "sender_lines": tuple(settings.mail.return_address.printed),
                "receipt_kind": fees.return_receipt_kind, "mailed": long_date(self.mail_date),
                "approval": settings.mail.postmaster_approval, "money": _money,
                "issued_iso": self.issued.isoformat()}

    def _book(self, pieces: list[Piece]) -> None:
        """firm-mailing-book.pdf, laid out BOOK_PART_PAGES sheets at a time and streamed into
        one file: a 5,000-piece book in one WeasyPrint document took 1.4 GB. Every sheet reads
        as in one document: "Sheet N of M" counts the whole book (`_Sheets`), and the batch
        total row, which the template prints after the last sheet of what it is given, is kept
        only in the last part."""
        stream_files(self.folder / "firm-mailing-book.pdf", self._book_parts(pieces),
                     seed=f"{self.batch_id}|book",
                     info={"Title": f"Firm Mailing Book — batch {self.batch_id}",
                           "Producer": "noticegen", "CreationDate": pdf_date(self.issued)})

    def _book_parts(self, pieces: list[Piece]) -> Iterator[bytes]:
        """The book's parts, made one at a time as the stream takes them."""
        context = self.book_context(pieces)
        pages = context["pages"]
        for first in range(0, len(pages), BOOK_PART_PAGES):
            html = render_html(self.renderer.env, "mail/firm_book.html",  # type: ignore[attr-defined]
                               context | {"pages": _Sheets(pages[first:first + BOOK_PART_PAGES],
                                                           len(pages))})
            if first + BOOK_PART_PAGES < len(pages):  # the batch total: last part only
                html, found = _GRAND_TOTAL.subn("", html)
                if found != 1:
                    raise NoticegenError("the firm mailing book template has no single batch "
                                         "total row (<tr class=\"grand\">…</tr>) to place",
                                         "check templates/mail/firm_book.html")
            yield self._write(html)

    def _manifest(self, pieces: list[Piece], journal: dict[str, dict[str, Any]]) -> bytes:
        fees = self.project.settings.mail.fees
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["batch", "line", "case", "document_id", "document_type", "recipient",
                         "role", "name", "address", "article_number", "service", "postage",
                         "certified_fee", "return_receipt_fee", "total_fees", "mail_date",
                         "deadline"])
        for p in pieces:
            entry = journal[p.key]
            total = fees.postage + fees.certified + fees.return_receipt
            writer.writerow([self.batch_id, p.line, p.case_number,
                             entry["notice"]["id"], self.doc_type, p.party_id,
                             p.role_label, p.name, ", ".join(p.address_lines), p.article,
                             f"Certified Mail, return receipt ({fees.return_receipt_kind})",
                             _money(fees.postage), _money(fees.certified),
                             _money(fees.return_receipt), _money(total),
                             self.mail_date.isoformat(), entry["deadline"] or ""])
        return buffer.getvalue().encode()


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class _Sheets(list):  # type: ignore[type-arg]
    """Some sheets of the firm mailing book, whose length is the whole book's."""

    def __init__(self, sheets: list[Any], count: int) -> None:
        super().__init__(sheets)
        self.count = count

    def __len__(self) -> int:
        return self.count


class _pool:
    """A process pool of `workers` (spawned: no state inherited), or None for one worker —
    then chunks render in this process, one after another."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> ProcessPoolExecutor | None:
        if self.workers > 1:
            self.executor = ProcessPoolExecutor(self.workers, mp_context=get_context("spawn"),
                                                initializer=_exit_with_parent,
                                                initargs=(os.getpid(),))
        return self.executor

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)


def _exit_with_parent(parent: int) -> None:
    """A worker whose batch was killed (kill -9) would wait for work forever: it leaves."""

    def watch() -> None:
        while os.getppid() == parent:
            clock.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="exit-with-parent").start()


def _results(pool: ProcessPoolExecutor | None, jobs: list[ChunkJob]
             ) -> Iterator[tuple[list[dict[str, Any]], dict[str, float]]]:
    """Each chunk's journal entries and timings, as chunks finish."""
    if pool is None:
        for job in jobs:
            yield render_chunk(job)
        return
    futures: list[Future[Any]] = [pool.submit(render_chunk, job) for job in jobs]
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:
        for future in futures:
            future.cancel()
