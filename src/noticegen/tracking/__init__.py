"""The official record (directive XIV): documents, mail pieces and what happened to them."""

from .service import EVENTS, ServiceStatus, TransitionError, next_statuses, service_status
from .store import Store, TrackingError, open_store

__all__ = ["EVENTS", "ServiceStatus", "Store", "TrackingError", "TransitionError",
           "next_statuses", "open_store", "service_status"]
