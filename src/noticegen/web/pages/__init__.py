"""The routes, one module per kind of page; each declares its roles beside its path and has
its JSON twin under /api/."""

from . import (
    access,
    batches,
    cases,
    complaints,
    docs,
    field,
    fieldwork,
    onsite,
    queue,
    templates,
    tracking,
    verify,
)

ROUTERS = [access.router, queue.router, cases.router, batches.router, tracking.router,
           templates.router, verify.router, complaints.router, field.router, fieldwork.router,
           onsite.router, docs.router]
