"""The appearance date a citation names: the first court session far enough ahead."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..config import CourtSessions
from .calendar import OfficeCalendar

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def appearance(issued: date, sessions: CourtSessions, calendar: OfficeCalendar,
               zone: ZoneInfo) -> datetime:
    """First session on the configured weekday and weeks of the month, at least the minimum
    notice after issue, on a day the offices are open."""
    day = issued + timedelta(days=sessions.minimum_notice_days)
    weekday = _WEEKDAYS.index(sessions.weekday)
    hour, minute = (int(part) for part in sessions.time.split(":"))
    while True:
        week_of_month = (day.day - 1) // 7 + 1
        if (day.weekday() == weekday and week_of_month in sessions.weeks_of_month
                and calendar.is_business_day(day)):
            return datetime.combine(day, time(hour, minute), zone)
        day += timedelta(days=1)
