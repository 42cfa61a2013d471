"""Compliance deadlines (directive VIII.C) against the real catalog and agency calendar.

Every expected date, instant and wording below was worked out by hand on a paper calendar
(and checked against Python's datetime weekday names while writing), never computed by the
code under test. Texas counting (Gov't Code §311.014): exclude the day of service, include
the last day; a last day on a Saturday, Sunday, legal holiday or office closure runs on to
the next business day. Mailed notices are presumed served 3 days after mailing.

Calendar facts used (agency.yaml: Texas legal holidays, observed: false, Cesar Chavez Day
and Good Friday excluded, local closure 2026-12-31):
  2026  Mon Jan 19 MLK Day + Confederate Heroes Day   Tue Mar 31 Cesar Chavez (open)
        Fri Apr 3 Good Friday (open)                  Fri Jun 19 Juneteenth/Emancipation
        Fri Jul 3 open (observed: false)              Sat Jul 4 Independence Day
        Thu Aug 27 LBJ Day                            Wed Nov 11 Veterans Day
        Thu Nov 26 Thanksgiving, Fri Nov 27 day after Thu Dec 24, Fri Dec 25, Sat Dec 26
        Thu Dec 31 local closure                      2027 Fri Jan 1 New Year's Day
  2027  Thu Nov 25 Thanksgiving; Fri Dec 24 Christmas Eve, Sat Dec 25, Sun Dec 26
  DST   Sun Mar 8 2026 2:00 AM CST -> 3:00 AM CDT;  Sun Nov 1 2026 2:00 AM CDT -> 1:00 AM CST
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from noticegen.catalog import Deadline
from noticegen.errors import NoticegenError
from noticegen.project import Project, load_project
from noticegen.rules import OfficeCalendar, compliance_deadline, notice_deadlines, service
from noticegen.rules.deadlines import clock, long_date, long_date_with_weekday, zoned_clock

REPO = Path(__file__).resolve().parent.parent
METHODS = ("in_person", "mail")


# ---------------------------------------------------------------------------------------------
# The real project: catalog, settings, office calendar (loaded once per module)
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def project() -> Project:
    return load_project(REPO)


@pytest.fixture(scope="module")
def calendar(project: Project) -> OfficeCalendar:
    return OfficeCalendar(project.settings.calendar)


@pytest.fixture(scope="module")
def zone(project: Project) -> ZoneInfo:
    return project.settings.zone


# ---------------------------------------------------------------------------------------------
# 1. Every catalog row, both service methods, hand-worked
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One hand-worked deadline. Times are wall-clock in America/Chicago.

    due_at None means "end of due_date" (23:59:59 local), the instant of a day deadline.
    """

    rule: str
    method: str
    issued: datetime
    due_date: date | None
    wording: str
    due_at: datetime | None = None
    rolled_from: date | None = None
    because: str | None = None  # a substring of rolled_because


def on_or_before(text: str) -> str:
    return f"on or before {text}"


CASES = [
    # --- nuisance_no_structure: 10 calendar days -------------------------------------------
    # Fri Nov 20 + 10 = Mon Nov 30 (a business day; no roll)
    Case("nuisance_no_structure", "in_person", datetime(2026, 11, 20, 14, 15),
         date(2026, 11, 30), on_or_before("Monday, November 30, 2026")),
    # Mon Nov 16 + 10 = Thu Nov 26 (Thanksgiving) -> Fri 27 (holiday), Sat, Sun -> Mon Nov 30
    Case("nuisance_no_structure", "in_person", datetime(2026, 11, 16, 9, 0),
         date(2026, 11, 30), on_or_before("Monday, November 30, 2026"),
         rolled_from=date(2026, 11, 26), because="Thanksgiving"),
    # Fri Jan 9 + 10 = Mon Jan 19 (MLK Day; also Confederate Heroes Day) -> Tue Jan 20
    Case("nuisance_no_structure", "in_person", datetime(2026, 1, 9, 10, 0),
         date(2026, 1, 20), on_or_before("Tuesday, January 20, 2026"),
         rolled_from=date(2026, 1, 19), because="Martin Luther King"),
    # mailed Tue Nov 24 + 3 = served Fri Nov 27 (a holiday; counting starts anyway)
    # + 10 = Mon Dec 7
    Case("nuisance_no_structure", "mail", datetime(2026, 11, 24, 16, 0),
         date(2026, 12, 7), on_or_before("Monday, December 7, 2026")),
    # --- nuisance_structure: 30 calendar days ----------------------------------------------
    # Wed Oct 28 + 30 = Fri Nov 27 (Friday after Thanksgiving) -> Sat, Sun -> Mon Nov 30
    Case("nuisance_structure", "in_person", datetime(2026, 10, 28, 11, 0),
         date(2026, 11, 30), on_or_before("Monday, November 30, 2026"),
         rolled_from=date(2026, 11, 27), because="Friday After Thanksgiving"),
    # mailed Mon Nov 23 + 3 = Thu Nov 26; + 30 = Sat Dec 26 (Day After Christmas) -> Sun
    # -> Mon Dec 28
    Case("nuisance_structure", "mail", datetime(2026, 11, 23, 15, 0),
         date(2026, 12, 28), on_or_before("Monday, December 28, 2026"),
         rolled_from=date(2026, 12, 26), because="Day After Christmas"),
    # --- accessory_structure: 30 calendar days ---------------------------------------------
    # Wed Nov 25 + 30 = Fri Dec 25 (Christmas) -> Sat 26 (holiday), Sun 27 -> Mon Dec 28
    Case("accessory_structure", "in_person", datetime(2026, 11, 25, 10, 0),
         date(2026, 12, 28), on_or_before("Monday, December 28, 2026"),
         rolled_from=date(2026, 12, 25), because="Christmas Day"),
    # mailed Mon Nov 22 2027 + 3 = Thu Nov 25 2027; + 30 = Sat Dec 25 2027 (Christmas)
    # -> Sun 26 -> Mon Dec 27 2027
    Case("accessory_structure", "mail", datetime(2027, 11, 22, 9, 30),
         date(2027, 12, 27), on_or_before("Monday, December 27, 2027"),
         rolled_from=date(2027, 12, 25), because="Christmas Day"),
    # --- structure_built_without_permit: 30 calendar days ----------------------------------
    # Tue Dec 1 + 30 = Thu Dec 31 (local closure) -> Fri Jan 1 2027 (New Year's Day), Sat, Sun
    # -> Mon Jan 4 2027
    Case("structure_built_without_permit", "in_person", datetime(2026, 12, 1, 13, 0),
         date(2027, 1, 4), on_or_before("Monday, January 4, 2027"),
         rolled_from=date(2026, 12, 31), because="New Year's Eve"),
    # mailed Mon Jun 1 + 3 = Thu Jun 4; + 30 = Sat Jul 4 (Independence Day) -> Sun -> Mon Jul 6
    Case("structure_built_without_permit", "mail", datetime(2026, 6, 1, 8, 0),
         date(2026, 7, 6), on_or_before("Monday, July 6, 2026"),
         rolled_from=date(2026, 7, 4), because="Independence Day"),
    # --- land_use_no_structure: 10 calendar days -------------------------------------------
    # Tue Dec 22 + 10 = Fri Jan 1 2027 (New Year's Day) -> Sat, Sun -> Mon Jan 4 2027
    Case("land_use_no_structure", "in_person", datetime(2026, 12, 22, 14, 0),
         date(2027, 1, 4), on_or_before("Monday, January 4, 2027"),
         rolled_from=date(2027, 1, 1), because="New Year's Day"),
    # mailed Fri Dec 11 + 3 = Mon Dec 14; + 10 = Thu Dec 24 (Christmas Eve) -> Fri 25, Sat 26
    # (holidays), Sun 27 -> Mon Dec 28
    Case("land_use_no_structure", "mail", datetime(2026, 12, 11, 16, 30),
         date(2026, 12, 28), on_or_before("Monday, December 28, 2026"),
         rolled_from=date(2026, 12, 24), because="Christmas Eve"),
    # --- land_use_structure: 30 calendar days ----------------------------------------------
    # Wed May 20 + 30 = Fri Jun 19 (Juneteenth / Emancipation Day) -> Sat, Sun -> Mon Jun 22
    Case("land_use_structure", "in_person", datetime(2026, 5, 20, 10, 45),
         date(2026, 6, 22), on_or_before("Monday, June 22, 2026"),
         rolled_from=date(2026, 6, 19), because="Juneteenth"),
    # mailed Thu Feb 26 + 3 = Sun Mar 1; + 30 = Tue Mar 31 (Cesar Chavez Day: excluded, the
    # offices are open) -> stays
    Case("land_use_structure", "mail", datetime(2026, 2, 26, 11, 0),
         date(2026, 3, 31), on_or_before("Tuesday, March 31, 2026")),
    # --- dangerous_building: 30 calendar days ----------------------------------------------
    # Wed Nov 24 2027 + 30 = Fri Dec 24 2027 (Christmas Eve) -> Sat 25 (Christmas), Sun 26
    # -> Mon Dec 27 2027
    Case("dangerous_building", "in_person", datetime(2027, 11, 24, 10, 0),
         date(2027, 12, 27), on_or_before("Monday, December 27, 2027"),
         rolled_from=date(2027, 12, 24), because="Christmas Eve"),
    # mailed Mon Sep 14 + 3 = Thu Sep 17; + 30 = Sat Oct 17 -> Sun -> Mon Oct 19
    Case("dangerous_building", "mail", datetime(2026, 9, 14, 9, 0),
         date(2026, 10, 19), on_or_before("Monday, October 19, 2026"),
         rolled_from=date(2026, 10, 17), because="Saturday"),
    # --- junked_vehicle: 10 calendar days --------------------------------------------------
    # Thu Oct 8 + 10 = Sun Oct 18 -> Mon Oct 19
    Case("junked_vehicle", "in_person", datetime(2026, 10, 8, 15, 0),
         date(2026, 10, 19), on_or_before("Monday, October 19, 2026"),
         rolled_from=date(2026, 10, 18), because="Sunday"),
    # mailed Fri Aug 14 + 3 = Mon Aug 17; + 10 = Thu Aug 27 (LBJ Day) -> Fri Aug 28
    Case("junked_vehicle", "mail", datetime(2026, 8, 14, 12, 0),
         date(2026, 8, 28), on_or_before("Friday, August 28, 2026"),
         rolled_from=date(2026, 8, 27), because="Lyndon Baines Johnson"),
    # mailed Thu Oct 29 + 3 = Sun Nov 1; + 10 = Wed Nov 11 (Veterans Day) -> Thu Nov 12
    Case("junked_vehicle", "mail", datetime(2026, 10, 29, 12, 0),
         date(2026, 11, 12), on_or_before("Thursday, November 12, 2026"),
         rolled_from=date(2026, 11, 11), because="Veterans Day"),
    # --- weeds_rubbish: 7 calendar days ----------------------------------------------------
    # Fri Jun 26 + 7 = Fri Jul 3 (observed: false, so not a holiday) -> stays
    Case("weeds_rubbish", "in_person", datetime(2026, 6, 26, 10, 0),
         date(2026, 7, 3), on_or_before("Friday, July 3, 2026")),
    # Fri Mar 27 + 7 = Fri Apr 3 (Good Friday: excluded, the offices are open) -> stays
    Case("weeds_rubbish", "in_person", datetime(2026, 3, 27, 10, 0),
         date(2026, 4, 3), on_or_before("Friday, April 3, 2026")),
    # mailed Tue Nov 17 + 3 = Fri Nov 20; + 7 = Fri Nov 27 (day after Thanksgiving) -> Sat, Sun
    # -> Mon Nov 30
    Case("weeds_rubbish", "mail", datetime(2026, 11, 17, 10, 0),
         date(2026, 11, 30), on_or_before("Monday, November 30, 2026"),
         rolled_from=date(2026, 11, 27), because="Friday After Thanksgiving"),
    # --- abandoned_vehicle: 24 hours (elapsed time; never rolls) ---------------------------
    # Sun Nov 22 2:15 PM + 24 h = Mon Nov 23 2:15 PM
    Case("abandoned_vehicle", "in_person", datetime(2026, 11, 22, 14, 15), date(2026, 11, 23),
         "within 24 hours of service, by 2:15 PM CST on November 23, 2026",
         due_at=datetime(2026, 11, 23, 14, 15)),
    # Wed Nov 25 2:15 PM + 24 h = Thu Nov 26 2:15 PM (Thanksgiving: hours do not roll)
    Case("abandoned_vehicle", "in_person", datetime(2026, 11, 25, 14, 15), date(2026, 11, 26),
         "within 24 hours of service, by 2:15 PM CST on November 26, 2026",
         due_at=datetime(2026, 11, 26, 14, 15)),
    # Thu Dec 31 11:30 PM + 24 h = Fri Jan 1 2027 11:30 PM
    Case("abandoned_vehicle", "in_person", datetime(2026, 12, 31, 23, 30), date(2027, 1, 1),
         "within 24 hours of service, by 11:30 PM CST on January 1, 2027",
         due_at=datetime(2027, 1, 1, 23, 30)),
    # mailed Fri Nov 20 + 3 = presumed Mon Nov 23 12:00 AM; + 24 h = Tue Nov 24 12:00 AM
    Case("abandoned_vehicle", "mail", datetime(2026, 11, 20, 14, 15), date(2026, 11, 24),
         "within 24 hours of receiving this notice", due_at=datetime(2026, 11, 24, 0, 0)),
    # --- large_vehicle_parking: 72 hours ---------------------------------------------------
    # Wed Nov 25 9:05 AM + 72 h = Sat Nov 28 9:05 AM (across Thanksgiving; no roll)
    Case("large_vehicle_parking", "in_person", datetime(2026, 11, 25, 9, 5), date(2026, 11, 28),
         "within 72 hours of service, by 9:05 AM CST on November 28, 2026",
         due_at=datetime(2026, 11, 28, 9, 5)),
    # mailed Mon Nov 23 + 3 = presumed Thu Nov 26 12:00 AM; + 72 h = Sun Nov 29 12:00 AM
    Case("large_vehicle_parking", "mail", datetime(2026, 11, 23, 9, 5), date(2026, 11, 29),
         "within 72 hours of receiving this notice", due_at=datetime(2026, 11, 29, 0, 0)),
    # --- immediate rows: due at the moment of service ---------------------------------------
    Case("right_of_way_hazard", "in_person", datetime(2026, 11, 20, 14, 15), None,
         "immediately", due_at=datetime(2026, 11, 20, 14, 15)),
    # mailed Fri Nov 20 + 3 = presumed Mon Nov 23 12:00 AM
    Case("right_of_way_hazard", "mail", datetime(2026, 11, 20, 10, 0), None,
         "immediately", due_at=datetime(2026, 11, 23, 0, 0)),
    Case("noise", "in_person", datetime(2026, 7, 4, 23, 40), None,
         "immediately", due_at=datetime(2026, 7, 4, 23, 40)),
    # mailed Wed Dec 23 + 3 = presumed Sat Dec 26 12:00 AM
    Case("noise", "mail", datetime(2026, 12, 23, 17, 0), None,
         "immediately", due_at=datetime(2026, 12, 26, 0, 0)),
    Case("land_use_public_health", "in_person", datetime(2026, 12, 25, 8, 0), None,
         "immediately", due_at=datetime(2026, 12, 25, 8, 0)),
    # mailed Tue Jun 16 + 3 = presumed Fri Jun 19 12:00 AM
    Case("land_use_public_health", "mail", datetime(2026, 6, 16, 9, 0), None,
         "immediately", due_at=datetime(2026, 6, 19, 0, 0)),
    # --- stop-work-order rows ----------------------------------------------------------------
    Case("right_of_way_work_without_permit", "in_person", datetime(2026, 11, 26, 10, 30), None,
         "stop all work now", due_at=datetime(2026, 11, 26, 10, 30)),
    # mailed Tue Nov 24 + 3 = presumed Fri Nov 27 12:00 AM
    Case("right_of_way_work_without_permit", "mail", datetime(2026, 11, 24, 10, 30), None,
         "stop all work now", due_at=datetime(2026, 11, 27, 0, 0)),
    # 3:30 AM CDT, just after the spring-forward gap
    Case("building_work_without_permit", "in_person", datetime(2026, 3, 8, 3, 30), None,
         "stop all work now", due_at=datetime(2026, 3, 8, 3, 30)),
    # mailed Thu Oct 29 + 3 = presumed Sun Nov 1 12:00 AM (CDT, before fall-back)
    Case("building_work_without_permit", "mail", datetime(2026, 10, 29, 8, 0), None,
         "stop all work now", due_at=datetime(2026, 11, 1, 0, 0)),
    Case("land_use_no_permit", "in_person", datetime(2027, 1, 1, 9, 0), None,
         "stop all work now", due_at=datetime(2027, 1, 1, 9, 0)),
    # mailed Wed Dec 22 2027 + 3 = presumed Sat Dec 25 2027 12:00 AM
    Case("land_use_no_permit", "mail", datetime(2027, 12, 22, 8, 0), None,
         "stop all work now", due_at=datetime(2027, 12, 25, 0, 0)),
]

DAY_CASES = [c for c in CASES if c.due_at is None]

# Catalog rows by kind, as read from ordinances/deadlines.yaml (checked against the catalog).
DAY_ROWS = {"nuisance_no_structure": 10, "nuisance_structure": 30, "accessory_structure": 30,
            "structure_built_without_permit": 30, "land_use_no_structure": 10,
            "land_use_structure": 30, "dangerous_building": 30, "junked_vehicle": 10,
            "weeds_rubbish": 7}
HOUR_ROWS = {"abandoned_vehicle": 24, "large_vehicle_parking": 72}
IMMEDIATE_ROWS = {"right_of_way_hazard", "noise", "land_use_public_health"}
STOP_WORK_ROWS = {"right_of_way_work_without_permit", "building_work_without_permit",
                  "land_use_no_permit"}
ALL_ROWS = sorted([*DAY_ROWS, *HOUR_ROWS, *IMMEDIATE_ROWS, *STOP_WORK_ROWS])

# Last days the table must exercise (the raw last day before any roll).
REQUIRED_LAST_DAYS = {
    date(2026, 10, 17): "a Saturday",
    date(2026, 10, 18): "a Sunday",
    date(2026, 11, 26): "Thanksgiving",
    date(2026, 11, 27): "the Friday after Thanksgiving",
    date(2026, 12, 24): "Christmas Eve",
    date(2026, 12, 25): "Christmas Day",
    date(2026, 12, 26): "December 26 (a Saturday)",
    date(2026, 12, 31): "the local closure",
    date(2027, 1, 1): "New Year's Day 2027",
    date(2026, 6, 19): "Juneteenth",
    date(2026, 7, 4): "July 4 on a Saturday",
    date(2026, 7, 3): "Friday July 3 (not observed)",
    date(2027, 12, 24): "Christmas Eve 2027 (a Friday)",
    date(2027, 12, 25): "Christmas 2027 (a Saturday)",
}


def case_id(case: Case) -> str:
    return f"{case.rule}-{case.method}-{case.issued:%Y%m%d-%H%M}"


def test_table_covers_every_catalog_row_both_methods(project: Project) -> None:
    catalog_ids = {row.id for row in project.catalog.deadlines.deadlines}
    assert {c.rule for c in CASES} == catalog_ids
    assert set(ALL_ROWS) == catalog_ids
    for rule_id in catalog_ids:
        assert {c.method for c in CASES if c.rule == rule_id} == set(METHODS), rule_id


def test_kind_lists_match_the_catalog(project: Project) -> None:
    for row in project.catalog.deadlines.deadlines:
        if row.id in DAY_ROWS:
            assert (row.kind, row.days, row.counting) == ("days", DAY_ROWS[row.id], "calendar")
        elif row.id in HOUR_ROWS:
            assert (row.kind, row.hours) == ("hours", HOUR_ROWS[row.id])
        elif row.id in IMMEDIATE_ROWS:
            assert row.kind == "immediate"
        else:
            assert row.id in STOP_WORK_ROWS
            assert row.kind == "stop_work_order"


def test_table_lands_on_every_required_day() -> None:
    landed = {c.rolled_from or c.due_date for c in DAY_CASES}
    missing = {d: why for d, why in REQUIRED_LAST_DAYS.items() if d not in landed}
    assert not missing


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_catalog_row_deadline(case: Case, project: Project, calendar: OfficeCalendar,
                              zone: ZoneInfo) -> None:
    rule = project.catalog.deadline(case.rule)
    served = service(case.issued, case.method, zone, project.settings.calendar)
    result = compliance_deadline(rule, served, calendar, roll=True)

    assert result.rule == rule
    assert result.label == rule.label
    assert result.service == served
    assert result.due_date == case.due_date
    wording = case.wording
    if case.method == "mail" and rule.kind == "days":  # counted from receipt as well
        unit = "business days" if rule.counting == "business" else "days"
        wording += (f", or within {rule.days} {unit} after the day you receive this notice, "
                    "whichever is later")
    assert result.wording == wording
    expected = case.due_at
    if expected is None:
        assert case.due_date is not None
        expected = datetime.combine(case.due_date, time(23, 59, 59))
    assert result.due_at.replace(tzinfo=None) == expected  # wall clock
    assert result.due_at.astimezone(UTC) == expected.replace(tzinfo=zone).astimezone(UTC)
    assert result.rolled_from == case.rolled_from
    if case.because is None:
        assert result.rolled_because is None
    else:
        assert result.rolled_because is not None
        assert case.because in result.rolled_because


def test_rolled_because_names_every_holiday_of_the_day(project: Project,
                                                       calendar: OfficeCalendar,
                                                       zone: ZoneInfo) -> None:
    # Fri Jan 9 + 10 = Mon Jan 19, 2026: both MLK Day and Confederate Heroes Day
    served = service(datetime(2026, 1, 9, 10, 0), "in_person", zone, project.settings.calendar)
    result = compliance_deadline(project.catalog.deadline("nuisance_no_structure"), served,
                                 calendar, roll=True)
    assert result.rolled_because is not None
    assert "Martin Luther King" in result.rolled_because
    assert "Confederate" in result.rolled_because


@pytest.mark.parametrize(("day", "closed"), [
    (date(2026, 11, 26), "Thanksgiving"),
    (date(2026, 11, 27), "Friday After Thanksgiving"),
    (date(2026, 12, 24), "Christmas Eve"),
    (date(2026, 12, 26), "Day After Christmas"),
    (date(2026, 12, 31), "City offices closed (New Year's Eve)"),
    (date(2027, 12, 24), "Christmas Eve"),
    (date(2026, 6, 19), "Juneteenth"),
    (date(2026, 7, 3), None),   # observed: false
    (date(2026, 4, 3), None),   # Good Friday, excluded
    (date(2026, 3, 31), None),  # Cesar Chavez Day, excluded
    (date(2026, 10, 12), None),  # Columbus Day is no Texas legal holiday
    (date(2026, 11, 30), None),
])
def test_office_calendar_closed_for(calendar: OfficeCalendar, day: date,
                                    closed: str | None) -> None:
    reason = calendar.closed_for(day)
    if closed is None:
        assert reason is None
        assert calendar.is_business_day(day) == (day.weekday() < 5)
    else:
        assert reason is not None
        assert closed in reason
        assert not calendar.is_business_day(day)


# ---------------------------------------------------------------------------------------------
# Service: in person and by mail
# ---------------------------------------------------------------------------------------------

def test_in_person_service_is_the_moment_of_service(project: Project, zone: ZoneInfo) -> None:
    served = service(datetime(2026, 11, 20, 14, 15), "in_person", zone,
                     project.settings.calendar)
    assert served.served == datetime(2026, 11, 20, 14, 15, tzinfo=zone)
    assert served.issued == served.served
    assert served.basis == "served in person"
    assert served.moment_known


def test_aware_service_time_is_converted_to_the_agency_zone(project: Project, calendar:
                                                            OfficeCalendar,
                                                            zone: ZoneInfo) -> None:
    # 8:15 PM UTC on Nov 20 = 2:15 PM CST; + 24 h = 2:15 PM Nov 21
    served = service(datetime(2026, 11, 20, 20, 15, tzinfo=UTC), "in_person", zone,
                     project.settings.calendar)
    assert served.served.replace(tzinfo=None) == datetime(2026, 11, 20, 14, 15)
    result = compliance_deadline(project.catalog.deadline("abandoned_vehicle"), served,
                                 calendar, roll=True)
    assert result.wording == "within 24 hours of service, by 2:15 PM CST on November 21, 2026"


def test_mail_service_is_presumed_three_days_after_mailing(project: Project,
                                                           zone: ZoneInfo) -> None:
    # mailed Fri Nov 20 (late evening) + 3 = presumed Mon Nov 23, start of day
    served = service(datetime(2026, 11, 20, 22, 45), "mail", zone, project.settings.calendar)
    assert served.served == datetime(2026, 11, 23, 0, 0, tzinfo=zone)
    assert served.issued == datetime(2026, 11, 20, 22, 45, tzinfo=zone)
    assert not served.moment_known
    assert served.basis == "mailed November 20, 2026; presumed served 3 days later"


# ---------------------------------------------------------------------------------------------
# 2. roll off
# ---------------------------------------------------------------------------------------------

def test_roll_off_keeps_a_sunday(project: Project, calendar: OfficeCalendar,
                                 zone: ZoneInfo) -> None:
    # Thu Oct 8 + 10 = Sun Oct 18: stays a Sunday with roll=False
    served = service(datetime(2026, 10, 8, 15, 0), "in_person", zone, project.settings.calendar)
    result = compliance_deadline(project.catalog.deadline("junked_vehicle"), served, calendar,
                                 roll=False)
    assert result.due_date == date(2026, 10, 18)
    assert result.wording == "on or before Sunday, October 18, 2026"
    assert result.due_at == datetime(2026, 10, 18, 23, 59, 59, tzinfo=zone)
    assert result.rolled_from is None
    assert result.rolled_because is None


@pytest.mark.parametrize("case", DAY_CASES, ids=case_id)
def test_roll_off_returns_the_raw_last_day(case: Case, project: Project,
                                           calendar: OfficeCalendar, zone: ZoneInfo) -> None:
    served = service(case.issued, case.method, zone, project.settings.calendar)
    result = compliance_deadline(project.catalog.deadline(case.rule), served, calendar,
                                 roll=False)
    raw = case.rolled_from or case.due_date
    assert result.due_date == raw
    printed = result.wording.split(", or within")[0]  # a mailed one adds receipt
    assert printed == f"on or before {raw:%A}, {raw:%B} {raw.day}, {raw.year}"
    assert result.rolled_from is None
    assert result.rolled_because is None


def test_notice_deadlines_roll_off(project: Project, calendar: OfficeCalendar,
                                   zone: ZoneInfo) -> None:
    # TB-34-5 -> nuisance_no_structure: Mon Nov 16 + 10 = Thu Nov 26 (Thanksgiving), kept
    served = service(datetime(2026, 11, 16, 9, 0), "in_person", zone, project.settings.calendar)
    result = notice_deadlines([("v1", "TB-34-5")], project.catalog, served, calendar, roll=False)
    assert result.by_violation["v1"].due_date == date(2026, 11, 26)


# ---------------------------------------------------------------------------------------------
# 3. Mail allowance is a setting; a known delivery date overrides the presumption
# ---------------------------------------------------------------------------------------------

def test_mail_allowance_zero_counts_from_the_mailing_date(project: Project,
                                                          calendar: OfficeCalendar,
                                                          zone: ZoneInfo) -> None:
    no_allowance = project.settings.calendar.model_copy(update={"mail_allowance_days": 0})
    weeds = project.catalog.deadline("weeds_rubbish")
    served = service(datetime(2026, 11, 2, 10, 0), "mail", zone, no_allowance)
    assert served.served == datetime(2026, 11, 2, 0, 0, tzinfo=zone)
    assert not served.moment_known
    assert served.basis == "mailed November 2, 2026"
    # Mon Nov 2 + 7 = Mon Nov 9
    assert compliance_deadline(weeds, served, calendar, roll=True).due_date == date(2026, 11, 9)
    # the real setting: Mon Nov 2 + 3 = Thu Nov 5; + 7 = Thu Nov 12
    served = service(datetime(2026, 11, 2, 10, 0), "mail", zone, project.settings.calendar)
    assert compliance_deadline(weeds, served, calendar, roll=True).due_date == date(2026, 11, 12)


def test_mail_allowance_of_one_day_is_singular(project: Project, zone: ZoneInfo) -> None:
    one = project.settings.calendar.model_copy(update={"mail_allowance_days": 1})
    served = service(datetime(2026, 11, 2, 10, 0), "mail", zone, one)
    assert served.served == datetime(2026, 11, 3, 0, 0, tzinfo=zone)
    assert served.basis == "mailed November 2, 2026; presumed served 1 day later"


@pytest.mark.parametrize(("delivered", "basis", "due"), [
    # delivered Mon Nov 9 (later than presumed Thu Nov 5); + 7 = Mon Nov 16
    (date(2026, 11, 9), "delivered November 9, 2026", date(2026, 11, 16)),
    # delivered Tue Nov 3 (earlier than presumed); + 7 = Tue Nov 10
    (date(2026, 11, 3), "delivered November 3, 2026", date(2026, 11, 10)),
    # delivered Wed Nov 4 at 10:30 AM; + 7 = Wed Nov 11 (Veterans Day) -> Thu Nov 12
    (datetime(2026, 11, 4, 10, 30), "delivered November 4, 2026", date(2026, 11, 12)),
    # 3:00 AM UTC Nov 5 is 9:00 PM CST Wed Nov 4; + 7 = Wed Nov 11 -> Thu Nov 12
    (datetime(2026, 11, 5, 3, 0, tzinfo=UTC), "delivered November 4, 2026", date(2026, 11, 12)),
])
def test_known_delivery_overrides_the_presumption(project: Project, calendar: OfficeCalendar,
                                                  zone: ZoneInfo, delivered: date | datetime,
                                                  basis: str, due: date) -> None:
    served = service(datetime(2026, 11, 2, 10, 0), "mail", zone, project.settings.calendar,
                     delivered=delivered)
    assert served.moment_known == isinstance(delivered, datetime)
    assert served.basis == basis
    assert served.issued == datetime(2026, 11, 2, 10, 0, tzinfo=zone)
    result = compliance_deadline(project.catalog.deadline("weeds_rubbish"), served,
                                 calendar, roll=True)
    assert result.due_date == due


def test_known_delivery_time_gives_an_hour_deadline_a_clock_time(project: Project,
                                                                 calendar: OfficeCalendar,
                                                                 zone: ZoneInfo) -> None:
    # delivered Wed Nov 4 10:30 AM + 24 h = Thu Nov 5 10:30 AM
    served = service(datetime(2026, 11, 2, 10, 0), "mail", zone, project.settings.calendar,
                     delivered=datetime(2026, 11, 4, 10, 30))
    result = compliance_deadline(project.catalog.deadline("abandoned_vehicle"), served,
                                 calendar, roll=True)
    assert result.due_at == datetime(2026, 11, 5, 10, 30, tzinfo=zone)
    assert result.wording == "within 24 hours of service, by 10:30 AM CST on November 5, 2026"


def test_in_person_service_ignores_a_delivery_date(project: Project, zone: ZoneInfo) -> None:
    served = service(datetime(2026, 11, 2, 10, 0), "in_person", zone, project.settings.calendar,
                     delivered=date(2026, 11, 9))
    assert served.served == datetime(2026, 11, 2, 10, 0, tzinfo=zone)


# ---------------------------------------------------------------------------------------------
# 4. Business-day counting
# ---------------------------------------------------------------------------------------------

FIVE_BUSINESS_DAYS = Deadline(id="x", directive_row="x", kind="days", days=5,
                              counting="business", label="within 5 business days")


@pytest.mark.parametrize(("issued", "method", "due"), [
    # Mon Nov 23: Tue 24 (1), Wed 25 (2), [Thu 26, Fri 27 holidays, Sat, Sun], Mon 30 (3),
    # Tue Dec 1 (4), Wed Dec 2 (5)
    (datetime(2026, 11, 23, 9, 0), "in_person", date(2026, 12, 2)),
    # mailed Fri Nov 20 + 3 = Mon Nov 23, then as above -> Wed Dec 2
    (datetime(2026, 11, 20, 9, 0), "mail", date(2026, 12, 2)),
    # served Sat Nov 21: Mon 23 (1), Tue 24 (2), Wed 25 (3), Mon 30 (4), Tue Dec 1 (5)
    (datetime(2026, 11, 21, 9, 0), "in_person", date(2026, 12, 1)),
    # served Thanksgiving Thu Nov 26: Mon 30 (1), Tue 1 (2), Wed 2 (3), Thu 3 (4), Fri 4 (5)
    (datetime(2026, 11, 26, 9, 0), "in_person", date(2026, 12, 4)),
    # Fri Dec 18: Mon 21 (1), Tue 22 (2), Wed 23 (3), [Thu 24 - Sun 27], Mon 28 (4), Tue 29 (5)
    (datetime(2026, 12, 18, 9, 0), "in_person", date(2026, 12, 29)),
    # Tue Dec 29: Wed 30 (1), [Thu 31 closure, Fri Jan 1, Sat, Sun], Mon Jan 4 (2),
    # Tue 5 (3), Wed 6 (4), Thu 7 (5)
    (datetime(2026, 12, 29, 9, 0), "in_person", date(2027, 1, 7)),
])
def test_business_day_counting(project: Project, calendar: OfficeCalendar, zone: ZoneInfo,
                               issued: datetime, method: str, due: date) -> None:
    served = service(issued, method, zone, project.settings.calendar)  # type: ignore[arg-type]
    result = compliance_deadline(FIVE_BUSINESS_DAYS, served, calendar, roll=True)
    assert result.due_date == due
    printed = result.wording.split(", or within")[0]  # a mailed one adds receipt
    assert printed == (f"on or before {due:%A}, {due:%B} {due.day}, {due.year}")
    assert result.rolled_from is None  # a business-day count always ends on a business day
    assert result.label == "within 5 business days"


def test_business_day_counting_wording_across_thanksgiving(project: Project,
                                                           calendar: OfficeCalendar,
                                                           zone: ZoneInfo) -> None:
    served = service(datetime(2026, 11, 23, 9, 0), "in_person", zone, project.settings.calendar)
    result = compliance_deadline(FIVE_BUSINESS_DAYS, served, calendar, roll=True)
    assert result.wording == "on or before Wednesday, December 2, 2026"


# ---------------------------------------------------------------------------------------------
# 5. A notice with several violations
# ---------------------------------------------------------------------------------------------

def test_notice_deadlines_each_violation_and_the_earliest(project: Project,
                                                          calendar: OfficeCalendar,
                                                          zone: ZoneInfo) -> None:
    served = service(datetime(2026, 11, 20, 14, 15), "in_person", zone,
                     project.settings.calendar)
    violations = [("v1", "TB-34-5"),    # nuisance_no_structure: Fri Nov 20 + 10 = Mon Nov 30
                  ("v2", "TB-66-2"),    # right_of_way_hazard: immediately
                  ("v3", "TB-78-40")]   # abandoned_vehicle: Sat Nov 21 2:15 PM
    result = notice_deadlines(violations, project.catalog, served, calendar, roll=True)
    assert list(result.by_violation) == ["v1", "v2", "v3"]
    assert result.by_violation["v1"].due_date == date(2026, 11, 30)
    assert result.by_violation["v1"].wording == "on or before Monday, November 30, 2026"
    assert result.by_violation["v2"].wording == "immediately"
    assert result.by_violation["v2"].due_at == datetime(2026, 11, 20, 14, 15, tzinfo=zone)
    assert result.by_violation["v3"].wording == (
        "within 24 hours of service, by 2:15 PM CST on November 21, 2026")
    assert result.earliest is result.by_violation["v2"]

    without_immediate = notice_deadlines([violations[0], violations[2]], project.catalog, served,
                                         calendar, roll=True)
    assert without_immediate.earliest is without_immediate.by_violation["v3"]


def test_notice_deadlines_earliest_of_day_rows(project: Project, calendar: OfficeCalendar,
                                               zone: ZoneInfo) -> None:
    # mailed Tue Nov 17 + 3 = Fri Nov 20
    served = service(datetime(2026, 11, 17, 10, 0), "mail", zone, project.settings.calendar)
    violations = [("a", "TB-34-6"),   # nuisance_structure: + 30 = Sun Dec 20 -> Mon Dec 21
                  ("b", "TB-34-2"),   # weeds_rubbish: + 7 = Fri Nov 27 -> Mon Nov 30
                  ("c", "TB-78-60")]  # junked_vehicle: + 10 = Mon Nov 30
    result = notice_deadlines(violations, project.catalog, served, calendar, roll=True)
    assert result.by_violation["a"].due_date == date(2026, 12, 21)
    assert result.by_violation["b"].due_date == date(2026, 11, 30)
    assert result.by_violation["c"].due_date == date(2026, 11, 30)
    assert result.earliest.due_date == date(2026, 11, 30)
    assert result.earliest.rule.id in {"weeds_rubbish", "junked_vehicle"}


def test_notice_deadlines_need_a_violation(project: Project, calendar: OfficeCalendar,
                                           zone: ZoneInfo) -> None:
    served = service(datetime(2026, 11, 20, 14, 15), "in_person", zone,
                     project.settings.calendar)
    with pytest.raises(NoticegenError):
        notice_deadlines([], project.catalog, served, calendar, roll=True)


# ---------------------------------------------------------------------------------------------
# 6. Hour deadlines across daylight-saving changes, and properties over all rows
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("rule_id", "method", "issued", "due_at", "wording"), [
    # Sat Mar 7 2:15 PM CST + 24 h = Sun Mar 8 3:15 PM CDT (clocks spring forward)
    ("abandoned_vehicle", "in_person", datetime(2026, 3, 7, 14, 15), datetime(2026, 3, 8, 15, 15),
     "within 24 hours of service, by 3:15 PM CDT on March 8, 2026"),
    # Sat Oct 31 2:15 PM CDT + 24 h = Sun Nov 1 1:15 PM CST (clocks fall back)
    ("abandoned_vehicle", "in_person", datetime(2026, 10, 31, 14, 15),
     datetime(2026, 11, 1, 13, 15),
     "within 24 hours of service, by 1:15 PM CST on November 1, 2026"),
    # Fri Mar 6 2:15 PM CST + 72 h = Mon Mar 9 3:15 PM CDT
    ("large_vehicle_parking", "in_person", datetime(2026, 3, 6, 14, 15),
     datetime(2026, 3, 9, 15, 15),
     "within 72 hours of service, by 3:15 PM CDT on March 9, 2026"),
    # Fri Oct 30 2:15 PM CDT + 72 h = Mon Nov 2 1:15 PM CST
    ("large_vehicle_parking", "in_person", datetime(2026, 10, 30, 14, 15),
     datetime(2026, 11, 2, 13, 15),
     "within 72 hours of service, by 1:15 PM CST on November 2, 2026"),
    # Sun Mar 8 1:30 AM CST (just before the gap) + 24 h = Mon Mar 9 2:30 AM CDT
    ("abandoned_vehicle", "in_person", datetime(2026, 3, 8, 1, 30), datetime(2026, 3, 9, 2, 30),
     "within 24 hours of service, by 2:30 AM CDT on March 9, 2026"),
    # Sun Nov 1 1:30 AM, first pass (CDT, fold=0) + 24 h = Mon Nov 2 12:30 AM CST
    ("abandoned_vehicle", "in_person", datetime(2026, 11, 1, 1, 30), datetime(2026, 11, 2, 0, 30),
     "within 24 hours of service, by 12:30 AM CST on November 2, 2026"),
    # Sun Nov 1 1:30 AM, second pass (CST, fold=1) + 24 h = Mon Nov 2 1:30 AM CST
    ("abandoned_vehicle", "in_person", datetime(2026, 11, 1, 1, 30, fold=1),
     datetime(2026, 11, 2, 1, 30),
     "within 24 hours of service, by 1:30 AM CST on November 2, 2026"),
    # mailed Thu Mar 5 + 3 = presumed Sun Mar 8 12:00 AM CST + 24 h = Mon Mar 9 1:00 AM CDT
    ("abandoned_vehicle", "mail", datetime(2026, 3, 5, 9, 0), datetime(2026, 3, 9, 1, 0),
     "within 24 hours of receiving this notice"),
    # mailed Thu Oct 29 + 3 = presumed Sun Nov 1 12:00 AM CDT + 24 h = Sun Nov 1 11:00 PM CST
    ("abandoned_vehicle", "mail", datetime(2026, 10, 29, 9, 0), datetime(2026, 11, 1, 23, 0),
     "within 24 hours of receiving this notice"),
    # mailed Thu Mar 5 + 3 = presumed Sun Mar 8 12:00 AM CST + 72 h = Wed Mar 11 1:00 AM CDT
    ("large_vehicle_parking", "mail", datetime(2026, 3, 5, 9, 0), datetime(2026, 3, 11, 1, 0),
     "within 72 hours of receiving this notice"),
])
def test_hour_deadlines_across_dst(project: Project, calendar: OfficeCalendar, zone: ZoneInfo,
                                   rule_id: str, method: str, issued: datetime,
                                   due_at: datetime, wording: str) -> None:
    rule = project.catalog.deadline(rule_id)
    served = service(issued, method, zone, project.settings.calendar)  # type: ignore[arg-type]
    result = compliance_deadline(rule, served, calendar, roll=True)
    assert result.wording == wording
    assert result.due_at.replace(tzinfo=None) == due_at
    assert result.due_date == due_at.date()
    elapsed = result.due_at.astimezone(UTC) - served.served.astimezone(UTC)
    assert elapsed == timedelta(hours=HOUR_ROWS[rule_id])


MOMENTS = st.builds(datetime.combine, st.dates(date(2025, 1, 1), date(2030, 12, 31)), st.times())
RULES = st.sampled_from(ALL_ROWS)
METHOD = st.sampled_from(METHODS)


@settings(max_examples=300, deadline=None)
@given(moment=MOMENTS, rule_id=RULES, method=METHOD)
@example(moment=datetime(2026, 11, 16, 9, 0), rule_id="nuisance_no_structure",
         method="in_person")
@example(moment=datetime(2026, 11, 28, 9, 0), rule_id="nuisance_structure", method="mail")
def test_property_every_row(project: Project, calendar: OfficeCalendar, zone: ZoneInfo,
                            moment: datetime, rule_id: str, method: str) -> None:
    """Day rows end on a business day; hour rows are exact elapsed time; the rest are now."""
    rule = project.catalog.deadline(rule_id)
    served = service(moment, method, zone, project.settings.calendar)  # type: ignore[arg-type]
    if method == "mail":
        assert served.served == datetime.combine(moment.date() + timedelta(days=3), time(0, 0),
                                                 zone)
    result = compliance_deadline(rule, served, calendar, roll=True)

    if rule_id in DAY_ROWS:
        raw = compliance_deadline(rule, served, calendar, roll=False)
        assert raw.due_date == served.served.date() + timedelta(days=DAY_ROWS[rule_id])
        assert result.due_date is not None
        assert result.due_date.weekday() < 5
        assert calendar.is_business_day(result.due_date)
        assert result.due_date >= raw.due_date
        if calendar.is_business_day(raw.due_date):
            assert result.due_date == raw.due_date
            assert result.rolled_from is None
            assert result.rolled_because is None
        else:
            assert result.rolled_from == raw.due_date
            assert result.rolled_because
            day = raw.due_date
            while day < result.due_date:  # every day skipped over is closed
                assert not calendar.is_business_day(day)
                day += timedelta(days=1)
        assert result.due_at == datetime.combine(result.due_date, time(23, 59, 59), zone)
        printed = result.wording.split(", or within")[0]  # a mailed one adds receipt
        assert printed == f"on or before {long_date_with_weekday(result.due_date)}"
    elif rule_id in HOUR_ROWS:
        elapsed = result.due_at.astimezone(UTC) - served.served.astimezone(UTC)
        assert elapsed == timedelta(hours=HOUR_ROWS[rule_id])
        assert result.due_date == result.due_at.date()
        assert result.rolled_from is None
        if method == "in_person":
            assert result.wording == (
                f"within {HOUR_ROWS[rule_id]} hours of service, by {zoned_clock(result.due_at)} on "
                f"{long_date(result.due_at.date())}")
        else:
            assert result.wording == f"within {HOUR_ROWS[rule_id]} hours of receiving this notice"
    else:
        assert result.due_date is None
        assert result.due_at == served.served
        assert result.wording == ("immediately" if rule_id in IMMEDIATE_ROWS
                                  else "stop all work now")


@settings(max_examples=300, deadline=None)
@given(first=MOMENTS, second=MOMENTS, rule_id=RULES, method=METHOD)
# across the spring-forward gap: 2:30 AM does not exist (read as 3:30 AM CDT), 3:10 AM CDT
@example(first=datetime(2026, 3, 8, 3, 10), second=datetime(2026, 3, 8, 2, 30),
         rule_id="abandoned_vehicle", method="in_person")
# across the fall-back overlap: 1:50 AM CDT, then 1:10 AM CST (fold=1)
@example(first=datetime(2026, 11, 1, 1, 50), second=datetime(2026, 11, 1, 1, 10, fold=1),
         rule_id="large_vehicle_parking", method="in_person")
@example(first=datetime(2026, 11, 25, 23, 0), second=datetime(2026, 11, 26, 0, 30),
         rule_id="weeds_rubbish", method="mail")
def test_property_later_service_never_moves_a_deadline_earlier(
        project: Project, calendar: OfficeCalendar, zone: ZoneInfo, first: datetime,
        second: datetime, rule_id: str, method: str) -> None:
    rule = project.catalog.deadline(rule_id)
    a = service(first, method, zone, project.settings.calendar)  # type: ignore[arg-type]
    b = service(second, method, zone, project.settings.calendar)  # type: ignore[arg-type]
    if a.issued.astimezone(UTC) > b.issued.astimezone(UTC):
        a, b = b, a
    early, late = (compliance_deadline(rule, s, calendar, roll=True) for s in (a, b))
    assert early.due_at.astimezone(UTC) <= late.due_at.astimezone(UTC)
    if early.due_date is not None and late.due_date is not None:
        assert early.due_date <= late.due_date


@settings(max_examples=300, deadline=None)
@given(moment=MOMENTS, rule_id=st.sampled_from(sorted(HOUR_ROWS)), method=METHOD)
@example(moment=datetime(2026, 3, 7, 14, 15), rule_id="abandoned_vehicle", method="in_person")
@example(moment=datetime(2026, 10, 31, 14, 15), rule_id="abandoned_vehicle",
         method="in_person")
@example(moment=datetime(2026, 3, 8, 2, 30), rule_id="abandoned_vehicle", method="in_person")
@example(moment=datetime(2026, 11, 1, 1, 30, fold=1), rule_id="large_vehicle_parking",
         method="in_person")
@example(moment=datetime(2026, 10, 29, 9, 0), rule_id="large_vehicle_parking", method="mail")
def test_property_hour_deadlines_are_elapsed_hours(project: Project, calendar: OfficeCalendar,
                                                   zone: ZoneInfo, moment: datetime,
                                                   rule_id: str, method: str) -> None:
    served = service(moment, method, zone, project.settings.calendar)  # type: ignore[arg-type]
    result = compliance_deadline(project.catalog.deadline(rule_id), served, calendar, roll=True)
    elapsed = result.due_at.astimezone(UTC) - served.served.astimezone(UTC)
    assert elapsed == timedelta(hours=HOUR_ROWS[rule_id])
    assert result.due_at.tzinfo == zone
    assert result.due_at.utcoffset() == result.due_at.astimezone(UTC).astimezone(zone).utcoffset()


# ---------------------------------------------------------------------------------------------
# 7. Formatting
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "text", "with_weekday"), [
    (date(2026, 12, 7), "December 7, 2026", "Monday, December 7, 2026"),
    (date(2027, 1, 4), "January 4, 2027", "Monday, January 4, 2027"),
    (date(2026, 11, 26), "November 26, 2026", "Thursday, November 26, 2026"),
    (date(2026, 3, 31), "March 31, 2026", "Tuesday, March 31, 2026"),
    (date(2027, 12, 25), "December 25, 2027", "Saturday, December 25, 2027"),
])
def test_long_date(day: date, text: str, with_weekday: str) -> None:
    assert long_date(day) == text
    assert long_date_with_weekday(day) == with_weekday


@pytest.mark.parametrize(("moment", "text"), [
    (datetime(2026, 11, 23, 0, 0), "12:00 AM"),
    (datetime(2026, 11, 23, 0, 5), "12:05 AM"),
    (datetime(2026, 11, 23, 9, 5), "9:05 AM"),
    (datetime(2026, 11, 23, 11, 59), "11:59 AM"),
    (datetime(2026, 11, 23, 12, 0), "12:00 PM"),
    (datetime(2026, 11, 23, 12, 59), "12:59 PM"),
    (datetime(2026, 11, 23, 13, 0), "1:00 PM"),
    (datetime(2026, 11, 23, 14, 15), "2:15 PM"),
    (datetime(2026, 11, 23, 23, 59), "11:59 PM"),
])
def test_clock(moment: datetime, text: str) -> None:
    assert clock(moment) == text


def test_a_delivery_date_without_a_time_words_hours_from_receipt(project: Project,
                                                                 calendar: OfficeCalendar,
                                                                 zone: ZoneInfo) -> None:
    served = service(datetime(2026, 11, 2, 10), "mail", zone, project.settings.calendar,
                     delivered=date(2026, 11, 4))
    result = compliance_deadline(project.catalog.deadline("abandoned_vehicle"), served,
                                 calendar, roll=True)
    assert result.wording == "within 24 hours of receiving this notice"


def test_a_skipped_wall_time_is_the_instant_it_stands_for(project: Project, zone: ZoneInfo
                                                          ) -> None:
    # 2:30 AM on Sun Mar 8, 2026 never happened in Chicago: it is 3:30 AM CDT.
    served = service(datetime(2026, 3, 8, 2, 30), "in_person", zone, project.settings.calendar)
    assert (served.served.hour, served.served.minute) == (3, 30)
