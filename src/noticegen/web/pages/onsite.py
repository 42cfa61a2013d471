"""Issue on site, the officer's phone page: a warning notice on door-hanger stock or a stop
work order for one of their cases, served as they say and printed so. What the ladder refuses
is said beside the form with its rule, a missing choice beside its field. Issued, the page
says so with one big button to the PDF, which the phone's own viewer prints: the document is
shown inline in the same tab (no new window for a pop-up blocker to stop; Back returns to
the page), and the form's answer is a redirect to that page, so reloading it issues nothing.
A form sent twice (a double tap) is refused with a link to the document the first made."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ...errors import InputError, NotFound, NoticegenError
from ...service.onsite import (
    NotTheirCase,
    OnSiteForm,
    OnSiteIssued,
    OnSiteRequest,
    issue_on_site,
    issued_on_site,
    on_site_form,
)
from ...service.people import SignedIn
from ...service.submissions import AlreadyReceived
from ..answers import page, status_of
from ..auth import OFFICER, Forbidden, acting, allow

router = APIRouter()
PATH = "/field/cases/{case_number}/issue"


def _officer(request: Request) -> str | None:
    person: SignedIn = request.state.person
    return person.officer


@contextmanager
def _theirs() -> Iterator[None]:
    """Another officer's case (or an account linked to no officer) is a 403, the error page
    or JSON problem naming the case's officer."""
    try:
        yield
    except NotTheirCase as exc:
        raise Forbidden(exc.message, exc.hint) from None


def _form(request: Request, number: str, status: int = 200, **context: Any) -> Response:
    with _theirs():
        form = on_site_form(acting(request), number, _officer(request))
    if context.get("key"):  # the form shown again keeps its key: nothing was recorded
        form = form.model_copy(update={"key": context.pop("key")})
    for name in ("done", "received", "error"):
        context.setdefault(name, None)
    context.setdefault("given", {"document": "", "recipient": "", "service": ""})
    return page(request, "field_issue.html", status=status, form=form, **context)


@router.get(PATH, dependencies=[Depends(allow(*OFFICER))])
def issue_page(request: Request, case_number: str, issued: str | None = None) -> Response:
    done = issued_on_site(acting(request), case_number, issued) if issued else None
    return _form(request, case_number, done=done)


@router.post(PATH, dependencies=[Depends(allow(*OFFICER))])
def issue_send(request: Request, case_number: str,
               document: Annotated[str, Form()] = "", recipient: Annotated[str, Form()] = "",
               service: Annotated[str, Form()] = "", key: Annotated[str, Form()] = ""
               ) -> Response:
    """Issued: to the page that says so (with the PDF's button). Refused: the form again with
    what was chosen, the refusal beside it (409 the ladder or a form sent twice, 422 a
    missing or wrong choice, 403 another officer's case)."""
    given = {"document": document, "recipient": recipient, "service": service}
    try:
        with _theirs():
            done = issue_on_site(acting(request), case_number, _officer(request),
                                 OnSiteRequest(**given, key=key))
    except Forbidden:
        raise
    except AlreadyReceived as exc:
        return _form(request, case_number, 409, received=_received(exc))
    except NotFound:
        raise
    except NoticegenError as exc:
        problems = exc.problems if isinstance(exc, InputError) else []
        error = {"message": exc.message, "hint": exc.hint,
                 "fields": {p.field: p for p in problems if p.file == "form"},
                 "others": [p for p in problems if p.file != "form"]}
        return _form(request, case_number, status_of(exc), error=error, given=given,
                     key=key)
    return RedirectResponse(f"/field/cases/{case_number}/issue?issued={done.document_id}",
                            303)


def _received(exc: AlreadyReceived) -> dict[str, str]:
    doc_id = str(exc.result.get("document_id", ""))
    return {"document_id": doc_id, "title": str(exc.result.get("title", "document")),
            "url": f"/documents/{doc_id}", "message": exc.message}


@router.get("/api" + PATH, dependencies=[Depends(allow(*OFFICER))])
def api_issue_form(request: Request, case_number: str) -> OnSiteForm:
    """What the officer may issue on site now for one of their cases (403 for another
    officer's case): each document with the ladder's rules, the responsible parties, the
    ways of serving, and the one-time key to send back."""
    with _theirs():
        return on_site_form(acting(request), case_number, _officer(request))


@router.post("/api" + PATH, dependencies=[Depends(allow(*OFFICER))], status_code=201,
             response_model=OnSiteIssued)
def api_issue(request: Request, case_number: str, body: OnSiteRequest
              ) -> OnSiteIssued | JSONResponse:
    """Issue a warning notice (door hanger) or a stop work order, dated now and recorded as
    the signed-in officer's: 403 for another officer's case, 422 for a missing or wrong
    choice (by field), 409 when the ladder or the city attorney's approval refuses it, or when
    the key was sent before (`document_id` and `url` then name what it issued)."""
    try:
        with _theirs():
            return issue_on_site(acting(request), case_number, _officer(request), body)
    except AlreadyReceived as exc:
        sent = _received(exc)
        return JSONResponse({"error": exc.message, "hint": exc.hint,
                             "document_id": sent["document_id"], "url": sent["url"]}, 409)
