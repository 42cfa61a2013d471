"""Long jobs done by the worker (issue 14, item 1): each state is a row of the record, so a
restart resumes an unfinished job — the batch from its journal, finishing once with the
article numbers a direct run would give — and a job two workers reach is done by one."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

import pytest
from conftest import opened
from sqlalchemy import func, insert, select

from noticegen.errors import InputError
from noticegen.record import RecordError
from noticegen.record.db import now
from noticegen.record.numbers import next_numbers
from noticegen.record.tables import batches, events, job_events, jobs, mail_pieces
from noticegen.service import jobs as service_jobs
from noticegen.service.jobs import job, queued, run, submit_batch, unfinished, work

MAIL_DATE = date(2026, 11, 25)
CASES = ["CE-2026-0163", "CE-2026-0174", "CE-2026-0196"]


def _states(app, job_id: str) -> list[tuple[str, int, int]]:
    with app.record.read() as c:
        return [tuple(r) for r in c.execute(select(
            job_events.c.state, job_events.c.done, job_events.c.total).where(
            job_events.c.job_id == job_id).order_by(job_events.c.seq))]


def _ask(app, job_id: str, kind: str, params: dict, at: datetime | None = None) -> None:
    with app.transaction() as (c, actor):
        c.execute(insert(jobs).values(id=job_id, kind=kind, params=params, actor_id=actor,
                                      recorded_at=at or now()))


def test_an_interrupted_batch_job_is_resumed_first_and_finishes_once(examples_root,
                                                                    monkeypatch):
    with opened(examples_root) as base:
        clerk = dataclasses.replace(base, actor="clerk.jobs")
        source = base.project.settings.mail.article_numbers
        with base.record.read() as c:
            direct = [n.article for n in next_numbers(c, source, 5, base.mailed())]
        job_id = submit_batch(clerk, CASES, "nov", MAIL_DATE, "nov-resume")
        assert submit_batch(clerk, CASES, "nov", MAIL_DATE, "nov-resume") == job_id
        with pytest.raises(InputError, match="already queued"):
            submit_batch(clerk, CASES[:1], "nov", MAIL_DATE, "nov-resume")
        assert queued(base) == [job_id]

        real = service_jobs._add

        def killed(app, current, state, done, total, detail=None):
            moved = real(app, current, state, done, total, detail)
            if state == "progress" and 0 < done < total:
                raise SystemExit("the worker was killed")  # as a kill: nothing catches it
            return moved

        monkeypatch.setattr(service_jobs, "_add", killed)
        with pytest.raises(SystemExit):
            run(base, job_id)
        monkeypatch.setattr(service_jobs, "_add", real)
        interrupted = job(base, job_id)
        assert interrupted.state == "progress" and not interrupted.ended
        assert 0 < interrupted.done < interrupted.total == 5
        with base.record.read() as c:
            assert c.execute(select(func.count()).select_from(mail_pieces)).scalar() == 0

        # an older job still waiting: a restart resumes the interrupted one before it
        _ask(base, "w" * 32, "bogus", {}, now() - timedelta(hours=1))
        assert unfinished(base) == [job_id, "w" * 32]
        work(base, lambda: all(job(base, j).ended for j in (job_id, "w" * 32)), poll=0.01)

        done = job(base, job_id)
        assert done.state == "finished" and done.detail["pieces"] == 5
        assert 0 < done.detail["rendered"] < 5  # the pieces the killed run made were kept
        states = [s for s, _, _ in _states(base, job_id)]
        assert states[0] == "started" and states.count("resumed") == 1
        assert states.count("finished") == 1 and states[-1] == "finished"
        assert states.index("resumed") > states.index("progress")
        with base.record.read() as c:
            articles = list(c.execute(select(mail_pieces.c.article_number).order_by(
                mail_pieces.c.line)).scalars())
            recorded = c.execute(select(batches.c.id)).scalars().all()
            mailed = c.execute(select(func.count()).select_from(events).where(
                events.c.kind == "mailed")).scalar()
            order = {j: i for i, j in c.execute(select(job_events.c.id, job_events.c.job_id)
                                                .where(job_events.c.state.in_(
                                                    ("finished", "failed"))))}
        assert articles == direct  # the numbers a direct run would give, none skipped
        assert recorded == ["nov-resume"] and mailed == 5
        assert order[job_id] < order["w" * 32]
        assert job(base, "w" * 32).detail["message"] == "unknown kind of job: bogus"
        assert run(base, job_id) == done  # an ended job is never done again
        assert not (base.work / "nov-resume").exists()


def test_a_job_another_worker_took_over_is_left_to_it(examples_root, monkeypatch):
    with opened(examples_root) as base:
        _ask(base, "t" * 32, "mail_batch", {"cases": CASES, "doc_type": "nov",
                                            "mail_date": MAIL_DATE.isoformat(),
                                            "batch_id": "b", "reservice": None})

        def other_worker_resumes(app, taken, progress):
            service_jobs._add(base, job(base, taken.id), "resumed", 0, 5)
            progress(1, 5)
            raise AssertionError("the job went on after another worker took it")

        monkeypatch.setattr(service_jobs, "_do", other_worker_resumes)
        left = run(base, "t" * 32)
        assert left.state == "resumed"
        assert [s for s, _, _ in _states(base, "t" * 32)] == ["started", "resumed"]


def test_a_job_whose_state_cannot_be_recorded_is_tried_again(examples_root, monkeypatch):
    with opened(examples_root) as base:
        _ask(base, "r" * 32, "bogus", {})
        real, calls = service_jobs.run, []

        def flaky(app, job_id):
            calls.append(job_id)
            if len(calls) == 1:
                raise RecordError("the database is locked", "try again")
            return real(app, job_id)

        monkeypatch.setattr(service_jobs, "run", flaky)
        work(base, lambda: job(base, "r" * 32).ended, poll=0.01)
        assert calls == ["r" * 32, "r" * 32]
        assert job(base, "r" * 32).state == "failed"


def test_nothing_refused_is_queued(examples_root):
    with opened(examples_root) as base:
        with pytest.raises(InputError) as refused:
            submit_batch(base, ["CE-2026-0163", "CE-2026-0171", "CE-2026-9999"], "nov",
                         date(2026, 11, 29), "bad/id")
        said = [(p.file, p.field) for p in refused.value.problems]
        assert ("(request)", "batch id") in said and ("(request)", "mail date") in said
        assert ("CE-2026-0171", "history") in said and ("CE-2026-9999", "case") in said
        with pytest.raises(InputError, match="no case is chosen"):
            submit_batch(base, [], "nov", MAIL_DATE, "empty")
        assert unfinished(base) == []
