"""Dangerous buildings (Tom Bean Code §14-40, Local Government Code §214.001): a notice of
public hearing, an NOV that cites the hearing instead of ordering demolition, and an order only
after a hearing is on record."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CASE_TEXT, REPO
from pydantic import ValidationError
from pypdf import PdfReader

from noticegen.cases import Case, HistoryEntry
from noticegen.cli import cli
from noticegen.config import HearingSettings
from noticegen.rules import require
from noticegen.rules.calendar import OfficeCalendar
from noticegen.rules.hearing import hearing_refusals
from noticegen.rules.ladder import StepRefused

DANGEROUS = CASE_TEXT.replace("ordinance: TB-34-2", "ordinance: TB-14-40").replace(
    "Mow the yard to under 12 inches and remove the clippings.",
    "Within 30 days, board up the garage and then repair it or tear it down.")
HEARING = {"body": "City Council of the City of Tom Bean", "place": "Council Chambers",
           "address": {"lines": ["201 S Britton St"], "city": "Tom Bean", "state": "TX",
                       "zip": "75489"},
           "notice_days": 10, "notice_by": ["certified_mail", "posting", "publication"],
           "newspaper": "Sherman Herald Democrat"}


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), "--actor", "tester", *args])
    assert "Traceback" not in result.output
    return result


def _case(text: str, *history: dict) -> Case:
    import yaml

    from noticegen.source import _Loader

    data = yaml.load(text, Loader=_Loader)
    data["history"] += list(history)
    return Case.model_validate(data, context={"base": REPO})


# -- settings -----------------------------------------------------------------------------

@pytest.mark.parametrize(("change", "message"), [
    ({"notice_days": 9}, "greater than or equal to 10"),
    ({"notice_by": ["posting", "publication"]}, "certified mail"),
    ({"notice_by": []}, "at least 1 item"),
    ({"notice_by": ["certified_mail", "email"]}, "certified_mail"),
    ({"newspaper": None}, "newspaper"),
])
def test_bad_hearing_settings_are_refused(change, message):
    with pytest.raises(ValidationError, match=message):
        HearingSettings.model_validate(HEARING | change)


def test_the_repositorys_hearing_settings_are_valid(repo_project):
    assert repo_project.settings.hearing.notice_days >= 10


# -- the hearing date ---------------------------------------------------------------------

@pytest.mark.parametrize(("hearing", "rule"), [
    (datetime(2026, 12, 4, 18, 0), "§54.035"),               # 9 days after the notice
    (datetime(2026, 12, 19, 18, 0), "Saturday"),
    (datetime(2026, 12, 25, 18, 0), "Christmas"),
    (datetime(2026, 12, 31, 18, 0), "New Year's Eve"),       # a city office closure
])
def test_a_hearing_too_soon_or_on_a_closed_day_is_refused(repo_project, hearing, rule):
    settings = repo_project.settings
    refusals = hearing_refusals(hearing, datetime(2026, 11, 25, 10, 0), settings.hearing,
                                OfficeCalendar(settings.calendar))
    assert any(rule in r for r in refusals), refusals


def test_a_hearing_ten_days_ahead_on_a_business_day_is_allowed(repo_project):
    settings = repo_project.settings
    assert hearing_refusals(datetime(2026, 12, 7, 18, 0), datetime(2026, 11, 25, 10, 0),
                            settings.hearing, OfficeCalendar(settings.calendar)) == ()


# -- the ladder ---------------------------------------------------------------------------

NOTICED = {"action": "hearing_notice", "on": "2026-11-25 10:00", "hearing_at": "2026-12-15 18:00"}
HELD = {"action": "hearing_held", "on": "2026-12-15 18:00", "ordered": ["secure", "demolish"]}


def _refused(step: str, case: Case, repo_project, match: str) -> None:
    with pytest.raises(StepRefused, match=match):
        require(step, case, repo_project.catalog, repo_project.settings,
                datetime(2026, 12, 20).date())


def test_a_hearing_notice_is_only_for_a_dangerous_building(repo_project):
    _refused("hearing-notice", _case(CASE_TEXT), repo_project, "§14-40")
    require("hearing-notice", _case(DANGEROUS), repo_project.catalog, repo_project.settings,
            datetime(2026, 11, 25).date())


@pytest.mark.parametrize(("history", "match"), [
    ((), "no hearing_held is on record"),
    ((HELD,), "no notice of public hearing on record before it"),
    ((NOTICED, HELD | {"ordered": []}), "ordered nothing"),
])
def test_an_order_comes_only_after_a_noticed_hearing_that_ordered_something(
        repo_project, history, match):
    _refused("hearing-order", _case(DANGEROUS, *history), repo_project, match)


def test_an_order_after_a_noticed_hearing_is_allowed(repo_project):
    require("hearing-order", _case(DANGEROUS, NOTICED, HELD), repo_project.catalog,
            repo_project.settings, datetime(2026, 12, 16).date())
    _refused("hearing-order", _case(CASE_TEXT, NOTICED, HELD), repo_project,
             "§14-40")


def test_a_hearing_entry_carries_its_own_fields():
    with pytest.raises(ValidationError, match="hearing_at"):
        HistoryEntry.model_validate({"action": "hearing_notice", "on": "2026-11-25"})
    with pytest.raises(ValidationError, match="ordered"):
        HistoryEntry.model_validate({"action": "hearing_held", "on": "2026-12-15"})
    with pytest.raises(ValidationError, match="ordered"):
        HistoryEntry.model_validate({"action": "nov", "on": "2026-12-15", "ordered": []})


# -- the documents ------------------------------------------------------------------------

def _text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


@pytest.fixture
def dangerous(recorded_root: Path) -> Path:
    """The fixture project with a dangerous-building case, its templates approved in it."""
    root = recorded_root
    shutil.copytree(REPO / "templates", root / "templates")
    case_file = root / "cases" / "CE-2026-0001.yaml"
    case_file.write_text(DANGEROUS, encoding="utf-8")
    assert run(root, "cases", "import", str(case_file)).exit_code == 0
    done = run(root, "templates", "approve", "nov-letter", "hearing-notice", "hearing-order",
               "--by", "Test Attorney")
    assert done.exit_code == 0, done.output
    return root


def _issued(result) -> Path:
    assert result.exit_code == 0, result.output
    return Path(result.output.split()[0])


def test_the_nov_cites_the_hearing_and_orders_no_demolition(dangerous: Path):
    text = _text(dangerous / _issued(run(dangerous, "render", "nov", "CE-2026-0001",
                                         "--issued", "2026-11-20 09:00")))
    assert "Within 30 days, board up" not in text
    assert "within 30 days" not in text.lower()
    assert "Nothing is ordered by this notice" in text
    assert "Public hearing" in text
    assert "separate notice of public hearing, at least 10 days before the hearing" in text
    assert "right to be heard and to present evidence" in text


def test_the_hearing_notice_names_date_place_and_the_right_to_be_heard(dangerous: Path):
    args = ("render", "hearing-notice", "CE-2026-0001", "--issued", "2026-11-25 10:00")
    soon = run(dangerous, *args, "--hearing", "2026-12-01 18:00")
    assert soon.exit_code == 2 and "§54.035" in soon.output + soon.stderr
    saturday = run(dangerous, *args, "--hearing", "2026-12-19 18:00")
    assert saturday.exit_code == 2 and "Saturday" in saturday.output + saturday.stderr
    assert run(dangerous, *args).exit_code != 0  # no hearing date: never a blank
    text = _text(dangerous / _issued(run(dangerous, *args, "--hearing", "2026-12-15 18:00")))
    assert "Tuesday, December 15, 2026, at 6:00 PM" in text
    assert "Council Chambers, Tom Bean City Hall, 201 S Britton St" in text
    assert "City Council of the City of Tom Bean" in text
    assert "to be heard, and to present evidence" in text
    assert "vacated, secured, repaired, removed or demolished" in text
    assert "published once in Sherman Herald Democrat" in text
    assert "Margaret Ellison" not in text  # the complainant never reaches the owner
    # An NOV served after it cites the hearing's date.
    nov = _text(dangerous / _issued(run(dangerous, "render", "nov", "CE-2026-0001", "--issued",
                                        "2026-11-30 09:00")))
    assert "The hearing is set for Tuesday, December 15, 2026, at 6:00 PM" in nov


def test_the_order_needs_the_hearing_on_record(dangerous: Path):
    case_file = dangerous / "cases" / "CE-2026-0001.yaml"
    order = ("render", "hearing-order", "CE-2026-0001", "--issued", "2026-12-16 10:00")
    early = run(dangerous, *order)
    assert early.exit_code == 2 and "§214.001" in early.output + early.stderr
    assert run(dangerous, "render", "hearing-notice", "CE-2026-0001", "--issued",
               "2026-11-25 10:00", "--hearing", "2026-12-15 18:00").exit_code == 0
    case_file.write_text(DANGEROUS + "  - action: hearing_held\n    on: 2026-12-15 18:00\n"
                         "    ordered: [secure, demolish]\n", encoding="utf-8")
    assert run(dangerous, "cases", "import", str(case_file)).exit_code == 0
    text = _text(dangerous / _issued(run(dangerous, *order)))
    assert "ordered it secured and demolished" in text
    assert "on or before" in text
