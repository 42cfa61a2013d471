"""Certified-mail batches: envelope geometry, totals, privacy, re-runs and crash recovery."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from conftest import REPO, case_data, make_photo
from PIL import Image
from pypdf import PdfReader

from noticegen.errors import InputError, NoticegenError
from noticegen.mail.article_numbers import Allocator, is_valid
from noticegen.mail.batch import ARTICLE_DB, Batch
from noticegen.project import load_project
from noticegen.render import renderer

MAIL_DATE = date(2026, 11, 25)
SIX_LINE = {"lines": ["Attn: Loan Servicing", "Mail Stop 4-B", "1200 Commerce St Ste 900",
                      "PO Box 1180"], "city": "Dallas", "state": "TX", "zip": "75202-1180"}


def _project(root: Path, cases: int, six_line: bool = False) -> Path:
    """A project with `cases` cases, each with an owner and a tenant (2 pieces a case)."""
    for folder in ("ordinances", "config", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    make_photo(root / "cases" / "photos" / "yard.jpg", datetime(2026, 11, 3, 10, 16))
    for number in range(1, cases + 1):
        data = case_data()
        data["case_number"] = f"CE-2026-{1000 + number}"
        data["complaint"]["received"] = f"2026-10-{number % 28 + 1:02d}"
        data["history"] = []
        data["responsible_parties"].append({
            "id": "tenant", "role": "tenant", "name": f"Tenant Number {number}",
            "mailing_address": {"lines": ["512 N Britton St"], "city": "Tom Bean",
                                "state": "TX", "zip": "75489"}})
        if six_line:
            data["responsible_parties"][0]["mailing_address"] = SIX_LINE
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        (root / "cases" / f"case-{number:03d}.yaml").write_text(text, encoding="utf-8")
    return root


def _batch(root: Path, batch_id: str = "b1") -> Batch:
    project = load_project(root, [root / "cases"])
    return Batch(project, renderer(project, root / "out" / ".cache" / "photos"), "nov",
                 MAIL_DATE, batch_id, root / "out")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def small_batch(tmp_path_factory):
    root = _project(tmp_path_factory.mktemp("small"), 2, six_line=True)
    result = _batch(root).run()
    return root, result


def test_batch_writes_every_paper(small_batch):
    _root, result = small_batch
    folder = result.folder
    assert result.pieces == 4
    for name in ("print.pdf", "firm-mailing-book.pdf", "manifest.csv", "batch.json"):
        assert (folder / name).is_file(), name
    assert len(list((folder / "packets").glob("*.pdf"))) == 4
    assert len(list((folder / "affidavits").glob("*.pdf"))) == 4
    assert len(list((folder / "file-copies").glob("*.pdf"))) == 4
    record = json.loads((folder / "batch.json").read_text())
    for relative, digest in record["outputs"].items():
        assert _sha(folder / relative) == digest, relative
    assert ["nov-letter", 1] in record["templates"]
    assert all(is_valid(p["article"]) for p in record["pieces"])


def test_every_packet_starts_on_a_front_side(small_batch):
    _root, result = small_batch
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
    root, result = small_batch
    project = load_project(root)
    fees = project.settings.mail.fees
    per_piece = fees.postage + fees.certified + fees.return_receipt
    total = per_piece * result.pieces
    text = PdfReader(result.folder / "firm-mailing-book.pdf").pages[0].extract_text()
    assert f"${total:,.2f}" in text
    assert f"${fees.certified * result.pieces:,.2f}" in text
    rows = list(csv.DictReader(io.StringIO((result.folder / "manifest.csv").read_text())))
    assert sum(Decimal(r["total_fees"].lstrip("$")) for r in rows) == total
    assert {r["article_number"] for r in rows} == {
        p["article"] for p in json.loads((result.folder / "batch.json").read_text())["pieces"]}


def test_complainant_appears_in_no_packet_and_no_manifest_line(small_batch):
    _root, result = small_batch
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
    import re

    found = []
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                         r'yMax="([\d.]+)">([^<]*)</word>', html):
        x0, y0, x1, y1 = (float(v) / 72 for v in m.groups()[:4])
        found.append((m.group(5), x0, y0, x1, y1))
    return found


def _inside(box: tuple[float, float, float, float], window, clearance: float) -> bool:
    x0, y0, x1, y1 = box
    eps = 0.005
    return (x0 >= window.left + clearance - eps and y0 >= window.top + clearance - eps
            and x1 <= window.left + window.width - clearance + eps
            and y1 <= window.top + window.height - clearance + eps)


def _ink(pdf: Path, tmp: Path) -> Image.Image:
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", str(pdf),
                    str(tmp / "cover")], check=True)
    return Image.open(next(tmp.glob("cover*.png"))).convert("L")


@pytest.mark.parametrize("party", ["owner", "tenant"], ids=["six-line", "two-line"])
def test_address_and_barcode_sit_inside_the_window(small_batch, party, tmp_path):
    root, result = small_batch
    envelope = load_project(root).settings.mail.envelope
    packet = next((result.folder / "packets").glob(f"*-{party}.pdf"))
    words = _words(packet)
    window, clearance = envelope.address_window, envelope.clearance
    lines = ["Tenant", "Number", "512", "BRITTON"] if party == "tenant" else \
        ["Servicing", "Stop", "Commerce", "1180", "DALLAS", "75202-1180"]
    for needle in [*lines, "CERTIFIED"]:
        hits = [w for w in words if needle.upper() in w[0].upper()
                and w[2] < 3.67]  # the top panel, behind the windows
        assert hits, needle
        assert all(_inside(w[1:], window, clearance) for w in hits), (needle, hits)
    # Every mark in the top panel is inside a window, with the clearance to spare.
    image = _ink(packet, tmp_path)
    dpi, panel = 100, int(3.6 * 100)
    inside = [(w, envelope.clearance) for w in (envelope.address_window,
                                               envelope.return_window)]
    for y in range(0, panel, 2):
        for x in range(0, image.width, 2):
            if image.getpixel((x, y)) < 128:
                point = (x / dpi, y / dpi, x / dpi, y / dpi)
                assert any(_inside(point, w, c) for w, c in inside), (x / dpi, y / dpi)
    # The barcode itself: dark bars in the address window above the first address line.
    name_top = min(w[2] for w in words if w[2] < 3.67 and w[0].upper() in
                   ("TENANT", "HAROLD", "JOSÉ"))
    bars = [x for x in range(image.width)
            if image.getpixel((x, int((name_top - 0.3) * dpi))) < 128]
    assert len(bars) > 40, "a barcode above the address"


def test_rerunning_a_finished_batch_changes_nothing(small_batch):
    root, result = small_batch
    folder = result.folder
    before = {p: (p.stat().st_mtime_ns, _sha(p)) for p in folder.rglob("*") if p.is_file()}
    with Allocator(root / "var" / ARTICLE_DB, load_project(root).settings.mail.article_numbers
                   ) as alloc:
        allocated = alloc.count()
    again = _batch(root).run()
    assert again.already_complete and again.rendered == 0
    after = {p: (p.stat().st_mtime_ns, _sha(p)) for p in folder.rglob("*") if p.is_file()}
    assert before == after
    with Allocator(root / "var" / ARTICLE_DB, load_project(root).settings.mail.article_numbers
                   ) as alloc:
        assert alloc.count() == allocated


def test_a_case_the_ladder_refuses_stops_the_batch_before_any_number(tmp_path):
    root = _project(tmp_path, 2)
    case = root / "cases" / "case-002.yaml"
    data = yaml.safe_load(case.read_text())
    data["closure"] = {"reason": "voluntary_compliance", "on": "2026-11-20",
                       "resolution": "Corrected."}
    case.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(InputError) as caught:
        _batch(root).run()
    assert "cases/case-002.yaml" in str(caught.value) or "case-002.yaml" in str(caught.value)
    assert "XIII.B" in str(caught.value)
    assert not (root / "var" / ARTICLE_DB).exists()
    assert not (root / "out" / "b1").exists()


@pytest.mark.slow
def test_a_killed_batch_resumes_to_the_same_result(tmp_path):
    """kill -9 in the middle of a 50-piece batch; the same command finishes it identically."""
    cases = 25
    interrupted = _project(tmp_path / "a", cases)
    reference = _project(tmp_path / "b", cases)
    command = [sys.executable, "-m", "noticegen", "--root", str(interrupted), "batch",
               str(interrupted / "cases"), "--mail-date", MAIL_DATE.isoformat(),
               "--batch-id", "crash"]
    env = {**os.environ, "NOTICEGEN_HMAC_KEY": "test-key-not-secret"}
    journal = interrupted / "out" / "crash" / ".journal.jsonl"
    with subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL) as process:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            if journal.is_file() and len(journal.read_text().splitlines()) >= 12:
                break
            assert process.poll() is None, f"the batch ended early ({process.returncode})"
            time.sleep(0.2)
        process.send_signal(signal.SIGKILL)
        process.wait()
    assert not (interrupted / "out" / "crash" / "batch.json").exists()
    done = len(journal.read_text().splitlines())
    assert 12 <= done < 2 * cases

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    assert finished.returncode == 0, finished.stderr
    assert "50 pieces" in finished.stdout

    uninterrupted = subprocess.run(
        [*command[:4], str(reference), command[5], str(reference / "cases"), *command[7:]],
        env=env, capture_output=True, text=True, timeout=900)
    assert uninterrupted.returncode == 0, uninterrupted.stderr
    a = json.loads((interrupted / "out" / "crash" / "batch.json").read_text())
    b = json.loads((reference / "out" / "crash" / "batch.json").read_text())
    assert a["pieces"] == b["pieces"]  # same numbers, same documents, same notice hashes
    assert a["outputs"] == b["outputs"]  # every packet, book, manifest byte for byte
    numbers = [p["article"] for p in a["pieces"]]
    assert len(set(numbers)) == 50
    with Allocator(interrupted / "var" / ARTICLE_DB,
                   load_project(interrupted).settings.mail.article_numbers) as alloc:
        assert alloc.count() == 50  # nothing skipped, nothing allocated twice


def test_packet_bytes_do_not_depend_on_the_number_of_workers(tmp_path, monkeypatch):
    """Chunks are fixed groups of pieces in mailing order, so 1 or 2 workers (in this process
    or in a pool, or in pools replaced after every chunk) write the same bytes; several chunks,
    the last one short."""
    import noticegen.mail.batch as batch_module

    results = {}
    for workers, tasks in ((1, 40), (2, 40), (2, 1)):
        monkeypatch.setattr(batch_module, "WORKER_TASKS", tasks)
        root = _project(tmp_path / f"w{workers}-{tasks}", 3)
        project = load_project(root, [root / "cases"])
        job = Batch(project, renderer(project, root / "out" / ".cache" / "photos"), "nov",
                    MAIL_DATE, "b1", root / "out", workers=workers, chunk_size=4)
        result = job.run()
        assert result.rendered == 6
        assert {"photos", "layout", "write", "split", "merge", "record"} <= set(result.timings)
        results[workers, tasks] = json.loads((result.folder / "batch.json").read_text())
    one = results[1, 40]
    for other in (results[2, 40], results[2, 1]):
        assert other["pieces"] == one["pieces"]
        assert other["outputs"] == one["outputs"]
    assert len([p for p in one["outputs"] if p.startswith("packets/")]) == 6


def _page_footers(pdf: Path) -> list[str]:
    import re

    found = []
    for page in PdfReader(pdf).pages:
        match = re.search(r"Page (\d+) of (\d+)", page.extract_text())
        found.append(f"{match[1]}/{match[2]}" if match else "-")
    return found


def test_each_notice_counts_its_own_pages(small_batch):
    """Pieces are laid out one document at a time, then written together: the footer of every
    packet and file copy still counts that notice's pages only."""
    _root, result = small_batch
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

    _root, result = small_batch
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

    root, _result = small_batch
    job = _batch(root, "book")
    job.folder = tmp_path
    pieces = [Piece(n, f"k{n}", "CE-2026-1001", "owner", f"Addressee {n}", "Owner",
                    ("PO Box 88", "TOM BEAN TX 75489"), "75489", "9214890000000000000000",
                    f"{n:04d}") for n in range(1, 26)]  # 3 sheets of 10 lines
    whole = job._pdf("mail/firm_book.html", job.book_context(pieces))
    monkeypatch.setattr(batch_module, "BOOK_PART_PAGES", 1)
    job._book(pieces)
    parted = PdfReader(tmp_path / "firm-mailing-book.pdf")
    expected = PdfReader(io.BytesIO(whole))
    assert len(parted.pages) == len(expected.pages) == 3
    for mine, theirs in zip(parted.pages, expected.pages, strict=True):
        assert mine.extract_text() == theirs.extract_text()
    assert "Batch total" in parted.pages[2].extract_text()
    assert "Sheet 1 of 3" in parted.pages[0].extract_text()


def test_a_template_edited_while_the_batch_renders_stops_it(tmp_path):
    """Pieces of one batch are made from one set of templates and cases: an edit between
    chunks stops the batch; put back, the same command finishes it."""
    from noticegen.mail.inputs import InputsChanged

    root = _project(tmp_path, 3)
    nov = root / "templates" / "nov.html"
    original = nov.read_text()

    def edit_after_the_first_chunk(done: int, total: int) -> None:
        if done == 2:
            nov.write_text(original + "{# an edit #}\n")

    def job() -> Batch:
        project = load_project(root, [root / "cases"])
        return Batch(project, renderer(project, root / "out" / ".cache" / "photos"), "nov",
                     MAIL_DATE, "b1", root / "out", workers=1, chunk_size=2)

    with pytest.raises(InputsChanged) as caught:
        job().run(edit_after_the_first_chunk)
    assert "while it was rendering" in str(caught.value)
    assert "templates/nov.html" in str(caught.value)
    assert caught.value.hint and "put those files back" in caught.value.hint
    journal = root / "out" / "b1" / ".journal.jsonl"
    assert len(journal.read_text().splitlines()) == 2
    assert not (root / "out" / "b1" / "batch.json").exists()

    nov.write_text(original)
    result = job().run()
    assert (result.pieces, result.rendered) == (6, 4)


def test_a_batch_resumes_only_from_the_inputs_it_started_with(tmp_path):
    root = _project(tmp_path, 2)
    folder = _batch(root).run().folder
    (folder / "batch.json").unlink()  # as if it had crashed before its last step
    case = root / "cases" / "case-002.yaml"
    original = case.read_text()
    case.write_text(original.replace("Tenant Number 2", "Tenant Number Two"))
    with Allocator(root / "var" / ARTICLE_DB, load_project(root).settings.mail.article_numbers
                   ) as alloc:
        allocated = alloc.count()
    with pytest.raises(NoticegenError) as caught:
        _batch(root).run()
    assert "cases/case-002.yaml" in str(caught.value)
    assert "while it was rendering" not in str(caught.value)
    with Allocator(root / "var" / ARTICLE_DB, load_project(root).settings.mail.article_numbers
                   ) as alloc:
        assert alloc.count() == allocated

    case.write_text(original)
    approvals = root / "config" / "approvals.yaml"  # the attorney's approvals may go on
    approvals.write_text(approvals.read_text() + "# reviewed again\n")
    result = _batch(root).run()
    assert not result.already_complete and result.rendered == 0
    assert (folder / "batch.json").is_file()
