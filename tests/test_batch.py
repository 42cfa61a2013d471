"""Certified-mail batches: envelope geometry, totals, privacy, the record they leave, re-runs,
crashes at every step, batches at once and a lost record."""

from __future__ import annotations

import csv
import functools
import hashlib
import importlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, case_data, make_photo, opened
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func, select

from noticegen.errors import NoticegenError
from noticegen.mail.article_numbers import is_valid
from noticegen.record.tables import (
    batches,
    documents,
    events,
    mail_pieces,
    metadata,
    sequences,
)
from noticegen.service import App, check, import_cases, load_case, mail_batch, upgrade

MAIL_DATE = date(2026, 11, 25)
KEY = "test-key-not-secret"
TESTS = Path(__file__).resolve().parent
SIX_LINE = {"lines": ["Attn: Loan Servicing", "Mail Stop 4-B", "1200 Commerce St Ste 900",
                      "PO Box 1180"], "city": "Dallas", "state": "TX", "zip": "75202-1180"}
LOST = "nothing is issued on a lost record"


def _case_file(root: Path, number: int, *, tenant: bool = True, six_line: bool = False,
               **changes: Any) -> Path:
    """cases/case-NNN.yaml: the fixture case as CE-2026-1NNN with no history, an owner (and
    a tenant), and `changes` to its top-level fields."""
    data = case_data()
    data["case_number"] = f"CE-2026-{1000 + number}"
    data["complaint"]["received"] = f"2026-10-{number % 28 + 1:02d}"
    data["history"] = []
    if tenant:
        data["responsible_parties"].append({
            "id": "tenant", "role": "tenant", "name": f"Tenant Number {number}",
            "mailing_address": {"lines": ["512 N Britton St"], "city": "Tom Bean",
                                "state": "TX", "zip": "75489"}})
    if six_line:
        data["responsible_parties"][0]["mailing_address"] = SIX_LINE
    data |= changes
    path = root / "cases" / f"case-{number:03d}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _project(root: Path, cases: int, six_line: bool = False, tenants: bool = True) -> Path:
    """A project with `cases` cases CE-2026-1001…, each with an owner and a tenant (2 pieces
    a case), or an owner only."""
    for folder in ("ordinances", "config", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    make_photo(root / "cases" / "photos" / "yard.jpg", datetime(2026, 11, 3, 10, 16))
    for number in range(1, cases + 1):
        _case_file(root, number, six_line=six_line, tenant=tenants)
    return root


def _record(root: Path, database: str | None = None) -> App:
    """`db upgrade` and `cases import cases/` through the service; the App stays open."""
    app = App.open(root, "tester", database)
    upgrade(app)
    import_cases(app, [root / "cases"])
    return app


def _env(database: str | None) -> dict[str, str]:
    """The environment of a noticegen process: the test key, a clerk, the given database
    (None: the project's SQLite file)."""
    env = {**os.environ, "NOTICEGEN_HMAC_KEY": KEY, "NOTICEGEN_ACTOR": "clerk"}
    env.pop("NOTICEGEN_DATABASE_URL", None)
    if database:
        env["NOTICEGEN_DATABASE_URL"] = database
    return env


def _noticegen(root: Path, *args: str, point: str | None = None,
               database: str | None = None) -> subprocess.CompletedProcess[str]:
    """noticegen in a process of its own; with `point`, one that kills itself there."""
    start = [sys.executable, "-c", DRIVER, point] if point else \
        [sys.executable, "-m", "noticegen"]
    return subprocess.run([*start, "--root", str(root), *args], env=_env(database),
                          capture_output=True, text=True, timeout=600)


def _batch_args(*cases: str, batch_id: str = "b1", mail_date: date = MAIL_DATE) -> list[str]:
    return ["batch", *cases, "--mail-date", mail_date.isoformat(), "--batch-id", batch_id,
            "--workers", "1"]


def _invoke(root: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    """noticegen in this process (its exit code and output, as a clerk sees them); `env`:
    the whole environment it sees, else this process's."""
    from noticegen.cli import cli

    with pytest.MonkeyPatch.context() as patch:
        if env is not None:
            for name in set(os.environ) - set(env):
                patch.delenv(name)
            for name, value in env.items():
                patch.setenv(name, value)
        return CliRunner().invoke(cli, ["--root", str(root), "--actor", "clerk", *args])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> dict[str, str]:
    """Every file under `folder` (hidden ones too) by relative path, with its SHA-256."""
    return {p.relative_to(folder).as_posix(): _sha(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _counts(app: App) -> dict[str, int]:
    """Rows in every table of the record."""
    with app.record.read() as c:
        return {t.name: int(c.execute(select(func.count()).select_from(t)).scalar() or 0)
                for t in metadata.sorted_tables}


def _issued(app: App) -> dict[str, int]:
    """Rows in every table but the sequences (a Mailer ID's is entered on its first use) and
    the people who act: what issuing adds."""
    return {t: n for t, n in _counts(app).items() if t not in ("sequences", "people")}


def _serial(article: str) -> int:
    """The IMpb serial of the sample Mailer ID (9 digits: 7-digit serials)."""
    return int(article[14:21])


def _numbers_in(folder: Path) -> set[str]:
    """Every article number in a manifest under `folder`."""
    return {row["article_number"] for manifest in folder.rglob("manifest.csv")
            for row in csv.DictReader(io.StringIO(manifest.read_text()))}


def _assert_recorded_once(app: App, batch_id: str, pieces: int) -> list[str]:
    """The batch is on record whole: no article number without its piece or piece without
    its number, no serial skipped or used twice, every document and event exactly once, every
    file in the blob store; returns the article numbers in mailing order."""
    with app.record.read() as c:
        rows = c.execute(select(mail_pieces).where(mail_pieces.c.batch_id == batch_id)
                         .order_by(mail_pieces.c.line)).mappings().all()
        docs = c.execute(select(documents).where(documents.c.batch_id == batch_id)
                         ).mappings().all()
        logged = c.execute(select(events.c.kind, events.c.document_id, events.c.article_number)
                           .where(events.c.source == f"batch:{batch_id}")).all()
        recorded = c.execute(select(batches.c.pieces).where(batches.c.id == batch_id)).all()
        all_pieces = c.execute(select(func.count()).select_from(mail_pieces)).scalar()
    assert recorded == [(pieces,)]
    numbers = [r["article_number"] for r in rows]
    assert len(numbers) == len(set(numbers)) == pieces == all_pieces
    assert all(is_valid(n) for n in numbers)
    assert [r["serial"] for r in rows] == [_serial(n) for n in numbers] == list(
        range(1, pieces + 1))  # nothing allocated and lost, nothing skipped
    assert [r["line"] for r in rows] == list(range(1, pieces + 1))
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids)) == 3 * pieces
    assert Counter(d["role"] for d in docs) == {"notice": pieces, "file-copy": pieces,
                                                "affidavit": pieces}
    notices = {d["id"] for d in docs if d["role"] == "notice"}
    assert {r["document_id"] for r in rows} == notices
    assert sorted((k, d) for k, d, a in logged if k == "nov") == sorted(
        ("nov", d) for d in notices)
    assert sorted((d, a) for k, d, a in logged if k == "mailed") == sorted(
        (r["document_id"], r["article_number"]) for r in rows)
    assert len(logged) == 2 * pieces
    assert all(app.blobs.check(d["sha256"]) is None for d in docs)
    assert all(app.blobs.check(r["packet_sha256"]) is None for r in rows)
    return numbers


# -- one batch, looked at closely -----------------------------------------------------------


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory):
    """A case with an owner (six address lines) and a tenant: 2 pieces, recorded in the
    project's SQLite record."""
    root = _project(tmp_path_factory.mktemp("small"), 1, six_line=True)
    app = _record(root)
    with pytest.MonkeyPatch.context() as env:  # before the tests' own key is set
        env.setenv("NOTICEGEN_HMAC_KEY", KEY)
        result = mail_batch(app, ["CE-2026-1001"], "nov", MAIL_DATE, "b1")
    yield root, result, app
    app.close()


def test_batch_writes_every_paper(small_batch):
    _root, result, _app = small_batch
    folder = result.folder
    assert result.pieces == 2 and result.rendered == 2 and not result.already_complete
    for name in ("print.pdf", "firm-mailing-book.pdf", "manifest.csv", "batch.json"):
        assert (folder / name).is_file(), name
    assert len(list((folder / "packets").glob("*.pdf"))) == 2
    assert len(list((folder / "affidavits").glob("*.pdf"))) == 2
    assert len(list((folder / "file-copies").glob("*.pdf"))) == 2
    record = json.loads((folder / "batch.json").read_text())
    for relative, digest in record["outputs"].items():
        assert _sha(folder / relative) == digest, relative
    assert ["nov-letter", 2] in record["templates"]
    assert all(is_valid(p["article"]) for p in record["pieces"])
    assert all(oct(p.stat().st_mode & 0o777) == "0o644" for p in folder.rglob("*")
               if p.is_file())  # readable copies for the clerks


def test_the_batch_is_one_whole_record(small_batch):
    """Every paper of out/b1 is a blob the record names; every piece, document and event
    once; the readable copies are what the record holds."""
    root, result, app = small_batch
    folder = result.folder
    numbers = _assert_recorded_once(app, "b1", 2)
    record = json.loads((folder / "batch.json").read_text())
    assert [p["article"] for p in record["pieces"]] == numbers
    with app.record.read() as c:
        row = c.execute(select(batches).where(batches.c.id == "b1")).mappings().one()
        docs = c.execute(select(documents.c.file, documents.c.sha256, documents.c.deadline,
                                documents.c.deadline_on, documents.c.role)
                         .where(documents.c.batch_id == "b1")).all()
        pieces = c.execute(select(mail_pieces.c.document_id, mail_pieces.c.packet_sha256)
                           ).all()
    assert (row["mail_date"], row["document_type"]) == (MAIL_DATE, "nov")
    for name, column in (("print.pdf", "print_sha256"), ("firm-mailing-book.pdf",
                         "book_sha256"), ("manifest.csv", "manifest_sha256"),
                         ("batch.json", "record_sha256")):
        assert _sha(folder / name) == row[column], name
        assert app.blobs.read(row[column]) == (folder / name).read_bytes()
    for file, sha, deadline, deadline_on, role in docs:
        assert _sha(root / file) == sha, file
        if role == "affidavit":
            assert deadline is None
        else:  # the wording printed on the notice and the date the record acts on
            assert deadline_on is not None and deadline_on.strftime("%B") in deadline
    by_id = {p["document_id"]: p["notice_sha256"] for p in record["pieces"]}
    assert {d: s for d, s in pieces} == by_id
    manifest = list(csv.DictReader(io.StringIO((folder / "manifest.csv").read_text())))
    assert [r["article_number"] for r in manifest] == numbers
    assert {r["deadline"] for r in manifest} == {d for _, _, d, _, role in docs
                                                 if role == "notice"}
    found = check(app)
    assert found.problems == [] and found.notes == []


def test_every_packet_starts_on_a_front_side(small_batch):
    _root, result, _app = small_batch
    folder = result.folder
    starts, page = [], 0
    for packet in sorted((folder / "packets").glob("*.pdf")):
        count = len(PdfReader(packet).pages)
        starts.append(page)
        page += count + count % 2
    printed = PdfReader(folder / "print.pdf")
    assert len(printed.pages) == page
    assert all(start % 2 == 0 for start in starts)
    for start in starts:
        assert "USPS CERTIFIED MAIL" in printed.pages[start].extract_text()


def test_firm_mailing_book_totals_equal_the_fees(small_batch):
    """Each piece pays the postage of its packet's weight; the book, the manifest and the
    record add the same amounts up."""
    from noticegen.mail.postage import price

    _root, result, app = small_batch
    mail = app.project.settings.mail
    costs = [price(len(PdfReader(p).pages), mail)
             for p in sorted((result.folder / "packets").glob("*.pdf"))]
    total = sum((c.total for c in costs), Decimal(0))
    text = PdfReader(result.folder / "firm-mailing-book.pdf").pages[0].extract_text()
    assert f"${total:,.2f}" in text
    assert f"${mail.fees.certified * result.pieces:,.2f}" in text
    assert f"${sum((c.postage for c in costs), Decimal(0)):,.2f}" in text
    rows = list(csv.DictReader(io.StringIO((result.folder / "manifest.csv").read_text())))
    assert [r["total_fees"] for r in rows] == [f"${c.total:,.2f}" for c in costs]
    assert sum(Decimal(r["total_fees"].lstrip("$")) for r in rows) == total
    assert {r["article_number"] for r in rows} == {
        p["article"] for p in json.loads((result.folder / "batch.json").read_text())["pieces"]}
    with app.record.read() as c:
        recorded = c.execute(select(func.sum(mail_pieces.c.postage + mail_pieces.c.fees))
                             .where(mail_pieces.c.batch_id == "b1")).scalar()
    assert Decimal(recorded) == total


def test_complainant_appears_in_no_packet_and_no_manifest_line(small_batch):
    _root, result, _app = small_batch
    secrets = ["Margaret Ellison", "(903) 555-0147", "516 N Britton St"]
    for packet in (result.folder / "packets").glob("*.pdf"):
        text = " ".join(page.extract_text() for page in PdfReader(packet).pages)
        for secret in secrets:
            assert secret not in text, (packet.name, secret)
    manifest = (result.folder / "manifest.csv").read_text()
    for secret in secrets:
        assert secret not in manifest


def _words(pdf: Path) -> list[tuple[str, float, float, float, float]]:
    """Words on page 1 with their boxes in inches from the top-left (poppler's pdftotext)."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout
    found = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                         r'yMax="([\d.]+)">([^<]*)</word>', html):
        x0, y0, x1, y1 = (float(v) / 72 for v in m.groups()[:4])
        found.append((m.group(5), x0, y0, x1, y1))
    return found


def _inside(box: tuple[float, float, float, float], room) -> bool:
    x0, y0, x1, y1 = box
    eps = 0.005
    return (x0 >= room.left - eps and y0 >= room.top - eps
            and x1 <= room.right + eps and y1 <= room.bottom + eps)


def _ink(pdf: Path, tmp: Path) -> Image.Image:
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", str(pdf),
                    str(tmp / "cover")], check=True)
    return Image.open(next(tmp.glob("cover*.png"))).convert("L")


@pytest.mark.parametrize("party", ["owner", "tenant"], ids=["six-line", "two-line"])
def test_address_and_barcode_sit_inside_the_window(small_batch, party, tmp_path):
    from noticegen.mail.window import Room

    _root, result, app = small_batch
    envelope = app.project.settings.mail.envelope
    upper, addr = (Room.of(envelope, envelope.certified_window),
                   Room.of(envelope, envelope.address_window))
    packet = next((result.folder / "packets").glob(f"*-{party}.pdf"))
    words = [w for w in _words(packet) if w[2] < 3.67]  # the top panel, behind the windows
    lines = ["Tenant", "Number", "512", "BRITTON"] if party == "tenant" else \
        ["Servicing", "Stop", "Commerce", "1180", "DALLAS", "75202-1180"]
    for needle, room in [*((n, addr) for n in lines), ("CERTIFIED", upper)]:
        hits = [w for w in words if needle.upper() in w[0].upper()]
        assert hits, needle
        assert all(_inside(w[1:], room) for w in hits), (needle, hits)
    # Every mark in the top panel is inside a window, with the clearance to spare.
    image = _ink(packet, tmp_path)
    dpi, panel = 100, int(3.6 * 100)
    dark = [(x / dpi, y / dpi) for y in range(0, panel, 2) for x in range(0, image.width, 2)
            if image.getpixel((x, y)) < 128]
    assert all(_inside((x, y, x, y), upper) or _inside((x, y, x, y), addr) for x, y in dark)
    # The barcode itself: dark bars across the certified window.
    row = int((upper.top + upper.height / 2) * dpi)
    bars = [x for x in range(image.width) if image.getpixel((x, row)) < 128]
    assert len(bars) > 40, "a barcode in the certified window"


def _page_footers(pdf: Path) -> list[str]:
    found = []
    for page in PdfReader(pdf).pages:
        match = re.search(r"Page (\d+) of (\d+)", page.extract_text())
        found.append(f"{match[1]}/{match[2]}" if match else "-")
    return found


def test_each_notice_counts_its_own_pages(small_batch):
    """Pieces are laid out one document at a time, then written together: the footer of every
    packet and file copy still counts that notice's pages only."""
    _root, result, _app = small_batch
    for packet in sorted((result.folder / "packets").glob("*.pdf")):
        footers = _page_footers(packet)
        notice = len(footers) - 1  # the cover page has no footer
        assert footers == ["-"] + [f"{n}/{notice}" for n in range(1, notice + 1)], packet.name
    for copy in sorted((result.folder / "file-copies").glob("*.pdf")):
        footers = _page_footers(copy)
        assert footers == [f"{n}/{len(footers)}" for n in range(1, len(footers) + 1)], copy.name


def test_a_packet_holds_only_what_its_pages_draw(small_batch):
    """Split out of a chunk PDF, a packet keeps only its own photos, fonts and barcode."""
    import pikepdf

    _root, result, _app = small_batch
    for packet in sorted((result.folder / "packets").glob("*.pdf")):
        with pikepdf.open(packet) as pdf:
            images = {o.objgen for o in pdf.objects if isinstance(o, pikepdf.Stream)
                      and o.get("/Subtype") == pikepdf.Name.Image}
            drawn = set()
            for page in pdf.pages:
                xobjects = page.obj.Resources.get("/XObject", {})
                for operands, _operator in pikepdf.parse_content_stream(page, "Do"):
                    drawn.add(xobjects[operands[0]].objgen)
            masks = {o.SMask.objgen for o in pdf.objects if isinstance(o, pikepdf.Stream)
                     and "/SMask" in o}
            assert images - masks == drawn, packet.name
        assert packet.stat().st_size < 400_000


def test_the_firm_mailing_book_in_parts_reads_as_one_document(small_batch, tmp_path,
                                                             monkeypatch):
    """A long batch's book is laid out a few sheets at a time; every sheet still says
    "Sheet N of M" for the whole book, and only the last one carries the batch total."""
    import noticegen.mail.batch as batch_module
    from noticegen.mail.chunks import Piece
    from noticegen.mail.pdfparts import stream_files
    from noticegen.mail.postage import price
    from noticegen.render.pdf import render_html
    from noticegen.service.issue import renderer_of

    _root, _result, app = small_batch
    r = renderer_of(app)
    record = load_case(app, "CE-2026-1001")
    job = batch_module.Batch(app.project, r, [record.case], {"CE-2026-1001": record.sha256},
                             "nov", MAIL_DATE, "book", tmp_path / "work", app.blobs)
    pieces = [Piece(n, f"k{n}", "CE-2026-1001", "owner", f"Addressee {n}", "Owner",
                    ("PO Box 88", "TOM BEAN TX 75489"), "75489", "9214890000000000000000",
                    f"{n:04d}") for n in range(1, 26)]  # 3 sheets of 10 lines
    costs = [price(5, app.project.settings.mail)] * len(pieces)
    whole = job._write(render_html(r.env, "mail/firm_book.html",
                                   job.book_context(pieces, costs)))
    monkeypatch.setattr(batch_module, "BOOK_PART_PAGES", 1)
    stream_files(tmp_path / "book.pdf", job._book_parts(pieces, costs), seed="book", info={})
    parted = PdfReader(tmp_path / "book.pdf")
    expected = PdfReader(io.BytesIO(whole))
    assert len(parted.pages) == len(expected.pages) == 3
    for mine, theirs in zip(parted.pages, expected.pages, strict=True):
        assert mine.extract_text() == theirs.extract_text()
    assert "Batch total" in parted.pages[2].extract_text()
    assert "Batch total" not in parted.pages[1].extract_text()
    assert "Sheet 1 of 3" in parted.pages[0].extract_text()


def test_rerunning_a_finished_batch_changes_nothing(small_batch):
    _root, result, app = small_batch
    folder = result.folder
    before = {p: (p.stat().st_mtime_ns, _sha(p)) for p in folder.rglob("*") if p.is_file()}
    rows = _counts(app)
    again = mail_batch(app, ["CE-2026-1001"], "nov", MAIL_DATE, "b1")
    assert again.already_complete and again.rendered == 0 and again.pieces == 2
    after = {p: (p.stat().st_mtime_ns, _sha(p)) for p in folder.rglob("*") if p.is_file()}
    assert before == after
    assert _counts(app) == rows
    with pytest.raises(NoticegenError, match="is on record as a nov batch mailed 2026-11-25"):
        mail_batch(app, ["CE-2026-1001"], "nov", date(2026, 11, 30), "b1")
    assert _counts(app) == rows


# -- the ladder and the record decide what may be mailed ---------------------------------


@pytest.fixture
def mail_root(recorded_root: Path) -> Path:
    """recorded_root (one case, CE-2026-0001, owner only: one piece) with the templates."""
    shutil.copytree(REPO / "templates", recorded_root / "templates")
    return recorded_root


def _nov_line(output: str) -> str:
    """What `next` says about an NOV."""
    return next(line for line in output.splitlines()
                if re.match(r"\s*(may issue|not now)\s+nov\s", line))


def test_a_mailed_nov_is_on_file_and_not_mailed_again_without_a_reason(mail_root, app):
    """`next` reads the event log the batch wrote; a second NOV is refused by the rule that
    decides it, and goes through with a re-service reason, which is recorded."""
    case = "CE-2026-0001"
    before = _invoke(mail_root, "next", case, "--as-of", "2026-12-10")
    assert before.exit_code == 0, before.output
    assert _nov_line(before.output).split()[:3] == ["may", "issue", "nov"]

    first = _invoke(mail_root, *_batch_args(case))
    assert first.exit_code == 0, first.output
    assert "batch b1: 1 piece recorded (1 rendered now)" in first.output
    after = _invoke(mail_root, "next", case, "--as-of", "2026-12-10")
    line = _nov_line(after.output)
    assert line.split()[:3] == ["not", "now", "nov"], after.output
    assert "Directive VIII.B" in line and "issued on November 25, 2026" in line
    with app.record.read() as c:
        nov = c.execute(select(events).where(events.c.kind == "nov")).mappings().one()
        notice = c.execute(select(documents).where(documents.c.role == "notice")
                           ).mappings().one()
    assert nov["document_id"] == notice["id"] and nov["source"] == "batch:b1"
    assert nov["reason"] is None
    assert nov["data"]["deadline"] == notice["deadline_on"].isoformat()
    rows = _counts(app)

    later = date(2026, 12, 2)
    second = _invoke(mail_root, *_batch_args(case, batch_id="b2", mail_date=later))
    assert second.exit_code == 2, second.output
    assert "Directive VIII.B" in second.output and case in second.output
    assert "--reservice" in second.output
    assert _counts(app) == rows
    assert not (mail_root / "out" / "b2").exists()

    again = _invoke(mail_root, *_batch_args(case, batch_id="b2", mail_date=later),
                    "--reservice", "returned_undeliverable")
    assert again.exit_code == 0, again.output
    with app.record.read() as c:
        novs = c.execute(select(events).where(events.c.kind == "nov")
                         .order_by(events.c.id)).mappings().all()
        numbers = c.execute(select(mail_pieces.c.article_number, mail_pieces.c.batch_id)
                            .order_by(mail_pieces.c.serial)).all()
    assert [(e["source"], e["reason"]) for e in novs] == [
        ("batch:b1", None), ("batch:b2", "returned_undeliverable")]
    assert novs[1]["data"]["reason"] == "returned_undeliverable"
    assert [b for _, b in numbers] == ["b1", "b2"] and len({a for a, _ in numbers}) == 2


def test_the_same_notice_mailed_again_the_same_day_is_refused_before_rendering(mail_root, app):
    """A re-service mailed the same day as the notice it repeats would be the same document:
    refused by name, before anything is made or claimed (not a database error)."""
    case = "CE-2026-0001"
    assert _invoke(mail_root, *_batch_args(case)).exit_code == 0
    rows = _counts(app)
    again = _invoke(mail_root, *_batch_args(case, batch_id="b2"), "--reservice",
                    "returned_undeliverable")
    assert again.exit_code == 2, again.output
    assert "is already on record" in again.output and "batch b1" in again.output
    assert "another day" in again.output
    assert _counts(app) == rows
    assert not (app.work / "b2").exists()


def test_a_case_under_a_vca_is_not_noticed_again(mail_root, app):
    history = [
        {"action": "nov", "on": "2026-10-06 10:00", "method": "in_person",
         "recipients": ["owner"], "violations": ["v1"]},
        {"action": "vca_request", "on": "2026-10-20 09:30", "admitted": True,
         "extended_until": "2026-12-04", "recipients": ["owner"], "violations": ["v1"]},
        {"action": "vca", "on": "2026-10-20 10:00", "admitted": True,
         "extended_until": "2026-12-04", "recipients": ["owner"], "violations": ["v1"]}]
    path = _case_file(mail_root, 7, tenant=False, history=history)
    for reservice in ([], ["--reservice", "returned_undeliverable"]):
        refused = _invoke(mail_root, *_batch_args(str(path)), *reservice)
        assert refused.exit_code == 2, refused.output
        assert "CE-2026-1007" in refused.output
        assert "voluntary compliance agreement" in refused.output
        assert "December 4, 2026" in refused.output
    assert _counts(app)["mail_pieces"] == 0
    assert not (mail_root / "out" / "b1").exists()


def test_a_case_the_ladder_refuses_stops_the_batch_before_any_number(mail_root, app):
    closed = _case_file(mail_root, 2, tenant=False, closure={
        "reason": "voluntary_compliance", "on": "2026-11-20", "resolution": "Corrected."})
    refused = _invoke(mail_root, *_batch_args("CE-2026-0001", str(closed)))
    assert refused.exit_code == 2, refused.output
    assert "CE-2026-1002" in refused.output and "XIII.B" in refused.output
    counts = _counts(app)
    assert counts["mail_pieces"] == counts["documents"] == counts["sequences"] == 0
    assert not (mail_root / "out" / "b1").exists()
    assert not (app.work / "b1").exists()


def test_a_damaged_photo_is_refused_by_name(mail_root, app):
    """A case's photo is a blob: a swapped or truncated one is refused, never printed."""
    photo = app.blobs.path(_sha(mail_root / "cases" / "photos" / "yard.jpg"))
    photo.chmod(0o644)
    photo.write_bytes(photo.read_bytes()[:1000])
    refused = _invoke(mail_root, *_batch_args("CE-2026-0001"))
    assert refused.exit_code == 4, refused.output  # the record is damaged, not the input
    assert photo.name in refused.output and "does not match its SHA-256" in refused.output
    assert "Traceback" not in refused.output
    assert _counts(app)["mail_pieces"] == 0


def test_a_second_run_changes_nothing_and_says_so(mail_root, app):
    """The CLI's re-run: no row added, no file touched; readable copies that went missing are
    made again, byte for byte, from the blob store."""
    case = "CE-2026-0001"
    assert _invoke(mail_root, *_batch_args(case)).exit_code == 0
    folder = mail_root / "out" / "b1"
    files = {p: (p.stat().st_mtime_ns, _sha(p)) for p in folder.rglob("*") if p.is_file()}
    rows = _counts(app)
    blobs = sorted(p.name for p in app.blobs.root.rglob("*"))

    again = _invoke(mail_root, *_batch_args(case))
    assert again.exit_code == 0, again.output
    assert "batch b1 is already on record; nothing changed" in again.output
    assert _counts(app) == rows
    assert {p: (p.stat().st_mtime_ns, _sha(p)) for p in folder.rglob("*")
            if p.is_file()} == files
    assert sorted(p.name for p in app.blobs.root.rglob("*")) == blobs

    shutil.rmtree(folder)
    restored = _invoke(mail_root, *_batch_args(case))
    assert restored.exit_code == 0 and "nothing changed" in restored.output
    assert {p: _sha(p) for p in folder.rglob("*") if p.is_file()} == {
        p: sha for p, (_, sha) in files.items()}
    assert _counts(app) == rows


# -- made the same way whatever the workers, from the inputs it started with ---------------


@pytest.mark.slow
def test_packet_bytes_do_not_depend_on_the_number_of_workers(tmp_path, monkeypatch):
    """Chunks are fixed groups of pieces in mailing order, so 1 or 2 workers (in this process
    or in a pool, or in pools replaced after every chunk) write the same bytes and record the
    same rows; several chunks, the last one short."""
    import noticegen.mail.batch as batch_module

    monkeypatch.delenv("NOTICEGEN_DATABASE_URL", raising=False)
    results = {}
    for workers, tasks in ((1, 40), (2, 40), (2, 1)):
        monkeypatch.setattr(batch_module, "WORKER_TASKS", tasks)
        root = _project(tmp_path / f"w{workers}-{tasks}", 1)
        _case_file(root, 2, tenant=False)
        app = _record(root)
        try:
            result = mail_batch(app, ["CE-2026-1001", "CE-2026-1002"], "nov", MAIL_DATE, "b1",
                                workers=workers, chunk_size=2)
            assert result.rendered == 3
            assert {"photos", "layout", "write", "split", "merge", "papers"} <= set(
                result.timings)
            numbers = _assert_recorded_once(app, "b1", 3)
            with app.record.read() as c:
                docs = sorted(c.execute(select(documents.c.id, documents.c.sha256)).all())
        finally:
            app.close()
        results[workers, tasks] = (json.loads((result.folder / "batch.json").read_text()),
                                   _files(result.folder), numbers, docs)
    one = results[1, 40]
    for other in (results[2, 40], results[2, 1]):
        assert other[0]["pieces"] == one[0]["pieces"]
        assert other[0]["outputs"] == one[0]["outputs"]
        assert other[1:] == one[1:]
    assert len([p for p in one[0]["outputs"] if p.startswith("packets/")]) == 3


def test_a_template_edited_while_the_batch_renders_stops_it(tmp_path, monkeypatch):
    """Pieces of one batch are made from one set of templates and cases: an edit between
    chunks stops the batch, recording nothing; put back, the same batch finishes, keeping
    the chunk already made."""
    from noticegen.mail.inputs import InputsChanged

    monkeypatch.delenv("NOTICEGEN_DATABASE_URL", raising=False)
    root = _project(tmp_path, 1)
    nov = root / "templates" / "nov.html"
    original = nov.read_text()
    app = _record(root)

    def edit_after_the_first_chunk(done: int, total: int) -> None:
        if done == 1:
            nov.write_text(original + "{# an edit #}\n")

    def run(progress: Callable[[int, int], None] | None = None) -> Any:
        return mail_batch(app, ["CE-2026-1001"], "nov", MAIL_DATE, "b1", workers=1,
                          chunk_size=1, progress=progress)

    try:
        rows = _issued(app)
        with pytest.raises(InputsChanged) as caught:
            run(edit_after_the_first_chunk)
        assert "while it was rendering" in str(caught.value)
        assert "templates/nov.html" in str(caught.value)
        assert caught.value.hint and "put those files" in caught.value.hint
        assert "back as they were" in caught.value.hint
        assert _issued(app) == rows
        assert not (root / "out" / "b1").exists()
        with pytest.raises(NoticegenError) as caught:  # still edited: refused (not approved)
            run()
        assert "templates/nov.html" in str(caught.value)
        assert _issued(app) == rows

        nov.write_text(original)
        result = run()
        assert (result.pieces, result.rendered) == (2, 1)
        _assert_recorded_once(app, "b1", 2)
    finally:
        app.close()


def test_a_batch_resumes_only_from_the_inputs_it_started_with(tmp_path, monkeypatch):
    """A batch that crashed before its transaction resumes only from the same case revisions
    (the attorney's approvals may go on meanwhile), and then renders nothing again."""
    import noticegen.service.mailing as mailing

    monkeypatch.delenv("NOTICEGEN_DATABASE_URL", raising=False)
    root = _project(tmp_path, 2, tenants=False)
    app = _record(root)
    cases = ["CE-2026-1001", "CE-2026-1002"]
    try:
        rows = _issued(app)
        with monkeypatch.context() as crash:
            crash.setattr(mailing, "_record", _raise(RuntimeError("the power went out")))
            with pytest.raises(RuntimeError):
                mail_batch(app, cases, "nov", MAIL_DATE, "b1", workers=1)
        assert _issued(app) == rows
        case = root / "cases" / "case-002.yaml"
        original = case.read_text()
        case.write_text(original.replace("Mow the yard", "Cut the grass"))
        import_cases(app, [case])
        with pytest.raises(NoticegenError) as caught:
            mail_batch(app, cases, "nov", MAIL_DATE, "b1", workers=1)
        assert "case:CE-2026-1002" in str(caught.value)
        assert "while it was rendering" not in str(caught.value)
        assert _counts(app)["mail_pieces"] == 0

        case.write_text(original)
        import_cases(app, [case])  # a third revision, the same as the first
        approvals = root / "config" / "approvals.yaml"
        approvals.write_text(approvals.read_text() + "# reviewed again\n")
        result = mail_batch(app, cases, "nov", MAIL_DATE, "b1", workers=1)
        assert not result.already_complete and result.rendered == 0
        assert (result.folder / "batch.json").is_file()
        _assert_recorded_once(app, "b1", 2)
        assert not (app.work / "b1").exists()
    finally:
        app.close()


def _raise(error: BaseException) -> Callable[..., None]:
    def raising(*_args: Any, **_kwargs: Any) -> None:
        raise error

    return raising


# -- kill -9 anywhere: resumed, the same bytes and the record whole -------------------------

DRIVER = f"import sys; sys.path.insert(0, {str(TESTS)!r}); import test_batch; test_batch._drive()"
"""`python -c DRIVER POINT ARGS…`: noticegen that kills itself (SIGKILL) at POINT."""
BATCH_POINTS = ("before-blob-write", "after-blob-write", "inside-transaction", "after-commit",
                "during-print-file")
RENDER_POINTS = BATCH_POINTS[:4]
BATCH = ["batch", "CE-2026-1001", "--mail-date", MAIL_DATE.isoformat(), "--batch-id", "crash",
         "--workers", "1"]
RENDER = ["render", "nov", "CE-2026-1001", "--issued", "2026-11-25 10:00"]


def _die(*_args: Any) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _pause() -> None:
    """Say so (a file named by NOTICEGEN_TEST_PAUSED), then wait 20 seconds."""
    Path(os.environ["NOTICEGEN_TEST_PAUSED"]).touch()
    time.sleep(20)


def _wrap(owner: Any, name: str, *, before: Callable[[], None] | None = None,
          after: Callable[[], None] | None = None) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if before:
            before()
        result = original(*args, **kwargs)
        if after:
            after()
        return result

    setattr(owner, name, wrapped)


def _kill_at(point: str) -> None:
    """Patch noticegen (in this process only) to kill itself at `point`."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from noticegen.blobs import BlobStore
    from noticegen.mail.pdfparts import PrintFile
    from noticegen.service import App

    issuing = importlib.import_module("noticegen.service.issue")  # not the function
    mailing = importlib.import_module("noticegen.service.mailing")
    if point == "before-blob-write":  # the first file of the batch or document
        _wrap(BlobStore, "put", before=_die)
    elif point == "after-blob-write":
        _wrap(BlobStore, "put", after=_die)
    elif point == "inside-transaction":  # every row written, at COMMIT
        written: list[bool] = []
        _wrap(mailing, "_record", after=lambda: written.append(True))
        _wrap(issuing, "record_document", after=lambda: written.append(True))
        event.listen(Engine, "commit", lambda _conn: written and _die())
    elif point == "after-commit":  # before the highest serial is kept, or the first copy
        _wrap(App, "note_mailed", before=_die)
        _wrap(BlobStore, "copy_to", before=_die)
    elif point == "during-print-file":  # a packet streamed into print.pdf, the rest not
        _wrap(PrintFile, "add", after=_die)
    elif point == "pause-in-first-transaction":  # not a kill: hold it open a while
        _wrap(mailing, "ensure_sequence", after=_pause)
    else:
        raise ValueError(point)


def _drive() -> None:
    point = sys.argv.pop(1)
    _kill_at(point)
    from noticegen.cli import main

    main()


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> dict[str, Any]:
    """The same batch and the same document, each made in one go in a project of its own
    (its SQLite record)."""
    found: dict[str, Any] = {}
    for kind, args in (("batch", BATCH), ("render", RENDER)):
        root = _project(tmp_path_factory.mktemp(kind), 1, tenants=False)
        _record(root).close()
        done = _invoke(root, *args, env=_env(None))
        assert done.exit_code == 0, done.output
        found[kind] = _files(root / "out" / ("crash" if kind == "batch" else "CE-2026-1001"))
    return found


@pytest.fixture
def crash_root(tmp_path: Path, database_url) -> Path:
    """A project like the uninterrupted one's, in the record under test."""
    root = _project(tmp_path / "crash", 1, tenants=False)
    _record(root, database_url).close()
    return root


def _killed(root: Path, args: list[str], point: str, database: str | None) -> dict[str, int]:
    """Run noticegen killed at `point`; what it added to the record, by table."""
    with opened(root) as app:
        before = _issued(app)
    killed = _noticegen(root, *args, point=point, database=database)
    assert killed.returncode == -signal.SIGKILL, (point, killed.stdout, killed.stderr)
    with opened(root) as app:
        after = _issued(app)
    return {t: after[t] - before[t] for t in after if after[t] != before[t]}


@pytest.mark.parametrize("point", BATCH_POINTS)
def test_a_batch_killed_anywhere_resumes_to_the_same_result(crash_root, uninterrupted, point,
                                                            database_url):
    """kill -9 at each step of a batch; the record then holds all of it or none of it (no
    number allocated without its piece), and the same command finishes it: every document
    once, the files byte for byte those of a batch that was never interrupted."""
    added = _killed(crash_root, BATCH, point, database_url)
    committed = point == "after-commit"
    assert added == ({"batches": 1, "blobs": 7, "documents": 3, "mail_pieces": 1, "events": 2}
                     if committed else {})
    assert not (crash_root / "out" / "crash" / "batch.json").exists()

    resumed = _invoke(crash_root, *BATCH)
    assert resumed.exit_code == 0, resumed.output
    if committed:
        assert "batch crash is already on record; nothing changed" in resumed.output
    else:
        rendered = 1 if point in ("before-blob-write", "after-blob-write") else 0
        assert f"batch crash: 1 piece recorded ({rendered} rendered now)" in resumed.output
    assert _files(crash_root / "out" / "crash") == uninterrupted["batch"]
    with opened(crash_root) as app:
        numbers = _assert_recorded_once(app, "crash", 1)
        found = check(app)
        assert found.problems == [] and found.notes == []
        assert not (app.work / "crash").exists()
        assert app.mailed() == {"impb:912345678": 1}  # kept beside the blobs
    record = json.loads((crash_root / "out" / "crash" / "batch.json").read_text())
    assert [p["article"] for p in record["pieces"]] == numbers


@pytest.mark.parametrize("point", RENDER_POINTS)
def test_a_render_killed_anywhere_is_recorded_once_and_finishes(crash_root, uninterrupted,
                                                                point, database_url):
    """kill -9 at each step of issuing one document: on record once (with its event) or not
    at all; the same command then finishes it, with the bytes of an uninterrupted run."""
    committed = point == "after-commit"
    added = _killed(crash_root, RENDER, point, database_url)
    assert added == ({"blobs": 1, "documents": 1, "events": 1} if committed else {})
    assert not (crash_root / "out" / "CE-2026-1001").exists()

    again = _invoke(crash_root, *RENDER)
    assert again.exit_code == 0, again.output
    assert ("already on record; nothing changed" if committed else "issued and recorded"
            ) in again.output
    assert _files(crash_root / "out" / "CE-2026-1001") == uninterrupted["render"]
    with opened(crash_root) as app:
        with app.record.read() as c:
            docs = c.execute(select(documents.c.id, documents.c.sha256)).all()
            novs = c.execute(select(events.c.document_id).where(events.c.kind == "nov")
                             ).scalars().all()
        assert len(docs) == 1 and novs == [docs[0].id]
        assert uninterrupted["render"] == {f"{docs[0].id}.pdf": docs[0].sha256}
        found = check(app)
        assert found.problems == [] and found.notes == []


# -- two batches at once ------------------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_database(request, monkeypatch) -> Iterator[str | None]:
    """The record two processes share: the project's SQLite file (None), or a fresh
    PostgreSQL database when NOTICEGEN_TEST_POSTGRES_URL names a server."""
    import uuid

    monkeypatch.delenv("NOTICEGEN_DATABASE_URL", raising=False)
    if request.param == "sqlite":
        yield None
        return
    server = os.environ.get("NOTICEGEN_TEST_POSTGRES_URL")
    if not server:
        pytest.skip("NOTICEGEN_TEST_POSTGRES_URL is not set")
    from sqlalchemy import create_engine, text

    name = f"nt_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE DATABASE {name}"))
    yield server.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


@pytest.mark.slow
def test_two_batches_at_once_never_share_a_number(tmp_path, shared_database):
    """Two processes mail different cases under the same Mailer ID at the same time: both
    predict the same first numbers; the one that commits second makes its batch again with
    the next ones. No number twice, no row lost. (The clerk and the Mailer ID's sequence are
    on record already: their first use at once is the next test's.)"""
    from noticegen.record.numbers import ensure_sequence

    root = _project(tmp_path, 2)
    _record(root, shared_database).close()
    app = App.open(root, "clerk", shared_database)
    with app.transaction() as (c, clerk):
        ensure_sequence(c, app.project.settings.mail.article_numbers, clerk)
    app.close()
    start = [sys.executable, "-m", "noticegen", "--root", str(root)]
    runs = [subprocess.Popen([*start, *_batch_args(case, batch_id=batch_id)],
                             env=_env(shared_database), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
            for case, batch_id in (("CE-2026-1001", "a"), ("CE-2026-1002", "b"))]
    for run in runs:
        out, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
        assert "2 pieces recorded" in out
    app = App.open(root, "tester", shared_database)
    try:
        with app.record.read() as c:
            rows = c.execute(select(mail_pieces.c.article_number, mail_pieces.c.serial,
                                    mail_pieces.c.batch_id)).all()
            docs = c.execute(select(documents.c.id)).scalars().all()
            mailed = c.execute(select(events.c.article_number).where(
                events.c.kind == "mailed")).scalars().all()
    finally:
        app.close()
    assert len(rows) == 4 and len({a for a, _, _ in rows}) == 4
    assert sorted(s for _, s, _ in rows) == [1, 2, 3, 4]
    assert len(docs) == len(set(docs)) == 12
    assert sorted(mailed) == sorted(a for a, _, _ in rows)
    a, b = _numbers_in(root / "out" / "a"), _numbers_in(root / "out" / "b")
    assert not a & b
    assert a == {n for n, _, batch in rows if batch == "a"}
    assert b == {n for n, _, batch in rows if batch == "b"}


@pytest.mark.slow
@pytest.mark.parametrize("shared_database", ["sqlite", "postgresql"], indirect=True)
def test_the_first_batches_of_a_new_clerk_and_mailer_id_at_once_both_go_through(
        tmp_path, shared_database):
    """The clerk and the Mailer ID's sequence are entered on first use. One process holds its
    first transaction open (it has just entered them) while a second one starts: the second
    waits for it and then goes on, on SQLite and on PostgreSQL."""
    root = _project(tmp_path, 2)
    _record(root, shared_database).close()
    paused = tmp_path / "paused"
    env = _env(shared_database) | {"NOTICEGEN_TEST_PAUSED": str(paused)}
    first = subprocess.Popen(
        [sys.executable, "-c", DRIVER, "pause-in-first-transaction", "--root", str(root),
         *_batch_args("CE-2026-1001", batch_id="a")], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(1200):
            if paused.exists() or first.poll() is not None:
                break
            time.sleep(0.05)
        assert paused.exists(), first.communicate()
        second = _noticegen(root, *_batch_args("CE-2026-1002", batch_id="b"),
                            database=shared_database)
    finally:
        _out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err
    assert second.returncode == 0, second.stderr
    app = App.open(root, "tester", shared_database)
    try:
        with app.record.read() as c:
            serials = sorted(c.execute(select(mail_pieces.c.serial)).scalars())
            people = c.execute(select(func.count()).select_from(metadata.tables["people"])
                               ).scalar()
    finally:
        app.close()
    assert serials == [1, 2, 3, 4] and people == 2  # the tester who imported, the clerk


# -- a lost record --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def mailed_once(tmp_path_factory) -> Path:
    """A project whose record holds one batch (1 piece), all processes done with it."""
    root = _project(tmp_path_factory.mktemp("mailed"), 1, tenants=False)
    _record(root).close()
    done = _noticegen(root, *_batch_args("CE-2026-1001", batch_id="first"))
    assert done.returncode == 0, done.stderr
    return root


@pytest.mark.parametrize("loss", ["deleted", "emptied", "replaced", "state-folder-replaced"])
def test_a_lost_record_is_refused_and_never_reuses_a_number(mailed_once, tmp_path, loss,
                                                             monkeypatch):
    """The database deleted, emptied or replaced by a fresh one (with or without the blob
    store): issuing stops with the lost-record message; after `db init
    --accept-empty-record`, article numbers continue past every one found in out/."""
    monkeypatch.delenv("NOTICEGEN_DATABASE_URL", raising=False)
    root = tmp_path / "project"
    shutil.copytree(mailed_once, root)
    state = root / "var"
    database = state / "record.sqlite"
    mailed = _numbers_in(root / "out")
    assert len(mailed) == 1
    for suffix in ("-wal", "-shm"):
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    if loss == "deleted":
        database.unlink()
    elif loss == "emptied":
        database.write_bytes(b"")
    elif loss == "replaced":
        database.unlink()
    else:
        shutil.rmtree(state)
    if loss in ("replaced", "state-folder-replaced"):
        for args in (["db", "upgrade"], ["cases", "import", str(root / "cases")]):
            assert _invoke(root, *args).exit_code == 0

    cases = str(root / "cases")
    for batch_id in ("first", "second"):
        refused = _invoke(root, *_batch_args(cases, batch_id=batch_id,
                                             mail_date=date(2026, 12, 2)))
        assert refused.exit_code == 4, refused.output
        assert LOST in refused.output and "db init --accept-empty-record" in refused.output
        assert "Traceback" not in refused.output
    assert sorted(p.name for p in (root / "out").iterdir() if p.name != ".cache") == ["first"]
    refused = _invoke(root, "render", "nov", "CE-2026-1001", "--recipient", "owner",
                      "--issued", "2026-12-02 10:00")
    assert refused.exit_code == 4 and LOST in refused.output, refused.output
    if database.is_file() and database.stat().st_size:
        with opened(root) as app:
            assert _counts(app)["mail_pieces"] == 0

    if loss in ("deleted", "emptied"):
        assert _invoke(root, "db", "upgrade").exit_code == 0
    accepted = _invoke(root, "db", "init", "--accept-empty-record")
    assert accepted.exit_code == 0, accepted.output
    top = max(_serial(n) for n in mailed)
    assert f"continue after {top}" in accepted.output
    done = _invoke(root, *_batch_args(cases, batch_id="second", mail_date=date(2026, 12, 2)))
    assert done.exit_code == 0, done.output
    with opened(root) as app, app.record.read() as c:
        numbers = c.execute(select(mail_pieces.c.article_number)).scalars().all()
        floor = c.execute(select(sequences.c.floor)).scalar()
    assert len(numbers) == 1 and not set(numbers) & mailed
    assert min(_serial(n) for n in numbers) > top == floor
    assert _numbers_in(root / "out") == mailed | set(numbers)

