"""The public verification page the QR code on every document leads to, and its upload box: is
this document genuine, what is it, its case, when it was issued and where it stands — and
nothing about the people it concerns.

Every answer is a page with status 200, "not genuine" too: the request was answered (a 404
would read as "no such page" to someone who scanned a real notice, and phone scanners show
their own error page for it); the API's `verdict` says the same in one word."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from ...config import Verification as VerificationSettings
from ...errors import ConfigurationError, InputError, Problem
from ...service.verification import Verification, check_file, check_link
from ..answers import page
from ..auth import ANYONE, acting, allow

router = APIRouter()
PATH = "/verify"
"""Where this service answers; the settings' verification.base_url must lead here."""
MAX_UPLOAD = 25 * 1024 * 1024
Upload = Annotated[UploadFile | None, File(description="The PDF to check, up to 25 MB")]


def check_address(settings: VerificationSettings) -> None:
    """At startup: the QR codes the service prints lead to this page."""
    path = urlsplit(settings.base_url).path.rstrip("/")
    if path != PATH:
        raise ConfigurationError(
            f"verification.base_url in config/agency.yaml is {settings.base_url}: its path must "
            f"be {PATH}, where this service answers, or the QR codes printed on documents "
            "lead nowhere",
            f"set it to the service's own address, e.g. http://127.0.0.1:8000{PATH} (or the "
            f"https address that reaches this service, ending in {PATH})")


class VerifiedDocument(BaseModel):
    what: str
    case_number: str
    issued_on: date
    status: list[str]


class VerificationAnswer(BaseModel):
    verdict: str
    """genuine, not genuine (a link altered or not signed by the agency), not on record."""
    how: str
    documents: list[VerifiedDocument]


def _answer(found: Verification) -> VerificationAnswer:
    return VerificationAnswer(verdict=found.verdict, how=found.how, documents=[
        VerifiedDocument(what=d.what, case_number=d.case_number, issued_on=d.issued_on,
                         status=d.status) for d in found.documents])


def _read(upload: UploadFile | None) -> bytes:
    """The uploaded file if it is a PDF of at most 25 MB; else the reason, for the field."""
    if upload is None or not upload.filename:
        raise InputError([Problem("file", None, "file", "choose a PDF file to check",
                                  "the PDF you received or downloaded")])
    content = upload.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise InputError([Problem("file", None, "file", "the file is larger than 25 MB",
                                  "a document the City issued is much smaller: check that "
                                  "this is the right file")])
    if not content.startswith(b"%PDF-"):
        raise InputError([Problem("file", None, "file", "the file is not a PDF",
                                  "choose the PDF file itself (ending in .pdf), not a "
                                  "photo or scan of it")])
    return content


@router.get(PATH, dependencies=[Depends(allow(ANYONE))])
def verify_form(request: Request) -> Response:
    return page(request, "verify.html", error=None)


@router.post(PATH, dependencies=[Depends(allow(ANYONE))])
def verify_upload(request: Request, file: Upload = None) -> Response:
    try:
        content = _read(file)
    except InputError as exc:
        return page(request, "verify.html", status=422, error=exc.problems[0])
    return page(request, "verify_result.html", answer=check_file(acting(request), content))


@router.get(PATH + "/{document_id}", dependencies=[Depends(allow(ANYONE))])
def verify_link_page(request: Request, document_id: str, sig: str = "") -> Response:
    return page(request, "verify_result.html",
                answer=check_link(acting(request), document_id, sig))


@router.get("/api" + PATH + "/{document_id}", dependencies=[Depends(allow(ANYONE))])
def api_verify_link(request: Request, document_id: str, sig: str = "") -> VerificationAnswer:
    return _answer(check_link(acting(request), document_id, sig))


@router.post("/api" + PATH, dependencies=[Depends(allow(ANYONE))])
def api_verify_upload(request: Request, file: Upload = None) -> VerificationAnswer:
    return _answer(check_file(acting(request), _read(file)))
