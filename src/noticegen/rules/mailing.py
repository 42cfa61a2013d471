"""When a batch may be dated: a day the post office accepts certified mail, not before what
the case records, not far in the future. (A document issued from the case page is not dated
before what the case records either.)"""

from __future__ import annotations

from datetime import date, timedelta

import holidays

from ..cases import Case
from ..config import MailSettings
from .deadlines import day_of, long_date


def mail_date_refusals(mail_date: date, today: date, mail: MailSettings) -> list[str]:
    """Why no batch may be dated that day (none if it may)."""
    refusals = []
    if mail_date.weekday() == 6:
        refusals.append(f"{long_date(mail_date)} is a Sunday: the post office accepts no "
                        "certified mail")
    federal = holidays.country_holidays("US", years=mail_date.year, observed=True)
    if name := federal.get(mail_date):
        refusals.append(f"{long_date(mail_date)} is {name}, a federal holiday: the post "
                        "office is closed")
    for closure in mail.post_office_closures:
        if closure.date == mail_date:
            refusals.append(f"{long_date(mail_date)}: the post office is closed "
                            f"({closure.name}; mail.post_office_closures)")
    if mail_date > today + timedelta(days=mail.max_days_ahead):
        refusals.append(f"{long_date(mail_date)} is more than {mail.max_days_ahead} days after "
                        f"today ({long_date(today)}; mail.max_days_ahead)")
    return refusals


def case_facts(case: Case) -> list[tuple[date, str]]:
    """What the case records, with its day: each observation and each step of the ladder."""
    facts = [(day_of(v.observed), f"violation {v.id} was observed") for v in case.violations]
    return facts + [(day_of(e.on), f"the {e.action.replace('_', ' ')} on record")
                    for e in case.history]


def before_the_case(day: date, facts: list[tuple[date, str]],
                    dated: str = "the mailing date") -> str | None:
    """A mailing (or a document: `dated` names which date it is) dated before the latest thing
    the case records (an observation, a step of the ladder) cannot be true; `facts` are (date,
    what)."""
    if not facts:
        return None
    latest, what = max(facts)
    if day < latest:
        return f"{dated} {long_date(day)} is before {what} on {long_date(latest)}"
    return None


