"""Long work asked for through the service (a certified-mail batch), done outside the request
by a worker process: the job and each of its states are rows of the record, so a restart
resumes an unfinished job or reports how it ended — it is never silently lost."""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from ..errors import InputError, NoticegenError
from ..record.db import now
from ..record.tables import job_events, jobs, people
from .app import App
from .mailing import mail_batch

ENDED = ("finished", "failed")
PROGRESS_EVERY = 0.5
"""Seconds between recorded progress states (the page polls about as often)."""

log = logging.getLogger("noticegen.worker")


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    params: dict[str, Any]
    actor: str
    asked_at: datetime
    state: str
    """queued, started, resumed, progress, finished or failed."""
    done: int
    total: int
    detail: dict[str, Any]
    seq: int

    @property
    def ended(self) -> bool:
        return self.state in ENDED


def submit_batch(app: App, case_numbers: list[str], doc_type: str, mail_date: date,
                 batch_id: str, reservice: str | None = None) -> str:
    """Queue a mail batch for the worker; returns the job's id."""
    app.ready()
    job_id = uuid.uuid4().hex
    with app.transaction() as (c, actor):
        c.execute(insert(jobs).values(id=job_id, kind="mail_batch", params={
            "cases": list(case_numbers), "doc_type": doc_type,
            "mail_date": mail_date.isoformat(), "batch_id": batch_id,
            "reservice": reservice}, actor_id=actor, recorded_at=now()))
    return job_id


def job(app: App, job_id: str) -> Job:
    with app.record.read() as c:
        row = c.execute(select(jobs, people.c.name).join(
            people, people.c.id == jobs.c.actor_id).where(jobs.c.id == job_id)).mappings().first()
        if row is None:
            raise NoticegenError(f"there is no job {job_id}", "jobs are named on their page")
        last = c.execute(select(job_events).where(job_events.c.job_id == job_id)
                         .order_by(job_events.c.seq.desc()).limit(1)).mappings().first()
    if last is None:
        return Job(row["id"], row["kind"], row["params"], row["name"], row["recorded_at"],
                   "queued", 0, 0, {}, 0)
    return Job(row["id"], row["kind"], row["params"], row["name"], row["recorded_at"],
               last["state"], last["done"], last["total"], last["detail"], last["seq"])


def unfinished(app: App) -> list[str]:
    """Jobs not finished or failed, oldest first."""
    with app.record.read() as c:
        ended = select(job_events.c.job_id).where(job_events.c.state.in_(ENDED))
        return list(c.execute(select(jobs.c.id).where(jobs.c.id.not_in(ended))
                              .order_by(jobs.c.recorded_at, jobs.c.id)).scalars())


def recent(app: App, limit: int = 20) -> list[Job]:
    with app.record.read() as c:
        ids = list(c.execute(select(jobs.c.id).order_by(jobs.c.recorded_at.desc())
                             .limit(limit)).scalars())
    return [job(app, i) for i in ids]


def _add(app: App, current: Job, state: str, done: int, total: int,
         detail: dict[str, Any] | None = None) -> Job | None:
    """The job's next state; None if another worker recorded one first."""
    seq = current.seq + 1
    try:
        with app.record.transaction() as c:
            actor = c.execute(select(jobs.c.actor_id).where(jobs.c.id == current.id)).scalar()
            c.execute(insert(job_events).values(
                job_id=current.id, seq=seq, state=state, done=done, total=total,
                detail=detail or {}, actor_id=actor, recorded_at=now()))
    except IntegrityError:
        return None
    return dataclasses.replace(current, state=state, done=done, total=total,
                               detail=detail or {}, seq=seq)


def run(app: App, job_id: str) -> Job:
    """Take the job (unless another worker has) and do it, recording its states; a job that
    was started before and never ended is resumed (a batch resumes from its journal)."""
    current = job(app, job_id)
    if current.ended:
        return current
    start = "queued" if current.state == "queued" else "resumed"
    taken = _add(app, current, "started" if start == "queued" else "resumed",
                 current.done, current.total)
    if taken is None:
        return job(app, job_id)
    state = {"job": taken, "at": 0.0}

    def progress(done: int, total: int) -> None:
        if time.monotonic() - state["at"] < PROGRESS_EVERY and done < total:
            return
        state["at"] = time.monotonic()
        moved = _add(app, state["job"], "progress", done, total)
        if moved is not None:
            state["job"] = moved

    acting = dataclasses.replace(app, actor=taken.actor)
    try:
        detail = _do(acting, taken, progress)
    except InputError as exc:
        return _add(app, state["job"], "failed", state["job"].done, state["job"].total,
                    {"message": exc.message, "problems": [str(p) for p in exc.problems]}) \
            or job(app, job_id)
    except NoticegenError as exc:
        return _add(app, state["job"], "failed", state["job"].done, state["job"].total,
                    {"message": exc.message, "hint": exc.hint}) or job(app, job_id)
    except Exception as exc:  # a bug: the job says so; the details go to the worker's log
        log.exception("job %s failed", job_id)
        return _add(app, state["job"], "failed", state["job"].done, state["job"].total,
                    {"message": f"internal error ({type(exc).__name__})", "hint":
                     "nothing more was recorded; the worker's log has the details"}) \
            or job(app, job_id)
    last = state["job"]
    total = max(last.total, int(detail.get("pieces", 0)))
    return _add(app, last, "finished", total, total, detail) or job(app, job_id)


def _do(app: App, taken: Job, progress: Callable[[int, int], None]) -> dict[str, Any]:
    if taken.kind != "mail_batch":
        raise NoticegenError(f"unknown kind of job: {taken.kind}", "a newer noticegen made it")
    p = taken.params
    result = mail_batch(app, list(p["cases"]), p["doc_type"], date.fromisoformat(
        p["mail_date"]), p["batch_id"], reservice=p.get("reservice"), progress=progress)
    return {"batch_id": result.batch_id, "pieces": result.pieces,
            "already_complete": result.already_complete}


def work(app: App, stop: Callable[[], bool], poll: float = 0.5) -> None:
    """The worker's loop: every unfinished job in turn (those a restart interrupted first),
    until `stop()` says so."""
    while not stop():
        pending = unfinished(app)
        for job_id in pending:
            run(app, job_id)
            if stop():
                return
        if not pending:
            time.sleep(poll)

