"""The routes, one module per kind of page; each declares its roles beside its path and has
its JSON twin under /api/."""

from . import access

ROUTERS = [access.router]
