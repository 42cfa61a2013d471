"""Shared building blocks of the typed models: strict, frozen, no blank text."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)
from pydantic_core import PydanticCustomError


def _printable(value: str) -> str:
    if bad := re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", value):
        raise invalid(f"contains the control character {bad.group()!r}",
                      "remove it; legal text may hold only printable characters and line breaks")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1),
                 AfterValidator(_printable)]
Identifier = Annotated[str, StringConstraints(strip_whitespace=True,
                                              pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]


class Model(BaseModel):
    """Base of every input model: unknown keys are errors, values never change after load."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def invalid(message: str, hint: str | None = None) -> PydanticCustomError:
    """A validation error whose hint reaches the user next to the message."""
    return PydanticCustomError("noticegen", "{message}", {"message": message, "hint": hint or ""})


class Address(Model):
    """A US mailing address as it is printed in an envelope window."""

    lines: Annotated[list[Text], Field(min_length=1, max_length=4)]
    city: Text
    state: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    zip: Annotated[str, StringConstraints(pattern=r"^\d{5}(-\d{4})?$")]

    @property
    def last_line(self) -> str:
        return f"{self.city}, {self.state} {self.zip}"

    @property
    def printed(self) -> list[str]:
        return [*self.lines, self.last_line]

    def one_line(self) -> str:
        return ", ".join(self.printed)


_DATE_HINT = "write dates as YYYY-MM-DD (e.g. 2026-11-23)"
_MOMENT_HINT = ("write date-times as YYYY-MM-DD HH:MM in the agency's local time "
                "(e.g. 2026-11-23 14:15)")


def _parse_date(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise invalid(f"'{text}' is not a real calendar date", _DATE_HINT) from None
    raise invalid(f"'{text}' is not a date in the form YYYY-MM-DD", _DATE_HINT)


def _parse_moment(value: object) -> datetime:
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise invalid(f"'{text}' has a date but no time of day", _MOMENT_HINT)
    if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}):(\d{2}(:\d{2})?)", text):
        day, hour, rest = match.group(1), match.group(2), match.group(3)
        try:
            return datetime.fromisoformat(f"{day}T{int(hour):02d}:{rest}")
        except ValueError:
            raise invalid(f"'{text}' is not a real date and time", _MOMENT_HINT) from None
    raise invalid(f"'{text}' is not a date-time in the form YYYY-MM-DD HH:MM", _MOMENT_HINT)


def _parse_day_or_moment(value: object) -> date:
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    if isinstance(value, date) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return _parse_date(value)
    return _parse_moment(value)


Day = Annotated[date, BeforeValidator(_parse_date)]
"""A calendar date written YYYY-MM-DD."""
Moment = Annotated[datetime, BeforeValidator(_parse_moment)]
"""A wall-clock time in the agency's time zone; a bare date is refused rather than guessed."""
DayOrMoment = Annotated[date | datetime, BeforeValidator(_parse_day_or_moment)]
"""A date, or a date with its time when the time matters."""
