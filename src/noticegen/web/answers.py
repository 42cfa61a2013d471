"""What every page answers with: a page from the web templates (with the person, the CSRF
token and the agency), or the one shape of a problem — the error page, or JSON under /api/."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context, select_autoescape

from ..config import Agency
from ..errors import InputError, NotFound, NoticegenError
from ..record import RecordError
from ..record.db import utc
from ..review.approvals import TemplateChanged, TemplateNotApproved
from ..rules import StepRefused
from ..rules.deadlines import local, long_date, long_date_with_weekday
from ..service.casework import CaseChanged
from ..service.complaints import AlreadyDecided, TooManyComplaints
from ..service.submissions import AlreadyReceived
from ..service.views import Withheld
from ..words import counted, plural
from .auth import ROLE_SETS, BadCsrf, Forbidden, NotSignedIn, PasswordChange, csrf_token, may

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'self'")
"""Every answer's Content-Security-Policy: nothing from elsewhere, no plugin, no framing by
another site."""
PDF_CSP = "frame-ancestors 'self'"
"""A PDF shown inline: Chromium's PDF viewer is a plugin the PDF's own document embeds, so the
pages' `object-src 'none'` would block it, and it does not run in a sandboxed document (it
shows "blocked", crbug.com/413851); it is the viewer, not a page of the app, that reads the
PDF, and only this service may frame it."""


def environment(agency: Agency, zone: ZoneInfo) -> Environment:
    """The pages' templates, with the agency, the role sets and `may`, and the filters that
    write numbers and times: `plural`, `counted`, `local` (a time the record stamped, as the
    agency's wall clock), `long_date`, `long_day` (with its weekday)."""

    def shown(moment: datetime) -> str:
        return local(utc(moment), zone).strftime("%Y-%m-%d %H:%M")

    env = Environment(loader=PackageLoader("noticegen.web", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(plural=plural, counted=counted, local=shown, long_date=long_date,
                       long_day=long_date_with_weekday)
    env.globals["agency"] = agency
    env.globals.update(ROLE_SETS)
    env.globals["may"] = pass_context(lambda context, roles: may(context.get("person"), roles))
    return env


def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page from the web templates, with the person, the CSRF token and the path."""
    env: Environment = request.app.state.env
    person = getattr(request.state, "person", None)
    html = env.get_template(template).render(
        request=request, person=person, csrf=csrf_token(request), path=request.url.path,
        **context)
    return HTMLResponse(html, status_code=status)


def file_response(content: bytes | Path, media_type: str, name: str, *,
                  inline: bool) -> Response:
    """A file to send: shown inline when asked (the caller knows the browser shows it as what
    it is), else downloaded as `name`. Each runs sandboxed (no script, an origin of its own)
    except a PDF shown inline, which has the PDF policy."""
    pdf = inline and media_type.split(";")[0].strip() == "application/pdf"
    headers = {"Content-Disposition": _disposition("inline" if inline else "attachment", name),
               "Content-Security-Policy": PDF_CSP if pdf else f"{CSP}; sandbox"}
    if isinstance(content, Path):
        return FileResponse(content, media_type=media_type, headers=headers)
    return Response(content, media_type=media_type, headers=headers)


def _disposition(kind: str, name: str) -> str:
    """Content-Disposition with the name as RFC 6266 gives it: `filename*` in UTF-8 (so
    'фото.jpg' is kept, and the header stays Latin-1 as HTTP needs), and an ASCII fallback
    for the clients that do not read it."""
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "_" for ch in name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(request: Request, status: int, message: str, hint: str | None = None,
            problems: list[dict[str, Any]] | None = None) -> Response:
    """The one shape of an error: JSON under /api/, else the error page."""
    if wants_json(request):
        body: dict[str, Any] = {"error": message, "hint": hint}
        if problems is not None:
            body["problems"] = problems
        return JSONResponse(body, status_code=status)
    return page(request, "error.html", status=status, message=message, hint=hint,
                problems=problems or [])


def status_of(exc: NoticegenError) -> int:
    if isinstance(exc, NotSignedIn):
        return 401
    if isinstance(exc, Forbidden | BadCsrf | PasswordChange | Withheld):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, InputError):
        return 422
    if isinstance(exc, StepRefused | TemplateNotApproved | TemplateChanged | AlreadyReceived
                  | CaseChanged | AlreadyDecided):
        return 409
    if isinstance(exc, TooManyComplaints):
        return 429
    if isinstance(exc, RecordError):
        return 503
    return 400


def local_path(path: str) -> str:
    """Only a path of this service is a place to go back to after sign-in."""
    parts = urlsplit(path)
    return path if not parts.scheme and not parts.netloc and path.startswith("/") \
        and not path.startswith("//") else "/"
