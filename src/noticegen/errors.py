"""Errors that carry a message a clerk can act on; the CLI prints them, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import Field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one input: where it is, what is wrong, what to do."""

    file: Annotated[str, Field(serialization_alias="where")]
    """The file, or what else gave the input (a form, a request): `where` in the JSON API."""
    line: int | None
    field: str
    message: str
    hint: str | None = None

    def as_json(self) -> dict[str, str | int | None]:
        """The problem as the JSON API (and a failed job's detail) gives it."""
        return {"where": self.file, "line": self.line, "field": self.field,
                "message": self.message, "hint": self.hint}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: {self.field}: {self.message}" if self.field else \
            f"{where}: {self.message}"
        return f"{text}\n    hint: {self.hint}" if self.hint else text


class NoticegenError(Exception):
    """Base of every error noticegen raises on purpose; its text is for the user."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n    hint: {self.hint}" if self.hint else self.message


class NotFound(NoticegenError):
    """No such thing in the record (a case, a document, a batch, a job, a template): the web
    answers 404 with the message and hint."""


class InputError(NoticegenError):
    """Bad catalogs, settings or case files: every problem found, reported together."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found in the input")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class ConfigurationError(NoticegenError):
    """The agency's settings cannot serve the request (e.g. no verification key)."""

    exit_code = 2


def display_path(path: Path | str) -> str:
    """Paths relative to the working directory read better in messages."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)
