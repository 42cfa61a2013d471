"""What a mail piece's events mean: its status, whether and when it was served (pure rules)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from ..errors import NoticegenError

EVENTS = ("mailed", "in_transit", "notice_left", "delivered", "unclaimed", "refused",
          "returned_undeliverable", "return_receipt")
"""Certified-mail events, in the vocabulary commercial mail services also use."""

_MOVING = {"in_transit", "notice_left", "delivered", "unclaimed", "refused",
           "returned_undeliverable", "return_receipt"}
TRANSITIONS: dict[str | None, set[str]] = {
    None: {"mailed"},
    "mailed": _MOVING,
    "in_transit": _MOVING,
    "notice_left": _MOVING - {"in_transit"},
    "delivered": {"return_receipt"},
    "unclaimed": set(),
    "refused": set(),
    "returned_undeliverable": set(),
    "return_receipt": set(),
}
"""Which event may follow which; anything else is recorded only as an explicit correction."""


class TransitionError(NoticegenError):
    exit_code = 2


@dataclass(frozen=True)
class Event:
    status: str
    on: date
    signer: str | None = None
    correction: bool = False


def current_status(events: Sequence[Event]) -> str | None:
    return events[-1].status if events else None


def next_statuses(status: str | None) -> set[str]:
    return TRANSITIONS[status]


def check_transition(status: str | None, new: str, correction: bool) -> None:
    """Refuse an event that cannot follow the piece's status, unless it is a correction."""
    if new not in EVENTS:
        raise TransitionError(f"unknown mail event '{new}'", "events: " + ", ".join(EVENTS))
    if correction or new in TRANSITIONS[status]:
        return
    allowed = ", ".join(sorted(TRANSITIONS[status])) or "none (the piece's history is complete)"
    raise TransitionError(
        f"a piece that is '{status or 'not mailed'}' cannot become '{new}'",
        f"allowed next: {allowed}; if the record is wrong, record the right event with "
        "--correction (records are never deleted)")


State = Literal["served", "deemed_served", "not_served", "pending"]


@dataclass(frozen=True)
class ServiceStatus:
    """Whether the notice in a piece was served, on which day, and what to do if not."""

    state: State
    on: date | None
    basis: str
    needs_posting: bool = False


def service_status(events: Sequence[Event], refusal_is_service: bool) -> ServiceStatus:
    """Delivery (or a signed return receipt) serves the notice; refused or unclaimed mail is
    deemed delivered only where the ordinance says so; other returns need posting."""
    ordered = list(events)
    for event in reversed(ordered):
        if event.status == "return_receipt":
            return ServiceStatus("served", event.on, f"return receipt signed by {event.signer} "
                                 f"on {event.on.isoformat()}")
        if event.status == "delivered":
            return ServiceStatus("served", event.on, f"delivered {event.on.isoformat()}")
        if event.status in ("refused", "unclaimed"):
            if refusal_is_service:
                return ServiceStatus("deemed_served", event.on,
                                     f"{event.status} {event.on.isoformat()}; deemed delivered "
                                     "under the ordinance")
            return ServiceStatus("not_served", None, f"{event.status} {event.on.isoformat()}; "
                                 "serve by posting or publication", needs_posting=True)
        if event.status == "returned_undeliverable":
            return ServiceStatus("not_served", None, f"returned undeliverable "
                                 f"{event.on.isoformat()}; serve by posting or publication",
                                 needs_posting=True)
    return ServiceStatus("pending", None, "no delivery recorded yet; service is presumed from "
                         "the mailing date")
