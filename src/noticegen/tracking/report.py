"""From the record to what a clerk must do: each piece's service and deadline, and the cases
due an in-person follow-up (VIII.D.2) or a six-month check after closure (XIII.D)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from ..catalog import Catalog
from ..config import Settings
from ..rules import ComplianceDeadline, OfficeCalendar, notice_deadlines, service
from .service import ServiceStatus, service_status
from .store import PieceRecord, Store


@dataclass(frozen=True)
class PieceReport:
    piece: PieceRecord
    service: ServiceStatus
    deadline: ComplianceDeadline | None


def piece_report(piece: PieceRecord, catalog: Catalog, settings: Settings) -> PieceReport:
    """The piece's service and the notice's (earliest) deadline counted from it."""
    refusal = bool(piece.violations) and all(
        catalog.deadline_for(ordinance).refusal_is_service for _, ordinance in piece.violations)
    status = service_status(piece.events, refusal)
    if status.state == "not_served" or not piece.violations:
        return PieceReport(piece, status, None)
    mailed = datetime.combine(piece.mailing_date, time(0, 0))
    served = service(mailed, "mail", settings.zone, settings.calendar,
                     delivered=status.on if status.state != "pending" else None)
    deadlines = notice_deadlines(list(piece.violations), catalog, served,
                                 OfficeCalendar(settings.calendar),
                                 settings.calendar.roll_to_business_day)
    return PieceReport(piece, status, deadlines.earliest)


@dataclass(frozen=True)
class FollowUp:
    case_number: str
    due: date
    what: str


def followups(store: Store, catalog: Catalog, settings: Settings, as_of: date
              ) -> list[FollowUp]:
    """Cases whose compliance deadline has passed, pieces that need posting instead, and
    closed cases due their six-month check."""
    due: dict[str, FollowUp] = {}
    posting: list[FollowUp] = []
    for piece in store.pieces():
        report = piece_report(piece, catalog, settings)
        if report.service.needs_posting:
            posting.append(FollowUp(piece.case_number, piece.events[-1].on,
                                    f"serve {piece.addressee} by posting or publication "
                                    f"({report.service.basis}; article {piece.article_number}); "
                                    f"posting notice: noticegen render nov <case file> "
                                    f"--variant posting --recipient {piece.recipient}"))
            continue
        deadline = report.deadline
        if deadline is None or deadline.due_at.date() >= as_of:
            continue
        presumed = " (service presumed)" if report.service.state == "pending" else ""
        found = FollowUp(piece.case_number, deadline.due_at.date(),
                         f"compliance deadline {deadline.due_at.date().isoformat()} has passed"
                         f"{presumed}: in-person follow-up due (directive VIII.D.2)")
        if piece.case_number not in due or found.due < due[piece.case_number].due:
            due[piece.case_number] = found
    checks = [FollowUp(d["case_number"], d["follow_up_due"],
                       "six-month site check after closure due (directive XIII.D)")
              for d in store.documents() if d["follow_up_due"] and d["follow_up_due"] <= as_of]
    return sorted([*due.values(), *posting, *checks], key=lambda f: (f.due, f.case_number))
