"""Issue 13: what a city attorney, a postal clerk or a recipient would still catch — deadlines
counted from receipt, zones on hours, the service method, words, and the page as laid out."""

from __future__ import annotations

import io
import shutil
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from conftest import REPO
from pypdf import PdfReader
from test_render import ISSUED, folded, text_of

from noticegen.catalog import Deadline
from noticegen.cli import cli
from noticegen.errors import NoticegenError
from noticegen.project import load_project
from noticegen.render import renderer
from noticegen.rules import OfficeCalendar, compliance_deadline, service
from noticegen.rules.serving import FailedPiece, Serving, posting_grounds
from noticegen.service import issue
from noticegen.words import counted, plural

ZONE = ZoneInfo("America/Chicago")


@pytest.fixture(scope="module")
def examples():
    return load_project(REPO, [REPO / "examples"])


@pytest.fixture(scope="module")
def r(examples, tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTICEGEN_HMAC_KEY", "test-key-not-secret")
    made = renderer(examples, tmp_path_factory.mktemp("cache"))
    mp.undo()
    return made


def whole(pdf: bytes) -> str:
    return folded(" ".join(text_of(pdf)))


def spans(pdf: bytes) -> list[list[tuple[float, float, float, str]]]:
    """Each page's text runs as (x, y from the top, size in points, text), read from the PDF."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        height = float(page.mediabox.height)
        found: list[tuple[float, float, float, str]] = []

        def visit(text, cm, tm, font, size, found=found, height=height):
            if not text.strip():
                return
            # The run's origin is the text matrix's translation, taken through the CTM.
            x0, y0 = tm[4], tm[5]
            x = cm[0] * x0 + cm[2] * y0 + cm[4]
            y = cm[1] * x0 + cm[3] * y0 + cm[5]
            scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0])
            found.append((x, height - y, size * scale, text.strip()))

        page.extract_text(visitor_text=visit)
        pages.append(found)
    return pages


# -- 1. Dates --------------------------------------------------------------------------------

def test_a_mailed_notice_counts_from_receipt_and_gives_the_presumed_date(r, examples):
    """Mailed Wed Nov 25 2026 + 3 days = Sat Nov 28 presumed; + 7 days (H&S §342.006) = Sat
    Dec 5, rolled to Mon Dec 7. The notice says both, so it is true whatever day the owner
    picks the letter up."""
    case = examples.cases["CE-2026-0141"]
    doc = r.render("nov", case, ISSUED)
    text = whole(doc.content)
    assert ("on or before Monday, December 7, 2026, or within 7 days after the day you "
            "receive this notice, whichever is later") in text
    assert "the dates shown assume it arrives by November 28, 2026" in text
    assert "CERTIFIED MAIL — RETURN RECEIPT REQUESTED" in text
    assert doc.deadline is not None and doc.deadline.on == date(2026, 12, 7)


@pytest.mark.parametrize(("served", "expected"), [
    (datetime(2026, 10, 31, 1, 30), "1:30 AM CDT on November 1, 2026"),   # before fall-back
    (datetime(2026, 10, 31, 2, 30), "1:30 AM CST on November 1, 2026"),   # after it
    (datetime(2026, 3, 7, 14, 0), "3:00 PM CDT on March 8, 2026"),        # spring forward
])
def test_an_hour_deadline_names_its_zone(examples, served, expected):
    rule = Deadline(id="h24", directive_row="Vehicles", label="24 hours", kind="hours",
                    hours=24)
    settings = examples.settings
    d = compliance_deadline(rule, service(served, "in_person", ZONE, settings.calendar),
                            OfficeCalendar(settings.calendar), True)
    assert d.wording == f"within 24 hours of service, by {expected}"


# -- 2. Service method -----------------------------------------------------------------------

def test_a_notice_served_in_person_says_so_and_counts_from_service(r, examples):
    case = examples.cases["CE-2026-0141"]
    doc = r.render("nov", case, ISSUED, serving=Serving("in-person"))
    text = whole(doc.content)
    assert "CERTIFIED MAIL" not in text and "SERVED IN PERSON" in text
    assert "whichever is later" not in text
    # Served Wed Nov 25 at 10:00; 7 days → Wed Dec 2.
    assert "on or before Wednesday, December 2, 2026" in text
    assert doc.delivery == "in_person"


def test_a_service_the_type_does_not_allow_is_refused(r, examples):
    case = examples.cases["CE-2026-0163"]
    with pytest.raises(NoticegenError, match="not served by leaving it on the front door"):
        r.render("nov", case, ISSUED, serving=Serving("left-at-door"))
    with pytest.raises(NoticegenError, match="must say why it was posted"):
        r.render("nov", case, ISSUED, serving=Serving("posted"))


def test_posting_grounds_come_from_the_record_or_the_officer():
    piece = FailedPiece("9207 1901 2345 6700 0000 17", date(2026, 11, 3), "refused",
                        date(2026, 11, 10))
    assert posting_grounds([piece], None) == (
        "the certified letter mailed to you on November 3, 2026 (article 9207 1901 2345 6700 "
        "0000 17) was refused on November 10, 2026")
    assert posting_grounds([], "No one at the house on three visits.") == \
        "No one at the house on three visits"
    with pytest.raises(NoticegenError, match=r"H&S §342\.006") as refused:
        posting_grounds([], None)
    assert refused.value.exit_code == 2


@pytest.fixture
def issuing(app):
    shutil.copytree(REPO / "templates", app.root / "templates")
    return app


def test_posting_is_refused_without_grounds_and_prints_the_officers_reason(issuing, runner):
    root = issuing.root
    refused = runner.invoke(cli, ["--root", str(root), "render", "nov", "CE-2026-0001",
                                  "--issued", "2026-11-25 10:00", "--service", "posted"])
    assert refused.exit_code == 2, refused.output
    assert "neither is on record" in refused.output and "Traceback" not in refused.output
    done = issue(issuing, "nov", "CE-2026-0001", datetime(2026, 11, 25, 10, 0),
                 service="posted", posting_reason="The owner could not be found at the "
                 "property or his mailing address on three visits")
    text = whole(done.document.content)
    assert "NOTICE POSTED AT THE PROPERTY" in text
    assert ("because The owner could not be found at the property or his mailing address on "
            "three visits.") in text
    assert "could not deliver it to you by mail" not in text
    assert done.document.delivery == "posting" and done.document.template_id == "nov-posting"


def test_the_cli_serves_an_nov_in_person(issuing, runner):
    result = runner.invoke(cli, ["--root", str(issuing.root), "render", "nov", "CE-2026-0001",
                                 "--issued", "2026-11-25 10:00", "--service", "in-person"])
    assert result.exit_code == 0, result.output
    pdf = next((issuing.root / "out" / "CE-2026-0001").glob("*NOV*.pdf")).read_bytes()
    assert "SERVED IN PERSON" in whole(pdf) and "CERTIFIED MAIL" not in whole(pdf)


# -- 1. The citation's offense date ----------------------------------------------------------

def test_a_citation_charges_the_follow_up_that_found_it_uncorrected(r, examples):
    """CE-2026-0141: seen September 3, NOV deadline passed, follow-up found it uncorrected."""
    case = examples.cases["CE-2026-0141"]
    follow_up = max((e for e in case.history if e.action == "follow_up"), key=lambda e: e.on)
    doc = r.render("citation", case, ISSUED)
    text = whole(doc.content)
    assert "date of offense" in text.lower() and "date and time observed" not in text.lower()
    assert f"{follow_up.on:%B} {follow_up.on.day}, {follow_up.on.year}" in text
    assert "found uncorrected at the follow-up inspection after the compliance date of" in text
    assert "first observed September 3, 2026" in text


def test_a_citation_without_a_follow_up_is_refused(r, examples):
    case = examples.cases["CE-2026-0141"]
    bare = case.model_copy(update={"history": [e for e in case.history
                                               if e.action != "follow_up"]})
    with pytest.raises(NoticegenError, match="follow-up inspection found"):
        r.render("citation", bare, ISSUED)


# -- 4. Words --------------------------------------------------------------------------------

def test_proper_nouns_in_a_role_are_kept_as_written(r, examples):
    lien = r.render("nov", examples.cases["CE-2026-0148"], ISSUED, recipient="lienholder")
    text = whole(lien.content)
    assert "Grayson County real property records" in text
    assert "grayson county" not in text
    vehicle = examples.cases["CE-2026-0199"]
    party = vehicle.responsible_parties[0].id
    assert "texas dmv" not in whole(r.render("warning", vehicle, ISSUED,
                                             recipient=party).content).lower().replace(
        "Texas DMV".lower(), "")


def test_a_lienholder_is_told_why_it_has_a_copy_not_asked_to_correct(r, examples):
    case = examples.cases["CE-2026-0148"]
    text = whole(r.render("nov", case, ISSUED, recipient="lienholder").content)
    assert "You are receiving a copy of this notice because" in text
    assert "please correct" not in text and "Correct the violation" not in text
    assert "voluntary compliance agreement" not in text.lower().split("enforcement")[0] \
        or "Need more time?" not in text
    owner = whole(r.render("nov", case, ISSUED, recipient="owner").content)
    assert "please correct" in owner and "receiving a copy" not in owner


def test_one_violation_reads_in_the_singular(r, examples):
    case = examples.cases["CE-2026-0141"]
    assert len(case.violations) == 1
    text = whole(r.render("nov", case, ISSUED).content)
    assert "If the violation is not corrected" in text
    assert "If the violations are" not in text and "correct each violation" not in text
    assert "please correct the violation by its deadline" in text


def test_the_vca_request_is_made_before_the_chief_of_police_as_viii_c_2_says(r, examples):
    case = examples.cases["CE-2026-0141"]
    text = whole(r.render("nov", case, ISSUED).content)
    assert "You must appear before the Chief of Police, Raymond Ortiz, and make your request " \
           "for an extension" in text
    assert "designee" not in text


def test_plural_words():
    assert [counted(n, "case") for n in (0, 1, 2)] == ["0 cases", "1 case", "2 cases"]
    assert plural("copy", 2, "copies") == "copies" and plural("copy", 1, "copies") == "copy"


# -- 8. Layout -------------------------------------------------------------------------------

@pytest.mark.parametrize(("doc_type", "number", "variant"), [
    ("nov", "CE-2026-0163", None), ("warning", "CE-2026-0163", "door-hanger"),
    ("warning", "CE-2026-0163", "letter"), ("citation", "CE-2026-0141", None),
])
def test_no_invisible_text(r, examples, doc_type, number, variant):
    """Every run of text on every page is readable type: nothing hidden at 1 pt that would
    garble copy and search."""
    doc = r.render(doc_type, examples.cases[number], ISSUED, variant=variant)
    sizes = [size for page in spans(doc.content) for _, _, size, _ in page]
    assert sizes and min(sizes) >= 5


def test_the_door_hanger_names_the_officer_and_badge_on_the_side_that_faces_out(r, examples):
    case = examples.cases["CE-2026-0163"]
    officer = examples.settings.officer(case.officer)
    doc = r.render("warning", case, ISSUED, variant="door-hanger")
    assert len(text_of(doc.content)) == 2
    assert f"{officer.name}, Badge No. {officer.badge}" in text_of(doc.content)[0]


def body_bottoms(pdf: bytes) -> list[float]:
    """How far down each page its body text reaches, as a fraction of the page (the running
    header and footer in the margins left out)."""
    height = float(PdfReader(io.BytesIO(pdf)).pages[0].mediabox.height)
    top, bottom = 0.85 * 72, height - 0.9 * 72
    return [max((y for _, y, _, _ in page if top < y < bottom), default=0) / height
            for page in spans(pdf)]


@pytest.mark.parametrize(("doc_type", "number", "recipient", "variant"), [
    ("nov", "CE-2026-0141", "owner", None), ("nov", "CE-2026-0148", "owner", None),
    ("nov", "CE-2026-0148", "lienholder", None), ("nov", "CE-2026-0163", "owner", None),
    ("nov", "CE-2026-0196", "owner", None), ("nov", "CE-2026-0174", "contractor", None),
    ("warning", "CE-2026-0174", "owner", "letter"), ("stop-work", "CE-2026-0174", "owner", None),
    ("citation", "CE-2026-0141", "owner", None),
])
def test_no_page_of_a_notice_is_more_than_half_empty_but_the_last(r, examples, doc_type,
                                                                   number, recipient, variant):
    doc = r.render(doc_type, examples.cases[number], ISSUED, recipient=recipient,
                   variant=variant)
    assert all(fill > 0.5 for fill in body_bottoms(doc.content)[:-1]), \
        body_bottoms(doc.content)


@pytest.mark.parametrize("number", ["CE-2026-0141", "CE-2026-0148", "CE-2026-0163",
                                    "CE-2026-0196"])
def test_the_signature_never_sits_alone_on_a_page(r, examples, number):
    """The officer's signature line shares its page with the letter's closing sections."""
    case = examples.cases[number]
    officer = examples.settings.officer(case.officer)
    doc = r.render("nov", case, ISSUED, recipient="owner")
    label = f"{officer.name}, {officer.title} · Badge No. {officer.badge}"
    pages = [folded(" ".join(t for _, _, _, t in page)) for page in spans(doc.content)]
    [page] = [p for p in pages if label in p]
    before = page.split(label)[0]
    assert "Questions" in before and "voluntary compliance agreement" in before
