"""Complaints: the public form (directive V.A.1; no sign-in), the page that gives the case
number and the status link, the complainant's status page (built from the service's
StatusView, which holds nothing of the responsible party, the officer's notes or another
complaint), and the complaint queue where managers and officers accept (III.D), do not accept
(III.F) and assign (VII.B) — each with its /api/ twin.

The status link's secret is shown once, on /complaints/filed, which the form's answer
redirects to (a reload shows it again, never sends the complaint twice): the secret travels
there in a short-lived signed cookie for that page alone, so it is in no address the service
or a proxy logs except the status link itself."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from ...errors import InputError, NotFound, NoticegenError, Problem
from ...service import App
from ...service.complaints import (
    ANONYMOUS_GROUNDS,
    FORM,
    NOT_ACCEPTED,
    PHOTOS,
    ComplaintForm,
    ComplaintRow,
    Decide,
    Filed,
    StatusView,
    TooManyComplaints,
    assign,
    complaint,
    complaint_photo,
    complaint_photo_upright,
    complaint_queue,
    decide,
    file_form,
    read_decision,
    status,
)
from ...service.people import SignedIn
from ...service.submissions import AlreadyReceived, new_key
from ...service.uploads import PHOTO_LIMIT, Upload
from ..answers import file_response, page, problem, status_of
from ..auth import ANYONE, INTAKE, acting, address, allow

router = APIRouter()
LABELS = {"address": "Address of the property", "kind": "What kind of problem",
          "seen": "What you saw", "seen_on": "The day you saw it", "photos": "Photos",
          "anonymous": "Stay anonymous", "name": "Your name", "phone": "Phone",
          "email": "Email", "mail_street": "Street", "mail_city": "City",
          "mail_state": "State", "mail_zip": "ZIP code"}
"""The public form's fields (ComplaintForm's, and the photos) in the form's order, as its
list of problems names them."""
FIELDS = tuple(f for f in LABELS if f != "photos")
HONEYPOT = "website"
"""A field no person sees or fills (off-screen, out of the tab order): a form that fills it
was filled by a program, and is refused."""
REFUSED = "the form could not be accepted"
FILED = "ng_filed"
FILED_PAGE = "/complaints/filed"
FILED_SECONDS = 15 * 60


class UnknownLink(NotFound):
    """A status link that leads to no complaint (wrong, or the complaint ended long ago)."""


class NothingFiled(NotFound):
    """No complaint was just sent from this browser."""


class FiledAnswer(BaseModel):
    case_number: str
    status_url: str
    """The complainant's status page. The link is given only now: keep it."""
    api_status_url: str


class DecideRequest(Decide):
    key: str | None = None
    """A one-time key (any random text of up to 64 characters): sent twice, refused (409)."""


class Assignment(BaseModel):
    officer: str
    """An officer's id in config/agency.yaml, e.g. ofc-garza."""
    key: str | None = None
    """A one-time key, as for a decision."""


# -- the public form ---------------------------------------------------------------------

def _kinds(app: App) -> list[tuple[str, str]]:
    """The problems the form lists: the ordinance catalog's titles, alphabetically."""
    return sorted(((s.id, s.title) for s in app.project.catalog.code.sections),
                  key=lambda pair: pair[1])


def _form_page(request: Request, *, status: int = 200, typed: dict[str, str] | None = None,
               problems: list[Any] | None = None, alert: NoticegenError | None = None,
               key: str | None = None, photos_sent: bool = False) -> Response:
    app = acting(request)
    errors: dict[str, list[Any]] = {}
    order = list(LABELS)
    for p in sorted(problems or [], key=lambda p: order.index(p.field) if p.field in order
                    else len(order)):
        errors.setdefault(p.field if p.field in LABELS else "form", []).append(p)
    return page(request, "complaint_form.html", status=status, typed=typed or {},
                errors=errors, alert=alert, key=key or new_key(), kinds=_kinds(app),
                today=app.today().isoformat(), most=PHOTOS,
                photo_mb=PHOTO_LIMIT // 1_000_000, photos_sent=photos_sent, here=FORM,
                honeypot=HONEYPOT, labels=LABELS)


@router.get("/complaints/new", dependencies=[Depends(allow(ANYONE))])
def complaint_form(request: Request) -> Response:
    return _form_page(request)


async def _sent(request: Request) -> tuple[dict[str, Any], list[Upload], str | None]:
    """The fields, photos and one-time key of a form (multipart or urlencoded) or of a JSON
    body; each photo read no further than a photo may be."""
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise InputError([Problem(FORM, None, "body", "not a JSON object",
                                      "send the complaint's fields as one JSON object")])
        key = body.pop("key", None)
        return body, [], key if isinstance(key, str) else None
    sent: FormData = await request.form()
    given: dict[str, Any] = {k: v for k, v in sent.items() if isinstance(v, str)
                             and k not in ("csrf", "key")}
    uploads = [await _read(f) for f in sent.getlist("photos") if isinstance(f, UploadFile)]
    key = sent.get("key")
    await sent.close()  # the files' spooled copies (what is kept was read)
    return given, uploads, key if isinstance(key, str) and key else None


async def _read(upload: UploadFile) -> Upload:
    content = await upload.read(PHOTO_LIMIT + 1)
    return Upload(upload.filename or "", content,
                  size=upload.size if len(content) > PHOTO_LIMIT else None)


def _filed(request: Request, given: dict[str, Any], uploads: list[Upload],
           key: str | None) -> Filed:
    return file_form(acting(request), given, uploads, address(request), key)


def _seal(request: Request, filed: Filed) -> str:
    """The case number and the status link's secret for the filed page, signed and with the
    moment it stops being shown."""
    body = base64.urlsafe_b64encode(json.dumps(
        [filed.case_number, filed.token, int(time.time()) + FILED_SECONDS]).encode()).decode()
    return f"{body}.{_signature(request, body)}"


def _signature(request: Request, body: str) -> str:
    return hmac.new(request.app.state.key, b"filed:" + body.encode(),
                    hashlib.sha256).hexdigest()


def _unseal(request: Request) -> Filed | None:
    body, _, signature = request.cookies.get(FILED, "").partition(".")
    if not body or not hmac.compare_digest(signature, _signature(request, body)):
        return None
    try:
        number, token, until = json.loads(base64.urlsafe_b64decode(body))
    except ValueError:
        return None
    return Filed(number, token) if until >= time.time() else None


@router.post("/complaints/new", dependencies=[Depends(allow(ANYONE))])
async def complaint_send(request: Request) -> Response:
    """The complaint recorded: to the page with its case number and status link; a problem
    is shown on the form beside its field, with what was typed."""
    given, uploads, key = await _sent(request)
    if given.get(HONEYPOT):
        return problem(request, 422, REFUSED)
    typed = {f: str(given.get(f, "")) for f in FIELDS}
    sent = any(u.name or u.content for u in uploads)
    try:
        filed = await run_in_threadpool(_filed, request, given, uploads, key)
    except InputError as exc:
        return _form_page(request, status=422, typed=typed, problems=exc.problems, key=key,
                          photos_sent=sent)
    except (TooManyComplaints, AlreadyReceived) as exc:
        return _form_page(request, status=status_of(exc), typed=typed, alert=exc, key=key,
                          photos_sent=sent)
    response = RedirectResponse(FILED_PAGE, 303)
    response.set_cookie(FILED, _seal(request, filed), max_age=FILED_SECONDS, path=FILED_PAGE,
                        httponly=True, secure=True, samesite="lax")
    return response


def _status_url(request: Request, token: str, api: bool = False) -> str:
    return str(request.base_url).rstrip("/") + ("/api" if api else "") + f"/status/{token}"


@router.get(FILED_PAGE, dependencies=[Depends(allow(ANYONE))])
def complaint_filed(request: Request) -> Response:
    filed = _unseal(request)
    if filed is None:
        raise NothingFiled("no complaint was just sent from this browser",
                           "the case number and the status link are shown for 15 minutes "
                           "after a complaint is sent")
    return page(request, "complaint_filed.html", case_number=filed.case_number,
                status_url=_status_url(request, filed.token))


@router.post("/api/complaints", dependencies=[Depends(allow(ANYONE))], status_code=201,
             response_model=FiledAnswer,
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": ComplaintForm.model_json_schema()},
                 "multipart/form-data": {"schema": {
                     "type": "object", "properties": {
                         **{f: {"type": "string"} for f in FIELDS},
                         "photos": {"type": "array",
                                    "items": {"type": "string", "format": "binary"}},
                         "key": {"type": "string"}}}}}}})
async def api_complaint_send(request: Request) -> FiledAnswer | Response:
    """File a complaint (as the public form does): JSON with ComplaintForm's fields (and an
    optional one-time `key`), or multipart with the same fields and up to 6 `photos` (JPEG,
    PNG, HEIC or WebP, 15 MB each). 201 with the case number and the status link (given only
    now); 422 with one problem per field; 429 after 20 complaints from one address within
    the hour; 409 for a `key` already received."""
    given, uploads, key = await _sent(request)
    if given.get(HONEYPOT):
        return problem(request, 422, REFUSED)
    filed = await run_in_threadpool(_filed, request, given, uploads, key)
    return FiledAnswer(case_number=filed.case_number,
                       status_url=_status_url(request, filed.token),
                       api_status_url=_status_url(request, filed.token, api=True))


# -- the complainant's status page ----------------------------------------------------------

def _status(request: Request, token: str) -> StatusView:
    found = status(acting(request), token)
    if found is None:
        raise UnknownLink("no complaint is found for this link",
                          "check that the whole link was copied")
    return found


@router.get("/status/{token}", dependencies=[Depends(allow(ANYONE))])
def status_page(request: Request, token: str) -> Response:
    return page(request, "complaint_status.html", view=_status(request, token))


@router.get("/api/status/{token}", dependencies=[Depends(allow(ANYONE))])
def api_status(request: Request, token: str) -> StatusView:
    """Where the complaint of this status link stands (received, not accepted with its
    reason, under investigation, resolved and how); 404 for a wrong link, or one whose
    complaint ended more than a year ago. Nothing of the responsible party or the officer's
    notes is in it."""
    return _status(request, token)


# -- the complaint queue -------------------------------------------------------------------

def _officers(app: App) -> dict[str, str]:
    return {o.id: o.name for o in app.project.settings.officers}


@router.get("/complaints", dependencies=[Depends(allow(*INTAKE))])
def queue_page(request: Request) -> Response:
    app = acting(request)
    return page(request, "complaints.html", rows=complaint_queue(app), officers=_officers(app))


@router.get("/api/complaints", dependencies=[Depends(allow(*INTAKE))])
def api_queue(request: Request) -> list[ComplaintRow]:
    """Every complaint with its complainant (or that they stay anonymous), state, priority
    with its reasons (III.A, III.E), officer and decisions; new ones first by priority, then
    as received (III.B)."""
    return complaint_queue(acting(request))


DONE = {"accepted": "Accepted and recorded.",
        "not_accepted": "Recorded as not accepted; the complainant's status page gives the "
                        "reason.",
        "assigned": "Assigned and recorded."}


def _complaint_page(request: Request, number: str, *, status: int = 200,
                    done: str | None = None, error: dict[str, Any] | None = None) -> Response:
    app = acting(request)
    person: SignedIn = request.state.person
    return page(request, "complaint.html", status=status, row=complaint(app, number),
                officers=_officers(app), reasons=NOT_ACCEPTED, grounds=ANONYMOUS_GROUNDS,
                done=DONE.get(done or ""), error=error or {}, key=new_key(),
                officer=person.officer)


@router.get("/complaints/{case_number}", dependencies=[Depends(allow(*INTAKE))])
def complaint_page(request: Request, case_number: str, done: str | None = None) -> Response:
    return _complaint_page(request, case_number, done=done)


@router.get("/api/complaints/{case_number}", dependencies=[Depends(allow(*INTAKE))])
def api_complaint(request: Request, case_number: str) -> ComplaintRow:
    """One complaint as the queue shows it."""
    return complaint(acting(request), case_number)


@router.get("/complaints/{case_number}/photos/{sha256}",
            dependencies=[Depends(allow(*INTAKE))])
def photo(request: Request, case_number: str, sha256: str) -> Response:
    found = complaint_photo(acting(request), case_number, sha256)
    return file_response(found.content, found.media_type, found.name, inline=found.shown)


@router.get("/complaints/{case_number}/photos/{sha256}/upright",
            dependencies=[Depends(allow(*INTAKE))])
def photo_upright(request: Request, case_number: str, sha256: str) -> Response:
    """A photo sent with the complaint, upright and small, as JPEG (a HEIC photo too)."""
    found = complaint_photo_upright(acting(request), case_number, sha256)
    return file_response(found.content, found.media_type, found.name, inline=True)


def _refused(request: Request, number: str, form: str, exc: NoticegenError,
             typed: dict[str, str]) -> Response:
    """The complaint's page again with the refusal beside the form that was sent."""
    if isinstance(exc, NotFound | AlreadyReceived):
        raise exc
    fields = {p.field: p for p in exc.problems} if isinstance(exc, InputError) else {}
    return _complaint_page(request, number, status=status_of(exc), error={
        "form": form, "message": exc.message, "hint": exc.hint, "fields": fields,
        "typed": typed})


@router.post("/complaints/{case_number}/decision", dependencies=[Depends(allow(*INTAKE))])
async def decision_form(request: Request, case_number: str) -> Response:
    sent = await request.form()
    typed = {f: str(sent.get(f) or "").strip() for f in ("accept", "reason", "note", "key")}
    form = "accept" if typed["accept"] == "yes" else "decline"
    try:
        answer = read_decision(case_number, form == "accept", typed["reason"], typed["note"])
        await run_in_threadpool(decide, acting(request), case_number, answer,
                                typed["key"] or None)
    except NoticegenError as exc:
        return _refused(request, case_number, form, exc, typed)
    done = "accepted" if answer.accept else "not_accepted"
    return RedirectResponse(f"/complaints/{case_number}?done={done}", 303)


@router.post("/complaints/{case_number}/assignment", dependencies=[Depends(allow(*INTAKE))])
async def assignment_form(request: Request, case_number: str) -> Response:
    sent = await request.form()
    typed = {f: str(sent.get(f) or "").strip() for f in ("officer", "key")}
    try:
        await run_in_threadpool(assign, acting(request), case_number, typed["officer"],
                                typed["key"] or None)
    except NoticegenError as exc:
        return _refused(request, case_number, "assign", exc, typed)
    return RedirectResponse(f"/complaints/{case_number}?done=assigned", 303)


@router.post("/api/complaints/{case_number}/decision",
             dependencies=[Depends(allow(*INTAKE))])
def api_decision(request: Request, case_number: str, body: DecideRequest) -> ComplaintRow:
    """Accept the complaint (III.D; an anonymous one with the V.A.2 grounds in `note`) or
    not (`accept: false` with a `reason`, III.F), once; the complaint as it stands after."""
    app = acting(request)
    decide(app, case_number, Decide(accept=body.accept, reason=body.reason, note=body.note),
           body.key)
    return complaint(app, case_number)


@router.post("/api/complaints/{case_number}/assignment",
             dependencies=[Depends(allow(*INTAKE))])
def api_assignment(request: Request, case_number: str, body: Assignment) -> ComplaintRow:
    """Assign an accepted complaint to an officer (VII.B); the complaint as it stands
    after."""
    app = acting(request)
    assign(app, case_number, body.officer, body.key)
    return complaint(app, case_number)
