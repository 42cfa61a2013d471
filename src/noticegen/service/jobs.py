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

from sqlalchemy import Row, Select, func, insert, select

from ..errors import InputError, NotFound, NoticegenError, Problem
from ..record.db import now
from ..record.tables import job_events, jobs, people
from .app import App
from .mailing import REQUEST, check_batch, mail_batch

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


class NoSuchJob(NotFound):
    """No job of that id in the record."""


def submit_batch(app: App, case_numbers: list[str], doc_type: str, mail_date: date,
                 batch_id: str, reservice: str | None = None) -> str:
    """Queue a mail batch for the worker once it passes the checks the batch makes first
    (`check_batch`: every refusal at once), so that nothing refused is queued. The same batch
    asked again while its job is unfinished is that job; another batch under the same id is
    refused. Returns the job's id."""
    app.ready()
    numbers = list(dict.fromkeys(case_numbers))
    check_batch(app, numbers, doc_type, mail_date, batch_id, reservice)
    params = {"cases": numbers, "doc_type": doc_type, "mail_date": mail_date.isoformat(),
              "batch_id": batch_id, "reservice": reservice}
    ended = select(job_events.c.job_id).where(job_events.c.state.in_(ENDED))
    with app.transaction() as (c, actor):
        for other, asked in c.execute(select(jobs.c.id, jobs.c.params).where(
                jobs.c.kind == "mail_batch", jobs.c.id.not_in(ended))):
            if asked == params:
                return str(other)
            if asked.get("batch_id") == batch_id:
                raise InputError([Problem(REQUEST, None, "batch id",
                                          f"batch {batch_id} is already queued (job {other}) "
                                          "for other cases or another day",
                                          "choose another batch id")])
        job_id = uuid.uuid4().hex
        c.execute(insert(jobs).values(id=job_id, kind="mail_batch", params=params,
                                      actor_id=actor, recorded_at=now()))
    return job_id


def submit_review(app: App, template_ids: list[str] | None = None) -> str:
    """Queue the city attorney's review PDF (`noticegen templates review`: about a minute for
    every template) for the worker; returns the job's id."""
    app.ready()
    job_id = uuid.uuid4().hex
    with app.transaction() as (c, actor):
        c.execute(insert(jobs).values(id=job_id, kind="review", params={
            "templates": list(template_ids or [])}, actor_id=actor, recorded_at=now()))
    return job_id


def _jobs() -> Select:
    """Each job with who asked for it and its latest state (its job_events row of the
    highest seq; none while it is queued)."""
    e = job_events
    latest = select(e.c.job_id, func.max(e.c.seq).label("seq")).group_by(e.c.job_id).subquery()
    return (select(jobs.c.id, jobs.c.kind, jobs.c.params, jobs.c.recorded_at, people.c.name,
                   e.c.state, e.c.done, e.c.total, e.c.detail, e.c.seq)
            .join(people, people.c.id == jobs.c.actor_id)
            .outerjoin(latest, latest.c.job_id == jobs.c.id)
            .outerjoin(e, (e.c.job_id == latest.c.job_id) & (e.c.seq == latest.c.seq)))


def _job(row: Row) -> Job:
    if row.seq is None:
        return Job(row.id, row.kind, row.params, row.name, row.recorded_at, "queued", 0, 0, {}, 0)
    return Job(row.id, row.kind, row.params, row.name, row.recorded_at, row.state, row.done,
               row.total, row.detail, row.seq)


def job(app: App, job_id: str) -> Job:
    with app.record.read() as c:
        row = c.execute(_jobs().where(jobs.c.id == job_id)).first()
    if row is None:
        raise NoSuchJob(f"there is no job {job_id}", "the batches page lists recent jobs")
    return _job(row)


def unfinished(app: App) -> list[str]:
    """Jobs not finished or failed: those begun before (a restart interrupted them) first,
    then those waiting, oldest first in each."""
    with app.record.read() as c:
        ended = select(job_events.c.job_id).where(job_events.c.state.in_(ENDED))
        rows = c.execute(select(jobs.c.id, jobs.c.id.in_(select(job_events.c.job_id))
                                .label("begun")).where(jobs.c.id.not_in(ended))
                         .order_by(jobs.c.recorded_at, jobs.c.id)).all()
    return [r.id for r in rows if r.begun] + [r.id for r in rows if not r.begun]


def queued(app: App) -> list[str]:
    """Jobs no worker has taken yet, oldest first."""
    with app.record.read() as c:
        return list(c.execute(select(jobs.c.id).where(
            jobs.c.id.not_in(select(job_events.c.job_id)))
            .order_by(jobs.c.recorded_at, jobs.c.id)).scalars())


def recent(app: App, limit: int = 20, kind: str | None = None) -> list[Job]:
    """The latest jobs (of one kind, or all), newest first."""
    query = _jobs().order_by(jobs.c.recorded_at.desc()).limit(limit)
    if kind is not None:
        query = query.where(jobs.c.kind == kind)
    with app.record.read() as c:
        return [_job(row) for row in c.execute(query)]


def _add(app: App, current: Job, state: str, done: int, total: int,
         detail: dict[str, Any] | None = None) -> Job | None:
    """The job's next state; None if another worker recorded one first (the job's row is
    locked while its last state is read: SQLite's write lock, PostgreSQL's FOR UPDATE)."""
    seq = current.seq + 1
    with app.record.transaction() as c:
        query = select(jobs.c.actor_id).where(jobs.c.id == current.id)
        if c.dialect.name != "sqlite":
            query = query.with_for_update()
        actor = c.execute(query).scalar()
        last = c.execute(select(func.max(job_events.c.seq)).where(
            job_events.c.job_id == current.id)).scalar()
        if (last or 0) != current.seq:
            return None
        c.execute(insert(job_events).values(
            job_id=current.id, seq=seq, state=state, done=done, total=total,
            detail=detail or {}, actor_id=actor, recorded_at=now()))
    return dataclasses.replace(current, state=state, done=done, total=total,
                               detail=detail or {}, seq=seq)


def run(app: App, job_id: str) -> Job:
    """Take the job (unless another worker has) and do it, recording its states; a job that
    was started before and never ended is resumed (a batch resumes from its journal)."""
    current = job(app, job_id)
    if current.ended:
        return current
    taken = _add(app, current, "started" if current.state == "queued" else "resumed",
                 current.done, current.total)
    if taken is None:
        return job(app, job_id)
    state: dict[str, Any] = {"job": taken, "at": 0.0}

    def progress(done: int, total: int) -> None:
        if time.monotonic() - state["at"] < PROGRESS_EVERY and done < total:
            return
        state["at"] = time.monotonic()
        moved = _add(app, state["job"], "progress", done, total)
        if moved is None:
            raise _TakenOver  # another worker resumed the job: it finishes it
        state["job"] = moved

    def fail(detail: dict[str, Any]) -> Job:
        last = state["job"]
        return _add(app, last, "failed", last.done, last.total, detail) or job(app, job_id)

    acting = dataclasses.replace(app, actor=taken.actor)
    try:
        detail = _do(acting, taken, progress)
    except _TakenOver:
        return job(app, job_id)
    except InputError as exc:
        return fail({"message": exc.message, "hint": exc.hint,
                     "problems": [p.as_json() for p in exc.problems]})
    except NoticegenError as exc:
        return fail({"message": exc.message, "hint": exc.hint})
    except Exception as exc:  # a bug: the job says so; the details go to the worker's log
        log.exception("job %s failed", job_id)
        return fail({"message": f"internal error ({type(exc).__name__})",
                     "hint": "nothing more was recorded; the worker's log has the details"})
    last = state["job"]
    total = max(last.total, int(detail.get("pieces", 0)))
    return _add(app, last, "finished", total, total, detail) or job(app, job_id)


def _do(app: App, taken: Job, progress: Callable[[int, int], None]) -> dict[str, Any]:
    if taken.kind == "review":
        from .templates import review_pdf

        return review_pdf(app, list(taken.params["templates"]), progress)
    if taken.kind != "mail_batch":
        raise NoticegenError(f"unknown kind of job: {taken.kind}", "a newer noticegen made it")
    p = taken.params
    result = mail_batch(app, list(p["cases"]), p["doc_type"], date.fromisoformat(
        p["mail_date"]), p["batch_id"], reservice=p.get("reservice"), progress=progress)
    return {"batch_id": result.batch_id, "pieces": result.pieces,
            "rendered": result.rendered, "already_complete": result.already_complete}


class _TakenOver(Exception):
    """Another worker recorded the job's next state first: it has the job now."""


def work(app: App, stop: Callable[[], bool], poll: float = 0.5) -> None:
    """The worker's loop, until `stop()` says so: first every job left unfinished (a restart
    interrupted it: resumed), then each job as it is queued. The face runs one worker per
    record folder (`noticegen worker` holds a lock), so a begun job is only ever one that a
    stopped worker left. A job whose state could not be recorded (the record unreachable) is
    tried again."""
    first, again = True, []
    while not stop():
        try:
            found = unfinished(app) if first else queued(app)
        except NoticegenError as exc:
            log.error("the worker cannot read the jobs: %s", exc)
            time.sleep(poll)
            continue
        first, todo, again = False, again + [j for j in found if j not in again], []
        for job_id in todo:
            if stop():
                return
            try:
                run(app, job_id)
            except Exception:
                log.exception("job %s: its state could not be recorded; tried again", job_id)
                again.append(job_id)
        if again or not todo:
            time.sleep(poll)

