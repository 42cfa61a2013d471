"""The case page (parties, violations, photos, the event log, every document and mail piece),
its photos and documents served from the blob store, and the clerk's form that issues one
document. The complainant is in the page and its API only for the roles that need it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from ...errors import InputError, NotFound, NoticegenError
from ...service.people import SEES_COMPLAINANT, SignedIn
from ...service.views import (
    CaseView,
    ClerkCaseView,
    File,
    IssuedAnswer,
    IssueRequest,
    Withheld,
    case_photo,
    case_view,
    document_file,
    issue_request,
)
from ..answers import file_response, page, status_of
from ..auth import CLERK, READERS, acting, allow

router = APIRouter()


def _sees(request: Request) -> bool:
    person: SignedIn = request.state.person
    return person.role in SEES_COMPLAINANT


def _view(request: Request, number: str) -> CaseView | ClerkCaseView:
    app = acting(request)
    return case_view(app, number, _sees(request), app.today())


def _send(file: File, inline: bool) -> Response:
    """Shown inline only when asked and when the browser shows it as what it is (a PDF, a
    photo that is an image), else downloaded."""
    return file_response(file.content, file.media_type, file.name,
                         inline=inline and file.shown)


@router.get("/cases/{case_number}", dependencies=[Depends(allow(*READERS))])
def case_page(request: Request, case_number: str, issued: str | None = None) -> Response:
    return _page(request, _view(request, case_number), issued=issued)


def _page(request: Request, view: CaseView, status: int = 200, issued: str | None = None,
          error: dict[str, Any] | None = None, form: dict[str, str] | None = None
          ) -> Response:
    new = next((d for d in view.documents if d.id == issued), None)
    return page(request, "case.html", status=status, view=view, new=new, error=error,
                form=form or {})


@router.get("/api/cases/{case_number}", dependencies=[Depends(allow(*READERS))])
def api_case(request: Request, case_number: str) -> ClerkCaseView | CaseView:
    """The case with its parties, violations, event log, documents and mail pieces; the
    complainant only for the roles that see it (clerk, officer, manager)."""
    return _view(request, case_number)


@router.get("/cases/{case_number}/photos/{sha256}", dependencies=[Depends(allow(*READERS))])
def photo(request: Request, case_number: str, sha256: str) -> Response:
    return _send(case_photo(acting(request), case_number, sha256), inline=True)


@router.get("/documents/{document_id}", dependencies=[Depends(allow(*READERS))])
def document_inline(request: Request, document_id: str) -> Response:
    return _send(document_file(acting(request), document_id, _sees(request)), inline=True)


@router.get("/documents/{document_id}/download", dependencies=[Depends(allow(*READERS))])
def document_download(request: Request, document_id: str) -> Response:
    return _send(document_file(acting(request), document_id, _sees(request)), inline=False)


@router.post("/cases/{case_number}/documents", dependencies=[Depends(allow(*CLERK))])
def issue_form(request: Request, case_number: str,
               doc_type: Annotated[str, Form(alias="type")] = "",
               recipient: Annotated[str, Form()] = "", variant: Annotated[str, Form()] = "",
               service: Annotated[str, Form()] = "", issued: Annotated[str, Form()] = "",
               hearing: Annotated[str, Form()] = "",
               posting_reason: Annotated[str, Form()] = "") -> Response:
    """The clerk's render: on success back to the case page with the document listed; a
    refusal is shown beside the form with its rule and hint."""
    given = {"recipient": recipient, "variant": variant, "service": service, "issued": issued,
             "hearing": hearing, "posting_reason": posting_reason}
    try:
        done = issue_request(acting(request), case_number,
                             IssueRequest(type=doc_type, **given), _sees(request))
    except (NotFound, Withheld):
        raise  # the error page, not the form
    except NoticegenError as exc:
        error = {"type": doc_type, "message": exc.message, "hint": exc.hint,
                 "fields": {p.field: p for p in exc.problems}
                 if isinstance(exc, InputError) else {}}
        return _page(request, _view(request, case_number), status=status_of(exc), error=error,
                     form={"type": doc_type, **given})
    return RedirectResponse(f"/cases/{case_number}?issued={done.document_id}#documents", 303)


@router.post("/api/cases/{case_number}/documents", dependencies=[Depends(allow(*CLERK))],
             status_code=201)
def api_issue(request: Request, case_number: str, body: IssueRequest) -> IssuedAnswer:
    """Issue one document (as `noticegen render` does): 409 when the ladder or the city
    attorney's approval refuses it (the message quotes the rule), 422 when facts are missing."""
    return issue_request(acting(request), case_number, body, _sees(request))
