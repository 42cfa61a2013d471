"""How a document is served and what that lets it say: the methods (directive VIII.A.2.c,
VIII.B.1), the words each prints, and when a notice may be posted instead (H&S §342.006:
only once mail to that party has failed, or personal service has)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Literal

from .deadlines import long_date
from .ladder import StepRefused

ServiceName = Literal["mail", "in-person", "posted", "left-at-door"]
DELIVERY: dict[str, str] = {"mail": "certified_mail", "in-person": "in_person",
                            "posted": "posting", "left-at-door": "door_hanger"}
"""The command's word for a method → the record's (a history entry's method)."""
SERVED: dict[str, str] = {"mail": "by certified mail, return receipt requested",
                          "in-person": "in person", "posted": "by posting at the property",
                          "left-at-door": "by leaving it on the front door"}
FAILED: dict[str, str] = {"returned_undeliverable": "returned undeliverable",
                          "refused": "refused", "unclaimed": "unclaimed"}
"""Tracking statuses after which a notice may be posted (returned mail of any kind)."""


def service_name(delivery: str) -> str:
    """The command's word for a record's method."""
    return {v: k for k, v in DELIVERY.items()}[delivery]


@dataclass(frozen=True)
class Serving:
    """How one document is served; a posted one says why posting was allowed."""

    method: str
    """mail | in-person | posted | left-at-door"""
    grounds: str | None = None
    """Why a notice was posted instead (ends the sentence '… because')."""
    stated: bool = True
    """Said when it was issued (`--service`, the officer's form); False when taken from how
    its template is delivered. Only a stated service is printed as done (a warning's delivery
    boxes are otherwise left to be ticked by hand): a document never carries a guess."""

    @property
    def delivery(self) -> str:
        return DELIVERY[self.method]

    @property
    def words(self) -> str:
        return SERVED[self.method]


@dataclass(frozen=True)
class FailedPiece:
    """A certified piece to the party that came back, as tracking recorded it."""

    article: str
    mailed: date
    status: str
    on: date


def posting_grounds(failed: Iterable[FailedPiece], why: str | None) -> str:
    """Why this notice may be posted, as it prints after 'because': the party's last failed
    piece, else the officer's recorded reason that personal service failed. Refused when
    there is neither: posting is the fallback, never the first choice."""
    pieces = sorted(failed, key=lambda p: p.on)
    if pieces:
        last = pieces[-1]
        return (f"the certified letter mailed to you on {long_date(last.mailed)} (article "
                f"{last.article}) was {FAILED[last.status]} on {long_date(last.on)}")
    if why and why.strip():
        return why.strip().rstrip(".")
    raise StepRefused(
        "H&S §342.006 and directive VIII.B.1: a notice is posted only after certified mail to "
        "this party came back returned, refused or unclaimed, or personal service failed; "
        "neither is on record",
        "record the returned piece (`noticegen track add`), or give the officer's reason with "
        "--posting-reason \"…\"")
