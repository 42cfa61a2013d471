"""Legal review of the templates: content hashes, specimens, diffs, approvals, static checks."""

from .approvals import (
    Approval,
    Status,
    TemplateChanged,
    TemplateNotApproved,
    approve,
    load_approvals,
    require_approved,
    require_batch_approved,
    status,
    statuses,
)
from .entries import MAIL_TEMPLATES, ReviewEntry, find_entry, review_entries
from .hashing import content_hash, file_hashes
from .specimen import Specimens
from .variables import check_templates

__all__ = ["MAIL_TEMPLATES", "Approval", "ReviewEntry", "Specimens", "Status",
           "TemplateChanged", "TemplateNotApproved", "approve", "check_templates",
           "content_hash", "file_hashes", "find_entry", "load_approvals", "require_approved",
           "require_batch_approved", "review_entries", "status", "statuses"]
