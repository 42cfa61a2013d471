"""The ASGI application: one application object for the process, the pages' templates, the
package's own static files, security headers, and errors caught once — a problem is a page
(or a JSON problem under /api/) with its message and hint, never a traceback."""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from ..errors import ConfigurationError, InputError, NoticegenError
from ..files import write_atomically
from ..record import RecordError
from ..service import App
from ..words import plural
from .answers import CSP, environment, local_path, problem, status_of, wants_json
from .auth import VISITOR, NotSignedIn, PasswordChange
from .pages import ROUTERS
from .pages.docs import schema
from .pages.verify import check_address

log = logging.getLogger("noticegen.web")
KEY_FILE = "web.key"
STATIC = Path(__file__).parent / "static"
MAX_BODY = 30_000_000
"""The largest request taken at all (the largest upload, a PDF to verify, is 25 MB): FastAPI
refuses a larger one (413) at once when it says its length, else at its first byte past the
limit."""


def _key(app: App) -> bytes:
    """The service's own secret (CSRF tokens), kept in the state folder, made on first use."""
    path = app.project.settings.state_dir / KEY_FILE
    if not path.is_file():
        write_atomically(path, secrets.token_hex(32) + "\n")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip().encode()


async def _noticegen_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NoticegenError)
    if not wants_json(request) and request.method == "GET":
        if isinstance(exc, NotSignedIn):
            return RedirectResponse(f"/sign-in?next={quote(local_path(request.url.path))}", 303)
        if isinstance(exc, PasswordChange):
            return RedirectResponse("/account/password", 303)
    if isinstance(exc, RecordError | ConfigurationError) and \
            getattr(request.state, "person", None) is None:
        log.error("%s %s: %s", request.method, request.url.path, exc)
        agency = request.app.state.base.project.settings.agency
        return problem(request, 503, "the service cannot answer just now",
                       f"try again later; if it lasts, call {agency.phone}")
    problems = [p.as_json() for p in exc.problems] if isinstance(exc, InputError) else None
    return problem(request, status_of(exc), exc.message, exc.hint, problems)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [{"where": str(e["loc"][0]) if e.get("loc") else "request",
                 "line": None, "field": ".".join(str(p) for p in e.get("loc", ())[1:]),
                 "message": e.get("msg", "not valid"), "hint": None} for e in exc.errors()]
    return problem(request, 422, f"{plural('problem', len(problems))} in the request",
                   "correct the fields named and send it again", problems)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    words = {404: ("there is no such page", "check the address"),
             405: ("that page does not take this kind of request", "use the page's own form"),
             413: ("the request is too large",
                   f"send at most {MAX_BODY // 1_000_000} MB at once")}
    message, hint = words.get(exc.status_code, (str(exc.detail), None))
    return problem(request, exc.status_code, message, hint)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.exception("internal error on %s %s", request.method, request.url.path)
    return _secure(request, problem(
        request, 500, "internal error: nothing more was recorded",
        "report this with the time and the page; the service's log has the details"))


def _secure(request: Request, response: Response) -> Response:
    """The headers every answer carries (a 500 too, which no middleware sees)."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    if not request.url.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def create_app(root: Path, database: str | None = None) -> FastAPI:
    """The service over the project folder `root` and its record (the given URL, else as the
    command line finds it)."""
    base = App.open(root, "web", database)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        base.close()

    web = FastAPI(title="noticegen", lifespan=lifespan, docs_url=None, redoc_url=None,
                  max_body_size=MAX_BODY,
                  openapi_url="/api/openapi.json",
                  description="Code-enforcement notices, mail batches, tracking and the "
                  "city attorney's template review. Authenticate with a personal API token: "
                  "`Authorization: Bearer <token>` (`noticegen users token NAME`).")
    web.state.base = base
    web.state.env = environment(base.project.settings.agency, base.project.settings.zone)
    web.state.key = _key(base)
    web.add_exception_handler(NoticegenError, _noticegen_error)
    web.add_exception_handler(RequestValidationError, _validation_error)
    web.add_exception_handler(HTTPException, _http_error)
    web.add_exception_handler(Exception, _internal_error)

    @web.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response = _secure(request, await call_next(request))
        if getattr(request.state, "visitor", None) and \
                request.cookies.get(VISITOR) != request.state.visitor:
            response.set_cookie(VISITOR, request.state.visitor, httponly=True, secure=True,
                                samesite="lax")
        return response

    web.mount("/static", StaticFiles(directory=STATIC), name="static")
    check_address(base.project.settings.verification)  # the QR codes lead to this service
    for router in ROUTERS:
        web.include_router(router)
    routes = [r for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    web.openapi = lambda: schema(web, routes)  # type: ignore[method-assign]
    return web
