"""`noticegen deadlines` and `noticegen next` on a case in the record (by number, or by case
file, which is imported first)."""

from __future__ import annotations

from pathlib import Path

from noticegen.cli import cli

CASE = "CE-2026-0001"
CASE_FILE = "cases/CE-2026-0001.yaml"


def test_deadlines_in_person(recorded_root: Path, runner, monkeypatch):
    monkeypatch.chdir(recorded_root)
    # Wed Nov 25, 2026 + 7 days = Wed Dec 2.
    result = runner.invoke(cli, ["deadlines", CASE, "--issued", "2026-11-25 14:15"])
    assert result.exit_code == 0, result.output
    assert "Tom Bean Code of Ordinances § 34-2" in result.output
    assert "comply on or before Wednesday, December 2, 2026" in result.output
    assert "Notice deadline (earliest): on or before Wednesday, December 2, 2026" in result.output


def test_deadlines_by_mail_rolls_past_the_holiday(recorded_root: Path, runner, monkeypatch):
    monkeypatch.chdir(recorded_root)
    # Mailed Tue Nov 17 -> presumed served Fri Nov 20 -> +7 = Fri Nov 27 (day after
    # Thanksgiving, a Texas holiday) -> Sat, Sun -> Mon Nov 30.
    result = runner.invoke(cli, ["deadlines", CASE, "--issued", "2026-11-17", "--method",
                                 "mail"])
    assert result.exit_code == 0, result.output
    assert "presumed served 3 days later" in result.output
    assert "on or before Monday, November 30, 2026" in result.output
    assert "Friday After Thanksgiving" in result.output


def test_deadlines_after_delivery(recorded_root: Path, runner, monkeypatch):
    monkeypatch.chdir(recorded_root)
    result = runner.invoke(cli, ["deadlines", CASE, "--issued", "2026-11-17", "--method", "mail",
                                 "--delivered", "2026-11-18"])
    assert result.exit_code == 0, result.output
    assert "delivered November 18, 2026" in result.output
    assert "on or before Wednesday, November 25, 2026" in result.output


def test_deadlines_refuse_a_bad_date(project_root: Path, runner, monkeypatch):
    """The date is checked before the record is even opened."""
    monkeypatch.chdir(project_root)
    result = runner.invoke(cli, ["deadlines", CASE, "--issued", "25/11/2026"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output


def _next_says_what_may_be_issued(output: str) -> None:
    assert f"{CASE} — 512 N Britton St" in output
    assert "Non-priority" in output
    lines = output.splitlines()
    assert any("may issue" in line and " nov " in line for line in lines)
    assert any("not now" in line and " citation " in line and "VIII.D.1" in line
               for line in lines)


def test_next_lists_every_step_with_its_rule(recorded_root: Path, runner, monkeypatch):
    monkeypatch.chdir(recorded_root)
    result = runner.invoke(cli, ["next", CASE, "--as-of", "2026-11-05"])
    assert result.exit_code == 0, result.output
    _next_says_what_may_be_issued(result.output)


def test_next_on_a_case_file_imports_it_and_answers(project_root: Path, database_url, runner,
                                                    monkeypatch):
    monkeypatch.chdir(project_root)
    made = runner.invoke(cli, ["db", "upgrade"])
    assert made.exit_code == 0, made.output
    unknown = runner.invoke(cli, ["next", CASE, "--as-of", "2026-11-05"])
    assert unknown.exit_code == 1 and f"no case {CASE} in the record" in unknown.stderr

    result = runner.invoke(cli, ["next", CASE_FILE, "--as-of", "2026-11-05"])
    assert result.exit_code == 0, result.output
    _next_says_what_may_be_issued(result.output)
    # ... and the case is in the record now, under its number.
    again = runner.invoke(cli, ["next", CASE, "--as-of", "2026-11-05"])
    assert again.exit_code == 0, again.output
    assert again.output == result.output
    imported = runner.invoke(cli, ["cases", "import", CASE_FILE])
    assert imported.exit_code == 0, imported.output
    assert f"{CASE}: unchanged (revision 1)" in imported.output


def test_next_on_an_unknown_case_number_suggests_the_nearest(recorded_root: Path, runner,
                                                             monkeypatch):
    monkeypatch.chdir(recorded_root)
    result = runner.invoke(cli, ["next", "CE-2026-0010"])
    assert result.exit_code == 1
    assert "no case CE-2026-0010 in the record" in result.stderr
    assert f"did you mean '{CASE}'?" in result.stderr
    assert "Traceback" not in result.output


def test_next_on_a_missing_file(recorded_root: Path, runner, monkeypatch):
    monkeypatch.chdir(recorded_root)
    result = runner.invoke(cli, ["next", "cases/nope.yaml"])
    assert result.exit_code == 2
    assert "cases/nope.yaml: no such file" in result.stderr
    assert "give a case number or a case file" in result.stderr
