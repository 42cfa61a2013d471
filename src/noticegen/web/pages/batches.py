"""The clerk's new mail batch (open cases with the ladder's answer, the mailing date checked
before anything is queued), its job run by the worker with a live progress bar, and the
batches on record with their pieces and papers — each with its /api/ twin."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from ...errors import InputError, Problem
from ...mail.article_numbers import printed
from ...service import App
from ...service.batches import (
    BatchSummary,
    BatchView,
    Plan,
    batch_view,
    default_batch_id,
    list_batches,
    plan_batch,
)
from ...service.batches import (
    paper as paper_file,
)
from ...service.dates import parse_day
from ...service.jobs import Job, job, recent, submit_batch
from ...service.mailing import MAIL_DATE_FIELD, REQUEST
from ..answers import file_response, page
from ..auth import CLERK, DESK, acting, allow

router = APIRouter()
DOC_TYPE = "nov"
"""The notice a batch mails (as `noticegen batch --doc`)."""
PAPERS = {"print.pdf": "Print file", "firm-mailing-book.pdf": "Firm mailing book (PS Form 3877)",
          "manifest.csv": "Manifest (CSV)", "batch.json": "Batch record (batch.json)"}
"""A batch's papers with their names on the pages (a finished job links all but the record)."""


# -- the API's shapes --------------------------------------------------------------------

class NewBatch(BaseModel):
    cases: list[str]
    mail_date: date
    batch_id: str | None = None
    """Default: nov-<mail date>."""
    doc_type: Literal["nov"] = "nov"
    reservice: str | None = None


class Link(BaseModel):
    href: str
    label: str


class Queued(BaseModel):
    job_id: str
    page: str
    api: str


class JobModel(BaseModel):
    id: str
    kind: str
    state: str
    ended: bool
    done: int
    total: int
    asked_by: str
    asked_at: datetime
    params: dict[str, Any]
    detail: dict[str, Any]
    links: list[Link]


def _links(found: Job) -> list[Link]:
    """Where a finished job's work is: a mail batch's page and papers."""
    batch_id = found.detail.get("batch_id")
    if found.state != "finished" or found.kind != "mail_batch" or not batch_id:
        return []
    return [Link(href=f"/batches/{batch_id}", label=f"Batch {batch_id}: its pieces and papers"),
            *(Link(href=f"/batches/{batch_id}/{name}", label=label)
              for name, label in PAPERS.items() if name != "batch.json")]


def _job_model(found: Job) -> JobModel:
    return JobModel(id=found.id, kind=found.kind, state=found.state, ended=found.ended,
                    done=found.done, total=found.total, asked_by=found.actor,
                    asked_at=found.asked_at, params=found.params, detail=found.detail,
                    links=_links(found))


# -- a new batch -------------------------------------------------------------------------

def _day(value: str | None) -> tuple[date | None, list[Problem]]:
    if not value or not value.strip():
        return None, []
    try:
        return parse_day(value.strip(), MAIL_DATE_FIELD, REQUEST), []
    except InputError as exc:
        return None, exc.problems


def _new_page(request: Request, app: App, day: date | None, *, status: int = 200,
              problems: list[Problem] | None = None, chosen: list[str] | None = None,
              batch_id: str | None = None) -> Response:
    """The new batch form for that day (default: the next day the post office is open), with
    each problem placed beside what it is about."""
    plan = plan_batch(app, day, DOC_TYPE)
    given = list(problems or [])
    numbers = {c.case_number for c in plan.candidates}
    placed: dict[str, list[Problem]] = {MAIL_DATE_FIELD: [], "batch id": [], "cases": [],
                                        "other": []}
    by_case: dict[str, list[Problem]] = {}
    for p in given + [p for p in plan.date_refusals if p not in given]:
        if p.field == MAIL_DATE_FIELD:  # beside the field: the case or file in the message
            placed[p.field].append(p if p.file == REQUEST else Problem(
                REQUEST, p.line, p.field, f"{p.file}: {p.message}", p.hint))
        elif p.field in placed:
            placed[p.field].append(p)
        elif p.file in numbers:  # the ladder's reasons are listed with the case already
            by_case.setdefault(p.file, []).append(p if p.field != "history" else Problem(
                p.file, p.line, p.field, "chosen, but the ladder does not allow it now",
                "leave it out of the batch"))
        else:
            placed["other"].append(p)
    picked = set(chosen) if chosen is not None else \
        {c.case_number for c in plan.candidates if c.eligible}
    return page(request, "batch_new.html", status=status, plan=plan, placed=placed,
                by_case=by_case, picked=picked, request_name=REQUEST,
                batch_id=batch_id if batch_id is not None else plan.batch_id)


@router.get("/batches/new", dependencies=[Depends(allow(*CLERK))])
def new_batch_page(request: Request, mail_date: str | None = None) -> Response:
    day, problems = _day(mail_date)
    return _new_page(request, acting(request), day, problems=problems,
                     status=422 if problems else 200)


@router.post("/batches", dependencies=[Depends(allow(*CLERK))])
def new_batch_post(request: Request, mail_date: Annotated[str, Form()] = "",
                   batch_id: Annotated[str, Form()] = "",
                   cases: Annotated[list[str] | None, Form()] = None) -> Response:
    app = acting(request)
    day, problems = _day(mail_date)
    if day is None and not problems:
        problems = [Problem(REQUEST, None, MAIL_DATE_FIELD, "no mailing date is given",
                            "write YYYY-MM-DD, e.g. 2026-11-25")]
    chosen = list(cases or [])
    name = batch_id.strip()
    if day is not None:
        try:
            job_id = submit_batch(app, chosen, DOC_TYPE, day,
                                  name or default_batch_id(DOC_TYPE, day))
        except InputError as exc:
            problems = exc.problems
        else:
            return RedirectResponse(f"/jobs/{job_id}", 303)
    return _new_page(request, app, day, status=422, problems=problems, chosen=chosen,
                     batch_id=name)


@router.get("/api/batches/new", dependencies=[Depends(allow(*CLERK))])
def api_new_batch(request: Request, mail_date: date | None = None) -> Plan:
    """The open cases a batch mailed that day may take (default: the next day the post office
    is open), each with the ladder's answer; the day's own refusals."""
    return plan_batch(acting(request), mail_date, DOC_TYPE)


@router.post("/api/batches", dependencies=[Depends(allow(*CLERK))], status_code=202)
def api_batches_post(request: Request, body: NewBatch) -> Queued:
    """Queue a batch for the worker once every check passes (422 with each refusal
    otherwise); its job's state is at /api/jobs/{job_id}."""
    job_id = submit_batch(acting(request), body.cases, body.doc_type, body.mail_date,
                          body.batch_id or default_batch_id(body.doc_type, body.mail_date),
                          body.reservice)
    return Queued(job_id=job_id, page=f"/jobs/{job_id}", api=f"/api/jobs/{job_id}")


# -- its job -----------------------------------------------------------------------------

@router.get("/jobs/{job_id}", dependencies=[Depends(allow(*DESK))])
def job_page(request: Request, job_id: str) -> Response:
    app = acting(request)
    found = job(app, job_id)
    return page(request, "job.html", job=found, links=_links(found))


@router.get("/jobs/{job_id}/progress", dependencies=[Depends(allow(*DESK))])
def job_progress(request: Request, job_id: str) -> Response:
    """The progress bar alone, which the job page polls until the job ends."""
    found = job(acting(request), job_id)
    return page(request, "job_progress.html", job=found, links=_links(found))


@router.get("/api/jobs/{job_id}", dependencies=[Depends(allow(*DESK))])
def api_job(request: Request, job_id: str) -> JobModel:
    """A job's state (queued, started, resumed, progress, finished, failed), its progress,
    and when finished where its work is."""
    return _job_model(job(acting(request), job_id))


# -- batches on record ---------------------------------------------------------------------

@router.get("/batches", dependencies=[Depends(allow(*DESK))])
def batches_page(request: Request) -> Response:
    app = acting(request)
    return page(request, "batches.html", batches=list_batches(app),
                jobs=recent(app, kind="mail_batch"))


@router.get("/api/batches", dependencies=[Depends(allow(*DESK))])
def api_batches(request: Request) -> list[BatchSummary]:
    """The batches on record, newest first."""
    return list_batches(acting(request))


@router.get("/batches/{batch_id}", dependencies=[Depends(allow(*DESK))])
def batch_page(request: Request, batch_id: str) -> Response:
    app = acting(request)
    return page(request, "batch.html", batch=batch_view(app, batch_id), printed=printed,
                labels=PAPERS)


@router.get("/api/batches/{batch_id}", dependencies=[Depends(allow(*DESK))])
def api_batch(request: Request, batch_id: str) -> BatchView:
    """A batch with its papers (by SHA-256) and its pieces in mailing order."""
    return batch_view(acting(request), batch_id)


@router.get("/batches/{batch_id}/{paper}", dependencies=[Depends(allow(*DESK))])
def batch_paper(request: Request, batch_id: str, paper: str) -> Response:
    """print.pdf, firm-mailing-book.pdf, manifest.csv or batch.json, from the blob store by
    the SHA-256 the record names."""
    path, media = paper_file(acting(request), batch_id, paper)
    return file_response(path, media, f"{batch_id}-{paper}", inline=True)

