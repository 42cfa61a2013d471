"""Dates and date-times typed by people (a form, a query): read as the case files' `Day` and
`Moment` are, so a bad one is refused in the same words, as one problem on its field."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..errors import InputError, Problem
from ..models import Day, Moment

_DAY: TypeAdapter[date] = TypeAdapter(Day)
_MOMENT: TypeAdapter[datetime] = TypeAdapter(Moment)


def _read(adapter: TypeAdapter[Any], text: str, field: str, where: str) -> Any:
    try:
        return adapter.validate_python(text)
    except ValidationError as exc:
        error = exc.errors()[0]
        said = error.get("ctx") or {}
        raise InputError([Problem(where, None, field, said.get("message", error["msg"]),
                                  said.get("hint") or None)]) from None


def parse_day(text: str, field: str, where: str = "form") -> date:
    """A calendar date written YYYY-MM-DD."""
    return _read(_DAY, text, field, where)


def parse_moment(text: str, field: str, where: str = "form") -> datetime:
    """A wall-clock date-time (YYYY-MM-DD HH:MM, or the browser's YYYY-MM-DDTHH:MM), naive."""
    return _read(_MOMENT, text, field, where)
