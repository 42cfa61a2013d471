"""A project folder (ordinances/, config/) plus the case files named on the command line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .cases import Case, read_case
from .catalog import Catalog, load_catalog
from .config import Settings, load_settings
from .errors import InputError, Problem, display_path
from .glyphs import font_stacks, undrawable_text
from .images import HEAD, PRINTABLE, image_format
from .source import Source, suggest

CASE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Project:
    """Everything a document needs besides the issue time: checked and cross-referenced."""

    root: Path
    catalog: Catalog
    settings: Settings
    cases: dict[str, Case] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    """Each case's file, for messages and for the batch's record of its inputs."""

    def case(self, case_number: str) -> Case:
        try:
            return self.cases[case_number]
        except KeyError:
            near = suggest(case_number, self.cases)
            raise InputError([Problem("(command line)", None, "case",
                                      f"no case '{case_number}' was loaded",
                                      f"did you mean '{near}'?" if near else
                                      "name the case file or its folder")]) from None


def case_files(paths: Iterable[Path], root: Path) -> list[Path]:
    """Case files under the given paths; catalogs and settings are not cases."""
    skip = {(root / "ordinances").resolve(), (root / "config").resolve()}
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            candidates = sorted(p for p in path.rglob("*") if p.suffix in CASE_SUFFIXES)
        elif path.exists():
            candidates = [path]
        else:
            raise InputError([Problem(display_path(path), None, "", "no such file or folder",
                                      "check the path")])
        found += [p for p in candidates if not any(s in p.resolve().parents for s in skip)]
    return found


def cross_problems(case: Case, source: Source, catalog: Catalog | None,
                    settings: Settings | None) -> list[Problem]:
    """References from a case into the catalogs and settings (those that loaded), and files."""
    problems = []
    officer_ids = [o.id for o in settings.officers] if settings else [case.officer]
    if case.officer not in officer_ids:
        near = suggest(case.officer, officer_ids)
        problems.append(source.problem(
            ("officer",), f"officer '{case.officer}' is not in config/agency.yaml",
            f"did you mean '{near}'?" if near else "known officers: " + ", ".join(officer_ids)))
    ordinance_ids = catalog.ordinance_ids if catalog else None
    refs = [(("violations", i, "ordinance"), v.ordinance) for i, v in enumerate(case.violations)]
    refs += [(("prior_violations", i, "ordinance"), p.ordinance)
             for i, p in enumerate(case.prior_violations)]
    for loc, ordinance in refs:
        if ordinance_ids is not None and ordinance not in ordinance_ids:
            near = suggest(ordinance, ordinance_ids)
            problems.append(source.problem(
                loc, f"ordinance '{ordinance}' not in ordinances/code.yaml",
                f"did you mean '{near}'?" if near else "see ordinances/code.yaml for the ids"))
    for index, violation in enumerate(case.violations):
        for photo_index, photo in enumerate(violation.photos):
            loc = ("violations", index, "photos", photo_index)
            if not photo.file.is_file():
                problems.append(source.problem(
                    loc, f"photo '{display_path(photo.file)}' does not exist",
                    "photo paths are relative to the case file's folder"))
            elif (found := _photo_format(photo.file)) not in PRINTABLE:
                problems.append(source.problem(
                    loc, f"photo '{display_path(photo.file)}' is not a JPEG, PNG, HEIC or WebP "
                    f"image{f' (it is {found})' if found else ''}",
                    "export the photo again from the camera or phone as JPEG or HEIC"))
    return problems


def _photo_format(path: Path) -> str | None:
    """The image format the file's first bytes declare (its name says nothing)."""
    try:
        with path.open("rb") as f:
            return image_format(f.read(HEAD))
    except OSError:
        return None


def load_project(root: Path, case_paths: Sequence[Path] = ()) -> Project:
    """Load and check catalogs, settings and cases; raise one InputError listing every problem."""
    problems: list[Problem] = []
    catalog = settings = None
    try:
        catalog = load_catalog(root / "ordinances")
    except InputError as exc:
        problems += exc.problems
    try:
        settings = load_settings(root / "config")
    except InputError as exc:
        problems += exc.problems
    try:
        files = case_files(case_paths, root)
    except InputError as exc:
        problems += exc.problems
        files = []

    cases: dict[str, Case] = {}
    files_of: dict[str, Path] = {}
    first_seen: dict[str, str] = {}
    stacks = font_stacks(root / "templates" / "assets") if files else ()
    for path in files:
        case, source, case_problems = read_case(path)
        problems += case_problems
        if case is None or source is None:
            continue
        if case.case_number in first_seen:
            problems.append(source.problem(
                ("case_number",), f"case number '{case.case_number}' is already used by "
                f"{first_seen[case.case_number]}", "every case needs its own number"))
            continue
        first_seen[case.case_number] = source.name
        cross = cross_problems(case, source, catalog, settings)
        cross += undrawable_text(case, stacks, source)
        problems += cross
        if not cross:
            cases[case.case_number] = case
            files_of[case.case_number] = path
    if problems:
        raise InputError(problems)
    assert catalog is not None and settings is not None
    return Project(root=root, catalog=catalog, settings=settings, cases=cases, files=files_of)
