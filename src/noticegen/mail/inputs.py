"""What a batch reads, by name and SHA-256: pinned when the batch starts, so that a batch
resumed after a crash, or still rendering, is made from the same inputs throughout."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import NoticegenError
from ..project import Project
from ..review.approvals import APPROVED_TEXTS, approvals_path


def input_files(project: Project, case_numbers: list[str] | None = None) -> list[Path]:
    """Every file a batch's documents are made from — catalogs, settings and templates, and
    the cases' files and photos (of the given cases only, if named; none for []). Not the city
    attorney's approvals: they are checked once, before anything is allocated, and may go on
    meanwhile."""
    root = project.root
    numbers = sorted(project.files) if case_numbers is None else sorted(set(case_numbers))
    review = {approvals_path(root), root / "config" / APPROVED_TEXTS}
    settings = [f for f in (root / "config").rglob("*")
                if f not in review and not review & set(f.parents)]
    files = sorted([*(root / "ordinances").glob("*.yaml"), *settings,
                    *(root / "templates").rglob("*")])
    return [f for f in files if f.is_file()] + case_inputs(project, numbers)


def case_inputs(project: Project, case_numbers: list[str]) -> list[Path]:
    """The case files and their photos."""
    numbers = sorted(set(case_numbers))
    return [*(project.files[n] for n in numbers),
            *sorted({p.file for n in numbers for v in project.cases[n].violations
                     for p in v.photos})]


def input_name(root: Path, file: Path) -> str:
    """A file's name in a batch's records: relative to the project, if it is inside it."""
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(file.resolve())


def inputs_digest(project: Project) -> dict[str, str]:
    """SHA-256 of every file a batch reads, by name."""
    return {input_name(project.root, f): sha256(f) for f in input_files(project)}


def changed_inputs(pinned: dict[str, str], now: dict[str, str]) -> list[str]:
    """The names of the files that differ, appeared or went missing."""
    return sorted(name for name in pinned.keys() | now.keys()
                  if pinned.get(name) != now.get(name))


class InputsChanged(NoticegenError):
    """A batch's inputs changed after it started: its pieces would not agree with each other."""

    def __init__(self, batch_id: str, changed: list[str], during: bool) -> None:
        self.batch_id, self.changed, self.during = batch_id, changed, during
        shown = ", ".join(changed[:8]) + (f" and {len(changed) - 8} more" if len(changed) > 8
                                          else "")
        super().__init__(
            f"batch {batch_id}: {'while it was rendering, ' if during else ''}these inputs "
            f"changed since it started: {shown}",
            "its article numbers are allocated and some pieces are made from the inputs as they "
            "were: put those files back as they were and run the same command to finish the "
            "batch; make changes in a new batch")

    def __reduce__(self) -> tuple[object, ...]:  # from a worker process, as itself
        return (InputsChanged, (self.batch_id, self.changed, self.during))


def sha256(file: Path) -> str:
    return hashlib.sha256(file.read_bytes()).hexdigest()
