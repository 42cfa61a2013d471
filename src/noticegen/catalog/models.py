"""The ordinance catalog and the compliance-deadline catalog (directive VIII.C)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, PositiveInt, StrictBool, model_validator

from ..models import Day, Identifier, Model, Text, invalid

DeadlineKind = Literal["days", "hours", "immediate", "stop_work_order"]


class Deadline(Model):
    """One row of the VIII.C table: how long a responsible party has to comply."""

    id: Identifier
    directive_row: Text
    kind: DeadlineKind
    days: PositiveInt | None = None
    counting: Literal["calendar", "business"] | None = None
    hours: PositiveInt | None = None
    label: Text
    refusal_is_service: StrictBool = False
    """Certified mail returned refused or unclaimed still counts as delivered (e.g. Health and
    Safety Code §342.006 for weeds and rubbish); other returns need posting or publication."""

    @model_validator(mode="after")
    def _amount_fits_kind(self) -> Deadline:
        if self.kind == "days" and (self.days is None or self.counting is None):
            raise invalid("kind 'days' needs both 'days: N' and 'counting: calendar|business'",
                          "e.g. days: 10 and counting: calendar")
        if self.kind == "hours" and self.hours is None:
            raise invalid("kind 'hours' needs 'hours: N'", "e.g. hours: 24")
        if self.kind != "days" and (self.days is not None or self.counting is not None):
            raise invalid(f"kind '{self.kind}' takes no 'days' or 'counting'",
                          "remove them, or set kind: days")
        if self.kind != "hours" and self.hours is not None:
            raise invalid(f"kind '{self.kind}' takes no 'hours'", "remove it, or set kind: hours")
        return self


class DeadlineCatalog(Model):
    deadlines: Annotated[list[Deadline], Field(min_length=1)]


class FineRange(Model):
    """Municipal court fine range for the offense (Local Government Code §54.001 caps)."""

    minimum: Annotated[Decimal, Field(ge=0)]
    maximum: Annotated[Decimal, Field(gt=0, le=2000)]

    @model_validator(mode="after")
    def _ordered(self) -> FineRange:
        if self.minimum > self.maximum:
            raise invalid("the minimum fine is larger than the maximum", "swap them")
        return self


class Ordinance(Model):
    """One code section as the NOV cites and reprints it."""

    id: Identifier
    citation: Text
    title: Text
    summary: Text
    text: Text
    deadline: Identifier
    priority: Annotated[int, Field(ge=1, le=6)] | None = None
    stop_work_order: StrictBool = False
    hearing_required: StrictBool = False
    """Repair or demolition is ordered only after notice and a public hearing (a dangerous
    building, Local Government Code §214.001): a notice of violation cites the hearing
    instead of giving a deadline, and the order after the hearing carries the deadline."""
    visible: StrictBool = True
    fine: FineRange | None = None
    effective: Day | None = None


class OrdinanceCode(Model):
    jurisdiction: Text
    code: Text
    sample_notice: Text
    sections: Annotated[list[Ordinance], Field(min_length=1)]


class Catalog(Model):
    """Both catalogs, cross-checked: every ordinance's deadline exists."""

    code: OrdinanceCode
    deadlines: DeadlineCatalog

    def ordinance(self, ordinance_id: str) -> Ordinance:
        for section in self.code.sections:
            if section.id == ordinance_id:
                return section
        raise KeyError(ordinance_id)

    def deadline(self, deadline_id: str) -> Deadline:
        for row in self.deadlines.deadlines:
            if row.id == deadline_id:
                return row
        raise KeyError(deadline_id)

    def deadline_for(self, ordinance_id: str) -> Deadline:
        return self.deadline(self.ordinance(ordinance_id).deadline)

    @property
    def ordinance_ids(self) -> list[str]:
        return [s.id for s in self.code.sections]
