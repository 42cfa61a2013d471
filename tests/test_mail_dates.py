"""When a batch may be dated (directive VIII.B by certified mail; issue: no guessed dates):
a day the post office accepts certified mail, not before what the case records, not far
ahead; and a VCA's new date falls after the agreement."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from noticegen.cli import cli
from noticegen.config import Closure
from noticegen.rules.mailing import before_the_case, mail_date_refusals

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def mail(repo_project):
    return repo_project.settings.mail


@pytest.mark.parametrize(("day", "why"), [
    (date(2026, 11, 29), "is a Sunday"),
    (date(2026, 11, 26), "Thanksgiving"),          # Thursday: post office closed
    (date(2026, 12, 25), "Christmas Day"),
    (date(2027, 7, 5), "Independence Day"),        # July 4, 2027 is a Sunday: observed Monday
    (date(2026, 12, 5), "more than 14 days after today"),
])
def test_days_no_batch_may_be_dated(mail, day: date, why: str):
    refusals = mail_date_refusals(day, TODAY, mail)
    assert any(why in r for r in refusals), refusals


@pytest.mark.parametrize("day", [date(2026, 11, 25), date(2026, 11, 27),  # after Thanksgiving
                                 date(2026, 11, 28),                       # a Saturday: open
                                 date(2025, 6, 2)])                        # past: allowed here
def test_days_a_batch_may_be_dated(mail, day: date):
    assert mail_date_refusals(day, TODAY, mail) == []


def test_a_local_post_office_closure_is_a_setting(mail):
    closed = mail.model_copy(update={"post_office_closures": [
        Closure(date=date(2026, 11, 27), name="Post office renovation")]})
    (refusal,) = mail_date_refusals(date(2026, 11, 27), TODAY, closed)
    assert "Post office renovation" in refusal and "mail.post_office_closures" in refusal


def test_a_mailing_before_what_the_case_records_is_refused():
    facts = [(date(2026, 11, 3), "violation v1 was observed"),
             (date(2026, 11, 10), "the warning notice on record")]
    assert "before the warning notice on record on November 10, 2026" in before_the_case(
        date(2026, 11, 9), facts)
    assert before_the_case(date(2026, 11, 10), facts) is None
    assert before_the_case(date(2026, 11, 9), []) is None


def _run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_the_batch_refuses_those_dates_before_anything_is_made(recorded_root: Path):
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "templates", recorded_root / "templates")
    for day, why in (("2026-11-26", "Thanksgiving"), ("2025-11-25", "is before violation v1")):
        result = _run(recorded_root, "batch", "CE-2026-0001", "--mail-date", day)
        assert result.exit_code == 2, result.output
        assert why in result.stderr
        assert "mail date" in result.stderr
        assert not (recorded_root / "var" / "work").exists()
        assert not (recorded_root / "out").exists()


def test_a_vca_must_give_a_date_after_the_agreement(repo_project):
    from datetime import timedelta

    from conftest import case_data

    from noticegen.cases import Case
    from noticegen.rules import next_steps

    data = case_data()
    data["history"] += [
        {"action": "nov", "on": "2026-11-05 09:00", "method": "in_person",
         "recipients": ["owner"]},
        {"action": "vca_request", "on": "2026-11-20 09:00", "admitted": True,
         "extended_until": "2026-11-20"}]
    case = Case.model_validate(data, context={"base": Path(".")})
    vca = {s.name: s for s in next_steps(case, repo_project.catalog, repo_project.settings,
                                         date(2026, 11, 20))}["vca"]
    assert not vca.allowed
    assert any("must fall after the agreement itself" in r and "extended_until" in r
               for r in vca.reasons)
    later = {s.name: s for s in next_steps(case, repo_project.catalog, repo_project.settings,
                                           date(2026, 11, 20) - timedelta(days=1))}
    assert "must fall after the agreement" not in " ".join(later["vca"].reasons)
