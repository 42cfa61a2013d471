"""What the documents of a dangerous-building case see of its public hearing (Tom Bean Code
§14-40(b), Local Government Code §214.001): the hearing noticed, the hearing an NOV cites, the
order made at it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..config import HearingSettings, Settings
from ..errors import ConfigurationError
from ..rules.deadlines import clock, long_date_with_weekday
from ..rules.hearing import MAY_ORDER

_WORDS = list(MAY_ORDER.values())
MAY_ORDER_WORDS = ", ".join(_WORDS[:-1]) + " or " + _WORDS[-1]
"""'vacated, secured, repaired, removed or demolished'."""
NOTICE_BY = {
    "certified_mail": "mailed by certified mail, return receipt requested, to each owner, "
                      "lienholder and mortgagee of record",
    "posting": "posted on the front door of each building on the property, or as near to it "
               "as practicable",
    "publication": "published once in {newspaper}",
}
"""How the notice of a hearing is given, in the words the notice prints (§54.035)."""


def hearing_settings(settings: Settings) -> HearingSettings:
    """The hearing settings, or a clear error: a hearing is never printed from a guess."""
    if settings.hearing is None:
        raise ConfigurationError(
            "this case has a violation that requires a public hearing (Local Government Code "
            "§214.001), and config/agency.yaml has no hearing settings",
            "add hearing: with body, place, address, notice_days, notice_by and newspaper")
    return settings.hearing


def at_words(at: datetime) -> str:
    """'Tuesday, December 15, 2026, at 6:00 PM'."""
    return f"{long_date_with_weekday(at.date())}, at {clock(at)}"


@dataclass(frozen=True)
class HearingView:
    """The public hearing a notice gives notice of."""

    at: str
    body: str
    place: str
    address_lines: tuple[str, ...]
    notice_by: tuple[str, ...]
    notice_days: int
    may_order: str

    @classmethod
    def of(cls, settings: HearingSettings, at: datetime) -> HearingView:
        return cls(at_words(at), settings.body, settings.place,
                   tuple(settings.address.printed),
                   tuple(NOTICE_BY[way].format(newspaper=settings.newspaper)
                         for way in settings.notice_by),
                   settings.notice_days, MAY_ORDER_WORDS)


@dataclass(frozen=True)
class HearingCitedView:
    """What a notice of violation says of the hearing its dangerous-building violations
    await, instead of a deadline."""

    violations: tuple[str, ...]
    """'No. 1, Dangerous and substandard buildings (Tom Bean Code of Ordinances § 14-40)'."""
    body: str
    notice_days: int
    may_order: str
    scheduled: str | None
    """The hearing already noticed, if any: 'Tuesday, December 15, 2026, at 6:00 PM'."""


@dataclass(frozen=True)
class OrderView:
    """The order made at a public hearing."""

    held: str
    body: str
    ordered: str
    """'secured and demolished'."""
    newspaper: str
