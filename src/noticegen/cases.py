"""Case files: one YAML file per code-enforcement case (schema in docs/schema.md)."""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Field,
    PositiveInt,
    StrictBool,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .errors import InputError, Problem
from .models import Address, Day, DayOrMoment, Identifier, Model, Moment, Text, invalid
from .source import Source, duplicate_ids, read_yaml, suggest, validate

Role = Literal["owner", "tenant", "lienholder", "contractor", "occupant", "other"]
Method = Literal["in_person", "door_hanger", "certified_mail", "first_class_mail", "posting",
                 "email"]
Action = Literal["warning_notice", "nov", "hearing_notice", "hearing_held", "hearing_order",
                 "vca_request", "vca", "follow_up", "citation", "stop_work_order", "referral",
                 "closure_letter"]
Ordered = Literal["vacate", "secure", "repair", "remove", "demolish"]
"""What a public hearing on a dangerous building may order the owner to do (Local Government
Code §214.001; Tom Bean Code §14-40(b))."""
FollowUpResult = Literal["corrected", "partially_corrected", "not_corrected", "no_contact"]
ClosureReason = Literal["no_violation", "voluntary_compliance", "convicted_and_corrected",
                        "deferred_agency_completed"]
Aggravating = Literal["deliberate", "economic_harm", "economic_benefit", "substantial_extent",
                      "long_uncorrected", "habitual", "community_interest", "cost_effective",
                      "unlikely_voluntary_compliance", "flagrant_visible"]
"""The aggravating circumstances of directive III.E, 1–10 in order."""


class Complaint(Model):
    """How the case began (directive III.D, V)."""

    received: Day
    source: Literal["citizen", "city_personnel", "staff_observation", "permit_monitoring"]
    type: Text
    complainants: PositiveInt = 1


MIN_FACT = 4
"""Shorter facts (initials) would be found inside ordinary words and numbers."""


class Complainant(Model):
    """Who complained. Never shown to a responsible party (directive V.A.3)."""

    anonymous: StrictBool = False
    name: Text | None = None
    phone: Text | None = None
    email: Text | None = None
    mailing_address: Address | None = None

    @model_validator(mode="after")
    def _identifiable(self) -> Complainant:
        given = [self.name, self.phone, self.email, self.mailing_address]
        if self.anonymous and any(v is not None for v in given):
            raise invalid("an anonymous complainant cannot also have a name or contact details",
                          "remove them, or set anonymous: false")
        if not self.anonymous and self.name is None:
            raise invalid("the complainant has no name",
                          "add name:, or set anonymous: true (directive V.A.2)")
        if not self.anonymous and not any(given[1:]):
            raise invalid("the complainant cannot be reached",
                          "add a phone, email or mailing_address (directive III.D.2)")
        return self

    @property
    def can_receive_letter(self) -> bool:
        return not self.anonymous and (self.mailing_address is not None or self.email is not None)

    def identifying(self, public: Collection[Address] = ()) -> list[str]:
        """What in free text would identify the complainant (directive V.A.3): the name (a
        city employee's also without the title in parentheses), phone, email and the mailing
        address's first line, unless that address identifies no one (`public`: the
        property's, the City's)."""
        if self.anonymous:
            return []
        facts = [self.name, self.phone, self.email]
        if self.name and "(" in self.name:
            facts.append(self.name.split("(", 1)[0])
        if self.mailing_address and self.mailing_address not in public:
            facts.append(self.mailing_address.lines[0])
        kept = (" ".join(f.split()) for f in facts if f)
        return list(dict.fromkeys(f for f in kept if len(f) >= MIN_FACT))


def _mention_pattern(facts: list[str]) -> re.Pattern[str] | None:
    """Any of the facts, longest first, whatever the case and the spacing, not inside a
    longer word."""
    if not facts:
        return None
    parts = [r"\s+".join(map(re.escape, fact.split()))
             for fact in sorted(facts, key=len, reverse=True)]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def mentioned(text: str | None, facts: list[str]) -> str | None:
    """The first fact (see `Complainant.identifying`) the text names, or None."""
    pattern = _mention_pattern(facts)
    found = pattern.search(text) if pattern and text else None
    return found.group(0) if found else None


def redacted(text: str, facts: list[str], by: str) -> str:
    """The text with each mention of the facts replaced by `by`."""
    pattern = _mention_pattern(facts)
    return pattern.sub(by, text) if pattern else text


class Property(Model):
    address: Address
    parcel_id: Text
    zoning: Text | None = None


class ResponsibleParty(Model):
    id: Identifier
    role: Role
    name: Text
    mailing_address: Address
    phone: Text | None = None
    email: Text | None = None
    role_detail: Text | None = None


class Photo(Model):
    file: Path
    caption: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        return {"file": value} if isinstance(value, str) else value

    @field_validator("file")
    @classmethod
    def _relative_to_case(cls, value: Path, info: ValidationInfo) -> Path:
        base = (info.context or {}).get("base")
        return value if value.is_absolute() or base is None else Path(base) / value


class Violation(Model):
    id: Identifier
    ordinance: Identifier
    observed: Moment
    location: Text
    description: Text
    corrective_action: Text
    photos: list[Photo] = []
    photo_override: Text | None = None


class HistoryEntry(Model):
    """Something the division did or found, in the order it happened."""

    action: Action
    on: DayOrMoment
    method: Method | None = None
    recipients: list[Identifier] = []
    violations: list[Identifier] = []
    result: FollowUpResult | None = None
    admitted: StrictBool | None = None
    extended_until: Day | None = None
    notes: Text | None = None
    document: Text | None = None
    """The document noticegen issued for this step (entries it records itself)."""
    deadline: Day | None = None
    """The compliance date printed on a notice noticegen issued (entries it records itself);
    the record acts on it, or on a later one where the piece was served later."""
    reason: Text | None = None
    """Why a notice was served again while one was in force (a re-service reason)."""
    hearing_at: Moment | None = None
    """For a hearing_notice: when the public hearing it gives notice of is held."""
    ordered: list[Ordered] | None = None
    """For hearing_held: what the hearing ordered ([] for no order)."""

    @model_validator(mode="after")
    def _fields_fit_action(self) -> HistoryEntry:
        if self.action == "follow_up" and self.result is None:
            raise invalid("a follow_up needs its result",
                          "result: corrected | partially_corrected | not_corrected | no_contact")
        if self.action != "follow_up" and self.result is not None:
            raise invalid(f"'result' belongs to follow_up entries, not {self.action}")
        if (self.action == "hearing_held") != (self.ordered is not None):
            raise invalid("a hearing_held entry, and only it, has 'ordered': what the hearing "
                          "ordered", "e.g. ordered: [secure, demolish], or ordered: [] for none")
        if (self.action == "hearing_notice") != (self.hearing_at is not None):
            raise invalid("a hearing_notice entry, and only it, has 'hearing_at': when the "
                          "hearing is held", "e.g. hearing_at: 2026-12-15 18:00")
        if self.action in ("vca_request", "vca") and (self.admitted is None
                                                      or self.extended_until is None):
            raise invalid(f"a {self.action} entry needs 'admitted' and 'extended_until'",
                          "e.g. admitted: true and extended_until: 2026-12-30")
        return self


class PriorViolation(Model):
    """An earlier violation by this party or on this property (directive VIII.C.1)."""

    case_number: Text
    ordinance: Identifier
    on: Day
    corrected: StrictBool


class Witness(Model):
    name: Text
    statement: Text


class SiteVisit(Model):
    """A field visit as directive VII.D.3 asks the report to record it."""

    at: Moment
    place: Text
    violations: list[Identifier] = []
    """The case's violations observed at this visit (c); with none, `conditions` explains what
    was found (d)."""
    conditions: Text
    witnesses: list[Witness] = []
    evidence: list[Text] = []
    discussions: list[Text] = []
    corrective_action: Text | None = None
    """The action necessary to correct what was observed (h), as the officer wrote it at the
    visit (each violation keeps its own `corrective_action` too)."""
    recommended_action: Text
    referrals: list[Text] = []


class Closure(Model):
    reason: ClosureReason
    on: Day
    resolution: Text
    extenuating_circumstances: StrictBool = False


class Case(Model):
    case_number: Annotated[str, Field(pattern=r"^[A-Z]{2,4}-\d{4}-\d{3,5}$")]
    opened: Day
    complaint: Complaint
    property: Property
    complainant: Complainant | None = None
    officer: Identifier
    responsible_parties: Annotated[list[ResponsibleParty], Field(min_length=1)]
    violations: list[Violation] = []
    aggravating: list[Aggravating] = []
    prior_violations: list[PriorViolation] = []
    site_visits: list[SiteVisit] = []
    history: list[HistoryEntry] = []
    closure: Closure | None = None

    def party(self, party_id: str) -> ResponsibleParty:
        for party in self.responsible_parties:
            if party.id == party_id:
                return party
        raise KeyError(party_id)

    def violation(self, violation_id: str) -> Violation:
        for violation in self.violations:
            if violation.id == violation_id:
                return violation
        raise KeyError(violation_id)


def case_problems(case: Case, source: Source) -> list[Problem]:
    """Checks that need the whole case but nothing outside it."""
    problems = duplicate_ids(source, "responsible_parties", case.responsible_parties, "party")
    problems += duplicate_ids(source, "violations", case.violations, "violation")
    party_ids = [p.id for p in case.responsible_parties]
    violation_ids = [v.id for v in case.violations]
    for index, entry in enumerate(case.history):
        for key, refs, known, what in (("recipients", entry.recipients, party_ids, "party"),
                                       ("violations", entry.violations, violation_ids,
                                        "violation")):
            for ref_index, ref in enumerate(refs):
                if ref not in known:
                    near = suggest(ref, known)
                    problems.append(source.problem(
                        ("history", index, key, ref_index), f"no {what} '{ref}' in this case",
                        f"did you mean '{near}'?" if near else "known: " + ", ".join(known)))
    for index, visit in enumerate(case.site_visits):
        for ref_index, ref in enumerate(visit.violations):
            if ref not in violation_ids:
                near = suggest(ref, violation_ids)
                problems.append(source.problem(
                    ("site_visits", index, "violations", ref_index),
                    f"no violation '{ref}' in this case",
                    f"did you mean '{near}'?" if near else
                    "known: " + (", ".join(violation_ids) or "none")))
    problems += _complainant_leaks(case, source)
    needs_complainant = case.complaint.source in ("citizen", "city_personnel")
    if needs_complainant and case.complainant is None:
        problems.append(source.problem(
            ("complainant",), "a complaint from a citizen or city employee needs its complainant",
            "add complainant: with name and contact, or anonymous: true (directive V.A.2)"))
    if not needs_complainant and case.complainant is not None:
        problems.append(source.problem(
            ("complainant",), f"a case from {case.complaint.source} has no complainant",
            "remove complainant:, or set complaint.source: citizen"))
    return problems


def _complainant_leaks(case: Case, source: Source) -> list[Problem]:
    """Violation text is printed on notices to the responsible party; it must not identify the
    complainant (directive V.A.3)."""
    who = case.complainant
    facts = who.identifying(public=(case.property.address,)) if who else []
    problems = []
    for index, violation in enumerate(case.violations):
        for key in ("location", "description", "corrective_action"):
            if fact := mentioned(getattr(violation, key), facts):
                problems.append(source.problem(
                    ("violations", index, key),
                    f"names the complainant ('{fact}'), and this text is printed on "
                    "notices to the responsible party",
                    "describe the place without identifying the complainant "
                    "(directive V.A.3)"))
    return problems


def read_case(path: Path) -> tuple[Case | None, Source | None, list[Problem]]:
    """One case file: the case (None if invalid), where it came from, and its problems."""
    try:
        source = read_yaml(path)
    except InputError as exc:
        return None, None, exc.problems
    case, problems = validate(Case, source, context={"base": path.parent})
    if case is not None:
        problems = case_problems(case, source)
    return (None if problems else case), source, problems
