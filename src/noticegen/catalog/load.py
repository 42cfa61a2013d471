"""Reading ordinances/code.yaml and ordinances/deadlines.yaml into one checked Catalog."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, Problem
from ..source import Source, duplicate_ids, read_yaml, suggest, validate
from .models import Catalog, DeadlineCatalog, OrdinanceCode

CODE_FILE = "code.yaml"
DEADLINES_FILE = "deadlines.yaml"


def load_catalog(folder: Path) -> Catalog:
    """Both catalogs from one folder; every problem in either file reported together."""
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    for name in (CODE_FILE, DEADLINES_FILE):
        path = folder / name
        if not path.is_file():
            problems.append(Problem(str(path), None, "", "catalog file is missing",
                                    f"create {name} (see docs/schema.md)"))
            continue
        try:
            sources[name] = read_yaml(path)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)

    code_src, deadline_src = sources[CODE_FILE], sources[DEADLINES_FILE]
    code, code_problems = validate(OrdinanceCode, code_src)
    deadlines, deadline_problems = validate(DeadlineCatalog, deadline_src)
    problems = code_problems + deadline_problems
    if code:
        problems += duplicate_ids(code_src, "sections", code.sections, "ordinance")
    if deadlines:
        problems += duplicate_ids(deadline_src, "deadlines", deadlines.deadlines, "deadline")
    if code and deadlines:
        known = [d.id for d in deadlines.deadlines]
        for index, section in enumerate(code.sections):
            if section.deadline not in known:
                near = suggest(section.deadline, known)
                problems.append(code_src.problem(
                    ("sections", index, "deadline"),
                    f"deadline category '{section.deadline}' is not in {deadline_src.name}",
                    f"did you mean '{near}'?" if near else "known: " + ", ".join(known)))
    if problems:
        raise InputError(problems)
    assert code and deadlines
    return Catalog(code=code, deadlines=deadlines)
