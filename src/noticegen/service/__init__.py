"""The service every face calls: one application object (`App`: settings, the record, the
blob store, the acting person) and its operations, each one transaction of the record."""

from .app import (
    App,
    LostRecord,
    accept_empty_record,
    accept_older_record,
    backup,
    database_url,
    upgrade,
)
from .cases import CaseRecord, Imported, export_cases, import_cases, load_case, resolve
from .integrity import Findings, check
from .issue import Issued, issue
from .mailing import BatchResult, mail_batch, materialize
from .templates import Diff, approve, diff
from .tracking import (
    TrackingError,
    add_event,
    due,
    import_events,
    load_roll,
    pieces,
    reports,
    verify_file,
    verify_link,
)

__all__ = ["App", "BatchResult", "CaseRecord", "Diff", "Findings", "Imported", "Issued",
           "LostRecord", "TrackingError", "accept_empty_record", "accept_older_record",
           "add_event", "approve", "backup", "check", "database_url", "diff", "due",
           "export_cases", "import_cases", "import_events", "issue", "load_case", "load_roll",
           "mail_batch", "materialize", "pieces", "reports", "resolve", "upgrade",
           "verify_file", "verify_link"]
