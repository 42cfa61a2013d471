"""The enforcement ladder (directive VIII, X.A, XIII): what may be issued next, and why not."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..cases import Case, HistoryEntry
from ..catalog import Catalog
from ..config import Settings
from ..errors import NoticegenError
from .calendar import OfficeCalendar
from .deadlines import day_of, long_date, notice_deadlines, service

STEPS = ("warning", "nov", "hearing-notice", "hearing-order", "vca", "follow-up", "citation",
         "referral", "stop-work", "closure", "field-report")
"""Every step the ladder rules on, in the order the directive climbs them."""

_MAILED = {"certified_mail", "first_class_mail"}

RESERVICE = {
    "returned_undeliverable": "the notice came back undeliverable",
    "refused_posted": "the notice was refused or unclaimed and is re-served by posting",
    "new_owner": "a new owner of record",
    "new_violation": "a new violation",
}
"""Why a notice of violation may be served again while one is in force; the reason is recorded."""


@dataclass(frozen=True)
class Step:
    """One possible next step: allowed or not, with the rule behind the answer."""

    name: str
    allowed: bool
    reasons: tuple[str, ...]


class StepRefused(NoticegenError):
    """A document the ladder does not allow for this case at this time."""

    exit_code = 2


def _at(entry: HistoryEntry) -> datetime:
    return entry.on if isinstance(entry.on, datetime) else datetime.combine(entry.on, time(12))


def _day(entry: HistoryEntry) -> date:
    return day_of(entry.on)


def _last(case: Case, action: str) -> HistoryEntry | None:
    entries = [e for e in case.history if e.action == action]
    return max(entries, key=_at) if entries else None


def compliance_due(case: Case, catalog: Catalog, settings: Settings) -> date | None:
    """The date compliance is due under the last NOV, or the VCA that extended it."""
    nov = _last(case, "nov")
    if nov is None or not case.violations:
        return None
    vca = _last(case, "vca")
    if vca is not None and _at(vca) >= _at(nov) and vca.extended_until:
        return vca.extended_until
    return nov_deadline(case, nov, catalog, settings)


def nov_deadline(case: Case, nov: HistoryEntry, catalog: Catalog, settings: Settings
                 ) -> date | None:
    """The earliest deadline the NOV gave: the date on record for a notice noticegen issued
    (never earlier than the one printed on it), else counted the way it was served; none when
    every violation it cites awaits a public hearing (the order after it gives the deadline)."""
    if nov.deadline is not None:
        return nov.deadline
    method = "mail" if nov.method in _MAILED else "in_person"
    served = service(_at(nov), method, settings.zone, settings.calendar)
    cited = [v for v in case.violations if (not nov.violations or v.id in nov.violations)
             and not catalog.ordinance(v.ordinance).hearing_required]
    if not cited:
        return None
    deadlines = notice_deadlines([(v.id, v.ordinance) for v in cited], catalog, served,
                                 OfficeCalendar(settings.calendar),
                                 settings.calendar.roll_to_business_day)
    return deadlines.earliest.due_at.date()


def _closed(case: Case) -> tuple[str, ...]:
    if case.closure:
        return (f"Directive XIII.B: the file was closed on {long_date(case.closure.on)} "
                f"({case.closure.reason.replace('_', ' ')}); reopen it to act again",)
    return ()


def _no_violations(case: Case) -> tuple[str, ...]:
    if not case.violations:
        return ("Directive VII.A: no violation has been established in this case file",)
    return ()


def _warning(case: Case, **_: object) -> tuple[str, ...]:
    refusals = _closed(case) + _no_violations(case)
    nov = _last(case, "nov")
    if nov:
        refusals += (f"Directive VIII.A.1: a warning notice is the first, informal step, but an "
                     f"NOV was already issued on {long_date(_day(nov))}",)
    return refusals


def _nov(case: Case, catalog: Catalog, settings: Settings, as_of: date,
         reservice: str | None = None, **_: object) -> tuple[str, ...]:
    refusals = _closed(case) + _no_violations(case)
    vca = _last(case, "vca")
    if vca is not None and vca.extended_until and as_of <= vca.extended_until:
        refusals += (f"Directive VIII.C.2: the case is under a voluntary compliance agreement "
                     f"entered on {long_date(_day(vca))}, which gives until "
                     f"{long_date(vca.extended_until)}; it is not noticed again before then",)
    noticed = [e for e in case.history if e.action == "nov"]
    covered = {vid for e in noticed for vid in (e.violations or [v.id for v in case.violations])}
    current = {v.id for v in case.violations}
    if reservice is not None and reservice not in RESERVICE:
        refusals += (f"unknown re-service reason '{reservice}'; reasons: "
                     + ", ".join(RESERVICE),)
    elif reservice == "new_violation" and current <= covered:
        refusals += ("Directive VIII.B: re-service for a new violation, but every violation "
                     "of the case is already in a notice of violation on file",)
    elif reservice is None and current & covered:
        last = max(noticed, key=_at)
        due = compliance_due(case, catalog, settings)
        refusals += (f"Directive VIII.B: a notice of violation for "
                     f"{', '.join(sorted(current & covered))} was issued on "
                     f"{long_date(_day(last))} (compliance due {long_date(due) if due else '—'})"
                     " and is in force; a second one is served only for a re-service reason: "
                     + "; ".join(f"{key} ({text})" for key, text in RESERVICE.items()),)
    for v in case.violations:
        if catalog.ordinance(v.ordinance).visible and not v.photos and not v.photo_override:
            refusals += (f"Directive VIII.B.2.d: the NOV must provide a photograph of the "
                         f"violation; violation '{v.id}' ({v.ordinance}) has no photo and no "
                         f"recorded override with a written reason",)
    return refusals


def _vca(case: Case, catalog: Catalog, settings: Settings, as_of: date,
         **_: object) -> tuple[str, ...]:
    refusals = _closed(case)
    nov = _last(case, "nov")
    if nov is None:
        return (*refusals, "Directive VIII.C.2: a voluntary compliance agreement may only follow "
                "the issuance of a notice of violation; no NOV is on file")
    for prior in case.prior_violations:
        refusals += (f"Directive VIII.C.1: voluntary compliance without penalty is not allowed "
                     f"for a repeat offense (prior case {prior.case_number}, {prior.ordinance}, "
                     f"{long_date(prior.on)})",)
        if not prior.corrected:
            refusals += (f"Directive VIII.C.1: not allowed where the original violation was not "
                         f"corrected after prior enforcement (case {prior.case_number})",)
    request = _last(case, "vca_request")
    if request is None or _at(request) < _at(nov):
        return (*refusals, "Directive VIII.C.2: the responsible party must appear before the "
                "Chief of Police and request the extension; no vca_request after the NOV is on "
                "file")
    if not request.admitted:
        refusals += ("Directive VIII.C.2: a VCA requires that the alleged violator admits the "
                     "violation(s); the request on file records no admission",)
    vca = _last(case, "vca")
    if vca is not None and _at(vca) >= _at(request):
        refusals += (f"a VCA was already entered on {long_date(_day(vca))} for this request",)
    original = nov_deadline(case, nov, catalog, settings)
    if original is None:
        return (*refusals, _AWAITING_HEARING)
    limit = original + timedelta(days=settings.enforcement.vca_max_extension_days)
    wanted = request.extended_until
    assert wanted is not None
    if wanted <= as_of:
        refusals += (f"Directive VIII.C.2: the extended deadline ({long_date(wanted)}, the "
                     f"request's extended_until) must fall after the agreement itself "
                     f"({long_date(as_of)})",)
    elif wanted <= original:
        refusals += (f"Directive VIII.C.2: the extended deadline ({long_date(wanted)}) must fall "
                     f"after the NOV's deadline ({long_date(original)})",)
    elif wanted > limit:
        refusals += (f"Directive VIII.C (limited time frame): the extended deadline "
                     f"({long_date(wanted)}) is past the agency maximum of "
                     f"{settings.enforcement.vca_max_extension_days} days after the NOV's "
                     f"deadline ({long_date(limit)})",)
    return refusals


def _expired(case: Case, catalog: Catalog, settings: Settings, as_of: date) -> tuple[str, ...]:
    due = compliance_due(case, catalog, settings)
    if due is None and _last(case, "nov") is not None:
        return (_AWAITING_HEARING,)
    if due is None:
        return ("Directive VIII.D.1: a notice of violation with a compliance date must be "
                "issued first; no NOV is on file",)
    if as_of <= due:
        return (f"Directive VIII.D.2: the compliance date ({long_date(due)}) has not yet "
                f"expired (as of {long_date(as_of)})",)
    return ()


def _follow_up(case: Case, catalog: Catalog, settings: Settings, as_of: date,
               **_: object) -> tuple[str, ...]:
    return _closed(case) + _expired(case, catalog, settings, as_of)


def _follow_up_after(case: Case, due: date) -> HistoryEntry | None:
    """The last in-person follow-up after the compliance date (directive VIII.D.2)."""
    checks = [e for e in case.history if e.action == "follow_up" and _day(e) > due]
    return max(checks, key=_at) if checks else None


def offense_inspection(case: Case, catalog: Catalog, settings: Settings
                       ) -> tuple[date, HistoryEntry] | None:
    """(the compliance date, the follow-up inspection that found the violation uncorrected
    after it) (directive VIII.D.2–3): the offense a citation charges is on that day, not the
    day the condition was first seen."""
    due = compliance_due(case, catalog, settings)
    last = _follow_up_after(case, due) if due is not None else None
    if due is None or last is None or last.result == "corrected":
        return None
    return due, last


def _citation(case: Case, catalog: Catalog, settings: Settings, as_of: date,
              **_: object) -> tuple[str, ...]:
    refusals = _closed(case) + _expired(case, catalog, settings, as_of)
    if refusals:
        return refusals
    due = compliance_due(case, catalog, settings)
    assert due is not None
    last = _follow_up_after(case, due)
    if last is None:
        return ("Directive VIII.D.2: after the compliance date expires the officer should "
                "conduct an in-person follow-up; none is recorded after "
                f"{long_date(due)}",)
    if last.result == "corrected":
        return (f"Directive VIII.D.3: the follow-up of {long_date(_day(last))} found the "
                "violation corrected; a citation is a last resort for refusal or no response",)
    return ()


def _citations_by_violation(case: Case) -> dict[str, list[HistoryEntry]]:
    counts: dict[str, list[HistoryEntry]] = {v.id: [] for v in case.violations}
    for entry in case.history:
        if entry.action == "citation":
            for vid in entry.violations or list(counts):
                counts.setdefault(vid, []).append(entry)
    return counts


def _referral(case: Case, catalog: Catalog, **_: object) -> tuple[str, ...]:
    if case.closure:
        return _closed(case)
    if any(catalog.ordinance(v.ordinance).priority == 1 for v in case.violations):
        return ()
    for citations in _citations_by_violation(case).values():
        if len(citations) >= 3:
            third = sorted(citations, key=_at)[2]
            later = [e for e in case.history if e.action == "follow_up" and _at(e) > _at(third)]
            if later and max(later, key=_at).result != "corrected":
                return ()
            return (f"Directive XIII.A.2: the third citation was issued on "
                    f"{long_date(_day(third))}; a follow-up must find the violation still "
                    f"uncorrected before referral",)
    most = max((len(c) for c in _citations_by_violation(case).values()), default=0)
    return ("Directive XIII.A: refer to the City Attorney only for an imminent threat to "
            "public health, safety or the environment, or after a third citation for the same "
            f"infraction; this case has {most} citation(s) for any one violation and no "
            "priority-1 violation",)


def _stop_work(case: Case, catalog: Catalog, **_: object) -> tuple[str, ...]:
    refusals = _closed(case)
    if not any(catalog.ordinance(v.ordinance).stop_work_order for v in case.violations):
        refusals += ("Directive X.A.1: a stop work order is issued for construction, "
                     "installation or land use without a permit or approval; none of this "
                     "case's violations is of that kind",)
    return refusals


def _closure(case: Case, **_: object) -> tuple[str, ...]:
    refusals: tuple[str, ...] = ()
    if case.closure is None:
        refusals += ("Directive XIII.B: the file is not closed; record the closure reason "
                     "(one of the four of XIII.B) first",)
    complainant = case.complainant
    if complainant is None:
        refusals += ("Directive XIII.C: the notice of resolution goes to the complainant; this "
                     f"case came from {case.complaint.source.replace('_', ' ')} and has none",)
    elif complainant.anonymous:
        refusals += ("Directive XIII.C: the complainant is anonymous; there is no one to send "
                     "the notice of resolution to",)
    elif not complainant.can_receive_letter:
        refusals += ("Directive XIII.C: written notice needs the complainant's mailing address "
                     "or email; neither is on file",)
    return refusals


def _field_report(case: Case, **_: object) -> tuple[str, ...]:
    if not case.site_visits:
        return ("Directive VII.D.3: the report records a field investigation; no site visit "
                "is in the case file",)
    return ()


def _hearing_needed(case: Case, catalog: Catalog, what: str) -> tuple[str, ...]:
    if not any(catalog.ordinance(v.ordinance).hearing_required for v in case.violations):
        return (f"Tom Bean Code §14-40(b), Local Government Code §214.001: {what} is for a "
                "dangerous building; no violation of this case is of a section that requires "
                "a public hearing",)
    return ()


def _hearing_notice(case: Case, catalog: Catalog, **_: object) -> tuple[str, ...]:
    return _closed(case) + _hearing_needed(case, catalog, "a notice of public hearing")


def _hearing_order(case: Case, catalog: Catalog, **_: object) -> tuple[str, ...]:
    refusals = _closed(case) + _hearing_needed(case, catalog, "an order after a hearing")
    held = _last(case, "hearing_held")
    if held is None:
        return (*refusals, "Local Government Code §214.001: a building is ordered vacated, "
                "secured, repaired, removed or demolished only after a public hearing; no "
                "hearing_held is on record")
    if not any(e.action == "hearing_notice" and _at(e) < _at(held) for e in case.history):
        refusals += (f"Local Government Code §214.001: the hearing held on "
                     f"{long_date(_day(held))} has no notice of public hearing on record "
                     "before it",)
    if not held.ordered:
        refusals += (f"Local Government Code §214.001: the hearing held on "
                     f"{long_date(_day(held))} ordered nothing (its entry's 'ordered' is "
                     "empty)",)
    return refusals


_AWAITING_HEARING = ("Local Government Code §214.001: the notice of violation gave no "
                     "compliance date, because its violations await a public hearing; the "
                     "order after the hearing sets it")

_RULES = {"warning": _warning, "nov": _nov, "hearing-notice": _hearing_notice,
          "hearing-order": _hearing_order, "vca": _vca, "follow-up": _follow_up,
          "citation": _citation, "referral": _referral, "stop-work": _stop_work,
          "closure": _closure, "field-report": _field_report}


def history_until(case: Case, day: date) -> Case:
    """The case as the file stood at the end of that day: later history is not yet known."""
    return case.model_copy(update={"history": [e for e in case.history if _day(e) <= day]})


def next_steps(case: Case, catalog: Catalog, settings: Settings, as_of: date) -> list[Step]:
    """Every step of the ladder, allowed or refused with the rule that decides it."""
    case = history_until(case, as_of)
    steps = []
    for name in STEPS:
        refusals = _RULES[name](case=case, catalog=catalog, settings=settings, as_of=as_of,
                                reservice=None)
        steps.append(Step(name, not refusals, refusals or (_why(name, case),)))
    return steps


def require(step: str, case: Case, catalog: Catalog, settings: Settings, as_of: date,
            reservice: str | None = None) -> None:
    """Raise StepRefused, quoting the rules, unless the ladder allows this step now
    (`reservice`: why a notice of violation is served again while one is in force)."""
    case = history_until(case, as_of)
    refusals = _RULES[step](case=case, catalog=catalog, settings=settings, as_of=as_of,
                            reservice=reservice)
    if refusals:
        raise StepRefused(f"{case.case_number}: {step} may not be issued now:\n  - "
                          + "\n  - ".join(refusals),
                          "`noticegen next CASE` shows what may be issued now, and why")


def _why(name: str, case: Case) -> str:
    return {
        "warning": "Directive VIII.A: a warning notice is the usual first, informal step",
        "nov": "Directive VIII.B: the NOV is the first formal step in the abatement process",
        "hearing-notice": "Local Government Code §214.001: a dangerous building is noticed for "
                          "a public hearing",
        "hearing-order": "Local Government Code §214.001: the hearing ordered the building "
                         "vacated, secured, repaired, removed or demolished",
        "vca": "Directive VIII.C.2: the party admitted the violation and asked for an extension",
        "follow-up": "Directive VIII.D.2: the compliance date has expired; follow up in person",
        "citation": "Directive VIII.D.3: the follow-up found the party unresponsive or refusing",
        "referral": "Directive XIII.A: the case qualifies for referral to the City Attorney",
        "stop-work": "Directive X.A.1: work without a permit or approval must stop",
        "closure": "Directive XIII.C: the file is closed; tell the complainant how it was resolved",
        "field-report": "Directive VII.D.3: the field investigation is documented",
    }[name]
