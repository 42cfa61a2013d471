"""What happens to a mail piece and what follows from it: status transitions, service and the
deadline the record acts on (pure rules over the record's facts)."""

from .pieces import PieceRecord
from .service import EVENTS, Event, ServiceStatus, TransitionError, next_statuses, service_status

__all__ = ["EVENTS", "Event", "PieceRecord", "ServiceStatus", "TransitionError",
           "next_statuses", "service_status"]
