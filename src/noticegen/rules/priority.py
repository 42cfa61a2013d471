"""Case priority (directive III.A, III.B, III.E): who is served first in a batch."""

from __future__ import annotations

from dataclasses import dataclass

from ..cases import Case
from ..catalog import Catalog

CLASSES = {
    1: "violation presents an imminent threat to public health and safety or the environment",
    2: "violation affects storm drainage, wetlands and/or adjacent areas",
    3: "building code violation: non-permitted construction or failure to obtain permits",
    4: "permit violation: failure to obtain required permits or meet their conditions",
    5: "land use and zoning violation",
    6: "multiple complaints from multiple complainants about the same property or issue",
}
AGGRAVATING = {
    "deliberate": "the actions leading to the violation were deliberate or intentional",
    "economic_harm": "the violation causes economic harm to individuals or the City",
    "economic_benefit": "the violator receives significant economic benefit from it",
    "substantial_extent": "the physical size or extent of the violation is substantial",
    "long_uncorrected": "the violation has existed uncorrected for months or years",
    "habitual": "there is a habitual history of complaints and enforcement",
    "community_interest": "multiple complaints from separate individuals or a citizen group",
    "cost_effective": "correction should be quick and inexpensive",
    "unlikely_voluntary_compliance": "little likelihood of voluntary compliance",
    "flagrant_visible": "the violation is flagrant and readily visible to non-residents",
}
ELEVATED, NON_PRIORITY = 7, 8


@dataclass(frozen=True)
class Priority:
    """A case's rank: tier 1–6 per III.A, 7 non-priority raised by III.E, 8 non-priority."""

    tier: int
    reasons: tuple[str, ...]
    aggravating: tuple[str, ...]

    @property
    def label(self) -> str:
        if self.tier <= 6:
            return f"Priority {self.tier}"
        return "Priority status (aggravating circumstances)" if self.tier == ELEVATED \
            else "Non-priority"


def aggravating_circumstances(case: Case) -> tuple[str, ...]:
    """III.E circumstances recorded on the case, plus those its own facts establish."""
    found = list(case.aggravating)
    if case.prior_violations and "habitual" not in found:
        found.append("habitual")
    if case.complaint.complainants > 1 and "community_interest" not in found:
        found.append("community_interest")
    return tuple(k for k in AGGRAVATING if k in found)


def rank(case: Case, catalog: Catalog) -> Priority:
    reasons = []
    tiers = []
    for v in case.violations:
        section = catalog.ordinance(v.ordinance)
        if section.priority:
            tiers.append(section.priority)
            reasons.append(f"III.A.{section.priority}: {CLASSES[section.priority]} "
                           f"({section.citation})")
    if case.complaint.complainants > 1:
        tiers.append(6)
        reasons.append(f"III.A.6: {CLASSES[6]} ({case.complaint.complainants} complainants)")
    aggravating = aggravating_circumstances(case)
    reasons += [f"III.E: {AGGRAVATING[k]}" for k in aggravating]
    if tiers:
        tier = min(tiers)
    elif aggravating:
        tier = ELEVATED
    else:
        tier = NON_PRIORITY
        reasons.append("III.B: non-priority; processed in the order received")
    return Priority(tier, tuple(reasons), aggravating)


def batch_order(cases: list[Case], catalog: Catalog) -> list[Case]:
    """Priority first, then more aggravating circumstances, then complaint date (III.B)."""
    def key(case: Case) -> tuple[int, int, object, str]:
        p = rank(case, catalog)
        return (p.tier, -len(p.aggravating), case.complaint.received, case.case_number)
    return sorted(cases, key=key)


def complaint_rank(tier: int | None, citation: str | None, others: int) -> Priority:
    """A complaint's rank before a case is made of it: the III.A class of the problem the
    complainant picked, III.A.6 when `others` other complainants (complaints not refused)
    name the same property."""
    tiers, reasons = [], []
    if tier is not None:
        tiers.append(tier)
        reasons.append(f"III.A.{tier}: {CLASSES[tier]} ({citation}, as reported)")
    if others:
        tiers.append(6)
        reasons.append(f"III.A.6: {CLASSES[6]} ({others + 1} complainants about this property)")
    if not tiers:
        return Priority(NON_PRIORITY, ("III.B: non-priority; processed in the order received",),
                        ())
    return Priority(min(tiers), tuple(reasons), ())
