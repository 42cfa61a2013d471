"""A certified-mail batch: packets for window envelopes, the print file, the firm mailing book,
the manifest, affidavits and file copies — made into the blob store, resumable, every file
hashed. Whether the batch may be made, its article numbers and its record are the service's."""

from __future__ import annotations

import csv
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

from ..blobs import BlobStore
from ..cases import Case, ResponsibleParty
from ..errors import NoticegenError
from ..files import write_atomically
from ..project import Project
from ..render import Renderer
from ..render.context import ROLE_LABELS
from ..render.pdf import render_html, write_pdf
from ..rules import long_date
from ..rules.deadlines import local
from .book import BookLine, Totals, book_pages
from .chunks import (
    CHUNK_SIZE,
    MAIL_TEMPLATE_VERSIONS,
    ChunkJob,
    Piece,
    pdf_date,
    piece_stem,
    prepare,
    render_chunk,
)
from .inputs import InputsChanged, changed_inputs, input_files, input_name, sha256
from .pdfparts import stream_files
from .postage import Postage, price

JOURNAL = "journal.jsonl"
INPUTS = "inputs.json"
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
class Made:
    """A batch's files, all in the blob store: each piece's journal entry (its documents and
    files) and the batch's own papers by name."""

    entries: list[dict[str, Any]]
    papers: dict[str, str]
    """print.pdf, firm-mailing-book.pdf, manifest.csv and batch.json → SHA-256."""
    rendered: int
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per stage: photos, render (wall), layout/write/split (summed over the
    workers), merge (print.pdf), papers."""


def book_context(project: Project, batch_id: str, mail_date: date, issued: datetime,
                 pieces: list[Piece], costs: list[Postage]) -> dict[str, Any]:
    """What the firm mailing book template sees (also the legal review's specimen); `costs`:
    each piece's postage and fees."""
    settings = project.settings
    fees = settings.mail.fees
    lines = [BookLine(p.line, p.article_printed, p.name, ", ".join(p.address_lines), cost)
             for p, cost in zip(pieces, costs, strict=True)]
    return {"pages": book_pages(lines, settings.mail.book_lines_per_page),
            "totals": Totals.of(lines), "batch_id": batch_id,
            "sender_name": settings.mail.return_name,
            "sender_lines": tuple(settings.mail.return_address.printed),
            "receipt_kind": fees.return_receipt_kind, "mailed": long_date(mail_date),
            "approval": settings.mail.postmaster_approval, "money": _money,
            "issued_iso": issued.isoformat()}


def pairs(cases: list[Case]) -> list[tuple[Case, ResponsibleParty]]:
    """Every (case, party) that gets a piece, in the order the cases are given (priority)."""
    return [(case, party) for case in cases for party in case.responsible_parties]


class Batch:
    """One batch's work: its journal and pinned inputs in `work`, its files in the blob store;
    a crash can interrupt it anywhere and a re-run with the same numbers finishes it."""

    def __init__(self, project: Project, renderer: Renderer, cases: list[Case],
                 case_revisions: dict[str, str], doc_type: str, mail_date: date, batch_id: str,
                 work: Path, blobs: BlobStore, *, workers: int | None = None,
                 chunk_size: int = CHUNK_SIZE) -> None:
        self.project, self.renderer, self.doc_type = project, renderer, doc_type
        self.cases = {case.case_number: case for case in cases}
        self.order = [case.case_number for case in cases]
        self.case_revisions = case_revisions
        self.mail_date, self.batch_id = mail_date, batch_id
        self.work, self.blobs = work, blobs
        self.workers = max(1, workers or os.cpu_count() or 1)
        self.chunk_size = chunk_size
        self.timings: dict[str, float] = {}
        self.issued = local(datetime.combine(mail_date, time(0, 0)), project.settings.zone)
        self.kind = renderer.registry.get(doc_type)  # type: ignore[attr-defined]
        self.digest: dict[str, str] = {}

    def keys(self) -> list[str]:
        return [f"{self.batch_id}|{c.case_number}|{self.doc_type}|{p.id}"
                for c, p in pairs([self.cases[n] for n in self.order])]

    def pieces(self, numbers: list[str]) -> list[Piece]:
        """Every piece in mailing order with the article number it will carry."""
        found = pairs([self.cases[n] for n in self.order])
        if len(numbers) != len(found):
            raise ValueError(f"{len(found)} pieces need as many numbers, got {len(numbers)}")
        return [Piece(line, key, case.case_number, party.id, party.name,
                      party.role_detail or ROLE_LABELS[party.role],
                      tuple(party.mailing_address.printed), party.mailing_address.zip,
                      number, piece_stem(line, case.case_number, party.id))
                for line, ((case, party), key, number) in enumerate(
                    zip(found, self.keys(), numbers, strict=True), start=1)]

    def make(self, pieces: list[Piece], progress: Progress | None = None) -> Made:
        """Render what the journal does not already hold for these numbers, then the batch's
        papers; every file goes into the blob store."""
        digest = self.inputs_digest()
        pinned = self.work / INPUTS
        if pinned.is_file():
            changed = changed_inputs(json.loads(pinned.read_text(encoding="utf-8")), digest)
            if changed:
                raise InputsChanged(self.batch_id, changed, during=False)
        else:
            write_atomically(pinned, json.dumps(digest, indent=1, sort_keys=True).encode())
        self.digest = digest
        self.timings = {}
        rendered = self._render(pieces, self._journal(), progress)
        journal = self._journal()
        entries = [journal[p.key] for p in pieces]
        papers = self._papers(pieces, entries, digest)
        return Made(entries, papers, rendered, dict(self.timings))

    def inputs_digest(self) -> dict[str, str]:
        """The catalogs, settings and templates by file, the cases by record revision (their
        photos are blobs, named by content)."""
        root = self.project.root
        digest = {input_name(root, f): sha256(f) for f in input_files(self.project)}
        return digest | {f"case:{n}": self.case_revisions[n] for n in self.order}

    def _render(self, pieces: list[Piece], journal: dict[str, dict[str, Any]],
                progress: Progress | None) -> int:
        """Render every chunk that is not finished on disk; journal each piece once its chunk's
        files are written. Returns the number of pieces rendered now."""
        total = len(pieces)
        chunks = [pieces[i:i + self.chunk_size] for i in range(0, total, self.chunk_size)]
        todo = [chunk for chunk in chunks
                if not all(p.key in journal and self._intact(journal[p.key], p) for p in chunk)]
        done = total - sum(len(chunk) for chunk in todo)
        if progress:
            progress(done, total)
        cases = self.cases
        photos = sorted({photo.file for chunk in todo for p in chunk
                         for v in cases[p.case_number].violations for photo in v.photos})
        tasks = [(photo, self.renderer.cache, self.project.settings.zone) for photo in photos]
        common = tuple((name, sha) for name, sha in self.digest.items()
                       if not name.startswith("case:"))
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
        cases = tuple(self.cases[n] for n in dict.fromkeys(p.case_number for p in chunk))
        return ChunkJob(index, self.project.root, cases, self.renderer.templates,
                        self.renderer.cache, self.renderer.key, self.doc_type, self.batch_id,
                        self.mail_date, self.issued, total, self.blobs, tuple(chunk), common)

    def _write(self, html: str) -> bytes:
        templates = self.renderer.templates
        return write_pdf(html, templates / "mail", [templates / "assets"],
                         int(self.issued.timestamp()))

    # -- journal: what a crashed run already finished ----------------------------------

    def _journal(self) -> dict[str, dict[str, Any]]:
        path = self.work / JOURNAL
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
        self.work.mkdir(parents=True, exist_ok=True)
        with open(self.work / JOURNAL, "a", encoding="utf-8") as handle:
            handle.write("".join(json.dumps(e, sort_keys=True) + "\n" for e in entries))
            handle.flush()
            os.fsync(handle.fileno())

    def _intact(self, entry: dict[str, Any], piece: Piece) -> bool:
        """Made for this very piece (same number, same line) and every file still whole."""
        return (entry["piece"]["article"] == piece.article and entry["line"] == piece.line
                and all(self.blobs.check(item["sha256"]) is None
                        for item in entry["files"].values()))

    # -- the batch's own papers ------------------------------------------------------------

    def _papers(self, pieces: list[Piece], entries: list[dict[str, Any]],
                digest: dict[str, str]) -> dict[str, str]:
        started = clock.perf_counter()
        scratch = self.blobs.scratch()
        stream_files(scratch, (self.blobs.path(e["files"]["packet"]["sha256"]) for e in entries),
                     seed=f"{self.batch_id}|print", pad_to_even=True,
                     info={"Title": f"Batch {self.batch_id}: print file", "Producer": "noticegen",
                           "CreationDate": pdf_date(self.issued)})
        papers = {"print.pdf": self.blobs.put_file(scratch)}
        self.timings["merge"] = clock.perf_counter() - started
        started = clock.perf_counter()
        costs = self.costs(entries)
        scratch = self.blobs.scratch()
        stream_files(scratch, self._book_parts(pieces, costs), seed=f"{self.batch_id}|book",
                     info={"Title": f"Firm Mailing Book — batch {self.batch_id}",
                           "Producer": "noticegen", "CreationDate": pdf_date(self.issued)})
        papers["firm-mailing-book.pdf"] = self.blobs.put_file(scratch)
        papers["manifest.csv"] = self.blobs.put(self._manifest(pieces, entries, costs))
        outputs = {item["path"]: item["sha256"] for e in entries for item in e["files"].values()}
        record = {
            "batch_id": self.batch_id, "document_type": self.doc_type,
            "mail_date": self.mail_date.isoformat(), "inputs": digest,
            "templates": sorted({(e["notice"]["template_id"], e["notice"]["template_version"])
                                 for e in entries} | set(MAIL_TEMPLATE_VERSIONS.items())),
            "pieces": [{"line": e["line"], "case": e["piece"]["case_number"],
                        "recipient": e["piece"]["party_id"], "article": e["piece"]["article"],
                        "document_id": e["notice"]["id"],
                        "notice_sha256": e["notice"]["sha256"], "pages": e["packet_pages"],
                        "postage": str(cost.postage),
                        "fees": str(cost.certified + cost.return_receipt)}
                       for e, cost in zip(entries, costs, strict=True)],
            "outputs": outputs | papers}
        papers["batch.json"] = self.blobs.put(
            json.dumps(record, indent=2, sort_keys=True).encode())
        self.timings["papers"] = clock.perf_counter() - started
        return papers

    def costs(self, entries: list[dict[str, Any]]) -> list[Postage]:
        """Each piece's postage and fees, by its packet's page count."""
        return [price(e["packet_pages"], self.project.settings.mail) for e in entries]

    def book_context(self, pieces: list[Piece], costs: list[Postage]) -> dict[str, Any]:
        return book_context(self.project, self.batch_id, self.mail_date, self.issued, pieces,
                            costs)

    def _book_parts(self, pieces: list[Piece], costs: list[Postage]) -> Iterator[bytes]:
        """The book's parts, made one at a time as the stream takes them."""
        context = self.book_context(pieces, costs)
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

    def _manifest(self, pieces: list[Piece], entries: list[dict[str, Any]],
                  costs: list[Postage]) -> bytes:
        fees = self.project.settings.mail.fees
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["batch", "line", "case", "document_id", "document_type", "recipient",
                         "role", "name", "address", "article_number", "service", "pages",
                         "sheets", "ounces", "shape", "postage", "certified_fee",
                         "return_receipt_fee", "total_fees", "mail_date", "deadline"])
        for p, entry, cost in zip(pieces, entries, costs, strict=True):
            writer.writerow([self.batch_id, p.line, p.case_number,
                             entry["notice"]["id"], self.doc_type, p.party_id,
                             p.role_label, p.name, ", ".join(p.address_lines), p.article,
                             f"Certified Mail, return receipt ({fees.return_receipt_kind})",
                             cost.pages, cost.sheets, cost.ounces, cost.shape,
                             _money(cost.postage), _money(cost.certified),
                             _money(cost.return_receipt), _money(cost.total),
                             self.mail_date.isoformat(), entry["deadline"]["wording"]
                             if entry["deadline"] else ""])
        return buffer.getvalue().encode()


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


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
