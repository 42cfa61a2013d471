"""A certified-mail batch: packets for window envelopes, the print file, the firm mailing book,
the manifest, affidavits and file copies — resumable, with every output hashed."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter

from ..cases import Case, ResponsibleParty
from ..errors import InputError, NoticegenError, Problem, display_path
from ..project import Project
from ..records import append_records, write_atomically
from ..render import RenderedDocument, Renderer
from ..render.context import ROLE_LABELS
from ..render.pdf import render_html, write_pdf
from ..review.approvals import require_batch_approved
from ..rules import StepRefused, batch_order, long_date, require
from ..rules.deadlines import local
from ..tracking.store import open_store
from .article_numbers import Allocator, printed
from .barcode import barcode_png
from .book import Totals, book_line, book_pages

ARTICLE_DB = "article-numbers.sqlite"
JOURNAL = ".journal.jsonl"
Progress = Callable[[int, int], None]


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
class BatchResult:
    batch_id: str
    folder: Path
    pieces: int
    rendered: int
    already_complete: bool


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


def inputs_digest(project: Project) -> dict[str, str]:
    """SHA-256 of every file a batch reads: catalogs, settings, templates, cases, photos."""
    root = project.root
    files = sorted([*(root / "ordinances").glob("*.yaml"), *(root / "config").rglob("*"),
                    *(root / "templates").rglob("*")])
    files += [project.files[n] for n in sorted(project.files)]
    files += sorted({p.file for case in project.cases.values() for v in case.violations
                     for p in v.photos})
    return {display_path(f): _sha(f.read_bytes()) for f in files if f.is_file()}


def _blank_page(writer: PdfWriter) -> None:
    writer.add_blank_page(width=612, height=792)


def _pdf_bytes(writer: PdfWriter) -> bytes:
    writer.add_metadata({"/Producer": "noticegen"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _deterministic(writer: PdfWriter, seed: str) -> PdfWriter:
    """pypdf would stamp a random file id; derive it from the content instead."""
    from pypdf.generic import ArrayObject, ByteStringObject

    digest = hashlib.md5(seed.encode(), usedforsecurity=False).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    return writer


def merge(parts: Sequence[bytes], seed: str, pad_to_even: bool = False) -> bytes:
    writer = PdfWriter()
    for part in parts:
        reader = PdfReader(io.BytesIO(part))
        for page in reader.pages:
            writer.add_page(page)
        if pad_to_even and len(reader.pages) % 2:
            _blank_page(writer)
    return _pdf_bytes(_deterministic(writer, seed))


class Batch:
    """One batch folder, out/<batch-id>/, built in steps that a crash can interrupt anywhere."""

    def __init__(self, project: Project, renderer: Renderer, doc_type: str, mail_date: date,
                 batch_id: str, out: Path) -> None:
        self.project, self.renderer, self.doc_type = project, renderer, doc_type
        self.mail_date, self.batch_id = mail_date, batch_id
        self.folder = out / batch_id
        self.issued = local(datetime.combine(mail_date, time(0, 0)), project.settings.zone)
        self.kind = renderer.registry.get(doc_type)  # type: ignore[attr-defined]

    def run(self, progress: Progress | None = None) -> BatchResult:
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

        pairs = plan(self.project, self.doc_type, self.mail_date)
        keys = [f"{self.batch_id}|{c.case_number}|{self.doc_type}|{p.id}" for c, p in pairs]
        settings = self.project.settings
        settings.state_dir.mkdir(parents=True, exist_ok=True)
        with Allocator(settings.state_dir / ARTICLE_DB, settings.mail.article_numbers) as alloc:
            numbers = alloc.allocate(keys)
        pieces = [Piece(line, key, case.case_number, party.id, party.name,
                        party.role_detail or ROLE_LABELS[party.role],
                        tuple(party.mailing_address.printed), party.mailing_address.zip,
                        numbers[key], f"{line:04d}-{case.case_number}-{party.id}")
                  for line, ((case, party), key) in enumerate(zip(pairs, keys, strict=True),
                                                              start=1)]
        journal = self._journal()
        rendered = 0
        for piece in pieces:
            if piece.key not in journal or not self._intact(journal[piece.key]):
                journal[piece.key] = self._piece(piece, len(pieces))
                self._append_journal(journal[piece.key])
                rendered += 1
            if progress:
                progress(piece.line, len(pieces))
        self._finish(pieces, journal, digest)
        return BatchResult(self.batch_id, self.folder, len(pieces), rendered, False)

    # -- per piece ---------------------------------------------------------------------

    def _piece(self, piece: Piece, total: int) -> dict[str, Any]:
        case = self.project.cases[piece.case_number]
        notice = self.renderer.render(self.doc_type, case, self.issued, recipient=piece.party_id)
        copy = self.renderer.render(self.doc_type, case, self.issued, recipient=piece.party_id,
                                    variant="file-copy") if self._has_file_copy() else None
        pages = len(PdfReader(io.BytesIO(notice.content)).pages)
        cover = self._cover(piece, notice, total, pages, case)
        packet = merge([cover, notice.content], seed=f"{piece.key}|packet")
        affidavit = self._affidavit(piece, notice, pages, case)
        outputs = {"packet": (f"packets/{piece.stem}.pdf", packet),
                   "affidavit": (f"affidavits/{piece.stem}-affidavit.pdf", affidavit)}
        if copy:
            outputs["file_copy"] = (f"file-copies/{piece.stem}-file-copy.pdf", copy.content)
        for relative, content in outputs.values():
            write_atomically(self.folder / relative, content)
        return {"key": piece.key, "line": piece.line, "piece": asdict(piece),
                "notice": _record(notice), "file_copy": _record(copy) if copy else None,
                "deadline": notice.deadline, "pages": pages,
                "files": {name: {"path": rel, "sha256": _sha(content)}
                          for name, (rel, content) in outputs.items()}}

    def _has_file_copy(self) -> bool:
        return any(t.variant == "file-copy" for t in self.kind.templates)

    def _common(self, piece: Piece, case: Case, pages: int) -> dict[str, Any]:
        settings = self.project.settings
        return {"piece": piece, "batch_id": self.batch_id, "title": self.kind.title,
                "case_number": case.case_number,
                "property_address": case.property.address.one_line(),
                "mailed": long_date(self.mail_date), "issued_iso": self.issued.isoformat(),
                "agency": settings.agency.name, "pages": pages}

    def _cover(self, piece: Piece, notice: RenderedDocument, total: int, pages: int,
               case: Case) -> bytes:
        settings = self.project.settings
        envelope = settings.mail.envelope
        officer = settings.officer(case.officer)
        context = self._common(piece, case, pages) | {
            "ret": _inset(envelope.return_window, envelope.clearance),
            "addr": _inset(envelope.address_window, envelope.clearance),
            "return_name": settings.mail.return_name,
            "return_lines": tuple(settings.mail.return_address.printed),
            "total": total, "template_id": "mail-cover", "template_version": 1,
            "officer": f"{officer.name}, Badge No. {officer.badge}", "phone": officer.phone,
            "photos": any(v.photos for v in case.violations),
            "piece": _CoverPiece(piece, barcode_png(piece.article, piece.zip),
                                 notice.document_id)}
        return self._pdf("mail/cover.html", context)

    def _affidavit(self, piece: Piece, notice: RenderedDocument, pages: int,
                   case: Case) -> bytes:
        settings = self.project.settings
        post_office = settings.mail.return_address
        context = self._common(piece, case, pages) | {
            "county": settings.agency.county,
            "mail_city": f"{post_office.city}, {post_office.state}",
            "piece": _CoverPiece(piece, "", notice.document_id, notice.sha256)}
        return self._pdf("mail/affidavit.html", context)

    def _pdf(self, template: str, context: dict[str, Any]) -> bytes:
        html = render_html(self.renderer.env, template, context)  # type: ignore[attr-defined]
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

    def _append_journal(self, entry: dict[str, Any]) -> None:
        import os

        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / JOURNAL, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, sort_keys=True) + "\n")
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
        packets = [(self.folder / e["files"]["packet"]["path"]).read_bytes() for e in entries]
        outputs = {"print.pdf": merge(packets, seed=f"{self.batch_id}|print", pad_to_even=True),
                   "firm-mailing-book.pdf": self._book(pieces),
                   "manifest.csv": self._manifest(pieces, journal)}
        for name, content in outputs.items():
            write_atomically(self.folder / name, content)
        files = {name: _sha(content) for name, content in outputs.items()}
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

    def _book(self, pieces: list[Piece]) -> bytes:
        settings = self.project.settings
        fees = settings.mail.fees
        lines = [book_line(p.line, p.article_printed, p.name, ", ".join(p.address_lines), fees)
                 for p in pieces]
        context = {"pages": book_pages(lines, settings.mail.book_lines_per_page),
                   "totals": Totals.of(lines), "batch_id": self.batch_id,
                   "sender_name": settings.mail.return_name,
                   "sender_lines": tuple(settings.mail.return_address.printed),
                   "receipt_kind": fees.return_receipt_kind, "mailed": long_date(self.mail_date),
                   "approval": settings.mail.postmaster_approval, "money": _money,
                   "issued_iso": self.issued.isoformat()}
        return self._pdf("mail/firm_book.html", context)

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


@dataclass(frozen=True)
class _CoverPiece:
    """What the mail templates see of a piece."""

    piece: Piece
    barcode: str
    document_id: str
    notice_sha256: str = ""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.piece, name)


def _inset(window: Any, clearance: float) -> dict[str, float]:
    return {"left": window.left + clearance, "top": window.top + clearance,
            "width": round(window.width - 2 * clearance, 4),
            "height": round(window.height - 2 * clearance, 4)}


def _money(value: Decimal) -> str:
    return f"${value:,.2f}"


def _record(doc: RenderedDocument) -> dict[str, Any]:
    """A document's facts as the journal keeps them (the store's documents columns)."""
    return {"id": doc.document_id, "case_number": doc.case_number,
            "document_type": doc.doc_type, "recipient": doc.recipient_id,
            "recipient_role": doc.recipient_role, "template_id": doc.template_id,
            "template_version": doc.template_version, "sha256": doc.sha256,
            "delivery": doc.delivery}
