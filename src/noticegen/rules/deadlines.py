"""Compliance deadlines (directive VIII.C): pure functions from a rule and a service moment."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from ..catalog import Catalog, Deadline
from ..config import CalendarSettings
from ..errors import NoticegenError
from .calendar import OfficeCalendar

ServiceMethod = Literal["in_person", "mail"]


@dataclass(frozen=True)
class Service:
    """When a notice counts as served, and how that was established."""

    method: ServiceMethod
    issued: datetime
    served: datetime
    basis: str
    moment_known: bool = True
    """False when only the day of service is known (presumed by mail, or a delivery date
    without a time): hour-based deadlines are then worded from receipt, never a clock time."""
    presumed: bool = False
    """Served by mail and not yet known to be delivered: the day is presumed from mailing."""


@dataclass(frozen=True)
class ComplianceDeadline:
    """The deadline of one violation as printed and as an instant that can be compared."""

    rule: Deadline
    service: Service
    due_date: date | None
    due_at: datetime
    wording: str
    rolled_from: date | None = None
    rolled_because: str | None = None

    @property
    def label(self) -> str:
        return self.rule.label


def six_month_follow_up(closed: date) -> date:
    """Directive XIII.D: the site check six months after file closure (month-end safe)."""
    month = closed.month + 6
    year, month = closed.year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, min(closed.day, monthrange(year, month)[1]))


def day_of(on: date | datetime) -> date:
    """The calendar day of a fact recorded as a date or, when the time matters, a date-time."""
    return on.date() if isinstance(on, datetime) else on


def long_date(day: date) -> str:
    """'December 7, 2026' — dates are always written out on documents."""
    return f"{day:%B} {day.day}, {day.year}"


def long_date_with_weekday(day: date) -> str:
    return f"{day:%A}, {long_date(day)}"


def clock(moment: datetime) -> str:
    """'2:15 PM'."""
    return f"{moment.hour % 12 or 12}:{moment:%M} {moment:%p}"


def zoned_clock(moment: datetime) -> str:
    """'1:30 AM CDT': a deadline's hour names its zone, or the night the clocks fall back
    would hold two 1:30 AMs."""
    return f"{clock(moment)} {moment.tzname()}"


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """A naive time is wall-clock time in the agency's zone; an aware one is converted to it.
    A wall time skipped by the spring-forward change becomes the real instant it stands for."""
    aware = moment.replace(tzinfo=zone) if moment.tzinfo is None else moment
    return aware.astimezone(UTC).astimezone(zone)


def service(issued: datetime, method: ServiceMethod, zone: ZoneInfo, settings: CalendarSettings,
            delivered: datetime | date | None = None) -> Service:
    """In person: the moment of service. By mail: the delivery date once known, else the
    mailing date plus the agency's allowance (presumed service)."""
    issued = local(issued, zone)
    if method == "in_person":
        return Service(method, issued, issued, "served in person")
    if delivered is not None:
        known_time = isinstance(delivered, datetime)
        if not isinstance(delivered, datetime):
            delivered = datetime.combine(delivered, time(0, 0))
        delivered = local(delivered, zone)
        return Service(method, issued, delivered, f"delivered {long_date(delivered.date())}",
                       moment_known=known_time)
    allowance = settings.mail_allowance_days
    presumed = datetime.combine(issued.date() + timedelta(days=allowance), time(0, 0), zone)
    basis = f"mailed {long_date(issued.date())}"
    if allowance:
        basis += f"; presumed served {allowance} day{'s' if allowance != 1 else ''} later"
    return Service(method, issued, presumed, basis, moment_known=False, presumed=True)


def compliance_deadline(rule: Deadline, served: Service, calendar: OfficeCalendar,
                        roll: bool) -> ComplianceDeadline:
    """The deadline for one rule: day counts exclude the service day and include the last day;
    a last day on a weekend or holiday rolls to the next business day when roll is on."""
    start = served.served
    zone = start.tzinfo
    assert isinstance(zone, ZoneInfo)
    if rule.kind == "immediate":
        return ComplianceDeadline(rule, served, None, start, "immediately")
    if rule.kind == "stop_work_order":
        return ComplianceDeadline(rule, served, None, start, "stop all work now")
    if rule.kind == "hours":
        assert rule.hours is not None
        due_at = (start.astimezone(UTC) + timedelta(hours=rule.hours)).astimezone(zone)
        if not served.moment_known:
            wording = f"within {rule.hours} hours of receiving this notice"
        else:
            wording = (f"within {rule.hours} hours of service, by {zoned_clock(due_at)} on "
                       f"{long_date(due_at.date())}")
        return ComplianceDeadline(rule, served, due_at.date(), due_at, wording)

    assert rule.days is not None
    if rule.counting == "business":
        last = calendar.add_business_days(start.date(), rule.days)
    else:
        last = start.date() + timedelta(days=rule.days)
    rolled_from = rolled_because = None
    if roll and not calendar.is_business_day(last):
        rolled_from = last
        rolled_because = calendar.closed_for(last) or f"{last:%A}"
        last = calendar.next_business_day(last)
    due_at = datetime.combine(last, time(23, 59, 59), zone)
    wording = f"on or before {long_date_with_weekday(last)}"
    if served.presumed:
        # The law counts from receipt (H&S §342.006: "7 days after notice"); an owner who
        # picks certified mail up late keeps the whole period. True for every delivery day.
        unit = "business days" if rule.counting == "business" else "days"
        wording += (f", or within {rule.days} {unit} after the day you receive this notice, "
                    "whichever is later")
    return ComplianceDeadline(rule, served, last, due_at, wording, rolled_from,
                              rolled_because)


@dataclass(frozen=True)
class NoticeDeadlines:
    """Each violation's own deadline, and the earliest as the notice's deadline."""

    by_violation: dict[str, ComplianceDeadline]

    @property
    def earliest(self) -> ComplianceDeadline:
        return min(self.by_violation.values(), key=lambda d: d.due_at)


def notice_deadlines(violations: list[tuple[str, str]], catalog: Catalog, served: Service,
                     calendar: OfficeCalendar, roll: bool) -> NoticeDeadlines:
    """Deadlines for (violation id, ordinance id) pairs served together on one notice."""
    if not violations:
        raise NoticegenError("a notice needs at least one violation to carry a deadline",
                             "add the violation to the case file")
    return NoticeDeadlines({
        vid: compliance_deadline(catalog.deadline_for(ordinance), served, calendar, roll)
        for vid, ordinance in violations})
