"""Mail pieces: the windows of a real certified-mail envelope, postage by weight, affidavits
that quote the whole hash and verify as what they are, file copies that name their piece, and
counts that agree with their nouns."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import re
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, case_data, make_photo
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from noticegen.config import MailSettings, load_settings
from noticegen.errors import InputError, NoticegenError
from noticegen.mail.article_numbers import printed
from noticegen.mail.postage import TooHeavy, price, sheets
from noticegen.mail.window import AddressDoesNotFit, Room
from noticegen.record.tables import mail_pieces
from noticegen.service import App, import_cases, mail_batch, upgrade

MAIL_DATE = date(2026, 11, 25)
KEY = "test-key-not-secret"
LONGEST = {"lines": ["Attn: Loan Servicing Department", "Mail Stop 4-B, Building 7",
                     "1200 Commerce St Ste 900", "PO Box 1180"],
           "city": "Dallas", "state": "TX", "zip": "75202-1180"}
"""As many lines as the schema allows (four, then the city line; with the name, six)."""


@functools.cache
def _mail() -> MailSettings:
    return load_settings(REPO / "config").mail


@pytest.fixture
def mail() -> MailSettings:
    return _mail()


# -- postage: a pure function of the packet's pages and the price list ---------------------


def test_a_nine_page_packet_pays_for_its_weight_not_one_ounce(mail):
    """5 sheets (printed on both sides), the #10 envelope and the green card: 1.10 oz, the
    2-ounce letter price — not the 1-ounce $0.78 every piece used to pay."""
    cost = price(9, mail)
    assert (cost.sheets, cost.ounces, cost.shape) == (5, Decimal("1.10"), "letter")
    assert cost.postage == Decimal("1.07")
    assert cost.total == Decimal("1.07") + mail.fees.certified + mail.fees.return_receipt


def test_a_heavy_packet_is_a_flat_and_too_heavy_a_one_is_refused(mail):
    heaviest_letter = max(n for n in range(1, 100) if price(n, mail).shape == "letter")
    flat = price(heaviest_letter + 1, mail)
    assert price(heaviest_letter, mail).ounces <= Decimal("3.5") < flat.ounces
    assert flat.shape == "flat" and flat.postage > price(heaviest_letter, mail).postage
    with pytest.raises(TooHeavy, match="more than First-Class Mail carries") as refused:
        price(400, mail)
    assert refused.value.exit_code == 2


@settings(max_examples=200, deadline=None)
@given(pages=st.integers(1, 150), more=st.integers(0, 40))
def test_postage_never_falls_as_a_packet_grows(pages, more):
    mail = _mail()
    try:
        heavier = price(pages + more, mail)
    except TooHeavy:
        return
    lighter = price(pages, mail)
    assert lighter.ounces <= heavier.ounces
    assert lighter.postage <= heavier.postage and lighter.total <= heavier.total
    assert lighter.sheets == sheets(pages) == (pages + 1) // 2


@settings(max_examples=200, deadline=None)
@given(step=st.integers(0, 3), sheet=st.decimals("0.05", "0.5", places=3),
       above=st.booleans())
def test_a_weight_on_a_step_pays_that_step_and_a_hair_above_pays_the_next(step, sheet,
                                                                         above):
    """The envelope's weight is chosen so that one sheet makes the piece weigh exactly the
    step's ounces (or 0.001 oz more)."""
    base = _mail()
    bound = base.postage.letter[step].ounces
    rest = base.weights.return_receipt_card + sheet
    if bound - rest <= 0:
        return
    envelope = bound - rest + (Decimal("0.001") if above else 0)
    mail = base.model_copy(update={"weights": base.weights.model_copy(
        update={"sheet": sheet, "letter_envelope": envelope})})
    cost = price(1, mail)
    if not above:
        assert cost.ounces == bound
        assert (cost.shape, cost.postage) == ("letter", base.postage.letter[step].price)
    elif step + 1 < len(base.postage.letter):
        assert cost.ounces == bound + Decimal("0.001")
        assert (cost.shape, cost.postage) == ("letter", base.postage.letter[step + 1].price)
    else:
        assert cost.shape == "flat"


def _settings_with(root: Path, change) -> None:
    path = root / "config" / "agency.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data["mail"])
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m["postage"]["letter"].reverse(), "not listed by rising weight"),
    (lambda m: m["postage"]["letter"][1].update(price=0.5), "costs less than a lighter one"),
    (lambda m: m["postage"]["letter"].pop(), "letter prices end at 3 oz"),
    (lambda m: m["postage"].pop("effective"), "effective"),
    (lambda m: m["envelope"].pop("source"), "source"),
    (lambda m: m["envelope"]["address_window"].update(bottom=3.5), "runs off the envelope"),
    (lambda m: m["envelope"]["insert"].update(top=1.5), "does not fall on the folded"),
], ids=["order", "cheaper", "short", "no-date", "no-source", "off-face", "off-panel"])
def test_bad_mail_settings_are_refused_by_name(tmp_path, change, message):
    shutil.copytree(REPO / "config", tmp_path / "config")
    _settings_with(tmp_path, change)
    with pytest.raises(InputError) as refused:
        load_settings(tmp_path / "config")
    assert message in str(refused.value)


def test_the_default_envelope_is_a_sourced_double_window_number_10(mail):
    envelope = mail.envelope
    assert (envelope.width, envelope.height) == (9.5, 4.125)
    assert "Lob" in envelope.source and "help.lob.com" in envelope.source
    face = envelope.address_window
    assert (face.left, face.bottom, face.width, face.height) == (0.625, 1.0, 4.0, 1.0)
    face = envelope.certified_window
    assert (face.left, face.bottom, face.width, face.height) == (0.625, 2.375, 3.25, 0.875)
    assert mail.postage.effective == date(2025, 7, 13) and "USPS" in mail.postage.source


# -- one batch, read back from its files ---------------------------------------------------


def _project(root: Path, parties: list[dict[str, Any]]) -> Path:
    for folder in ("ordinances", "config", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    make_photo(root / "cases" / "photos" / "yard.jpg", datetime(2026, 11, 3, 10, 16))
    data = case_data()
    data["case_number"], data["history"] = "CE-2026-1001", []
    data["responsible_parties"] = parties
    (root / "cases" / "case.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def _owner(name: str, address: dict[str, Any]) -> dict[str, Any]:
    return {"id": "owner", "role": "owner", "name": name, "mailing_address": address}


@pytest.fixture(scope="module")
def mailed(tmp_path_factory):
    """One piece, to an owner with the longest address the schema allows, mailed through the
    command line."""
    root = _project(tmp_path_factory.mktemp("pieces"),
                    [_owner("Northstar Mortgage Servicing LLC", LONGEST)])
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NOTICEGEN_HMAC_KEY", KEY)
        env.delenv("NOTICEGEN_DATABASE_URL", raising=False)
        runner = CliRunner()
        for args in (["db", "upgrade"], ["cases", "import", str(root / "cases")],
                     ["batch", "CE-2026-1001", "--mail-date", MAIL_DATE.isoformat(),
                      "--batch-id", "b1", "--workers", "1"]):
            result = runner.invoke(_cli(), ["--root", str(root), "--actor", "clerk", *args])
            assert result.exit_code == 0, result.output
        yield root, result.output, root / "out" / "b1"


def _cli():
    from noticegen.cli import cli

    return cli


def _words(pdf: Path, page: int = 1) -> list[tuple[str, float, float, float, float]]:
    """Words on a page with their boxes (ascent to descent) in inches from the top-left."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                           "-"], capture_output=True, text=True, check=True).stdout
    return [(m[5], *(float(v) / 72 for v in m.groups()[:4])) for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html)]


def _inside(box: tuple[float, float, float, float], room: Room) -> bool:
    x0, y0, x1, y1 = box
    return (x0 >= room.left - 0.002 and y0 >= room.top - 0.002
            and x1 <= room.right + 0.002 and y1 <= room.bottom + 0.002)


def test_the_longest_address_prints_inside_its_window_with_the_clearance(mailed, mail,
                                                                         tmp_path):
    _root, _output, folder = mailed
    envelope = mail.envelope
    upper, addr = (Room.of(envelope, envelope.certified_window),
                   Room.of(envelope, envelope.address_window))
    assert envelope.clearance == 0.125
    packet = next((folder / "packets").glob("*.pdf"))
    panel = [w for w in _words(packet) if w[2] < 11 / 3]  # the outside panel
    address = ["NORTHSTAR", "SERVICING", "DEPARTMENT", "BUILDING", "COMMERCE", "1180",
               "DALLAS,", "75202-1180"]
    for needle in address:
        hits = [w for w in panel if w[0] == needle]
        assert hits, needle
        assert all(_inside(w[1:], addr) for w in hits), (needle, hits, addr)
    article = [w for w in panel if re.fullmatch(r"\d{2,4}", w[0])
               and not _inside(w[1:], addr)]
    assert "".join(w[0] for w in article) == json.loads(
        (folder / "batch.json").read_text())["pieces"][0]["article"]
    for word in [*article, *(w for w in panel if w[0] in ("USPS", "CERTIFIED", "RECEIPT"))]:
        assert _inside(word[1:], upper), (word, upper)
    # Every mark on the outside panel (the barcode's bars too) lies in one of the two rooms.
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", str(packet),
                    str(tmp_path / "cover")], check=True)
    image = Image.open(next(tmp_path.glob("cover*.png"))).convert("L")
    dark = [(x / 100, y / 100) for y in range(0, 366, 2) for x in range(0, image.width, 2)
            if image.getpixel((x, y)) < 128]
    assert all(_inside((x, y, x, y), upper) or _inside((x, y, x, y), addr) for x, y in dark)
    bars = {x for x, y in dark if upper.top < y < upper.bottom and _inside((x, y, x, y), upper)}
    assert len(bars) > 100, "a barcode in the certified window"


def test_the_address_is_set_as_large_as_fits(mailed, mail):
    """Six lines in a 0.75 in room: the smallest type; the tenant-size address gets more."""
    _root, _output, folder = mailed
    packet = next((folder / "packets").glob("*.pdf"))
    [name] = [w for w in _words(packet) if w[0] == "NORTHSTAR"]
    assert 0.11 < name[4] - name[2] < 0.135  # 8.5 pt type, ascent to descent


def test_an_address_too_long_for_the_window_is_refused_naming_it(tmp_path):
    root = _project(tmp_path, [_owner(
        "The Estate of Bartholomew Montgomery-Fitzgerald Worthington III, Deceased",
        {"lines": ["123 Main St"], "city": "Tom Bean", "state": "TX", "zip": "75489"})])
    app = App.open(root, "tester", None)
    try:
        upgrade(app)
        import_cases(app, [root / "cases"])
        with pytest.raises(AddressDoesNotFit) as refused:
            mail_batch(app, ["CE-2026-1001"], "nov", MAIL_DATE, "b1", workers=1)
        with app.record.read() as c:
            assert c.execute(select(mail_pieces)).first() is None
    finally:
        app.close()
    error = refused.value
    assert error.exit_code == 2
    assert "case CE-2026-1001" in error.message and "owner" in error.message
    assert "BARTHOLOMEW" in error.message and "right edge" in error.message
    assert "mailing_address" in error.hint and "3.75" in error.hint


def _text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def test_postage_on_the_book_the_manifest_and_the_record_is_the_packets(mailed, mail):
    root, _output, folder = mailed
    [row] = list(csv.DictReader(io.StringIO((folder / "manifest.csv").read_text())))
    packet = next((folder / "packets").glob("*.pdf"))
    cost = price(len(PdfReader(packet).pages), mail)
    assert (int(row["pages"]), int(row["sheets"])) == (cost.pages, cost.sheets)
    assert row["postage"] == f"${cost.postage:,.2f}"
    assert row["total_fees"] == f"${cost.total:,.2f}"
    book = _text(folder / "firm-mailing-book.pdf")
    assert book.count(f"${cost.total:,.2f}") == 3  # the line, the page and the batch
    app = App.open(root, "tester", None)
    try:
        with app.record.read() as c:
            recorded = c.execute(select(mail_pieces.c.postage, mail_pieces.c.fees)).one()
    finally:
        app.close()
    assert (Decimal(recorded.postage), Decimal(recorded.fees)) == (
        cost.postage, cost.certified + cost.return_receipt)


def test_the_affidavit_quotes_the_whole_hash_and_the_true_page_count(mailed):
    _root, _output, folder = mailed
    packet = next((folder / "packets").glob("*.pdf"))
    affidavit = next((folder / "affidavits").glob("*.pdf"))
    digest = hashlib.sha256(packet.read_bytes()).hexdigest()
    text = _text(affidavit)
    assert f"{digest[:32]}\n{digest[32:]}" in text  # whole, in two lines of 32
    pages, words = len(PdfReader(packet).pages), " ".join(text.split())
    assert f"behind its cover page, {pages} pages in all" in words
    assert f"({pages - 1} pages)" in words
    footer = [line for line in text.splitlines() if "Page 1 of" in line]
    assert footer and all(line.endswith("Page 1 of 1") for line in footer), footer


def test_verify_names_the_affidavit_and_the_piece_it_swears_to(mailed):
    root, _output, folder = mailed
    article = json.loads((folder / "batch.json").read_text())["pieces"][0]["article"]
    with pytest.MonkeyPatch.context() as env:
        env.setenv("NOTICEGEN_HMAC_KEY", KEY)
        env.delenv("NOTICEGEN_DATABASE_URL", raising=False)
        for kind, what in (("affidavits", "affidavit of mailing"),
                           ("file-copies", "case-file copy")):
            file = next((folder / kind).glob("*.pdf"))
            result = CliRunner().invoke(_cli(), ["--root", str(root), "verify", str(file)])
            assert result.exit_code == 0, result.output
            assert (f"MATCH (SHA-256 {hashlib.sha256(file.read_bytes()).hexdigest()[:16]}…): "
                    f"{what} for piece {printed(article)} (line 1 of batch b1), mailed "
                    "2026-11-25 to Northstar Mortgage Servicing LLC (owner), case "
                    "CE-2026-1001") in result.output


def test_the_file_copy_names_the_piece_it_copies(mailed):
    _root, _output, folder = mailed
    packet = next((folder / "packets").glob("*.pdf"))
    article = json.loads((folder / "batch.json").read_text())["pieces"][0]["article"]
    text = _text(next((folder / "file-copies").glob("*.pdf")))
    assert f"article number {printed(article)}" in text
    assert hashlib.sha256(packet.read_bytes()).hexdigest() in text.replace("\n", "")


def test_one_piece_is_one_piece(mailed):
    _root, output, folder = mailed
    assert "batch b1: 1 piece recorded" in output
    book = _text(folder / "firm-mailing-book.pdf")
    assert "1 piece on this page" in book and "Batch total — 1 piece" in book
    assert "1 pieces" not in book and "1 pieces" not in output


def test_a_batch_on_record_for_one_case_says_case(mailed):
    root, _output, _folder = mailed
    app = App.open(root, "tester", None)
    try:
        with pytest.raises(NoticegenError, match=r"to the case CE-2026-1001\b"):
            mail_batch(app, ["CE-2026-1001", "CE-2026-0001"], "nov", MAIL_DATE, "b1")
    finally:
        app.close()
