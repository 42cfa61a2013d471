"""The officer's field work, made for a phone: the report of field investigation (directive
VII.D.3 a–j) and photos from the phone's camera attached to a violation, each with its /api/
twin; and the upright copy of a case's photo the pages show (a HEIC photo too).

The report form is marked `data-offline`: static/offline.js keeps what was typed on the
phone when the connection is gone and sends it when it is back; the form's one-time key makes
a report sent twice count once (409, answered with `X-Noticegen-Outcome: received`, which
tells the script the report is on record). Without the script the form posts as any form."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from ...errors import InputError, NoticegenError, Problem
from ...service.casework import CaseChanged, Revised
from ...service.fieldwork import (
    PHOTOS_AT_ONCE,
    PHOTOS_FORM,
    REPORT,
    Assigned,
    NotAssigned,
    PhotosForm,
    PhotoShown,
    ReportForm,
    ViolationPhotos,
    WitnessGiven,
    assigned,
    attach_photos,
    investigator,
    record_report,
    upright,
    violation_photos,
)
from ...service.submissions import AlreadyReceived, new_key
from ...service.uploads import PHOTO_LIMIT, Upload
from ..answers import file_response, page, status_of
from ..auth import OFFICER, READERS, Forbidden, acting, allow

router = APIRouter()
OUTCOME = "X-Noticegen-Outcome"
"""Tells offline.js what a 409 was: `received` (the form is on record) or `changed` (the
case changed since the form was opened: what was typed is shown again)."""
WITNESS_ROWS = 3
"""The witness rows an empty form has (a form shown again has one empty row more than it
was sent with)."""
LABELS = {"at": "b. Date and time of the visit", "place": "b. Place of the visit",
          "violations": "c. Violations observed", "conditions": "d. Conditions observed",
          "evidence": "f. Evidence obtained", "discussions": "g. Documented discussions",
          "corrective_action": "h. Action necessary to correct",
          "recommended_action": "i. Recommended enforcement action and timeline",
          "referrals": "j. Referrals to other agencies",
          "photos": "Photos", "violation": "Violation the photos show",
          "caption": "Caption", "captions": "One caption per photo"}
"""The forms' fields as their lists of problems name them, in the forms' order."""


def case_page(number: str) -> str:
    """The officer's page of the case, where their field work starts and returns."""
    return f"/field/cases/{number}"


@contextmanager
def _theirs() -> Iterator[None]:
    """Another officer's case is refused as any page the person may not use (403)."""
    try:
        yield
    except NotAssigned as exc:
        raise Forbidden(exc.message, exc.hint) from None


def _assigned(request: Request, number: str) -> Assigned:
    with _theirs():
        return assigned(acting(request), number, request.state.person.officer)


def _errors(problems: list[Problem], known: list[str]) -> dict[str, list[Problem]]:
    """The problems by the field they are shown beside ('form': the list at the top), in the
    form's order."""
    def order(p: Problem) -> int:
        field = p.field.split("[", 1)[0]
        return known.index(field) if field in known else len(known)

    found: dict[str, list[Problem]] = {}
    for p in sorted(problems, key=order):
        on_form = p.file in (REPORT, PHOTOS_FORM) and (
            p.field in LABELS or p.field.startswith("witnesses["))
        found.setdefault(p.field if on_form else "form", []).append(p)
    return found


def field_id(field: str) -> str:
    """The element a problem's field is: `witnesses[1].name` is `f-witness-1-name`."""
    if field.startswith("witnesses["):
        index, _, part = field[len("witnesses["):].partition("].")
        return f"f-witness-{index}-{part}"
    return "f-" + field.replace("_", "-")


def field_label(field: str) -> str:
    if field.startswith("witnesses["):
        index, _, part = field[len("witnesses["):].partition("].")
        return f"e. Witness {int(index) + 1}: {part}"
    return LABELS.get(field, field)


# -- the report of field investigation -------------------------------------------------------

class Investigator(BaseModel):
    officer: str
    name: str
    badge: str
    title: str


class ViolationChoice(BaseModel):
    id: str
    title: str
    citation: str
    location: str
    corrective_action: str


class ReportStart(BaseModel):
    """What the report form is opened with."""

    case_number: str
    address: str
    opened: date
    revision: int
    """The revision to send back as `revision`."""
    key: str
    """A one-time key to send back as `key`."""
    investigator: Investigator
    now: datetime
    """The agency's clock now: the visit's time unless another is given."""
    violations: list[ViolationChoice]


class Recorded(BaseModel):
    case_number: str
    revision: int
    url: str
    """The officer's page of the case."""


def _start(request: Request, mine: Assigned) -> ReportStart:
    app = acting(request)
    case, catalog = mine.case, app.project.catalog
    return ReportStart(
        case_number=case.case_number, address=case.property.address.one_line(),
        opened=case.opened, revision=mine.record.revision, key=new_key(),
        investigator=Investigator(**investigator(mine.officer)), now=app.now(),
        violations=[ViolationChoice(id=v.id, title=catalog.ordinance(v.ordinance).title,
                                    citation=catalog.ordinance(v.ordinance).citation,
                                    location=v.location, corrective_action=v.corrective_action)
                    for v in case.violations])


def _report_page(request: Request, number: str, *, status: int = 200,
                 typed: dict[str, Any] | None = None, problems: list[Problem] | None = None,
                 alert: NoticegenError | None = None, key: str | None = None,
                 recorded: int | None = None, headers: dict[str, str] | None = None
                 ) -> Response:
    start = _start(request, _assigned(request, number))
    typed = typed or {"at": start.now.isoformat(timespec="minutes"), "place": start.address}
    witnesses = list(typed.get("witnesses") or [])
    rows = max(WITNESS_ROWS, len(witnesses) + 1)
    witnesses += [WitnessGiven()] * (rows - len(witnesses))
    answer = page(request, "field_report.html", status=status, start=start, typed=typed,
                  witnesses=witnesses, errors=_errors(problems or [], list(LABELS)),
                  alert=alert, key=key or start.key, recorded=recorded, here=REPORT,
                  field_id=field_id, field_label=field_label, back=case_page(number),
                  today=start.now.isoformat(timespec="minutes"))
    answer.headers.update(headers or {})
    return answer


@router.get("/field/cases/{case_number}/report", dependencies=[Depends(allow(*OFFICER))])
def report_form(request: Request, case_number: str, recorded: int | None = None) -> Response:
    return _report_page(request, case_number, recorded=recorded)


def _report_of(sent: FormData) -> tuple[ReportForm, dict[str, Any]]:
    """The report as the form sent it, and what to show again (every field as typed)."""
    def text(name: str) -> str:
        value = sent.get(name)
        return value if isinstance(value, str) else ""

    names = [v for v in sent.getlist("witness_name") if isinstance(v, str)]
    statements = [v for v in sent.getlist("witness_statement") if isinstance(v, str)]
    statements += [""] * (len(names) - len(statements))
    witnesses = [WitnessGiven(name=n, statement=s) for n, s in zip(names, statements,
                                                                   strict=False)]
    revision = text("revision")
    form = ReportForm(
        revision=int(revision) if revision.isdigit() else -1, key=text("key"), at=text("at"),
        place=text("place"),
        violations=[v for v in sent.getlist("violations") if isinstance(v, str)],
        conditions=text("conditions"), witnesses=witnesses, evidence=[text("evidence")],
        discussions=[text("discussions")], corrective_action=text("corrective_action"),
        recommended_action=text("recommended_action"), referrals=[text("referrals")])
    typed = {name: text(name) for name in LABELS if name != "violations"}
    typed |= {"violations": form.violations, "witnesses": [w for w in witnesses
                                                           if w.name or w.statement]}
    return form, typed


@router.post("/field/cases/{case_number}/report", dependencies=[Depends(allow(*OFFICER))])
async def report_send(request: Request, case_number: str) -> Response:
    """The report recorded: back to the form's page with a notice (the officer's case page
    linked); a missing element is shown beside its field with what was typed, nothing
    recorded."""
    form, typed = _report_of(await request.form())
    app, officer = acting(request), request.state.person.officer
    try:
        with _theirs():
            done: Revised = await run_in_threadpool(record_report, app, case_number, officer,
                                                    form)
    except AlreadyReceived as exc:
        return _report_page(request, case_number, status=409, alert=exc,
                            headers={OUTCOME: "received"})
    except CaseChanged as exc:  # shown again on the revision now, the same key: sent once
        return _report_page(request, case_number, status=409, typed=typed, alert=exc,
                            key=form.key, headers={OUTCOME: "changed"})
    except InputError as exc:
        return _report_page(request, case_number, status=422, typed=typed,
                            problems=exc.problems, key=form.key)
    except NoticegenError as exc:
        if status_of(exc) == 404:
            raise
        return _report_page(request, case_number, status=status_of(exc), typed=typed,
                            alert=exc, key=form.key)
    return RedirectResponse(f"/field/cases/{case_number}/report?recorded={done.revision}",
                            303)


@router.get("/api/field/cases/{case_number}/report", dependencies=[Depends(allow(*OFFICER))])
def api_report_form(request: Request, case_number: str) -> ReportStart:
    """What a report of field investigation on the case is sent with: the revision and a
    one-time key to send back, the investigator (the signed-in officer), the agency's clock,
    the case's violations. 403 for a case assigned to another officer."""
    return _start(request, _assigned(request, case_number))


@router.post("/api/field/cases/{case_number}/report", dependencies=[Depends(allow(*OFFICER))],
             status_code=201)
def api_report(request: Request, case_number: str, body: ReportForm) -> Recorded:
    """Record a report of field investigation (VII.D.3 a–j): the case's next revision with the
    site visit, and an "inspection" event carrying the whole report, as the signed-in
    officer. 422 with one problem per missing or wrong element (`at`, `place`,
    `conditions`, `recommended_action`, `witnesses[0].name`, …); 409 when `key` was
    received before, or the case changed since `revision`; 403 for another officer's case."""
    with _theirs():
        done = record_report(acting(request), case_number, request.state.person.officer,
                             body)
    return Recorded(case_number=case_number, revision=done.revision,
                    url=case_page(case_number))


# -- photos ----------------------------------------------------------------------------------

class PhotosStart(BaseModel):
    """What a photo upload on the case is sent with, and the photos it has."""

    case_number: str
    address: str
    revision: int
    key: str
    most: int
    """The most photos one upload takes."""
    limit: int
    """The largest photo taken, in bytes."""
    violations: list[ViolationPhotos]


class PhotosAdded(BaseModel):
    case_number: str
    revision: int
    photos: list[PhotoShown]


def _photos_start(request: Request, mine: Assigned) -> PhotosStart:
    app = acting(request)
    return PhotosStart(case_number=mine.case.case_number,
                       address=mine.case.property.address.one_line(),
                       revision=mine.record.revision, key=new_key(), most=PHOTOS_AT_ONCE,
                       limit=PHOTO_LIMIT, violations=violation_photos(app, mine))


def _photos_page(request: Request, number: str, *, status: int = 200,
                 typed: dict[str, str] | None = None, problems: list[Problem] | None = None,
                 alert: NoticegenError | None = None, added: int | None = None,
                 key: str | None = None) -> Response:
    start = _photos_start(request, _assigned(request, number))
    return page(request, "field_photos.html", status=status, start=start, typed=typed or {},
                errors=_errors(problems or [], list(LABELS)), alert=alert, added=added,
                key=key or start.key, here=PHOTOS_FORM, field_id=field_id,
                field_label=field_label, back=case_page(number),
                photo_mb=PHOTO_LIMIT // 1_000_000)


@router.get("/field/cases/{case_number}/photos", dependencies=[Depends(allow(*OFFICER))])
def photos_form(request: Request, case_number: str, added: int | None = None) -> Response:
    return _photos_page(request, case_number, added=added)


async def _read(upload: UploadFile) -> Upload:
    """A sent file, read no further than a photo may be (its whole size kept)."""
    content = await upload.read(PHOTO_LIMIT + 1)
    return Upload(upload.filename or "", content,
                  size=upload.size if len(content) > PHOTO_LIMIT else None)


async def _photos_of(request: Request) -> tuple[PhotosForm, dict[str, str]]:
    sent = await request.form()

    def text(name: str) -> str:
        value = sent.get(name)
        return value if isinstance(value, str) else ""

    uploads = [await _read(f) for f in sent.getlist("photos") if isinstance(f, UploadFile)]
    await sent.close()
    captions = text("captions").rstrip().splitlines()
    revision = text("revision")
    form = PhotosForm(revision=int(revision) if revision.isdigit() else -1, key=text("key"),
                      violation=text("violation").strip(), uploads=uploads,
                      caption=text("caption"), captions=tuple(captions))
    return form, {name: text(name) for name in ("violation", "caption", "captions")}


def _attach(request: Request, number: str, form: PhotosForm) -> PhotosAdded:
    with _theirs():
        done = attach_photos(acting(request), number, request.state.person.officer, form)
    return PhotosAdded(case_number=number, revision=done.revision.revision,
                       photos=done.photos)


@router.post("/field/cases/{case_number}/photos", dependencies=[Depends(allow(*OFFICER))])
async def photos_send(request: Request, case_number: str) -> Response:
    """The photos attached: back to the page, which shows them with their capture times; a
    photo refused is named with the reason, and nothing is recorded."""
    form, typed = await _photos_of(request)
    try:
        done = await run_in_threadpool(_attach, request, case_number, form)
    except InputError as exc:
        return _photos_page(request, case_number, status=422, typed=typed,
                            problems=exc.problems, key=form.key)
    except NoticegenError as exc:
        if status_of(exc) in (403, 404):
            raise
        return _photos_page(request, case_number, status=status_of(exc), typed=typed,
                            alert=exc, key=None if isinstance(exc, AlreadyReceived)
                            else form.key)
    return RedirectResponse(f"/field/cases/{case_number}/photos?added={len(done.photos)}",
                            303)


@router.get("/api/field/cases/{case_number}/photos", dependencies=[Depends(allow(*OFFICER))])
def api_photos_form(request: Request, case_number: str) -> PhotosStart:
    """The case's violations with their photos (each with its capture time, or that none is
    recorded, and its upright copy), and the revision and one-time key an upload is sent
    with."""
    return _photos_start(request, _assigned(request, case_number))


@router.post("/api/field/cases/{case_number}/photos", dependencies=[Depends(allow(*OFFICER))],
             status_code=201, openapi_extra={"requestBody": {"required": True, "content": {
                 "multipart/form-data": {"schema": {"type": "object", "properties": {
                     "photos": {"type": "array",
                                "items": {"type": "string", "format": "binary"}},
                     "violation": {"type": "string"}, "caption": {"type": "string"},
                     "captions": {"type": "string",
                                  "description": "one caption a line, in the photos' order"},
                     "revision": {"type": "integer"}, "key": {"type": "string"}},
                     "required": ["photos", "violation", "revision", "key"]}}}}})
async def api_photos(request: Request, case_number: str) -> PhotosAdded:
    """Attach photos (multipart, up to 12 `photos` of at most 15 MB each: JPEG, PNG, HEIC or
    WebP) to the violation `violation` of the case, in its next revision, with `caption` for
    each (or its own line of `captions`); a "photos" event names them with their EXIF capture
    times. 422 names each photo refused with the reason; 409 for a `key` received before or
    a case changed since `revision`."""
    form, _ = await _photos_of(request)
    return await run_in_threadpool(_attach, request, case_number, form)


@router.get("/cases/{case_number}/photos/{sha256}/upright",
            dependencies=[Depends(allow(*READERS))])
def upright_photo(request: Request, case_number: str, sha256: str) -> Response:
    """A photo of the case upright and small enough for a page, as JPEG (HEIC included)."""
    found = upright(acting(request), case_number, sha256)
    return file_response(found.content, found.media_type, found.name, inline=True)
