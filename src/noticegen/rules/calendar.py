"""The office calendar: which days are business days for deadline math (Gov't Code §311.014)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import holidays

from ..config import CalendarSettings


@dataclass(frozen=True, eq=False)
class OfficeCalendar:
    """Legal holidays (less exclusions) plus local closures; weekends are never business days."""

    settings: CalendarSettings

    @cached_property
    def _holidays(self) -> holidays.HolidayBase:
        spec = self.settings.holidays
        return holidays.country_holidays(spec.country, subdiv=spec.subdivision,
                                         categories=tuple(spec.categories),
                                         observed=spec.observed)

    @cached_property
    def _closures(self) -> dict[date, str]:
        return {c.date: c.name for c in self.settings.closures}

    def closed_for(self, day: date) -> str | None:
        """Why the office is closed that day (holiday or closure name), or None."""
        if day in self._closures:
            return self._closures[day]
        names = [n.strip() for n in (self._holidays.get(day) or "").split(";") if n.strip()]
        kept = [n for n in names if n not in self.settings.holidays.exclude]
        return "; ".join(kept) or None

    def is_business_day(self, day: date) -> bool:
        return day.weekday() < 5 and self.closed_for(day) is None

    def next_business_day(self, day: date) -> date:
        """The day itself if it is a business day, else the next one."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, start: date, count: int) -> date:
        """The count-th business day after start (start itself never counts)."""
        day = start
        for _ in range(count):
            day = self.next_business_day(day + timedelta(days=1))
        return day
