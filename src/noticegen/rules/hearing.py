"""Public hearings on dangerous buildings (Tom Bean Code §14-40(b), Local Government Code
§214.001): when a hearing may be set, and what a hearing may order, in words."""

from __future__ import annotations

from datetime import datetime

from ..config import HearingSettings
from ..words import counted
from .calendar import OfficeCalendar
from .deadlines import long_date, long_date_with_weekday

MAY_ORDER = {"vacate": "vacated", "secure": "secured", "repair": "repaired",
             "remove": "removed", "demolish": "demolished"}
"""What the hearing may order done to the building (§214.001), as the sentence '… be X'."""


def hearing_refusals(hearing: datetime, issued: datetime, settings: HearingSettings,
                     calendar: OfficeCalendar) -> tuple[str, ...]:
    """Why a hearing may not be set at that moment for a notice issued then: too soon for the
    notice the law requires, or on a day the City's offices are closed."""
    refusals: tuple[str, ...] = ()
    days = (hearing.date() - issued.date()).days
    if days < settings.notice_days:
        refusals += (f"Local Government Code §54.035 (hearing.notice_days): the notice must be "
                     f"given at least {settings.notice_days} days before the hearing; a hearing "
                     f"on {long_date(hearing.date())} is {counted(days, 'day')} "
                     f"after this notice of {long_date(issued.date())}",)
    if not calendar.is_business_day(hearing.date()):
        why = calendar.closed_for(hearing.date()) or f"{hearing:%A}"
        refusals += (f"calendar: {long_date_with_weekday(hearing.date())} is a day the City's "
                     f"offices are closed ({why}); set the hearing on a business day",)
    return refusals


def ordered_words(ordered: list[str]) -> str:
    """'secured and demolished', 'vacated, secured and repaired'."""
    words = [MAY_ORDER[o] for o in ordered]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
