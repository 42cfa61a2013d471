"""What a template may see. A responsible party's documents are built from a view of the case
that has no complainant in it at all (directive V.A.3); only the closure letter gets one."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from ..cases import Case, HistoryEntry, PriorViolation, ResponsibleParty, Violation, mentioned
from ..config import Settings
from ..models import Address
from ..rules.deadlines import clock, long_date, long_date_with_weekday
from ..source import Loc, format_loc

ROLE_LABELS = {"owner": "Owner", "tenant": "Tenant", "lienholder": "Lienholder",
               "contractor": "Contractor", "occupant": "Occupant", "other": "Responsible party"}
ENFORCEMENT_LEVELS = (
    "Voluntary compliance (the purpose of this notice)",
    "A stop work order, where work is being done without a permit",
    "Revocation of permits, or refusal of further permits for the property",
    "Physical abatement by the City or its agents, with the costs assessed to you",
    "A citation and prosecution in the Municipal Court",
)
"""Directive III.C, in plain words, in the order the City applies them."""
CLOSURE_REASONS = {
    "no_violation": "After investigation, no violation of the City code was found.",
    "voluntary_compliance": "The responsible party corrected the violation voluntarily.",
    "convicted_and_corrected": "The responsible party was convicted of the offense in "
                               "Municipal Court and has corrected the violation.",
    "deferred_agency_completed": "The investigation and prosecution were completed by the state "
                                 "or federal agency to which the City deferred enforcement.",
}
"""Directive XIII.B's four reasons for closing a file, as the complainant reads them."""


def when(moment: datetime | date) -> str:
    """'November 3, 2026 at 10:15 AM', or just the date."""
    if isinstance(moment, datetime):
        return f"{long_date(moment.date())} at {clock(moment)}"
    return long_date(moment)


def data_uri(path: Path) -> str:
    kind = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg",
            "svg": "image/svg+xml"}[path.suffix.lower().lstrip(".")]
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"


@dataclass(frozen=True)
class Letterhead:
    name: str
    department: str
    division: str
    address_lines: tuple[str, ...]
    phone: str
    email: str
    website: str
    logo: str

    @classmethod
    def of(cls, settings: Settings) -> Letterhead:
        a = settings.agency
        return cls(a.name, a.department, a.division, tuple(a.address.printed), a.phone,
                   a.email, a.website, data_uri(a.logo))


@dataclass(frozen=True)
class OfficerView:
    name: str
    badge: str
    title: str
    phone: str
    email: str


COPY_ONLY_ROLES = frozenset({"lienholder"})
"""Recipients told of a notice because of their interest in the property, not asked to act."""


@dataclass(frozen=True)
class PartyView:
    id: str
    name: str
    role: str
    role_label: str
    """The role as the City's records put it: the detail as written, else the role's name."""
    role_noun: str
    """'owner', 'lienholder': the role's own name for running text (a detail is never
    lower-cased: it holds proper nouns)."""
    role_detail: str | None
    address_lines: tuple[str, ...]
    copy_only: bool
    """Receives a copy for information (a lienholder): not asked to correct anything."""

    @classmethod
    def of(cls, party: ResponsibleParty) -> PartyView:
        name = ROLE_LABELS[party.role]
        return cls(party.id, party.name, party.role, party.role_detail or name,
                   name.lower(), party.role_detail, tuple(party.mailing_address.printed),
                   party.role in COPY_ONLY_ROLES)


@dataclass(frozen=True)
class PhotoView:
    number: int
    src: str
    caption: str
    violation_number: int
    file: str
    """The prepared photo on disk, for the DOCX writer (HTML uses src)."""


@dataclass(frozen=True)
class ViolationView:
    number: int
    id: str
    citation: str
    title: str
    summary: str
    text: str
    location: str
    observed: str
    observed_date: str
    description: str
    corrective_action: str
    deadline_label: str
    deadline: str
    photos: tuple[PhotoView, ...]
    fine: str | None
    stop_work_order: bool


@dataclass(frozen=True)
class DocumentView:
    id: str
    type: str
    title: str
    directive: str
    template_id: str
    template_version: int
    variant: str
    issued: str
    issued_date: str
    issued_iso: str
    verify_url: str
    qr: str
    draft: bool
    copy_label: str | None


@dataclass(frozen=True)
class CaseView:
    """The case as any reader may see it: number, property, officer — no complainant."""

    number: str
    property_address: str
    property_lines: tuple[str, ...]
    parcel_id: str
    zoning: str | None
    opened: str


@dataclass(frozen=True)
class PartyCase:
    """A case with the complainant removed; the only case object party documents receive.
    Site visits are not in it either: they are the case file's (the field report lists the
    witnesses, often the complainant), never printed for a party."""

    case_number: str
    opened: date
    property_address: Address
    parcel_id: str
    zoning: str | None
    officer: str
    responsible_parties: tuple[ResponsibleParty, ...]
    violations: tuple[Violation, ...]
    history: tuple[HistoryEntry, ...]
    prior_violations: tuple[PriorViolation, ...]

    @classmethod
    def of(cls, case: Case) -> PartyCase:
        return cls(case.case_number, case.opened, case.property.address,
                   case.property.parcel_id, case.property.zoning, case.officer,
                   tuple(case.responsible_parties), tuple(case.violations), tuple(case.history),
                   tuple(case.prior_violations))

    def party(self, party_id: str) -> ResponsibleParty:
        for party in self.responsible_parties:
            if party.id == party_id:
                return party
        raise KeyError(party_id)

    @property
    def view(self) -> CaseView:
        return CaseView(self.case_number, self.property_address.one_line(),
                        tuple(self.property_address.printed), self.parcel_id, self.zoning,
                        long_date(self.opened))

    def free_text(self) -> list[tuple[str, str]]:
        """(field, text) of everything in it that someone typed: where the complainant could
        still be named."""
        found: list[tuple[Loc, str | None]] = []
        for i, p in enumerate(self.responsible_parties):
            found.append((("responsible_parties", i, "role_detail"), p.role_detail))
        for i, v in enumerate(self.violations):
            found += [(("violations", i, key), getattr(v, key)) for key in
                      ("location", "description", "corrective_action", "photo_override")]
            found += [(("violations", i, "photos", j, "caption"), photo.caption)
                      for j, photo in enumerate(v.photos)]
        for i, e in enumerate(self.history):
            found += [(("history", i, "notes"), e.notes), (("history", i, "reason"), e.reason)]
        return [(format_loc(loc), text) for loc, text in found if text]


def public_places(settings: Settings) -> tuple[Address, ...]:
    """Addresses that identify no one: a city employee who complains gives the City's."""
    return settings.agency.address, settings.court.address


def complainant_mentions(case: Case, public: tuple[Address, ...] = ()) -> list[str]:
    """The fields of the party view whose text names the complainant — their name, phone,
    email or mailing address (directive V.A.3): a document for a responsible party carrying
    one is refused (the closure letter and the field report are not for the party)."""
    facts = case.complainant.identifying((case.property.address, *public)) \
        if case.complainant else []
    return [field for field, text in PartyCase.of(case).free_text() if mentioned(text, facts)]


def officer_view(settings: Settings, officer_id: str) -> OfficerView:
    o = settings.officer(officer_id)
    return OfficerView(o.name, o.badge, o.title, o.phone, o.email)


def long_day(day: date) -> str:
    return long_date_with_weekday(day)
