"""Every document type, for every example case the ladder allows: the directive's elements,
the rules engine's deadlines, identity on every page, and no complainant in party documents."""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from conftest import REPO, case_data, make_photo
from pypdf import PdfReader
from sqlalchemy import func, select

from noticegen.cases import Case
from noticegen.cli import cli
from noticegen.errors import InputError
from noticegen.project import load_project
from noticegen.record import tables
from noticegen.render import PhotoError, RenderedDocument, renderer
from noticegen.render.context import complainant_mentions
from noticegen.rules import STEPS, OfficeCalendar, notice_deadlines, rank, service
from noticegen.rules.serving import Serving
from noticegen.service import import_cases, issue

ISSUED = datetime(2026, 11, 25, 10, 0)
PARTY_TYPES = ("warning", "nov", "vca", "citation", "stop-work")
VARIANTS = {"warning": ("door-hanger", "letter"), "nov": ("letter", "file-copy")}


def text_of(pdf: bytes) -> list[str]:
    """Each page's text with whitespace folded, so wrapped phrases still match."""
    reader = PdfReader(io.BytesIO(pdf))
    return [folded(page.extract_text()) for page in reader.pages]


def folded(text: str) -> str:
    """Whitespace folded, and a hyphenated word broken at the end of a line made whole."""
    return re.sub(r"(\w)- (?=\w)", r"\1-", re.sub(r"\s+", " ", text)).strip()


@dataclass(frozen=True)
class Rendered:
    case: Case
    doc: RenderedDocument
    variant: str | None
    pages: list[str]

    @property
    def text(self) -> str:
        """The pages' text without the running header and footer, so that a sentence broken
        across a page still reads as one."""
        doc, address = self.doc, folded(self.case.property.address.one_line())
        margins = [f"Document {doc.document_id} · Template {doc.template_id} "
                   f"v{doc.template_version} · Case {doc.case_number} · {address}",
                   f"Case {doc.case_number} · {address}"]
        pages = []
        for number, page in enumerate(self.pages, start=1):
            for margin in margins:
                page = page.replace(margin, " ")
            page = folded(page.replace(f"Page {number} of {len(self.pages)}", " "))
            for title in (f"{doc.title} — CASE FILE COPY", doc.title):
                if number > 1 and page.endswith(title):
                    page = page[:-len(title)]
                if number > 1 and page.startswith(title):
                    page = page[len(title):]
            # A list's numbers are drawn apart from its items: pypdf may read them as a run
            # ("1. 2. 3.") wherever the page's stream puts them.
            pages.append(re.sub(r"(?<![\w§])(?:\d{1,2}\. ){3,}", " ", page))
        return folded(" ".join(pages))


@pytest.fixture(scope="session")
def examples():
    return load_project(REPO, [REPO / "examples"])


@pytest.fixture(scope="session")
def rendered(examples, tmp_path_factory) -> list[Rendered]:
    """Every document the ladder allows for every example case, for every recipient."""
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTICEGEN_HMAC_KEY", "test-key-not-secret")
    r = renderer(examples, tmp_path_factory.mktemp("photo-cache"))
    from noticegen.rules import next_steps

    out = []
    for case in examples.cases.values():
        allowed = {s.name for s in next_steps(case, examples.catalog, examples.settings,
                                              ISSUED.date()) if s.allowed}
        for doc_type in ("warning", "nov", "vca", "citation", "stop-work", "closure",
                         "field-report"):
            if doc_type not in allowed:
                continue
            recipients = [p.id for p in case.responsible_parties] \
                if doc_type in PARTY_TYPES else [None]
            for recipient in recipients:
                for variant in VARIANTS.get(doc_type, (None,)):
                    doc = r.render(doc_type, case, ISSUED, recipient=recipient, variant=variant)
                    out.append(Rendered(case, doc, variant, text_of(doc.content)))
    mp.undo()
    return out


def test_every_document_type_is_exercised(rendered):
    types = {item.doc.doc_type for item in rendered}
    assert types >= {"warning", "nov", "citation", "stop-work", "closure", "field-report"}, types
    assert set(STEPS) >= types


def test_identity_on_every_page(rendered):
    for item in rendered:
        doc = item.doc
        for number, page in enumerate(item.pages, start=1):
            where = f"{doc.document_id} page {number}"
            assert f"Page {number} of {len(item.pages)}" in page, where
            assert doc.document_id in page, where
            assert f"{doc.template_id} v{doc.template_version}" in page, where
            assert item.case.case_number in page, where
            assert folded(item.case.property.address.one_line()) in page, where


def _deadlines(examples, case: Case, method: str):
    settings = examples.settings
    served = service(ISSUED, method, settings.zone, settings.calendar)
    return notice_deadlines([(v.id, v.ordinance) for v in case.violations], examples.catalog,
                            served, OfficeCalendar(settings.calendar),
                            settings.calendar.roll_to_business_day)


def _officer(examples, case: Case):
    return examples.settings.officer(case.officer)


def _check_violations(item: Rendered, examples, *, deadlines=None, photos=False,
                      code_text=False) -> None:
    for v in item.case.violations:
        section = examples.catalog.ordinance(v.ordinance)
        assert folded(section.citation) in item.text, section.citation
        assert folded(section.title) in item.text, section.title
        if deadlines:
            assert folded(deadlines.by_violation[v.id].wording) in item.text, v.id
        if code_text:
            first_words = " ".join(section.text.split()[:8])
            assert first_words in item.text, (section.id, first_words)
        if photos:
            assert len(re.findall(r"Photo \d+ — (taken|capture time not recorded)",
                                  item.text)) >= sum(len(x.photos) for x in item.case.violations)


def test_nov_carries_every_element_of_viii_b_2(rendered, examples):
    novs = [i for i in rendered if i.doc.doc_type == "nov"]
    assert novs
    for item in novs:
        officer = _officer(examples, item.case)
        deadlines = _deadlines(examples, item.case, "mail")
        assert "NOTICE OF VIOLATION" in item.text.upper()
        _check_violations(item, examples, deadlines=deadlines, photos=True, code_text=True)
        for v in item.case.violations:  # common language: description and what to do
            assert folded(v.corrective_action) in item.text, v.id
        earliest = deadlines.earliest.wording
        if earliest == "stop all work now":
            assert "Stop all work now" in item.text
        else:
            many = "all violations" if len(item.case.violations) > 1 else "the violation"
            assert f"Correct {many} {earliest}" in item.text
        assert officer.name in item.text and f"Badge No. {officer.badge}" in item.text
        assert officer.phone in item.text and officer.email in item.text
        assert "A citation and prosecution in the Municipal Court" in item.text  # III.C
        assert "voluntary compliance agreement" in item.text
        party = item.case.party(item.doc.recipient_id)
        assert party.name in item.text
        assert folded(party.mailing_address.lines[0]) in item.text
        if item.variant == "file-copy":
            assert "CASE FILE COPY" in item.text
            assert rank(item.case, examples.catalog).label in item.text


def test_warning_notice_elements_of_viii_a(rendered, examples):
    warnings = [i for i in rendered if i.doc.doc_type == "warning"]
    assert {i.variant for i in warnings} == {"door-hanger", "letter"}
    for item in warnings:
        officer = _officer(examples, item.case)
        _check_violations(item, examples,
                          deadlines=_deadlines(examples, item.case, "in_person"))
        assert "WARNING NOTICE" in item.text.upper()
        assert officer.name in item.text and officer.badge in item.text
        assert officer.phone in item.text
        assert "Left on door" in item.text and "Handed to" in item.text


def test_door_hanger_page_size(rendered, examples):
    item = next(i for i in rendered if i.variant == "door-hanger")
    page = PdfReader(io.BytesIO(item.doc.content)).pages[0]
    width, height = float(page.mediabox.width) / 72, float(page.mediabox.height) / 72
    assert (round(width, 2), round(height, 2)) == (
        examples.settings.printing.door_hanger_width_in,
        examples.settings.printing.door_hanger_height_in)


def test_citation_elements_of_viii_d(rendered, examples):
    citations = [i for i in rendered if i.doc.doc_type == "citation"]
    assert citations
    court = examples.settings.court
    for item in citations:
        _check_violations(item, examples)
        assert court.name in item.text
        assert folded(court.address.lines[0]) in item.text
        assert re.search(r"(Monday|Tuesday|Wednesday|Thursday|Friday), \w+ \d{1,2}, \d{4} at "
                         r"\d{1,2}:\d{2} [AP]M", item.text), "appearance date and time"
        assert item.case.party(item.doc.recipient_id).name in item.text
        officer = _officer(examples, item.case)
        assert officer.name in item.text and officer.badge in item.text
        for v in item.case.violations:
            fine = examples.catalog.ordinance(v.ordinance).fine
            if fine:
                assert f"${fine.maximum:,.2f}" in item.text


def test_stop_work_order_elements_of_x_a(rendered, examples):
    orders = [i for i in rendered if i.doc.doc_type == "stop-work"]
    assert orders
    inspector = examples.settings.building_inspector
    for item in orders:
        assert "STOP WORK ORDER" in item.text.upper()
        assert inspector.name in item.text
        assert "Police Department" in item.text
        officer = _officer(examples, item.case)
        assert officer.name in item.text and officer.badge in item.text
        for v in item.case.violations:
            section = examples.catalog.ordinance(v.ordinance)
            if section.stop_work_order:
                assert folded(section.citation) in item.text


def test_closure_letter_elements_of_xiii_c(rendered, examples):
    letters = [i for i in rendered if i.doc.doc_type == "closure"]
    assert letters
    for item in letters:
        closure = item.case.closure
        assert closure and item.case.complainant
        assert item.case.complainant.name in item.text
        assert " ".join(closure.resolution.split()[:10]) in item.text
        if closure.extenuating_circumstances:
            assert re.search(r"inspect the property again on or about \w+ \d{1,2}, \d{4}",
                             item.text)
        for party in item.case.responsible_parties:
            assert party.name not in item.text


def test_field_report_elements_of_vii_d_3(rendered, examples):
    reports = [i for i in rendered if i.doc.doc_type == "field-report"]
    assert reports
    for item in reports:
        assert _officer(examples, item.case).name in item.text
        for visit in item.case.site_visits:
            assert " ".join(visit.conditions.split()[:8]) in item.text
            assert " ".join(visit.recommended_action.split()[:6]) in item.text


def test_no_party_document_names_the_complainant(rendered, examples):
    public = [examples.settings.agency.address, examples.settings.court.address]
    checked = 0
    for item in rendered:
        complainant = item.case.complainant
        if item.doc.doc_type not in PARTY_TYPES or complainant is None:
            continue
        facts = [complainant.name, complainant.phone, complainant.email]
        if complainant.mailing_address and complainant.mailing_address not in public:
            facts += complainant.mailing_address.lines
        for fact in filter(None, facts):
            assert folded(fact) not in item.text, (item.doc.document_id, fact)
        checked += 1
    assert checked >= 10


def _stress_case(folder: Path, hostile: str | None = None) -> Case:
    data = case_data()
    ordinances = ["TB-34-2", "TB-34-3", "TB-34-4", "TB-34-5", "TB-34-6", "TB-78-30",
                  "TB-78-60", "TB-98-20", "TB-98-21", "TB-14-3", "TB-14-4", "TB-50-5"]
    violations = []
    for index, ordinance in enumerate(ordinances, start=1):
        photos = []
        if index <= 6:
            name = f"photos/p{index}.jpg"
            make_photo(folder / name, datetime(2026, 11, 3, 10, index),
                       orientation=6 if index == 2 else 1, size=(1600, 1200))
            photos = [name]
        violations.append({
            "id": f"v{index}", "ordinance": ordinance, "observed": "2026-11-03 10:15",
            "location": f"Area {index} of the lot",
            "description": hostile or f"Condition number {index} observed from the street. " * 6,
            "corrective_action": f"Correct condition {index}.", "photos": photos,
            **({} if photos else {"photo_override": "Photographed in an earlier visit."})})
    data["violations"] = violations
    data["history"] = []
    return Case.model_validate(data, context={"base": folder})


def test_twelve_violations_and_six_photos(repo_project, tmp_path):
    case = _stress_case(tmp_path)
    doc = renderer(repo_project, tmp_path / "cache").render("nov", case, ISSUED)
    pages = text_of(doc.content)
    table_pages = [p for p in pages if "Violations found" in p or "What you must do" in p]
    assert len(table_pages) >= 2, "the violation table spans pages"
    assert all("What you must do" in p for p in table_pages), "header repeats on each page"
    for index in range(1, 13):
        assert f"Correct condition {index}." in " ".join(pages)
    captions = re.findall(r"Photo (\d) — taken", " ".join(pages))
    assert sorted(set(captions)) == ["1", "2", "3", "4", "5", "6"]
    reader = PdfReader(io.BytesIO(doc.content))
    images = sum(len(page.images) for page in reader.pages)
    assert images >= 7  # six photos and the seal


HOSTILE = "<script>alert(1)</script> & {{ 7*7 }} {% if x %}boom{% endif %} " + "x" * 5000


def test_hostile_case_text_renders_literally(repo_project, tmp_path):
    case = _stress_case(tmp_path, hostile=HOSTILE)
    doc = renderer(repo_project, tmp_path / "cache").render("nov", case, ISSUED)
    text = "".join(text_of(doc.content)).replace(" ", "")
    assert "<script>alert(1)</script>&{{7*7}}{%ifx%}boom{%endif%}" in text
    assert "49" not in text.split("{{7*7}}")[0][-5:]


def test_a_posting_notice_for_a_piece_mail_could_not_deliver(examples, tmp_path):
    case = examples.cases["CE-2026-0141"]
    grounds = ("the certified letter mailed to you on November 3, 2026 (article 9207 1901 "
               "2345 6700 0000 17) was returned undeliverable on November 12, 2026")
    doc = renderer(examples, tmp_path / "cache").render(
        "nov", case, ISSUED, serving=Serving("posted", grounds))
    text = " ".join(text_of(doc.content))
    assert "NOTICE POSTED AT THE PROPERTY" in text and doc.template_id == "nov-posting"
    assert "because the certified letter mailed to you on November 3, 2026" in folded(text)
    assert "could not deliver it to you by mail" not in text
    assert doc.delivery == "posting"
    # Posted Wed Nov 25, 2026 (served then) + 7 days = Wed Dec 2.
    assert "Correct the violation on or before Wednesday, December 2, 2026." in text
    assert "CERTIFIED MAIL" not in text


@pytest.fixture
def issuing(app):
    """The service over a recorded project that has the templates (and their approvals)."""
    shutil.copytree(REPO / "templates", app.root / "templates")
    return app


@pytest.mark.parametrize("damage", ["truncated", "swapped"])
def test_a_changed_print_ready_photo_is_refused_not_printed(issuing, damage):
    """out/.cache/photos/<sha>-1000.jpg changed after it was made: the notice is not made with
    it, and nothing is issued."""
    app = issuing
    draft = issue(app, "nov", "CE-2026-0001", ISSUED, draft=True)  # prepares the photo
    cached = list((app.out / ".cache" / "photos").glob("*-1000.jpg"))
    assert len(cached) == 1
    if damage == "truncated":
        cached[0].write_bytes(cached[0].read_bytes()[:2000])
    else:  # another whole photo of the same size in its place
        make_photo(cached[0], datetime(2026, 11, 3, 10, 17), size=(640, 480))
    with pytest.raises(PhotoError) as raised:
        issue(app, "nov", "CE-2026-0001", ISSUED)
    assert cached[0].name in raised.value.message
    assert "does not match the SHA-256" in raised.value.message
    with app.record.read() as c:
        assert c.execute(select(func.count()).select_from(tables.documents)).scalar() == 0
    assert [p.name for p in (app.out / "CE-2026-0001").iterdir()] == [draft.file.name]


def test_the_same_render_again_changes_nothing_and_gives_the_copy_back(issuing, runner):
    """A re-run of the very same command (say, after the readable copy was lost) is not the
    second notice the ladder refuses: it is the one on record, written out again."""
    render = ["--root", str(issuing.root), "render", "nov", "CE-2026-0001", "--issued",
              "2026-11-25 10:00"]
    first = runner.invoke(cli, render)
    assert first.exit_code == 0, first.output
    assert "issued and recorded" in first.output
    copy = Path(first.output.split()[0])
    made = copy.read_bytes()
    copy.unlink()

    again = runner.invoke(cli, render)
    assert again.exit_code == 0, again.output
    assert "already on record; nothing changed" in again.output
    assert copy.read_bytes() == made
    with issuing.record.read() as c:
        assert c.execute(select(func.count()).select_from(tables.documents)).scalar() == 1
        assert c.execute(select(func.count()).select_from(tables.events).where(
            tables.events.c.document_id.is_not(None))).scalar() == 1

    later = runner.invoke(cli, [*render[:-1], "2026-11-25 10:05"])  # a second NOV: refused
    assert later.exit_code == 2
    assert "nov may not be issued now" in later.stderr


def test_complainant_mentions_finds_the_complainant_in_the_party_views_free_text():
    data = case_data()
    data["complainant"] |= {"name": "Dale Moody (Public Works Superintendent, City of Tom Bean)",
                            "email": "dmoody@tombeantx.example"}
    violation = data["violations"][0]
    violation["location"] = "Front yard, seen from the lot of dale\n  MOODY"
    violation["description"] = "Grass taller than Mr. Moodyson's hedge."  # another name
    violation["photos"] = [{"file": "photos/yard.jpg", "caption": "by DMoody@TomBeanTX.example"}]
    violation["corrective_action"] = "Mow the yard to the line of 516 N Britton St."
    data["history"][0]["notes"] = "Called from (903)  555-0147."
    data["site_visits"] = [{"at": "2026-11-03 10:00", "place": "512 N Britton St",
                            "conditions": "Tall grass.", "recommended_action": "Warn.",
                            "witnesses": [{"name": "Dale Moody", "statement": "Saw it."}]}]
    case = Case.model_validate(data)
    assert complainant_mentions(case) == [
        "violations[0].location", "violations[0].corrective_action",
        "violations[0].photos[0].caption", "history[0].notes"]
    # an address that identifies no one (the City's, when a city employee complains)
    assert "violations[0].corrective_action" not in complainant_mentions(
        case, (case.complainant.mailing_address,))
    data["complainant"] = {"anonymous": True}
    assert complainant_mentions(Case.model_validate(data)) == []


def test_a_note_naming_the_complainant_keeps_a_party_document_from_being_issued(issuing):
    case_file = issuing.root / "cases" / "CE-2026-0001.yaml"
    case_file.write_text(case_file.read_text(encoding="utf-8").replace(
        "    recipients: [owner]\n", "    recipients: [owner]\n    notes: Margaret Ellison "
        "watched the hanger go up.\n"), encoding="utf-8")
    import_cases(issuing, [case_file])
    for draft in (True, False):
        with pytest.raises(InputError) as refused:
            issue(issuing, "nov", "CE-2026-0001", ISSUED, draft=draft)
        [problem] = refused.value.problems
        assert problem.file == "CE-2026-0001" and re.fullmatch(r"history\[\d\]\.notes",
                                                               problem.field)
        assert "may not appear on a notice to the responsible party (directive V.A.3)" \
            in problem.message
    with issuing.record.read() as c:
        assert c.execute(select(func.count()).select_from(tables.documents)).scalar() == 0
