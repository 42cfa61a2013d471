"""The clerk's work queue (cases that may take their next step now, in priority order) and
the follow-ups page (what is due, and the compliance dates of the coming week)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from ...service.queue import FollowUps, Queue, as_of_date, followups, work_queue
from ..answers import page
from ..auth import CASEWORK, acting, allow

router = APIRouter()


def _queue(request: Request, as_of: str | None, step: str | None, officer: str | None,
           category: str | None, overdue: bool) -> Queue:
    app = acting(request)
    return work_queue(app, as_of_date(app, as_of), step=step or None, officer=officer or None,
                      category=category or None, overdue=overdue)


@router.get("/queue", dependencies=[Depends(allow(*CASEWORK))])
def queue_page(request: Request, as_of: str | None = None, step: str | None = None,
               officer: str | None = None, category: str | None = None,
               overdue: str | None = None) -> Response:
    return page(request, "queue.html",
                queue=_queue(request, as_of, step, officer, category, bool(overdue)),
                as_of_given=as_of or "")


@router.get("/api/queue", dependencies=[Depends(allow(*CASEWORK))])
def api_queue(request: Request, as_of: str | None = None, step: str | None = None,
              officer: str | None = None, category: str | None = None,
              overdue: bool = False) -> Queue:
    """Open cases that may take a step now, in priority order (as of YYYY-MM-DD; default
    today in the agency's zone); filters: step, officer (id), category (deadline category
    id), overdue (compliance date passed)."""
    return _queue(request, as_of, step, officer, category, overdue)


def _followups(request: Request, as_of: str | None) -> FollowUps:
    app = acting(request)
    return followups(app, as_of_date(app, as_of))


@router.get("/followups", dependencies=[Depends(allow(*CASEWORK))])
def followups_page(request: Request, as_of: str | None = None) -> Response:
    return page(request, "followups.html", found=_followups(request, as_of),
                as_of_given=as_of or "")


@router.get("/api/followups", dependencies=[Depends(allow(*CASEWORK))])
def api_followups(request: Request, as_of: str | None = None) -> FollowUps:
    """What `noticegen followups` shows as of the day (default today), and the open cases
    whose compliance date falls in the week from it."""
    return _followups(request, as_of)
