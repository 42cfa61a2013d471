"""From the record to what a clerk must do: each piece's service and the deadline the record
acts on, and the cases due an in-person follow-up (VIII.D.2) or a six-month check after
closure (XIII.D)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from ..catalog import Catalog
from ..config import Settings
from ..rules import OfficeCalendar, long_date, notice_deadlines, service
from .pieces import PieceRecord
from .service import ServiceStatus, service_status


@dataclass(frozen=True)
class PieceReport:
    piece: PieceRecord
    service: ServiceStatus
    acts_on: date | None
    """The compliance date the record acts on: never before the one printed on the notice,
    later when service came later than the notice presumed."""
    why: str

    @property
    def compliance(self) -> str:
        """The compliance date and why, in the words of `track list` and the pages."""
        return f"{long_date(self.acts_on) if self.acts_on else '—'} ({self.why})"


def piece_report(piece: PieceRecord, catalog: Catalog, settings: Settings) -> PieceReport:
    """The piece's service and the notice's deadline, with the reason for the date."""
    refusal = bool(piece.violations) and all(
        catalog.deadline_for(ordinance).refusal_is_service for _, ordinance in piece.violations)
    status = service_status(piece.events, refusal)
    if status.state == "not_served" or not piece.violations:
        return PieceReport(piece, status, None, "no deadline runs until the notice is served")
    mailed = datetime.combine(piece.mailing_date, time(0, 0))
    served = service(mailed, "mail", settings.zone, settings.calendar,
                     delivered=status.on if status.state != "pending" else None)
    counted = notice_deadlines(list(piece.violations), catalog, served,
                               OfficeCalendar(settings.calendar),
                               settings.calendar.roll_to_business_day).earliest
    counted_on = counted.due_at.date()
    printed = piece.printed_on
    if printed is None:
        return PieceReport(piece, status, counted_on, f"counted from {served.basis}")
    if counted_on > printed:
        return PieceReport(piece, status, counted_on,
                           f"served later than the notice presumed ({served.basis}): "
                           f"{long_date(counted_on)}, after the printed "
                           f"{long_date(printed)}")
    if counted_on < printed:
        return PieceReport(piece, status, printed,
                           f"the date printed on the notice; counted from {served.basis} it "
                           f"would be {long_date(counted_on)}, but the owner was given "
                           f"{long_date(printed)}")
    return PieceReport(piece, status, printed, "the date printed on the notice")


def _reason(piece: PieceRecord) -> str:
    """The re-service reason that fits the piece's return."""
    return "returned_undeliverable" if piece.status == "returned_undeliverable" \
        else "refused_posted"


@dataclass(frozen=True)
class FollowUp:
    case_number: str
    due: date
    what: str


def followups(pieces: Iterable[PieceRecord], checks: Iterable[tuple[str, date]],
              catalog: Catalog, settings: Settings, as_of: date) -> list[FollowUp]:
    """Cases whose compliance date has passed, pieces that need posting instead, and closed
    cases due their six-month check (`checks`: case number and the check's date)."""
    due: dict[str, FollowUp] = {}
    posting: list[FollowUp] = []
    for piece in pieces:
        report = piece_report(piece, catalog, settings)
        if report.service.needs_posting:
            posting.append(FollowUp(piece.case_number, piece.events[-1].on,
                                    f"serve {piece.addressee} by posting or publication "
                                    f"({report.service.basis}; article {piece.article_number}); "
                                    f"posting notice: noticegen render nov "
                                    f"{piece.case_number} --variant posting --recipient "
                                    f"{piece.recipient} --reservice {_reason(piece)}"))
            continue
        if report.acts_on is None or report.acts_on >= as_of:
            continue
        presumed = " (service presumed)" if report.service.state == "pending" else ""
        found = FollowUp(piece.case_number, report.acts_on,
                         f"compliance date {report.acts_on.isoformat()} has passed{presumed} "
                         f"({report.why}): in-person follow-up due (directive VIII.D.2)")
        if piece.case_number not in due or found.due < due[piece.case_number].due:
            due[piece.case_number] = found
    six_month = [FollowUp(case, on, "six-month site check after closure due (directive XIII.D)")
                 for case, on in checks if on <= as_of]
    return sorted([*due.values(), *posting, *six_month], key=lambda f: (f.due, f.case_number))
