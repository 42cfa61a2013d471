"""Who is asking: a session cookie or a personal API token, the roles each route allows
(declared beside its path with `allow(...)`), and the CSRF token every state-changing request
made with a session cookie must carry."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from fastapi import Request

from ..errors import NoticegenError
from ..service import App
from ..service.people import PUBLIC, ROLES, SignedIn, by_token, session

SESSION = "ng_session"
VISITOR = "ng_visitor"
"""A random cookie for visitors without a session: their forms' CSRF tokens are tied to it."""
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
SAFE = ("GET", "HEAD", "OPTIONS")
ANYONE = "anyone"
"""A route open to everyone, signed in or not (the verification page, the sign-in form)."""
SIGNED_IN = ROLES

# Who may use which pages: each route names one of these (or one role), and the templates ask
# `may(X)` before they link to a page of X.
CLERK = ("clerk",)
"""Who issues, mails and records: the new batch, the event and receipt forms."""
DESK = ("clerk", "manager")
"""The mail desk: batches, jobs, tracking and the pieces."""
CASEWORK = ("clerk", "manager", "officer")
"""Who works the open cases: the work queue and the follow-ups."""
READERS = (*CASEWORK, "attorney")
"""Who reads a case, its documents and photos."""
REVIEWERS = ("attorney", "manager")
"""Who reads the template review."""
ATTORNEY = ("attorney",)
"""Who approves, sends back and asks for the review PDF."""
ADMIN = ("admin",)
"""Who keeps the accounts."""
OFFICER = ("officer",)
"""Who works in the field: their cases, field reports, photos, notices issued on site."""
INTAKE = ("manager", "officer")
"""Who reads the complaint queue and accepts, declines and assigns complaints (III.D, VII.B)."""
ROLE_SETS = {"CLERK": CLERK, "DESK": DESK, "CASEWORK": CASEWORK, "READERS": READERS,
             "REVIEWERS": REVIEWERS, "ATTORNEY": ATTORNEY, "ADMIN": ADMIN,
             "OFFICER": OFFICER, "INTAKE": INTAKE}


class NotSignedIn(NoticegenError):
    exit_code = 1


class Forbidden(NoticegenError):
    exit_code = 1


class BadCsrf(NoticegenError):
    exit_code = 1


def _key(request: Request) -> bytes:
    return request.app.state.key


def csrf_token(request: Request) -> str:
    """The token this visitor's forms carry: bound to their session, or before sign-in to
    their visitor cookie."""
    person: SignedIn | None = getattr(request.state, "person", None)
    if person is not None and person.session:
        seed = "s:" + person.session
    else:
        seed = "v:" + visitor(request)
    return hmac.new(_key(request), seed.encode(), hashlib.sha256).hexdigest()[:40]


def visitor(request: Request) -> str:
    value = getattr(request.state, "visitor", None) or request.cookies.get(VISITOR)
    if not value or len(value) > 100:
        value = secrets.token_urlsafe(24)
    request.state.visitor = value
    return value


def address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current(request: Request) -> SignedIn | None:
    """The signed-in person (by API token or session cookie), or None; cached per request."""
    if hasattr(request.state, "person"):
        return request.state.person
    base: App = request.app.state.base
    person = None
    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):  # the cookie is then not looked at
        person = by_token(base, bearer[7:].strip())
        if person is None:
            raise NotSignedIn("the API token is not valid",
                              "`noticegen users token NAME` makes a new one")
    elif token := request.cookies.get(SESSION):
        person = session(base, token, address(request))
    request.state.person = person
    return person


def acting(request: Request) -> App:
    """The application object acting as the signed-in person (or the public)."""
    person = current(request)
    return dataclasses.replace(request.app.state.base, actor=person.name if person else PUBLIC)


class Allow:
    """A route's roles: who may use it (FastAPI dependency). A state-changing request must
    carry the form's CSRF token (field `csrf` or header X-CSRF-Token) unless it was made with
    a valid personal API token (no browser sends one by itself; any other Authorization
    header, a proxy's Basic credentials say, counts for nothing)."""

    def __init__(self, roles: Iterable[str]) -> None:
        self.roles = tuple(roles)

    async def __call__(self, request: Request) -> SignedIn | None:
        person = current(request)
        by_token = person is not None and person.session is None
        if ANYONE not in self.roles:
            if person is None:
                raise NotSignedIn("sign in to see this page",
                                  "sign in with your name and password")
            if person.must_change and request.url.path not in ("/account/password",
                                                               "/sign-out",
                                                               "/api/account/password"):
                raise PasswordChange("choose your own password first",
                                     "your one-time password works only to choose one")
            if person.role not in self.roles:
                raise Forbidden(f"a {person.role} may not use this page",
                                f"it is for: {', '.join(self.roles)}")
        if request.method not in SAFE and not by_token:
            await self._check_csrf(request)  # after the roles: no stranger's body is read
        return person

    async def _check_csrf(self, request: Request) -> None:
        given = request.headers.get(CSRF_HEADER)
        if given is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else None
        if not given or not hmac.compare_digest(given.encode(), csrf_token(request).encode()):
            raise BadCsrf("the form had expired or did not come from this service",
                          "go back, reload the page and send it again")


class PasswordChange(NoticegenError):
    exit_code = 1


def may(person: SignedIn | None, roles: Iterable[str]) -> bool:
    """Whether the person may use a page of those roles (so a page links to it)."""
    return person is not None and person.role in roles


def allow(*roles: str) -> Allow:
    for role in roles:
        if role not in (*ROLES, ANYONE):
            raise ValueError(role)
    return Allow(roles)
