"""What a batch reads, by name and SHA-256: pinned when the batch starts, so that a batch
resumed after a crash, or still rendering, is made from the same inputs throughout."""

from __future__ import annotations

from pathlib import Path

from ..config import APPROVALS_FILE, APPROVED_TEXTS
from ..errors import NoticegenError
from ..files import sha256_file
from ..project import Project


def input_files(project: Project) -> list[Path]:
    """Every file a batch's documents are made from besides the cases (which are pinned by
    their record revision): catalogs, settings and templates. Not the city attorney's
    approvals: they are checked once, before anything is allocated, and may go on meanwhile."""
    root = project.root
    review = {root / "config" / APPROVALS_FILE, root / "config" / APPROVED_TEXTS}
    settings = [f for f in (root / "config").rglob("*")
                if f not in review and not review & set(f.parents)]
    files = sorted([*(root / "ordinances").glob("*.yaml"), *settings,
                    *(root / "templates").rglob("*")])
    return [f for f in files if f.is_file()]


def input_name(root: Path, file: Path) -> str:
    """A file's name in a batch's records: relative to the project, if it is inside it."""
    try:
        return file.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(file.resolve())


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
            "some of its pieces are made from the inputs as they were: put those files (or "
            "case revisions) back as they were and run the same command to finish the batch; "
            "make changes in a new batch")

    def __reduce__(self) -> tuple[object, ...]:  # from a worker process, as itself
        return (InputsChanged, (self.batch_id, self.changed, self.during))


def sha256(file: Path) -> str:
    return sha256_file(file)
