"""The directive's rules as pure functions: deadlines, the enforcement ladder, priority."""

from .calendar import OfficeCalendar
from .deadlines import (
    ComplianceDeadline,
    NoticeDeadlines,
    Service,
    compliance_deadline,
    long_date,
    notice_deadlines,
    service,
)
from .ladder import STEPS, Step, StepRefused, compliance_due, next_steps, require
from .priority import Priority, batch_order, rank

__all__ = ["STEPS", "ComplianceDeadline", "NoticeDeadlines", "OfficeCalendar", "Priority",
           "Service", "Step", "StepRefused", "batch_order", "compliance_deadline",
           "compliance_due", "long_date", "next_steps", "notice_deadlines", "rank", "require",
           "service"]
