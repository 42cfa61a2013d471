"""`noticegen deadlines` and `noticegen next` on a case file."""

from __future__ import annotations

from pathlib import Path

from noticegen.cli import cli

CASE = "cases/CE-2026-0001.yaml"


def test_deadlines_in_person(project_root: Path, runner, monkeypatch):
    monkeypatch.chdir(project_root)
    # Wed Nov 25, 2026 + 7 days = Wed Dec 2.
    result = runner.invoke(cli, ["deadlines", CASE, "--issued", "2026-11-25 14:15"])
    assert result.exit_code == 0, result.output
    assert "Tom Bean Code of Ordinances § 34-2" in result.output
    assert "comply on or before Wednesday, December 2, 2026" in result.output
    assert "Notice deadline (earliest): on or before Wednesday, December 2, 2026" in result.output


def test_deadlines_by_mail_rolls_past_the_holiday(project_root: Path, runner, monkeypatch):
    monkeypatch.chdir(project_root)
    # Mailed Tue Nov 17 -> presumed served Fri Nov 20 -> +7 = Fri Nov 27 (day after
    # Thanksgiving, a Texas holiday) -> Sat, Sun -> Mon Nov 30.
    result = runner.invoke(cli, ["deadlines", CASE, "--issued", "2026-11-17", "--method",
                                 "mail"])
    assert result.exit_code == 0, result.output
    assert "presumed served 3 days later" in result.output
    assert "on or before Monday, November 30, 2026" in result.output
    assert "Friday After Thanksgiving" in result.output


def test_deadlines_after_delivery(project_root: Path, runner, monkeypatch):
    monkeypatch.chdir(project_root)
    result = runner.invoke(cli, ["deadlines", CASE, "--issued", "2026-11-17", "--method", "mail",
                                 "--delivered", "2026-11-18"])
    assert "delivered November 18, 2026" in result.output
    assert "on or before Wednesday, November 25, 2026" in result.output


def test_deadlines_refuse_a_bad_date(project_root: Path, runner, monkeypatch):
    monkeypatch.chdir(project_root)
    result = runner.invoke(cli, ["deadlines", CASE, "--issued", "25/11/2026"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output


def test_next_lists_every_step_with_its_rule(project_root: Path, runner, monkeypatch):
    monkeypatch.chdir(project_root)
    result = runner.invoke(cli, ["next", CASE, "--as-of", "2026-11-05"])
    assert result.exit_code == 0, result.output
    assert "Non-priority" in result.output
    lines = result.output.splitlines()
    assert any("may issue" in line and " nov " in line for line in lines)
    assert any("not now" in line and " citation " in line and "VIII.D.1" in line
               for line in lines)


def test_next_on_a_missing_file(project_root: Path, runner, monkeypatch):
    monkeypatch.chdir(project_root)
    result = runner.invoke(cli, ["next", "cases/nope.yaml"])
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr
