"""The roles people sign in to the service as: a module of its own so that the CLI can name
them without importing the service."""

from __future__ import annotations

ROLES = ("officer", "clerk", "attorney", "manager", "admin")
SEES_COMPLAINANT = ("clerk", "officer", "manager")
"""The roles whose work needs the complainant's name and contact (directive V.A.3: nobody
else sees it: not the city attorney's reviewers, not the administrator, not the public)."""
PUBLIC = "public"
"""The actor of what an unsigned visitor does (a failed sign-in under an unknown name)."""
