"""The batch's render step: a chunk of pieces laid out document by document, written as one PDF
(fonts subset once) and split back into per-piece files — a pure function of picklable inputs
that a worker process runs, writing its files into the blob store itself and returning only
their facts."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import pickle
import time as clock
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from weasyprint.text.fonts import FontConfiguration

from ..blobs import BlobStore
from ..cases import Case
from ..errors import NoticegenError
from ..files import sha256_bytes
from ..project import Project, load_project
from ..render import Renderer
from ..render.pdf import layout, render_html, write_documents
from ..render.photos import prepare_photo
from ..rules import long_date
from .article_numbers import printed
from .barcode import barcode_png
from .inputs import InputsChanged, changed_inputs, sha256
from .pdfparts import Part, split
from .postage import price
from .window import AddressDoesNotFit, Room, certified_marks_refused, fits, marks, overflow

MAIL_TEMPLATE_VERSIONS = {"mail-cover": 2, "firm-mailing-book": 2, "affidavit-of-mailing": 2}
"""The batch's own templates and the versions it prints; review lists them for approval."""
CHUNK_SIZE = 2
"""Pieces per chunk, in mailing order. Fixed, whatever the number of workers: a packet's bytes
(its font subsets) depend on the chunk it was written in, so chunks must be the same on every
run and every resume. Small, because a multi-page NOV's cost is layout, not the per-PDF work a
bigger chunk would share, while a worker's memory grows with the documents it holds laid out
(see docs/performance.md for the sizes measured)."""


def piece_stem(line: int, case_number: str, party_id: str) -> str:
    """The name every file of a piece starts with (its packet, affidavit, file copy)."""
    return f"{line:04d}-{case_number}-{party_id}"


@dataclass(frozen=True)
class Piece:
    """One envelope: a notice to one responsible party, with its article number."""

    line: int
    key: str
    case_number: str
    party_id: str
    name: str
    role_label: str
    address_lines: tuple[str, ...]
    zip: str
    article: str
    stem: str

    @property
    def article_printed(self) -> str:
        return printed(self.article)


@dataclass(frozen=True)
class CoverPiece:
    """What the mail templates see of a piece."""

    piece: Piece
    barcode: str
    document_id: str
    notice_sha256: str = ""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.piece, name)


@dataclass(frozen=True)
class MailedPiece:
    """The mail piece a case-file copy copies: what ties the copy to the packet mailed."""

    article_printed: str
    sha256: str
    """The mailed packet's (cover and notice) SHA-256."""
    pages: int
    batch_id: str
    line: int
    mailed: str


@dataclass(frozen=True)
class ChunkJob:
    """Everything a worker needs to render a chunk: paths, ids, numbers — no open state."""

    index: int
    root: Path
    cases: tuple[Case, ...]
    templates: Path
    cache: Path
    key: bytes
    doc_type: str
    batch_id: str
    mail_date: date
    issued: datetime
    total: int
    blobs: BlobStore
    pieces: tuple[Piece, ...]
    inputs: tuple[tuple[str, str], ...]
    """(name, SHA-256) of every file the chunk reads, as the batch started: a template edited
    while the batch runs stops it instead of mixing versions in one batch."""


def mail_common(project: Project, title: str, batch_id: str, mail_date: date,
                issued: datetime, piece: Piece, case: Case, pages: int) -> dict[str, Any]:
    settings = project.settings
    return {"piece": piece, "batch_id": batch_id, "title": title,
            "case_number": case.case_number,
            "property_address": case.property.address.one_line(),
            "mailed": long_date(mail_date), "issued_iso": issued.isoformat(),
            "agency": settings.agency.name, "pages": pages}


def cover_context(project: Project, title: str, batch_id: str, mail_date: date,
                  issued: datetime, piece: Piece, case: Case, total: int, pages: int,
                  document_id: str) -> dict[str, Any]:
    """The window-envelope cover page's facts; `fit` (the address's type) is set by
    `fitted_cover`."""
    settings = project.settings
    envelope = settings.mail.envelope
    officer = settings.officer(case.officer)
    return mail_common(project, title, batch_id, mail_date, issued, piece, case, pages) | {
        "upper": Room.of(envelope, envelope.certified_window),
        "addr": Room.of(envelope, envelope.address_window),
        "return_name": settings.mail.return_name,
        "return_lines": tuple(settings.mail.return_address.printed),
        "total": total, "template_id": "mail-cover",
        "template_version": MAIL_TEMPLATE_VERSIONS["mail-cover"],
        "officer": f"{officer.name}, Badge No. {officer.badge}", "phone": officer.phone,
        "photos": any(v.photos for v in case.violations),
        "piece": CoverPiece(piece, barcode_png(piece.article, piece.zip), document_id)}


def fitted_cover(context: dict[str, Any], lay_out: Callable[[dict[str, Any]], Any]
                 ) -> tuple[dict[str, Any], Any]:
    """The cover's facts with the largest address type that keeps every mark inside the
    windows, and the cover laid out so; refused (naming the line) when none does."""
    piece = context["piece"]
    upper, room = context["upper"], context["addr"]
    why = f"its {1 + len(piece.address_lines)} lines cannot stack in {room.height:g} in"
    for fit in fits(1 + len(piece.address_lines), room):
        fitted = context | {"fit": fit}
        document = lay_out(fitted)
        page = document.pages[0]
        if refused := overflow(marks(page, "certified"), upper):
            raise certified_marks_refused(refused, upper)
        why = overflow(marks(page, "address"), room) or ""
        if not why:
            return fitted, document
        why += f" at {fit.size:g} pt"
    raise AddressDoesNotFit(piece.case_number, piece.party_id, piece.name, why, room)


def affidavit_context(project: Project, title: str, batch_id: str, mail_date: date,
                      issued: datetime, piece: Piece, case: Case, pages: int,
                      packet_pages: int, document_id: str, sha256: str) -> dict[str, Any]:
    """The affidavit of mailing's facts; `sha256` is the mailed packet's, `pages` the
    notice's and `packet_pages` the packet's (the notice and its cover page)."""
    settings = project.settings
    post_office = settings.mail.return_address
    return mail_common(project, title, batch_id, mail_date, issued, piece, case, pages) | {
        "county": settings.agency.county, "packet_pages": packet_pages,
        "mail_city": f"{post_office.city}, {post_office.state}",
        "template_id": "affidavit-of-mailing",
        "template_version": MAIL_TEMPLATE_VERSIONS["affidavit-of-mailing"],
        "piece": CoverPiece(piece, "", document_id, sha256)}


def pdf_date(moment: datetime) -> str:
    """D:YYYYMMDDHHmmSS+HH'mm' (what WeasyPrint writes for dcterms.created)."""
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = "-" if minutes < 0 else "+"
    return f"D:{moment:%Y%m%d%H%M%S}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}"


class WorkerError(NoticegenError):
    """A NoticegenError from a worker process that could not travel back as itself."""

    def __init__(self, message: str, hint: str | None = None, exit_code: int = 1) -> None:
        super().__init__(message, hint)
        self.exit_code = exit_code

    def __reduce__(self) -> tuple[Any, ...]:
        return (WorkerError, (self.message, self.hint, self.exit_code))


def _portably(function: Callable[..., Any], *args: Any) -> Any:
    """Errors raised in a worker reach the parent with their message, hint and exit code."""
    try:
        return function(*args)
    except NoticegenError as exc:
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            raise WorkerError(str(exc), None, exc.exit_code) from None
        raise


def _prepare(task: tuple[Path, Path, ZoneInfo]) -> None:
    """One photo made print-ready into the cache (the batch does each distinct photo once)."""
    source, cache, zone = task
    prepare_photo(source, cache, zone)


def prepare(task: tuple[Path, Path, ZoneInfo]) -> None:
    _portably(_prepare, task)


@functools.cache
def _fonts() -> FontConfiguration:
    """One font configuration per process: its documents also share parsed stylesheets."""
    return FontConfiguration()


def _check_inputs(job: ChunkJob) -> None:
    pinned = dict(job.inputs)
    now = {name: sha256(job.root / name) for name in pinned if (job.root / name).is_file()}
    changed = changed_inputs(pinned, now)
    if changed:
        raise InputsChanged(job.batch_id, changed, during=True)


def _render_chunk(job: ChunkJob) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Render a chunk's packets (cover + notice), file copies and affidavits, write them, and
    return each piece's journal entry and the seconds spent per stage."""
    timings = {"layout": 0.0, "write": 0.0, "split": 0.0}
    started = clock.perf_counter()
    _check_inputs(job)
    project = load_project(job.root)
    cases = {case.case_number: case for case in job.cases}
    r = Renderer(project, job.templates, job.cache, job.key)
    kind = r.registry.get(job.doc_type)  # type: ignore[attr-defined]
    letter = kind.template(None)
    copy_entry = next((t for t in kind.templates if t.variant == "file-copy"), None)
    env, templates = r.env, r.templates  # type: ignore[attr-defined]
    allowed, mail = [templates / "assets"], templates / "mail"
    fonts, images = _fonts(), {}  # images are shared by the chunk's documents only
    epoch = int(job.issued.timestamp())
    created = pdf_date(job.issued)

    def laid_out(template: str, context: dict[str, Any], base: Path) -> Any:
        return layout(render_html(env, template, context), base, allowed, r.cache, fonts,
                      images)

    # Pass 1: cover + notice (the packet), for every piece.
    documents: list[Any] = []
    parts: list[Part] = []
    facts: list[dict[str, Any]] = []
    for piece in job.pieces:
        case = cases[piece.case_number]
        party, context, deadline = r.context(job.doc_type, letter, case, job.issued,
                                             piece.party_id)
        doc_id = context["doc"].id
        notice = laid_out(letter.file, context, templates)
        pages = len(notice.pages)
        _, cover = fitted_cover(
            cover_context(project, kind.title, job.batch_id, job.mail_date, job.issued, piece,
                          case, job.total, pages, doc_id),
            lambda facts: laid_out("mail/cover.html", facts, mail))
        start = sum(len(d.pages) for d in documents)
        packet_pages = len(cover.pages) + pages
        # A packet too heavy to mail stops the batch here, not after every chunk is rendered.
        price(packet_pages, project.settings.mail)
        documents += [cover, notice]
        parts.append(Part(start, start + packet_pages, notice.metadata.title or kind.title,
                          created))
        facts.append({"piece": piece, "case": case, "party": party, "pages": pages,
                      "packet_pages": packet_pages,
                      "deadline": {"wording": deadline.wording,
                                   "on": deadline.on.isoformat() if deadline.on else None}
                      if deadline else None,
                      "notice": _document(doc_id, job.doc_type, kind, letter, case, party)})
    timings["layout"] += clock.perf_counter() - started

    packets = _write_split(job, documents, parts, epoch, timings)
    for fact, packet in zip(facts, packets, strict=True):
        piece = fact["piece"]
        fact["notice"]["sha256"] = sha256_bytes(packet)
        fact["outputs"] = {"packet": (f"packets/{piece.stem}.pdf", packet)}
    del packets, documents

    # Pass 2: what quotes each mailed packet's SHA-256: its affidavit and case-file copy.
    started = clock.perf_counter()
    documents, parts = [], []
    for fact in facts:
        piece, case, notice = fact["piece"], fact["case"], fact["notice"]
        affidavit = laid_out("mail/affidavit.html", affidavit_context(
            project, kind.title, job.batch_id, job.mail_date, job.issued, piece, case,
            fact["pages"], fact["packet_pages"], notice["id"], notice["sha256"]), mail)
        start = sum(len(d.pages) for d in documents)
        documents.append(affidavit)
        parts.append(Part(start, start + len(affidavit.pages),
                          affidavit.metadata.title or "Affidavit", created))
        fact["file_copy"] = None
        if copy_entry is not None:
            _, copy_context, _ = r.context(job.doc_type, copy_entry, case, job.issued,
                                           piece.party_id)
            copy_context["copy_of"] = MailedPiece(
                piece.article_printed, notice["sha256"], fact["packet_pages"], job.batch_id,
                piece.line, long_date(job.mail_date))
            copy = laid_out(copy_entry.file, copy_context, templates)
            start += len(affidavit.pages)
            documents.append(copy)
            parts.append(Part(start, start + len(copy.pages),
                              copy.metadata.title or kind.title, created))
            fact["file_copy"] = _document(copy_context["doc"].id, job.doc_type, kind,
                                          copy_entry, case, fact["party"])
    timings["layout"] += clock.perf_counter() - started
    files = iter(_write_split(job, documents, parts, epoch, timings))

    started = clock.perf_counter()
    entries = []
    for fact in facts:
        piece, outputs = fact["piece"], fact["outputs"]
        affidavit_bytes = next(files)
        outputs["affidavit"] = (f"affidavits/{piece.stem}-affidavit.pdf", affidavit_bytes)
        if fact["file_copy"] is not None:
            copy_bytes = next(files)
            fact["file_copy"]["sha256"] = sha256_bytes(copy_bytes)
            outputs["file_copy"] = (f"file-copies/{piece.stem}-file-copy.pdf", copy_bytes)
        entries.append({"key": piece.key, "line": piece.line, "piece": asdict(piece),
                        "notice": fact["notice"], "file_copy": fact["file_copy"],
                        "affidavit": _affidavit(fact["notice"], affidavit_bytes),
                        "deadline": fact["deadline"], "pages": fact["pages"],
                        "packet_pages": fact["packet_pages"],
                        "files": {name: {"path": rel, "sha256": job.blobs.put(content)}
                                  for name, (rel, content) in outputs.items()}})
    timings["split"] += clock.perf_counter() - started
    del facts, documents, files
    _release_memory()
    return entries, timings


def _release_memory() -> None:
    """Laid-out pages are cyclic garbage, and glibc keeps freed heap for later: give both back
    before the next chunk, so that a worker's memory stays flat over a long batch."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: reused, just not returned
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def render_chunk(job: ChunkJob) -> tuple[list[dict[str, Any]], dict[str, float]]:
    return _portably(_render_chunk, job)


def _write_split(job: ChunkJob, documents: list[Any], parts: list[Part], epoch: int,
                 timings: dict[str, float]) -> list[bytes]:
    started = clock.perf_counter()
    chunk = write_documents(documents, epoch)
    documents.clear()  # the laid-out pages are not needed any more: free them before splitting
    timings["write"] += clock.perf_counter() - started
    started = clock.perf_counter()
    files = split(chunk, parts)
    timings["split"] += clock.perf_counter() - started
    return files


def _affidavit(notice: dict[str, Any], content: bytes) -> dict[str, Any]:
    """The affidavit of mailing as a document of the case file."""
    return notice | {"id": f"{notice['id']}-AFF", "document_type": "affidavit-of-mailing",
                     "recipient": "case-file", "recipient_role": "case file",
                     "template_id": "affidavit-of-mailing",
                     "template_version": MAIL_TEMPLATE_VERSIONS["affidavit-of-mailing"],
                     "sha256": sha256_bytes(content), "delivery": "case_file"}


def _document(doc_id: str, doc_type: str, kind: Any, entry: Any, case: Case,
              party: tuple[str, str]) -> dict[str, Any]:
    """A document's facts as the journal keeps them (the store's documents columns); its
    sha256 is filled in once its file exists."""
    return {"id": doc_id, "case_number": case.case_number, "document_type": doc_type,
            "recipient": party[0], "recipient_role": party[1], "template_id": entry.id,
            "template_version": entry.version, "sha256": "", "delivery": kind.delivery}
