"""`noticegen check`: clean inputs pass; every broken input gets file, line, field and a hint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from noticegen.cli import cli

CASE = "cases/CE-2026-0001.yaml"
CODE = "ordinances/code.yaml"
DEADLINES = "ordinances/deadlines.yaml"
SETTINGS = "config/agency.yaml"


@dataclass(frozen=True)
class Broken:
    """One mutation of a valid project and what check must say about it."""

    name: str
    file: str
    old: str
    new: str
    at: str  # text on the line the message must point to (after the change)
    field: str
    message: str
    hint: str


BROKEN = [
    Broken("yaml syntax", CASE, "  type: High grass and weeds", "  type: [High grass",
           "property:", "", "YAML syntax error", "flow sequence started on line 6"),
    Broken("unknown ordinance", CASE, "ordinance: TB-34-2", "ordinance: TB34-2",
           "ordinance: TB34-2", "violations[0].ordinance", "ordinance 'TB34-2' not in",
           "did you mean 'TB-34-2'?"),
    Broken("unknown officer", CASE, "officer: ofc-garza", "officer: ofc-garcia",
           "officer: ofc-garcia", "officer", "officer 'ofc-garcia' is not in",
           "did you mean 'ofc-garza'?"),
    Broken("missing photo", CASE, '"photos/yard.jpg"', '"photos/yrd.jpg"', "photos/yrd.jpg",
           "violations[0].photos[0]", "does not exist", "relative to the case file"),
    Broken("wrong date format", CASE, "opened: 2026-11-02", "opened: 11/02/2026",
           "opened: 11/02/2026", "opened", "not a date in the form YYYY-MM-DD", "YYYY-MM-DD"),
    Broken("impossible date", CASE, "received: 2026-11-01", "received: 2026-02-30",
           "received: 2026-02-30", "complaint.received", "not a real calendar date",
           "YYYY-MM-DD"),
    Broken("date-time without time", CASE, "observed: 2026-11-03 10:15",
           "observed: 2026-11-03", "observed: 2026-11-03", "violations[0].observed",
           "no time of day", "HH:MM"),
    Broken("negative deadline", DEADLINES, "days: 10", "days: -10", "days: -10",
           "deadlines[0].days", "greater than 0", ""),
    Broken("no mailing address", CASE,
           '    mailing_address:\n      lines: ["PO Box 88"]\n      city: Tom Bean\n'
           '      state: TX\n      zip: "75489"\n', "", "  - id: owner",
           "responsible_parties[0].mailing_address", "required field is missing",
           "add 'mailing_address:'"),
    Broken("unknown field", CASE, "    description: Grass", "    descripton: Grass",
           "descripton: Grass", "violations[0].descripton", "unknown field 'descripton'",
           "did you mean 'description'?"),
    Broken("unknown role", CASE, "role: owner", "role: ownr", "role: ownr",
           "responsible_parties[0].role", "'ownr' is not allowed", "did you mean 'owner'?"),
    Broken("zip as number", CASE, 'zip: "75489"\n  parcel_id', "zip: 75489\n  parcel_id",
           "zip: 75489", "property.address.zip", "expected text, found a number", "quotes"),
    Broken("unreachable complainant", CASE, "  phone: (903) 555-0147\n  mailing_address:\n"
           '    lines: ["516 N Britton St"]\n    city: Tom Bean\n    state: TX\n'
           '    zip: "75489"\n', "", "complainant:", "complainant", "cannot be reached",
           "III.D.2"),
    Broken("anonymous with a name", CASE, "  name: Margaret Ellison",
           "  anonymous: true\n  name: Margaret Ellison", "complainant:", "complainant",
           "anonymous complainant cannot also have a name", "anonymous: false"),
    Broken("history names unknown party", CASE, "recipients: [owner]", "recipients: [onwer]",
           "recipients: [onwer]", "history[0].recipients[0]", "no party 'onwer'",
           "did you mean 'owner'?"),
    Broken("duplicate key", CASE, "opened: 2026-11-02", "opened: 2026-11-02\nopened: 2026-11-03",
           "opened: 2026-11-03", "opened", "appears twice", "remove or rename"),
    Broken("unknown time zone", SETTINGS, "time_zone: America/Chicago",
           "time_zone: America/Chicgo", "time_zone: America/Chicgo", "time_zone",
           "not a known time zone", "IANA"),
    Broken("unknown officer field", SETTINGS, "    badge: \"114\"", "    badge_no: \"114\"",
           'badge_no: "114"', "officers[0].badge_no", "unknown field", "did you mean 'badge'?"),
    Broken("unknown deadline category", CODE, "deadline: nuisance_no_structure",
           "deadline: nuisance_no_structur", "deadline: nuisance_no_structur",
           "sections[", "not in ordinances/deadlines.yaml",
           "did you mean 'nuisance_no_structure'?"),
    Broken("blank description", CASE, "    description: Grass and weeds about 18 inches tall "
           "across the front yard.", '    description: ""', 'description: ""',
           "violations[0].description", "must not be blank", "never carries a blank"),
    Broken("days kind without days", DEADLINES, "    days: 10\n", "", "- id: nuisance_no_structure",
           "deadlines[0]", "kind 'days' needs both", "days: 10"),
    Broken("vca without admission", CASE, "history:\n",
           "history:\n  - action: vca\n    on: 2026-11-10\n", "- action: vca", "history[0]",
           "needs 'admitted' and 'extended_until'", "admitted: true"),
    Broken("bad case number", CASE, "case_number: CE-2026-0001", "case_number: 2026/1",
           "case_number: 2026/1", "case_number", "wrong format", "pattern"),
]


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the mutated file")


@pytest.mark.parametrize("broken", BROKEN, ids=[b.name for b in BROKEN])
def test_broken_input_is_explained(broken: Broken, project_root: Path, runner, monkeypatch):
    path = project_root / broken.file
    text = path.read_text(encoding="utf-8")
    assert text.count(broken.old) >= 1, f"fixture has no {broken.old!r}"
    changed = text.replace(broken.old, broken.new, 1)
    path.write_text(changed, encoding="utf-8")
    monkeypatch.chdir(project_root)

    result = runner.invoke(cli, ["check", "cases"])

    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    expected_where = f"{broken.file}:{_line_of(changed, broken.at)}: {broken.field}"
    assert expected_where in errors[0], result.stderr
    assert broken.message in errors[0], result.stderr
    assert broken.hint in result.stderr


def test_duplicate_case_number_names_both_files(project_root: Path, runner, monkeypatch):
    case = project_root / CASE
    (project_root / "cases" / "copy.yaml").write_text(case.read_text(encoding="utf-8"))
    monkeypatch.chdir(project_root)
    result = runner.invoke(cli, ["check", "cases"])
    assert result.exit_code == 2
    assert "cases/copy.yaml:1: case_number: case number 'CE-2026-0001' is already used by " \
           "cases/CE-2026-0001.yaml" in result.stderr


def test_every_problem_is_reported_at_once(project_root: Path, runner, monkeypatch):
    case = project_root / CASE
    text = case.read_text(encoding="utf-8")
    text = text.replace("photos/yard.jpg", "photos/none.jpg").replace("TB-34-2", "TB-99-9")
    case.write_text(text, encoding="utf-8")
    settings = project_root / SETTINGS
    settings.write_text(settings.read_text().replace("America/Chicago", "Mars/Olympus"))
    monkeypatch.chdir(project_root)
    result = runner.invoke(cli, ["check", "cases"])
    assert result.exit_code == 2
    assert result.stderr.count("error:") == 3, result.stderr


def test_clean_project_passes(project_root: Path, runner, monkeypatch):
    monkeypatch.chdir(project_root)
    result = runner.invoke(cli, ["check", "cases"])
    assert result.exit_code == 0, result.output
    assert "1 cases" in result.output


def test_bundled_examples_pass(runner):
    result = runner.invoke(cli, ["--root", str(Path(__file__).parent.parent), "check",
                                 str(Path(__file__).parent.parent / "examples")])
    assert result.exit_code == 0, result.output


def test_violation_text_that_names_the_complainant_is_refused(project_root: Path, runner,
                                                                monkeypatch):
    case = project_root / CASE
    case.write_text(case.read_text(encoding="utf-8").replace(
        "    location: Front yard", "    location: Front yard, seen from 516 N Britton St"))
    monkeypatch.chdir(project_root)
    result = runner.invoke(cli, ["check", "cases"])
    assert result.exit_code == 2
    assert "violations[0].location: names the complainant ('516 N Britton St')" in result.stderr
    assert "V.A.3" in result.stderr
