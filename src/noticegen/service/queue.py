"""The clerk's work queue and follow-ups: open cases that may take a step of the ladder now,
in the directive's priority order (III.A, III.E), each with the rule that allows the step and
the compliance date the record acts on; what is due (`noticegen followups`) and the compliance
dates that pass in the coming week."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel

from ..catalog import Catalog
from ..config import Settings
from ..errors import InputError, Problem
from ..rules import Step, batch_order, compliance_due, long_date, next_steps, rank
from ..rules.ladder import STEPS, _at, _day, _last, history_until
from ..rules.priority import ELEVATED, Priority
from ..tracking.report import piece_report
from .app import App
from .cases import CaseRecord, case_numbers, load_case
from .dates import parse_day
from .tracking import due

SKIPPED = {
    "field-report": "the ladder allows it whenever a site visit is on file: writing up the "
                    "investigation is never what holds a case up (the case page offers it)",
}
"""Steps the queue leaves out, and why (shown on the page)."""
NOT_ALONE = {
    "referral": "directive XIII.A allows it for a priority-1 case at any time: on its own it "
                "would put every such case on the queue every day, so it is listed beside "
                "another step, not by itself",
}
"""Steps that are listed but do not by themselves put a case on the queue."""
QUEUE_STEPS = [s for s in STEPS if s not in SKIPPED and s != "closure"]
"""The steps an open case may take (the closure letter follows the closing of a case)."""
WEEK = 7
"""The follow-ups page's look-ahead: the as-of day and the six after it."""


class PriorityView(BaseModel):
    tier: int
    label: str
    reason: str
    """The reason that decides the tier (the others follow in `reasons`)."""
    reasons: list[str]


class StepView(BaseModel):
    name: str
    reasons: list[str]
    """The rule that allows the step (or, for a refused one, every rule against it)."""


class Compliance(BaseModel):
    """The compliance date the record acts on, and why that date."""

    on: date | None
    why: str
    overdue: bool


class QueueRow(BaseModel):
    case_number: str
    address: str
    officer: str
    officer_name: str
    categories: list[str]
    """The deadline categories (directive VIII.C rows) of the case's violations."""
    priority: PriorityView
    steps: list[StepView]
    compliance: Compliance


class Option(BaseModel):
    value: str
    label: str


class Queue(BaseModel):
    as_of: date
    step: str | None
    officer: str | None
    category: str | None
    overdue: bool
    rows: list[QueueRow]
    skipped: dict[str, str]
    """Steps left out of the queue, and why."""
    not_alone: dict[str, str]
    steps: list[Option]
    officers: list[Option]
    categories: list[Option]


class FollowUpRow(BaseModel):
    case_number: str
    due: date
    what: str


class WeekRow(BaseModel):
    case_number: str
    address: str
    officer_name: str
    compliance: Compliance


class FollowUps(BaseModel):
    as_of: date
    until: date
    due: list[FollowUpRow]
    """What `noticegen followups` prints: in-person follow-ups (VIII.D.2), pieces to post or
    publish instead, six-month checks after closure (XIII.D)."""
    this_week: list[WeekRow]
    """Open cases whose compliance date falls on the as-of day or the six after it."""


def as_of_date(app: App, given: str | None, field: str = "as_of") -> date:
    """The as-of day asked for (YYYY-MM-DD), or today in the agency's zone."""
    if not given or not given.strip():
        return app.today()
    return parse_day(given, field, "query")


def priority_view(priority: Priority) -> PriorityView:
    mark = f"III.A.{priority.tier}:" if priority.tier < ELEVATED else \
        "III.E:" if priority.tier == ELEVATED else "III.B:"
    deciding = next((r for r in priority.reasons if r.startswith(mark)), priority.reasons[0])
    return PriorityView(tier=priority.tier, label=priority.label, reason=deciding,
                        reasons=list(priority.reasons))


def compliance(record: CaseRecord, catalog: Catalog, settings: Settings, as_of: date
               ) -> Compliance:
    """The compliance date under the case's notice of violation (or the agreement that
    extended it) as the ladder reads it, with the reason in the words `track list` uses when
    the notice went by mail."""
    case = history_until(record.case, as_of)
    nov = _last(case, "nov")
    if nov is None:
        return Compliance(on=None, why="no notice of violation on file", overdue=False)
    on = compliance_due(case, catalog, settings)
    if on is None:
        return Compliance(on=None, overdue=False, why="the notice of violation gave no "
                          "compliance date: its violations await a public hearing")
    vca = _last(case, "vca")
    report = next((piece_report(p, catalog, settings) for p in record.pieces
                   if nov.document and p.document_id == nov.document), None)
    if vca is not None and _at(vca) >= _at(nov) and vca.extended_until == on:
        why = (f"extended by the voluntary compliance agreement of {long_date(_day(vca))} "
               "(directive VIII.C.2)")
    elif report is not None and report.acts_on == on:
        why = report.why
    elif report is not None:
        why = f"the date printed on the notice, but {report.why}"
    elif nov.deadline is not None:
        why = "the date printed on the notice"
    else:
        why = f"counted from the notice of violation of {long_date(_day(nov))}"
    return Compliance(on=on, why=why, overdue=on < as_of)


def _shown(steps: list[Step]) -> list[StepView]:
    return [StepView(name=s.name, reasons=list(s.reasons)) for s in steps
            if s.allowed and s.name not in SKIPPED]


def _categories(record: CaseRecord, catalog: Catalog) -> list[str]:
    return list(dict.fromkeys(catalog.ordinance(v.ordinance).deadline
                              for v in record.case.violations))


def _records(app: App) -> list[CaseRecord]:
    """Every case as the record has it now, in the directive's priority order."""
    records = {r.case.case_number: r for r in (load_case(app, n) for n in case_numbers(app))}
    ordered = batch_order([r.case for r in records.values()], app.project.catalog)
    return [records[c.case_number] for c in ordered]


def work_queue(app: App, as_of: date, step: str | None = None, officer: str | None = None,
               category: str | None = None, overdue: bool = False) -> Queue:
    """Open cases with a step the ladder allows as of `as_of`, in priority order; filtered
    by step, officer, deadline category, and whether the compliance date has passed."""
    catalog, settings = app.project.catalog, app.project.settings
    _check_choice("step", step, QUEUE_STEPS)
    _check_choice("officer", officer, [o.id for o in settings.officers])
    _check_choice("category", category, [d.id for d in catalog.deadlines.deadlines])
    rows = []
    for record in _records(app):
        case = record.case
        if case.closure is not None:
            continue
        steps = _shown(next_steps(case, catalog, settings, as_of))
        if not [s for s in steps if s.name not in NOT_ALONE]:
            continue
        categories = _categories(record, catalog)
        deadline = compliance(record, catalog, settings, as_of)
        if (step and step not in [s.name for s in steps]) or \
                (officer and case.officer != officer) or \
                (category and category not in categories) or (overdue and not deadline.overdue):
            continue
        rows.append(QueueRow(
            case_number=case.case_number, address=case.property.address.one_line(),
            officer=case.officer, officer_name=officer_name(settings, case.officer),
            categories=categories, priority=priority_view(rank(case, catalog)), steps=steps,
            compliance=deadline))
    return Queue(
        as_of=as_of, step=step, officer=officer, category=category, overdue=overdue,
        rows=rows, skipped=SKIPPED, not_alone=NOT_ALONE,
        steps=[Option(value=s, label=s) for s in QUEUE_STEPS],
        officers=[Option(value=o.id, label=o.name) for o in settings.officers],
        categories=[Option(value=d.id, label=_short(d.directive_row))
                    for d in catalog.deadlines.deadlines])


def _short(label: str, most: int = 72) -> str:
    """A category's directive row, cut at a word to fit a drop-down on a phone."""
    return label if len(label) <= most else label[:most - 1].rsplit(" ", 1)[0] + "…"


def _check_choice(field: str, given: str | None, known: list[str]) -> None:
    if given and given not in known:
        raise InputError([Problem("query", None, field, f"'{given}' is not one of the choices",
                                  "one of: " + ", ".join(known))])


def officer_name(settings: Settings, officer: str) -> str:
    """The officer's name from the settings (the id, if the settings no longer list them)."""
    try:
        return settings.officer(officer).name
    except KeyError:
        return officer


def followups(app: App, as_of: date) -> FollowUps:
    """What is due as of `as_of` (the same list as `noticegen followups`), and the open
    cases whose compliance date passes in the week from it."""
    catalog, settings = app.project.catalog, app.project.settings
    until = as_of + timedelta(days=WEEK - 1)
    week = []
    for record in _records(app):
        if record.case.closure is not None:
            continue
        deadline = compliance(record, catalog, settings, as_of)
        if deadline.on is not None and as_of <= deadline.on <= until:
            week.append(WeekRow(case_number=record.case.case_number,
                                address=record.case.property.address.one_line(),
                                officer_name=officer_name(settings, record.case.officer),
                                compliance=deadline))
    week.sort(key=lambda r: (r.compliance.on, r.case_number))
    return FollowUps(as_of=as_of, until=until,
                     due=[FollowUpRow(case_number=f.case_number, due=f.due, what=f.what)
                          for f in due(app, as_of)],
                     this_week=week)
