"""A mail piece as the record holds it: its notice's facts and its events, oldest first."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .service import Event


@dataclass(frozen=True)
class PieceRecord:
    article_number: str
    document_id: str
    case_number: str
    document_type: str
    recipient: str
    recipient_role: str
    addressee: str
    address: str
    mailing_date: date
    batch_id: str
    violations: tuple[tuple[str, str], ...]
    printed_deadline: str | None
    """The compliance deadline as printed on the notice."""
    printed_on: date | None
    """Its date: what the record acts on is never earlier."""
    return_receipt_number: str | None
    events: tuple[Event, ...] = field(default=())

    @property
    def status(self) -> str | None:
        return self.events[-1].status if self.events else None
