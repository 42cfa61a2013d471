"""Tracking: the mail pieces with their status and the compliance date that follows, one
piece with its events and the forms that record an event or a signed return receipt, and the
upload of a carrier's tracking CSV reported line by line as `noticegen track import` does —
each with its /api/ twin."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from ...errors import InputError, NotFound, NoticegenError, Problem
from ...mail.article_numbers import printed
from ...service import App, add_event, reports
from ...service.tracking import (
    EventsImported,
    PieceReportView,
    import_csv,
    piece_history,
    report_view,
)
from ...tracking import EVENTS, next_statuses
from ...tracking.report import PieceReport
from ..answers import page
from ..auth import CLERK, DESK, acting, allow

router = APIRouter()
STATUSES = tuple(e for e in EVENTS if e != "return_receipt")
"""What the event form records (a return receipt has its own form, as `track receipt`)."""
MAX_UPLOAD = 5_000_000
"""The largest tracking CSV taken (bytes): a carrier's day is far smaller."""


class NewEvent(BaseModel):
    status: str
    date: date
    detail: str | None = None
    correction: bool = False


class NewReceipt(BaseModel):
    signed_by: str
    date: date
    receipt_number: str | None = None


def _report(app: App, article: str) -> PieceReport:
    found = reports(app, article=article.replace(" ", ""))
    if not found:
        raise NotFound(f"there is no mail piece with article number {article}",
                       "the tracking page lists every piece")
    return found[0]


def _day(value: str, field: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _FieldError(field, f"'{value[:40]}' is not a date",
                          "write YYYY-MM-DD") from None


class _FieldError(NoticegenError):
    """A form's value that cannot be used, with the field it is beside."""

    def __init__(self, field: str, message: str, hint: str | None = None) -> None:
        super().__init__(message, hint)
        self.field = field


def _piece_page(request: Request, app: App, article: str, *, status: int = 200,
                form: str | None = None, error: NoticegenError | None = None,
                values: dict[str, str] | None = None) -> Response:
    """The piece page; `error` (from `form`: 'event' or 'receipt') beside its field."""
    report = _report(app, article)
    field = getattr(error, "field", "status") if error else None
    return page(request, "piece.html", status=status, report=report,
                history=piece_history(app, report.piece.article_number), printed=printed,
                statuses=STATUSES, allowed=next_statuses(report.piece.status),
                today=app.today(), form=form, error=error, field=field,
                values=values or {})


# -- pieces ------------------------------------------------------------------------------

@router.get("/tracking", dependencies=[Depends(allow(*DESK))])
def tracking_page(request: Request, status: str | None = None,
                  case: str | None = None) -> Response:
    return _tracking_page(request, acting(request), status, case)


def _tracking_page(request: Request, app: App, status: str | None, case: str | None, *,
                   code: int = 200, imported: EventsImported | None = None,
                   file: str = "", error: InputError | None = None) -> Response:
    wanted = status if status in EVENTS else None
    found = reports(app, status=wanted, case=(case or "").strip() or None)
    return page(request, "tracking.html", status=code, found=found, statuses=EVENTS,
                wanted=wanted or "", case=(case or "").strip(), printed=printed,
                imported=imported, file=file, error=error)


@router.get("/api/pieces", dependencies=[Depends(allow(*DESK))])
def api_pieces(request: Request, status: str | None = None,
               case: str | None = None) -> list[PieceReportView]:
    """Every mail piece (of one case, or whose latest event is `status`) with its service and
    the compliance date the record acts on, as `noticegen track list`."""
    return [report_view(r) for r in reports(acting(request), status=status or None,
                                           case=case or None)]


@router.get("/pieces/{article}", dependencies=[Depends(allow(*DESK))])
def piece_page(request: Request, article: str) -> Response:
    return _piece_page(request, acting(request), article)


@router.get("/api/pieces/{article}", dependencies=[Depends(allow(*DESK))])
def api_piece(request: Request, article: str) -> PieceReportView:
    """One piece with every event the record holds for it."""
    app = acting(request)
    report = _report(app, article)
    return report_view(report, piece_history(app, report.piece.article_number))


# -- recording what happened ---------------------------------------------------------------

@router.post("/pieces/{article}/events", dependencies=[Depends(allow(*CLERK))])
def piece_event(request: Request, article: str, status: Annotated[str, Form()] = "",
                on: Annotated[str, Form(alias="date")] = "",
                detail: Annotated[str, Form()] = "",
                correction: Annotated[str, Form()] = "") -> Response:
    app = acting(request)
    report = _report(app, article)
    values = {"status": status, "date": on, "detail": detail, "correction": correction}
    try:
        if status not in STATUSES:
            raise _FieldError("status", "choose what happened to the piece",
                              "events: " + ", ".join(STATUSES))
        add_event(app, report.piece.article_number, status, _day(on, "date"),
                  detail=detail.strip() or None, correction=bool(correction))
    except NoticegenError as exc:
        return _piece_page(request, app, article, status=422, form="event", error=exc,
                           values=values)
    return RedirectResponse(f"/cases/{report.piece.case_number}", 303)


@router.post("/pieces/{article}/receipt", dependencies=[Depends(allow(*CLERK))])
def piece_receipt(request: Request, article: str, signed_by: Annotated[str, Form()] = "",
                  on: Annotated[str, Form(alias="date")] = "",
                  receipt_number: Annotated[str, Form()] = "") -> Response:
    app = acting(request)
    report = _report(app, article)
    values = {"signed_by": signed_by, "date": on, "receipt_number": receipt_number}
    try:
        add_event(app, report.piece.article_number, "return_receipt", _day(on, "date"),
                  signer=signed_by.strip() or None,
                  receipt_number=receipt_number.strip() or None)
    except NoticegenError as exc:
        return _piece_page(request, app, article, status=422, form="receipt", error=exc,
                           values=values)
    return RedirectResponse(f"/cases/{report.piece.case_number}", 303)


@router.post("/api/pieces/{article}/events", dependencies=[Depends(allow(*CLERK))])
def api_piece_event(request: Request, article: str, body: NewEvent) -> PieceReportView:
    """Record what happened to a piece (as `noticegen track event`); refused (400) when it
    cannot follow the piece's status or precedes the mailing, unless a correction."""
    app = acting(request)
    number = _report(app, article).piece.article_number
    add_event(app, number, body.status, body.date, detail=body.detail,
              correction=body.correction)
    return report_view(_report(app, number), piece_history(app, number))


@router.post("/api/pieces/{article}/receipt", dependencies=[Depends(allow(*CLERK))])
def api_piece_receipt(request: Request, article: str, body: NewReceipt) -> PieceReportView:
    """Record a signed return receipt (as `noticegen track receipt`); its date is the
    delivery date."""
    app = acting(request)
    number = _report(app, article).piece.article_number
    add_event(app, number, "return_receipt", body.date, signer=body.signed_by,
              receipt_number=body.receipt_number)
    return report_view(_report(app, number), piece_history(app, number))


# -- a carrier's CSV -------------------------------------------------------------------------

async def _upload(file: UploadFile | None) -> tuple[str, bytes]:
    if file is None or not file.filename:
        raise InputError([Problem("(upload)", None, "file", "no file was chosen",
                                  "choose the carrier's tracking CSV")])
    data = await file.read(MAX_UPLOAD + 1)
    name = file.filename.replace("\\", "/").rsplit("/", 1)[-1][:100]
    if len(data) > MAX_UPLOAD:
        raise InputError([Problem(name, None, "file", f"larger than {MAX_UPLOAD:,} bytes",
                                  "split it into smaller files")])
    return name, data


@router.post("/tracking/import", dependencies=[Depends(allow(*CLERK))])
async def tracking_import(request: Request, file: UploadFile | None = None) -> Response:
    app = acting(request)
    name = ""
    try:
        name, data = await _upload(file)
        done = import_csv(app, name, data)
    except InputError as exc:
        return _tracking_page(request, app, None, None, code=422, file=name, error=exc)
    return _tracking_page(request, app, None, None, imported=done, file=name)


@router.post("/api/tracking/import", dependencies=[Depends(allow(*CLERK))])
async def api_tracking_import(request: Request, file: UploadFile | None = None
                              ) -> EventsImported:
    """Record the events of a tracking CSV (article_number, status, date; optional signed_by,
    detail, receipt_number), as `noticegen track import`: every row that can be recorded
    is, rows already on record add nothing, the others are reported by line (422 only when
    the file cannot be read at all)."""
    name, data = await _upload(file)
    return import_csv(acting(request), name, data)
