"""The clerk's new mail batch on the web (issue 14, item 3): the open cases with the ladder's
answer, the mailing date checked before anything is queued, the job run by the worker with
its progress shown, and the batch's pieces and papers served from the blob store."""

from __future__ import annotations

import hashlib
import re
import threading
import time
from datetime import date

import pytest
from conftest import Web, served_examples
from sqlalchemy import func, insert, select

from noticegen.record.db import now
from noticegen.record.tables import batches, documents, job_events, jobs, people
from noticegen.service.jobs import job, run

pytestmark = pytest.mark.record  # run again on PostgreSQL by scripts/test.sh

MAIL_DATE = "2026-11-25"
ELIGIBLE = ("CE-2026-0163", "CE-2026-0174", "CE-2026-0196")
"""The open cases the ladder allows a notice of violation on November 25 (scripts/demo.sh)."""
BATCH = f"nov-{MAIL_DATE}"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The examples in a fresh record, served, with a signed-in clerk and manager."""
    with served_examples(tmp_path_factory, "batches") as web:
        yield web, web.client("clerk"), web.client("manager")


def _jobs(web: Web) -> int:
    with web.asgi.state.base.record.read() as c:
        return c.execute(select(func.count()).select_from(jobs)).scalar()


def _row(html: str, case: str) -> str:
    found = re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + case + r".*?</tr>", html, re.DOTALL)
    assert found, case
    return found.group(0)


def test_the_new_batch_lists_open_cases_with_the_ladders_answer(site):
    _, clerk, _ = site
    answer = clerk.get(f"/batches/new?mail_date={MAIL_DATE}")
    assert answer.status_code == 200
    html = answer.text
    assert 'value="nov-2026-11-25"' in html and f'value="{MAIL_DATE}"' in html
    checked = re.findall(r'<input type="checkbox" name="cases" value="([^"]+)"[^>]*checked', html)
    assert sorted(checked) == list(ELIGIBLE)
    for case in ELIGIBLE:
        assert "the NOV is the first formal step" in _row(html, case)
    vca = _row(html, "CE-2026-0171")  # refused, and listed with the rule that refuses it
    assert "not eligible" in vca and 'type="checkbox"' not in vca
    assert "Directive VIII.C.2: the case is under a voluntary compliance agreement" in vca
    assert "CE-2026-0160" not in html  # closed: not an open case
    plan = clerk.get(f"/api/batches/new?mail_date={MAIL_DATE}").json()
    assert sorted(c["case_number"] for c in plan["candidates"] if c["eligible"]) == \
        list(ELIGIBLE)
    assert plan["batch_id"] == BATCH


def test_the_default_mailing_date_is_a_day_the_post_office_is_open(site):
    _, clerk, _ = site
    plan = clerk.get("/api/batches/new").json()
    day = date.fromisoformat(plan["mail_date"])
    assert day.weekday() != 6 and not plan["date_refusals"]
    assert plan["batch_id"] == f"nov-{day.isoformat()}"


@pytest.mark.parametrize(("mail_date", "cases", "said"), [
    ("2026-11-29", ELIGIBLE, "November 29, 2026 is a Sunday: the post office accepts no "
                             "certified mail"),
    ("2026-11-26", ELIGIBLE, "November 26, 2026 is Thanksgiving Day, a federal holiday"),
    ("2026-11-12", ["CE-2026-0196"], "CE-2026-0196: the mailing date November 12, 2026 is "
                                     "before the follow up on record on November 14, 2026"),
    ("2027-03-01", ELIGIBLE, "more than 14 days after today"),
], ids=["sunday", "holiday", "before-the-case", "too-far-ahead"])
def test_a_refused_mailing_date_is_shown_beside_the_field_and_queues_nothing(
        site, mail_date, cases, said):
    web, clerk, _ = site
    before = _jobs(web)
    answer = clerk.post("/batches", data={"csrf": clerk.csrf, "mail_date": mail_date,
                                          "batch_id": "", "cases": list(cases)})
    assert answer.status_code == 422
    field = re.search(r'<input id="mail-date"[^>]*>', answer.text).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="mail-date-status"' in field
    status = answer.text.split('id="mail-date-status"', 1)[1].split('id="candidates"')[0]
    assert said in status
    assert _jobs(web) == before
    api = clerk.post("/api/batches", json={"cases": list(cases), "mail_date": mail_date},
                     headers={"X-CSRF-Token": clerk.csrf})
    assert api.status_code == 422 and any(said.split(": ", 1)[-1] in p["message"]
                                          for p in api.json()["problems"])
    assert _jobs(web) == before


def test_an_ineligible_case_or_a_bad_batch_id_queues_nothing(site):
    web, clerk, _ = site
    before = _jobs(web)
    answer = clerk.post("/batches", data={"csrf": clerk.csrf, "mail_date": MAIL_DATE,
                                          "batch_id": "../../etc",
                                          "cases": ["CE-2026-0163", "CE-2026-0171"]})
    assert answer.status_code == 422
    assert "not a batch id" in answer.text.split('id="batch-id-error"', 1)[1][:400]
    assert "chosen, but the ladder does not allow it now" in _row(answer.text, "CE-2026-0171")
    nothing = clerk.post("/batches", data={"csrf": clerk.csrf, "mail_date": MAIL_DATE})
    assert nothing.status_code == 422 and "no case is chosen" in nothing.text
    assert _jobs(web) == before


@pytest.fixture(scope="module")
def mailed(site):
    """The three eligible cases queued by the clerk through the form, then the worker's job
    run (in a thread) while the job page's progress fragment is polled."""
    web, clerk, _ = site
    form = {"csrf": clerk.csrf, "mail_date": MAIL_DATE, "batch_id": BATCH,
            "cases": list(ELIGIBLE)}
    asked = clerk.post("/batches", data=form)
    assert asked.status_code == 303, asked.text
    job_id = asked.headers["location"].rsplit("/", 1)[-1]
    assert asked.headers["location"] == f"/jobs/{job_id}"
    again = clerk.post("/batches", data=form)  # a second click while it waits: the same job
    assert again.headers["location"] == asked.headers["location"]
    waiting = clerk.get(f"/jobs/{job_id}")
    assert "Waiting for the worker" in waiting.text and 'hx-trigger="every 1s"' in waiting.text
    base = web.asgi.state.base
    done: dict = {}
    worker = threading.Thread(target=lambda: done.setdefault("job", run(base, job_id)))
    worker.start()
    fragments = []  # polled as the page does: until a fragment says the job ended
    for _ in range(2000):
        fragments.append(clerk.get(f"/jobs/{job_id}/progress").text)
        if "hx-trigger" not in fragments[-1]:
            break
        time.sleep(0.3)
    worker.join()
    return job_id, done["job"], fragments


def test_the_job_finishes_with_five_pieces(site, mailed):
    web, clerk, _ = site
    job_id, finished, _ = mailed
    assert finished.state == "finished" and finished.detail["pieces"] == 5
    with web.asgi.state.base.record.read() as c:
        states = [s for (s,) in c.execute(select(job_events.c.state).where(
            job_events.c.job_id == job_id).order_by(job_events.c.seq))]
    assert states[0] == "started" and states[-1] == "finished"
    assert states.count("finished") == 1 and "progress" in states
    api = clerk.get(f"/api/jobs/{job_id}").json()
    assert api["state"] == "finished" and api["ended"] and api["done"] == api["total"] == 5
    assert api["asked_by"] == "clerk.test" and api["detail"]["batch_id"] == BATCH
    assert {"href": f"/batches/{BATCH}/print.pdf", "label": "Print file"} in api["links"]


def test_the_job_page_shows_live_progress_until_it_ends(site, mailed):
    _, clerk, _ = site
    job_id, _, fragments = mailed
    bars = [re.search(r"<progress[^>]*>", f).group(0) for f in fragments]
    assert any('max="5"' in b for b in bars), bars  # the pieces counted as they render
    assert all('hx-get="/jobs/' in f and 'hx-trigger="every 1s"' in f for f in fragments[:-1])
    last = fragments[-1]
    assert "hx-trigger" not in last  # finished: the polling stops
    assert 'value="5"' in last and "5 pieces recorded" in last
    assert f'href="/batches/{BATCH}"' in last and f'href="/batches/{BATCH}/print.pdf"' in last
    page = clerk.get(f"/jobs/{job_id}")
    assert 'id="job-progress"' in page.text and "hx-trigger" not in page.text


def test_the_batch_page_has_its_pieces_and_papers(site, mailed):
    _, clerk, manager = site
    for who in (clerk, manager):
        answer = who.get(f"/batches/{BATCH}")
        assert answer.status_code == 200
        html = answer.text
        rows = re.findall(r'<th scope="row">(\d+)</th>', html)
        assert rows == ["1", "2", "3", "4", "5"]
        for case in ELIGIBLE:
            assert f'href="/cases/{case}"' in html
        assert len(re.findall(r'href="/pieces/\d{22}"', html)) == 5
        assert len(re.findall(r'href="/documents/[^"/]+/download"', html)) == 15
        for paper in ("print.pdf", "firm-mailing-book.pdf", "manifest.csv", "batch.json"):
            assert f'href="/batches/{BATCH}/{paper}"' in html
    api = clerk.get(f"/api/batches/{BATCH}").json()
    assert [p["line"] for p in api["lines"]] == [1, 2, 3, 4, 5]
    assert all(p["affidavit_id"] and p["file_copy_id"] and p["status"] == "mailed"
               for p in api["lines"])
    assert {p["case_number"] for p in api["lines"]} == set(ELIGIBLE)


def test_the_papers_download_and_match_the_record(site, mailed):
    web, clerk, _ = site
    with web.asgi.state.base.record.read() as c:
        row = c.execute(select(batches).where(batches.c.id == BATCH)).mappings().one()
    for paper, column, media in (("print.pdf", "print_sha256", "application/pdf"),
                                 ("firm-mailing-book.pdf", "book_sha256", "application/pdf"),
                                 ("manifest.csv", "manifest_sha256", "text/csv"),
                                 ("batch.json", "record_sha256", "application/json")):
        answer = clerk.get(f"/batches/{BATCH}/{paper}")
        assert answer.status_code == 200, paper
        assert answer.headers["content-type"].startswith(media)
        assert hashlib.sha256(answer.content).hexdigest() == row[column], paper
    assert clerk.get(f"/batches/{BATCH}/secret.txt").status_code == 404
    assert clerk.get(f"/batches/{BATCH}/..%2F..%2Fconfig%2Fagency.yaml").status_code == 404


def test_the_batch_is_recorded_with_the_signed_in_clerk_as_actor(site, mailed):
    web, clerk, _ = site
    with web.asgi.state.base.record.read() as c:
        actors = set(c.execute(select(people.c.name).join(
            batches, batches.c.actor_id == people.c.id).where(batches.c.id == BATCH)).scalars())
        actors |= set(c.execute(select(people.c.name).join(
            documents, documents.c.actor_id == people.c.id)
            .where(documents.c.batch_id == BATCH)).scalars())
    assert actors == {"clerk.test"}
    listed = clerk.get("/api/batches").json()
    assert listed[0]["batch_id"] == BATCH and listed[0]["actor"] == "clerk.test"
    page = clerk.get("/batches").text
    assert f'href="/batches/{BATCH}"' in page and f"Batch {BATCH}" in page


def test_mailed_cases_are_no_longer_eligible(site, mailed):
    _, clerk, _ = site
    html = clerk.get(f"/batches/new?mail_date={MAIL_DATE}").text
    for case in ELIGIBLE:
        row = _row(html, case)
        assert "not eligible" in row and "was issued on November 25, 2026" in row


def test_a_manager_may_look_but_not_mail(site, mailed):
    _, _, manager = site
    job_id = mailed[0]
    assert manager.get(f"/jobs/{job_id}").status_code == 200
    assert manager.get("/batches").status_code == 200
    assert manager.get("/batches/new").status_code == 403
    refused = manager.post("/api/batches", json={"cases": ["CE-2026-0163"],
                                                 "mail_date": MAIL_DATE},
                           headers={"X-CSRF-Token": manager.csrf})
    assert refused.status_code == 403


def test_a_failed_job_shows_its_message_hint_and_problems(site):
    web, clerk, _ = site
    base = web.asgi.state.base
    with base.transaction() as (c, actor):  # asked before the case became ineligible
        c.execute(insert(jobs).values(id="f" * 32, kind="mail_batch", params={
            "cases": ["CE-2026-0171"], "doc_type": "nov", "mail_date": MAIL_DATE,
            "batch_id": "nov-vca", "reservice": None}, actor_id=actor, recorded_at=now()))
    assert run(base, "f" * 32).state == "failed"
    html = clerk.get(f"/jobs/{'f' * 32}").text
    assert "1 problem found in the input" in html
    assert "CE-2026-0171" in html and "voluntary compliance agreement" in html
    assert "leave the case out of the batch" in html  # the hint
    assert "hx-trigger" not in html
    assert job(base, "f" * 32).detail["problems"][0]["field"] == "history"
    assert clerk.get("/jobs/no-such-job").status_code == 404
    assert clerk.get("/api/jobs/no-such-job").json()["error"] == "there is no job no-such-job"
