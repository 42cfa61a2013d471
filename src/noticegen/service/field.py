"""The officer's field pages: their open cases in the directive's priority order (III.A,
III.B, III.E) with what is due next and where; the ordinance catalog searched by citation or
words, each section with the deadline it gives (VIII.C) if served now; and the new case
form made into case data — from a complaint assigned to them (its case number, complainant
and day received) or from what they saw themselves (V.B) — checked as a case file is checked
and recorded as revision 1 with the officer as its actor."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime, time
from typing import Any, get_args
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict

from ..cases import Complainant, Role, mentioned
from ..catalog import Catalog, Ordinance
from ..errors import InputError, NotFound, NoticegenError, Problem
from ..models import Address
from ..rules import STEPS, OfficeCalendar, batch_order, compliance_deadline, next_steps, rank
from ..rules import service as served_on
from ..rules.deadlines import local
from ..tracking.report import FollowUp
from .app import App
from .cases import case_numbers, load_case
from .casework import Revised, create
from .complaints import ComplaintRow, complaint, complaint_queue
from .dates import parse_moment
from .queue import (
    NOT_ALONE,
    SKIPPED,
    Compliance,
    PriorityView,
    compliance,
    officer_name,
    priority_view,
)
from .submissions import new_key
from .tracking import due
from .views import SKEW, CaseView, ClerkCaseView, case_view, registry

WHERE = "new case"
"""Where a problem of the new case form is (its field names the input)."""
ROLES: tuple[str, ...] = get_args(Role)
FOUND = 12
"""The most catalog sections one search shows (the catalog is small: a narrower search)."""
NOISE = {"§", "sec", "sec.", "section", "tb"}
"""Words of a citation that every section has: left out of a search."""
TEXTS = ("location", "description", "corrective_action")
"""A violation's free text, printed on the notices to the responsible party."""


class NotLinked(NoticegenError):
    """A complaint that is not the officer's to open (not accepted, opened, another's)."""


def map_url(address: str) -> str:
    """The address as an RFC 5870 `geo:` URI with a query (`geo:0,0?q=…`): a plain link
    that opens the phone's own map app (Android hands it to the map app the officer chose),
    with no map vendor's web site in between and no coordinates to look up first; `0,0` is
    how the URI is written when only the query is known."""
    return "geo:0,0?q=" + quote(address, safe="")


# -- the officer's cases ---------------------------------------------------------------------

class Due(BaseModel):
    """What is due next on a case and when."""

    what: str
    on: date | None
    overdue: bool


class StepNow(BaseModel):
    """A step the ladder allows now, by the title of the document it issues."""

    name: str
    title: str
    reasons: list[str]


class MyCase(BaseModel):
    case_number: str
    address: str
    map_url: str
    priority: PriorityView
    due: Due
    steps: list[StepNow]
    """The ladder's steps allowed now (a writing-up step like the field report left out)."""


class MyComplaint(BaseModel):
    """A complaint assigned to the officer with no case yet."""

    case_number: str
    address: str
    map_url: str
    received: datetime
    seen: str
    kind_title: str | None
    priority: str
    open_url: str


class MyCases(BaseModel):
    officer: str
    officer_name: str
    as_of: date
    cases: list[MyCase]
    complaints: list[MyComplaint]


def my_cases(app: App, officer: str, as_of: date) -> MyCases:
    """The officer's open cases in the order the work queue ranks them (III.A, III.E, then
    as received, III.B), each with what is due next; and the accepted complaints assigned to
    them that no case was opened from yet."""
    catalog, settings = app.project.catalog, app.project.settings
    records = {r.case.case_number: r for r in (load_case(app, n) for n in case_numbers(app))
               if r.case.officer == officer and r.case.closure is None}
    follow = due(app, as_of)
    titles = step_titles(app)
    rows = []
    for case in batch_order([r.case for r in records.values()], catalog):
        steps = [StepNow(name=s.name, title=titles.get(s.name, s.name), reasons=list(s.reasons))
                 for s in next_steps(case, catalog, settings, as_of)
                 if s.allowed and s.name not in SKIPPED]
        address = case.property.address.one_line()
        rows.append(MyCase(
            case_number=case.case_number, address=address, map_url=map_url(address),
            priority=priority_view(rank(case, catalog)), steps=steps,
            due=next_due(case.case_number, follow,
                         compliance(records[case.case_number], catalog, settings, as_of),
                         steps, as_of)))
    waiting = [MyComplaint(
        case_number=row.case_number, address=row.address, map_url=map_url(row.address),
        received=row.received, seen=row.seen, kind_title=row.kind_title,
        priority=row.priority.label, open_url=f"/field/new?complaint={row.case_number}")
        for row in complaint_queue(app) if row.state == "accepted" and row.officer == officer]
    return MyCases(officer=officer, officer_name=officer_name(settings, officer), as_of=as_of,
                   cases=rows, complaints=waiting)


def step_titles(app: App) -> dict[str, str]:
    """Each step of the ladder by the title of the document it issues."""
    titles = {kind.step: kind.title for kind in registry(app).documents.values()}
    return {s: titles.get(s, s.replace("-", " ").capitalize()) for s in STEPS}


def next_due(number: str, follow: list[FollowUp], deadline: Compliance,
             steps: list[StepNow], as_of: date) -> Due:
    """The first of: a follow-up due (VIII.D.2, a posting, the six-month check), the
    compliance date the record acts on while it has not passed, a step the ladder allows
    now, the compliance date that passed."""
    mine = [f for f in follow if f.case_number == number]
    if mine:
        return Due(what=mine[0].what, on=mine[0].due, overdue=mine[0].due < as_of)
    if deadline.on is not None and not deadline.overdue:
        return Due(what=f"compliance date: {deadline.why}", on=deadline.on, overdue=False)
    step = next((s for s in steps if s.name not in NOT_ALONE), None)
    if step is not None:
        return Due(what=f"{step.title}: allowed now ({step.reasons[0]})", on=as_of,
                   overdue=False)
    if deadline.on is not None:
        return Due(what=f"compliance date passed: {deadline.why}", on=deadline.on,
                   overdue=True)
    return Due(what=f"nothing is due: {deadline.why}", on=None, overdue=False)


class FieldCase(BaseModel):
    """One case as the officer's phone page shows it."""

    case: ClerkCaseView | CaseView
    map_url: str
    due: Due
    deadlines: dict[str, str]
    """Each violation's deadline (by violation id), as the catalog words it (VIII.C)."""


def field_case(app: App, number: str, sees_complainant: bool, as_of: date) -> FieldCase:
    """The case page's facts (the complainant only when `sees_complainant`), with the map
    link, what is due next and each violation's deadline."""
    view = case_view(app, number, sees_complainant, as_of)
    catalog, titles = app.project.catalog, step_titles(app)
    return FieldCase(
        case=view, map_url=map_url(view.address),
        due=next_due(number, due(app, as_of), view.compliance,
                     [StepNow(name=s.name, title=titles[s.name], reasons=s.reasons)
                      for s in view.steps if s.name not in SKIPPED], as_of),
        deadlines={v.id: _deadline_label(catalog.ordinance(v.ordinance), catalog)
                   for v in view.violations})


# -- the ordinance catalog ---------------------------------------------------------------

class Found(BaseModel):
    """A section of the ordinance catalog, with the deadline a violation of it gets."""

    id: str
    citation: str
    title: str
    summary: str
    deadline: str
    """The catalog's words (VIII.C), e.g. 'within 10 days'."""
    if_served_now: str
    """The deadline if the notice is served in person now, as a notice words it."""
    due_on: date | None


def _words(text: str) -> list[str]:
    return re.sub(r"[§,;:()]", " ", text.lower()).split()


def _has(text: str, number: str, word: str) -> bool:
    """A word with a digit is a section's number ('34-2', not § 34-20) or its chapter ('34');
    other words may be part of a word ('weed' finds 'weeds')."""
    if any(ch.isdigit() for ch in word):
        return number == word or number.startswith(word + "-") or word.endswith("-" + number)
    return word in text


def search(app: App, query: str) -> list[Found]:
    """Sections whose id, citation, title or summary hold every word of the query (a
    section's number, '34-2', its chapter, '34', or words, 'grass'): the section of that
    number first, then those whose title has the words, in catalog order."""
    words = [w for w in _words(query) if w not in NOISE]
    if not words:
        return []
    ranked = []
    for order, s in enumerate(app.project.catalog.code.sections):
        number = _words(s.citation)[-1]
        text = " ".join(_words(" ".join((s.id, s.citation, s.title, s.summary))))
        if all(_has(text, number, w) for w in words):
            title = " ".join(_words(s.title))
            score = 0 if number in words or s.id.lower() in words else \
                1 if all(w in title for w in words) else 2
            ranked.append((score, order, s))
    at = app.now()
    return [found(app, s, at) for _, _, s in sorted(ranked, key=lambda r: r[:2])[:FOUND]]


def ordinance_of(app: App, ordinance: str) -> Ordinance:
    """The catalog's section, or NotFound naming the nearest id."""
    try:
        return app.project.catalog.ordinance(ordinance.strip())
    except KeyError:
        raise UnknownOrdinance(f"no section '{ordinance}' in the ordinance catalog",
                               "search the catalog by citation or words") from None


class UnknownOrdinance(NotFound):
    """No such section in the ordinance catalog."""


def _deadline_label(ordinance: Ordinance, catalog: Catalog) -> str:
    if ordinance.hearing_required:
        return "set by the order after a public hearing"
    return catalog.deadline(ordinance.deadline).label


def found(app: App, ordinance: Ordinance, at: datetime) -> Found:
    """The section with its deadline if served in person at `at` (the office calendar: a
    day count's last day on a weekend or holiday moves to the next business day)."""
    catalog, settings = app.project.catalog, app.project.settings
    if ordinance.hearing_required:
        wording, on = ("no deadline on the notice of violation: the order after the public "
                       "hearing gives it"), None
    else:
        deadline = compliance_deadline(
            catalog.deadline(ordinance.deadline),
            served_on(at, "in_person", settings.zone, settings.calendar),
            OfficeCalendar(settings.calendar), settings.calendar.roll_to_business_day)
        wording, on = deadline.wording, deadline.due_date
    return Found(id=ordinance.id, citation=ordinance.citation, title=ordinance.title,
                 summary=ordinance.summary, deadline=_deadline_label(ordinance, catalog),
                 if_served_now=wording, due_on=on)


# -- the new case form ---------------------------------------------------------------------

class PartyForm(BaseModel):
    """A responsible party as the form asks for them: role, name, mailing address."""

    model_config = ConfigDict(extra="forbid")

    role: str = "owner"
    name: str = ""
    street: str = ""
    street2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    phone: str = ""

    @property
    def blank(self) -> bool:
        return not any(v.strip() for k, v in self if k != "role")


class ViolationForm(BaseModel):
    """A violation picked from the catalog, with what the officer saw."""

    model_config = ConfigDict(extra="forbid")

    ordinance: str
    location: str = ""
    description: str = ""
    corrective_action: str = ""
    observed: str = ""
    """When it was seen: YYYY-MM-DD HH:MM (or the browser's YYYY-MM-DDTHH:MM), the agency's
    wall clock."""


class NewCase(BaseModel):
    """The new case form (and POST /api/field/cases): the property, its parcel, the
    responsible parties and the violations. `complaint`: the accepted complaint it is opened
    from (its case number), else it is the officer's own observation (V.B)."""

    model_config = ConfigDict(extra="forbid")

    complaint: str | None = None
    street: str = ""
    street2: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    parcel_id: str = ""
    zoning: str = ""
    parties: list[PartyForm] = []
    violations: list[ViolationForm] = []
    key: str = ""
    """The form's one-time key: the same form sent twice is refused (409)."""

    def kept(self) -> NewCase:
        """Without the parties left blank (one blank party stays, to be filled)."""
        parties = [p for p in self.parties if not p.blank]
        return self.model_copy(update={"parties": parties or [PartyForm()]})


GROUPED = re.compile(r"(parties|violations)-(\d{1,3})-(\w+)")


def read_form(fields: Mapping[str, str]) -> NewCase:
    """The form as a browser sends it (`parties-0-name`, `violations-1-location`, …), its
    parties and violations in the order of their numbers (a removed one leaves a gap)."""
    groups: dict[str, dict[int, dict[str, str]]] = {"parties": {}, "violations": {}}
    for name, value in fields.items():
        if match := GROUPED.fullmatch(name):
            groups[match[1]].setdefault(int(match[2]), {})[match[3]] = value
    parties = [PartyForm(**{k: v for k, v in given.items() if k in PartyForm.model_fields})
               for _, given in sorted(groups["parties"].items())]
    violations = [ViolationForm(**{k: v for k, v in given.items()
                                   if k in ViolationForm.model_fields})
                  for _, given in sorted(groups["violations"].items()) if given.get("ordinance")]
    top = {k: fields.get(k, "") for k in NewCase.model_fields
           if k not in ("complaint", "parties", "violations")}
    return NewCase(complaint=fields.get("complaint") or None, parties=parties,
                   violations=violations, **top)


def blank_form(app: App, officer: str, complaint_number: str | None
               ) -> tuple[NewCase, ComplaintRow | None]:
    """A new form (with its one-time key): from the complaint, its property's address as the
    complainant gave it, split into street, city, state and ZIP where it can be; else the
    agency's city and state."""
    row = openable(app, officer, complaint_number) if complaint_number else None
    home = app.project.settings.agency.address
    address = {"city": home.city, "state": home.state}
    if row is not None:
        address |= split_address(row.address)
    return NewCase(complaint=complaint_number, parties=[PartyForm()], key=new_key(),
                   **address), row


def reported(app: App, row: ComplaintRow | None) -> str:
    """The search that finds the section the complainant reported (its number), if any."""
    if row is None or row.kind not in app.project.catalog.ordinance_ids:
        return ""
    return _words(app.project.catalog.ordinance(row.kind).citation)[-1]


def split_address(text: str) -> dict[str, str]:
    """'512 N Britton St, Tom Bean, TX 75489' into its parts (what is not there is left
    out: the form asks for it)."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    found = {"street": parts[0] if parts else text.strip()}
    if len(parts) >= 2 and (last := re.fullmatch(
            r"(?:([A-Za-z .]+?)\s+)?([A-Za-z]{2})\.?\s+(\d{5}(?:-\d{4})?)", parts[-1])):
        city = last[1] or (parts[-2] if len(parts) >= 3 else "")
        found |= {"state": last[2].upper(), "zip": last[3]} | ({"city": city} if city else {})
    elif len(parts) >= 2:
        found["city"] = parts[1]
    return found


def openable(app: App, officer: str, number: str) -> ComplaintRow:
    """The complaint, if a case may be opened from it now by this officer: accepted (III.D),
    no case yet, and assigned to them or to no one (VII.B)."""
    row = complaint(app, number.strip())
    if row.state == "opened":
        raise NotLinked(f"a case was already opened from complaint {row.case_number}",
                        f"open case {row.case_number} from your cases")
    if row.state != "accepted":
        state = row.state.replace("_", " ")
        raise NotLinked(f"complaint {row.case_number} is not accepted ({state})",
                        "a complaint is accepted from the complaint queue first "
                        "(directive III.D)")
    if row.officer not in (None, officer):
        raise NotLinked(f"complaint {row.case_number} is assigned to "
                        f"{officer_name(app.project.settings, row.officer)}",
                        "ask for it to be assigned to you (directive VII.B)")
    return row


def with_violation(app: App, form: NewCase, ordinance: str) -> NewCase:
    """The form with one more violation of the section, seen now (the officer corrects the
    time if it was earlier)."""
    picked = ViolationForm(ordinance=ordinance_of(app, ordinance).id,
                           observed=app.now().strftime("%Y-%m-%dT%H:%M"))
    return form.model_copy(update={"violations": [*form.violations, picked]})


def without(form: NewCase, which: str) -> NewCase:
    """The form without the party or violation named `parties-N` / `violations-N`."""
    group, _, index = which.partition("-")
    if group not in ("parties", "violations") or not index.isdigit():
        return form
    kept = [x for i, x in enumerate(getattr(form, group)) if i != int(index)]
    if group == "parties" and not kept:
        kept = [PartyForm()]
    return form.model_copy(update={group: kept})


def picked(app: App, form: NewCase) -> dict[str, Found]:
    """The catalog sections of the form's violations, with their deadlines if served now."""
    at = app.now()
    ids = {v.ordinance for v in form.violations} & set(app.project.catalog.ordinance_ids)
    return {i: found(app, app.project.catalog.ordinance(i), at) for i in ids}


def open_case(app: App, officer: str, form: NewCase) -> Revised:
    """The form recorded as a new case (revision 1) opened today by the officer, with its
    "complaint received" event; every problem refused at once, each on its field, and
    nothing recorded then."""
    form = form.kept()
    row = openable(app, officer, form.complaint) if form.complaint else None
    data = case_data(app, officer, form, row)
    event = ("complaint_received", datetime.combine(date.fromisoformat(
        data["complaint"]["received"]), time(0, 0)), data["complaint"])
    try:
        return create(app, data, [event], form.key, WHERE)
    except InputError as exc:
        raise InputError([replace(p, field=form_field(p.field)) for p in exc.problems]
                         ) from None


def case_data(app: App, officer: str, form: NewCase, row: ComplaintRow | None
              ) -> dict[str, Any]:
    """The case data the form says (without a case number from an observation: the record
    gives it), or InputError with every problem of the form, by field."""
    problems: list[Problem] = []
    address = _address(form, "", "the property's address", problems)
    if not form.parcel_id.strip():
        problems.append(Problem(WHERE, None, "parcel_id", "give the property's parcel id",
                                "the Assessor's parcel number (Grayson CAD): the case file "
                                "holds the Assessor's information (directive VI.B.4)"))
    parties = [_party(form, i, problems) for i in range(len(form.parties))]
    if not form.violations:
        problems.append(Problem(WHERE, None, "violations",
                                "pick at least one violation from the ordinance catalog",
                                "search by citation (34-2) or by words (grass), then Pick"))
    who = row.complainant if row else None
    violations = [_violation(app, form, i, who, address, problems)
                  for i in range(len(form.violations))]
    if problems:
        raise InputError(problems)
    catalog, today = app.project.catalog, app.today()
    titles = list(dict.fromkeys(catalog.ordinance(v["ordinance"]).title for v in violations))
    received = local(row.received, app.project.settings.zone).date() if row else today
    data: dict[str, Any] = {
        "opened": today.isoformat(),
        "complaint": {"received": received.isoformat(),
                      "source": "citizen" if row else "staff_observation",
                      "type": (row.kind_title if row and row.kind_title else
                               "; ".join(titles)), "complainants": 1},
        "property": {"address": address, "parcel_id": form.parcel_id.strip()}
        | ({"zoning": form.zoning.strip()} if form.zoning.strip() else {}),
        "officer": officer, "responsible_parties": parties, "violations": violations}
    if row is not None:
        data["case_number"] = row.case_number
        data["complainant"] = row.complainant.model_dump(mode="json", exclude_defaults=True)
    return data


def _address(given: Any, prefix: str, whose: str, problems: list[Problem]
             ) -> dict[str, Any] | None:
    """The address of the fields `{prefix}street`, `street2`, `city`, `state`, `zip`."""
    street, street2, city = (getattr(given, f).strip() for f in ("street", "street2", "city"))
    state, zip_code = given.state.strip().upper(), given.zip.strip()
    found = len(problems)
    if not street:
        problems.append(Problem(WHERE, None, f"{prefix}street", f"give the street of {whose}",
                                "the number and street, e.g. 512 N Britton St, or a PO box"))
    if not city:
        problems.append(Problem(WHERE, None, f"{prefix}city", f"give the city of {whose}"))
    if not re.fullmatch(r"[A-Z]{2}", state):
        problems.append(Problem(WHERE, None, f"{prefix}state",
                                f"give the state of {whose} as two letters", "e.g. TX"))
    if not re.fullmatch(r"\d{5}(-\d{4})?", zip_code):
        problems.append(Problem(WHERE, None, f"{prefix}zip",
                                f"give the ZIP code of {whose}" if not zip_code else
                                f"'{zip_code}' is not a ZIP code", "5 digits, e.g. 75489"))
    if len(problems) > found:
        return None
    return {"lines": [line for line in (street, street2) if line], "city": city,
            "state": state, "zip": zip_code}


def _party(form: NewCase, index: int, problems: list[Problem]) -> dict[str, Any]:
    party = form.parties[index]
    prefix = f"parties-{index}-"
    if party.blank:
        problems.append(Problem(WHERE, None, f"{prefix}name",
                                "name at least one responsible party",
                                "the owner of record, from the Assessor's records "
                                "(directive VII.A.4)"))
        return {}
    if party.role not in ROLES:
        problems.append(Problem(WHERE, None, f"{prefix}role", f"'{party.role}' is not a role",
                                "one of: " + ", ".join(ROLES)))
    if not party.name.strip():
        problems.append(Problem(WHERE, None, f"{prefix}name", "give the party's name",
                                "as the Assessor's records or the party give it"))
    address = _address(party, prefix, "the party's mailing address", problems)
    same = sum(1 for p in form.parties[:index] if p.role == party.role)
    return {"id": party.role if not same else f"{party.role}-{same + 1}", "role": party.role,
            "name": party.name.strip(), "mailing_address": address} \
        | ({"phone": party.phone.strip()} if party.phone.strip() else {})


ASKED = {"location": ("say where on the property it is", "e.g. Front yard and the strip "
                      "along the street"),
         "description": ("describe what you saw", "as the notice will print it: what, how "
                         "much, how tall or how many"),
         "corrective_action": ("say what must be done to comply", "e.g. Mow the whole lot to "
                               "under 12 inches and haul off the cuttings")}


def _violation(app: App, form: NewCase, index: int, who: Complainant | None,
               address: dict[str, Any] | None, problems: list[Problem]) -> dict[str, Any]:
    violation = form.violations[index]
    prefix = f"violations-{index}-"
    ordinance = violation.ordinance.strip()
    if ordinance not in app.project.catalog.ordinance_ids:
        problems.append(Problem(WHERE, None, f"{prefix}ordinance",
                                f"no section '{ordinance}' in the ordinance catalog",
                                "remove it and pick the section from the search"))
    for key, (message, hint) in ASKED.items():
        if not getattr(violation, key).strip():
            problems.append(Problem(WHERE, None, prefix + key, message, hint))
    facts = who.identifying(public=(Address(**address),) if address else ()) if who else []
    for key in TEXTS:
        if fact := mentioned(getattr(violation, key), facts):
            problems.append(Problem(
                WHERE, None, prefix + key, f"names the complainant ('{fact}'), and this text "
                "is printed on notices to the responsible party",
                "describe the place without identifying the complainant (directive V.A.3)"))
    observed = _observed(app, violation.observed, prefix + "observed", problems)
    same = sum(1 for v in form.violations[:index] if v.ordinance == violation.ordinance)
    return {"id": ordinance.lower() if not same else f"{ordinance.lower()}-{same + 1}",
            "ordinance": ordinance, "observed": observed.isoformat() if observed else "",
            **{key: getattr(violation, key).strip() for key in TEXTS}}


def _observed(app: App, given: str, field: str, problems: list[Problem]) -> datetime | None:
    if not given.strip():
        problems.append(Problem(WHERE, None, field, "give the day and time you saw it",
                                "as YYYY-MM-DD HH:MM"))
        return None
    try:
        at = parse_moment(given, field, WHERE)
    except InputError as exc:
        problems += exc.problems
        return None
    if at > app.now() + SKEW:
        problems.append(Problem(WHERE, None, field, f"{at:%Y-%m-%d %H:%M} is later than now",
                                "give the day and time you saw it"))
    return at


FIELDS = [(re.compile(r"property\.address\.lines\[0\].*"), "street"),
          (re.compile(r"property\.address\.lines\[\d\].*"), "street2"),
          (re.compile(r"property\.address\.(city|state|zip)"), r"\1"),
          (re.compile(r"property\.(parcel_id|zoning)"), r"\1"),
          (re.compile(r"property.*"), "street"),
          (re.compile(r"responsible_parties\[(\d+)\]\.mailing_address\.lines\[0\].*"),
           r"parties-\1-street"),
          (re.compile(r"responsible_parties\[(\d+)\]\.mailing_address\.lines\[\d\].*"),
           r"parties-\1-street2"),
          (re.compile(r"responsible_parties\[(\d+)\]\.mailing_address\.(city|state|zip)"),
           r"parties-\1-\2"),
          (re.compile(r"responsible_parties\[(\d+)\]\.(role|name|phone)"), r"parties-\1-\2"),
          (re.compile(r"responsible_parties\[(\d+)\].*"), r"parties-\1-name"),
          (re.compile(r"violations\[(\d+)\]\.(\w+).*"), r"violations-\1-\2"),
          (re.compile(r"violations.*"), "violations")]
"""A case file's field (as `noticegen check` names it) and the form's field it comes from."""


def form_field(field: str) -> str:
    """The form's field a problem of the case data is about ('form': the whole form)."""
    for pattern, name in FIELDS:
        if pattern.fullmatch(field):
            return pattern.sub(name, field)
    return "form"
