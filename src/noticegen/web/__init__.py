"""The web face: pages for clerks, officers, the city attorney's office and the public, and
the JSON API under /api/, over the service (noticegen.service)."""

from .app import create_app

__all__ = ["create_app"]
