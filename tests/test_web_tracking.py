"""Tracking on the web (issue 14, item 3): a piece's events and the deadline that follows,
recording an event or a signed return receipt, and a carrier's CSV uploaded with the same
line-by-line report as `noticegen track import` — importing it again adds nothing."""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from conftest import Web, cli_run, served_examples
from sqlalchemy import func, select

from noticegen.mail.article_numbers import printed
from noticegen.record.tables import events, people
from noticegen.service import App, mail_batch, pieces

pytestmark = pytest.mark.record  # run again on PostgreSQL by scripts/test.sh

CASE = "CE-2026-0196"
"""Mailed to two parties, its owner and its tenant."""
UNKNOWN = "9400111201080805483016"  # a valid article number on no piece


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The examples with CE-2026-0196's notice of violation mailed on November 25 (two
    pieces), served, with a signed-in clerk and manager."""
    def seed(app: App) -> list[str]:
        mail_batch(app, [CASE], "nov", date(2026, 11, 25), "nov-track", workers=1)
        return [p.article_number for p in pieces(app, case=CASE)]

    with served_examples(tmp_path_factory, "tracking", seed, actor="clerk.batch") as web:
        owner, tenant = web.seeded
        yield web, web.client("clerk"), web.client("manager"), owner, tenant


def _listed(web: Web, article: str) -> str:
    """`noticegen track list`'s compliance line for the piece."""
    out = cli_run(web.root, "track", "list", "--case", CASE).output
    block = out.split(printed(article), 1)[1]
    return re.search(r"compliance date: (.*)", block).group(1)


def _events(web: Web) -> int:
    with web.asgi.state.base.record.read() as c:
        return c.execute(select(func.count()).select_from(events).where(
            events.c.article_number.is_not(None))).scalar()


def test_the_tracking_page_lists_pieces_with_filters(site):
    _, clerk, manager, owner, tenant = site
    for who in (clerk, manager):
        html = who.get("/tracking").text
        assert f'href="/pieces/{owner}"' in html and printed(owner) in html
        assert f'href="/cases/{CASE}"' in html
    assert 'action="/tracking/import"' in clerk.get("/tracking").text
    assert 'action="/tracking/import"' not in manager.get("/tracking").text
    assert printed(owner) in clerk.get(f"/tracking?case={CASE}").text
    assert printed(owner) not in clerk.get("/tracking?case=CE-2026-0163").text
    assert printed(owner) not in clerk.get("/tracking?status=refused").text
    listed = clerk.get("/api/pieces", params={"case": CASE}).json()
    assert {p["article_number"] for p in listed} == {owner, tenant}


def test_the_piece_page_says_what_track_list_says(site):
    web, clerk, manager, owner, _ = site
    for who in (clerk, manager):
        html = who.get(f"/pieces/{owner}").text
        assert CASE in html and "mailed" in html and "2026-11-25" in html
        assert unescape(re.search(r'<dd id="compliance">(.*?)</dd>', html).group(1)) == \
            _listed(web, owner)
    assert 'action="/pieces/' not in manager.get(f"/pieces/{owner}").text
    assert clerk.get(f"/pieces/{UNKNOWN}").status_code == 404
    api = clerk.get(f"/api/pieces/{owner}").json()
    assert api["compliance"] == _listed(web, owner)
    assert [e["status"] for e in api["events"]] == ["mailed"]
    assert api["events"][0]["recorded_by"] == "clerk.batch"


def test_recording_a_delivery_changes_the_status_and_the_deadline(site):
    web, clerk, _, owner, _ = site
    before = _listed(web, owner)
    done = clerk.post(f"/pieces/{owner}/events", data={
        "csrf": clerk.csrf, "status": "delivered", "date": "2026-12-04",
        "detail": "left with the owner"})
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{CASE}"
    html = clerk.get(f"/pieces/{owner}").text
    shown = unescape(re.search(r'<dd id="compliance">(.*?)</dd>', html).group(1))
    assert shown == _listed(web, owner) != before
    assert "served later than the notice presumed" in shown
    assert "delivered 2026-12-04" in html and "left with the owner" in html
    assert "recorded by clerk.test" in html
    with web.asgi.state.base.record.read() as c:
        actor = c.execute(select(people.c.name).join(events, events.c.actor_id == people.c.id)
                          .where(events.c.article_number == owner,
                                 events.c.kind == "delivered")).scalar()
    assert actor == "clerk.test"


@pytest.mark.parametrize(("form", "field", "said"), [
    ({"status": "mailed", "date": "2026-12-05"}, "event-status",
     "a piece that is 'delivered' cannot become 'mailed'"),
    ({"status": "in_transit", "date": "5/12/2026", "correction": "1"}, "event-date",
     "'5/12/2026' is not a date"),
    ({"status": "", "date": "2026-12-05"}, "event-status", "choose what happened"),
    ({"status": "in_transit", "date": "2026-11-20", "correction": ""}, "event-status",
     "cannot become 'in_transit'"),
], ids=["cannot-follow", "bad-date", "no-status", "no-correction"])
def test_an_event_that_cannot_be_recorded_is_shown_beside_its_field(site, form, field, said):
    web, clerk, _, owner, _ = site
    count = _events(web)
    answer = clerk.post(f"/pieces/{owner}/events", data={"csrf": clerk.csrf, **form})
    assert answer.status_code == 422
    tag = re.search(rf'<(?:select|input) id="{field}"[^>]*>', answer.text).group(0)
    assert 'aria-invalid="true"' in tag and f'aria-describedby="{field}-error"' in tag
    assert said in unescape(answer.text.split(f'id="{field}-error"', 1)[1][:300])
    assert _events(web) == count


def test_a_signed_return_receipt(site):
    web, clerk, _, owner, _ = site
    missing = clerk.post(f"/pieces/{owner}/receipt", data={
        "csrf": clerk.csrf, "signed_by": " ", "date": "2026-12-04"})
    assert missing.status_code == 422
    tag = re.search(r'<input id="receipt-signed-by"[^>]*>', missing.text).group(0)
    assert 'aria-invalid="true"' in tag
    assert "a return receipt records who signed it" in missing.text
    done = clerk.post(f"/pieces/{owner}/receipt", data={
        "csrf": clerk.csrf, "signed_by": "R. Okafor", "date": "2026-12-04",
        "receipt_number": "9590 9402 0000 0000 0000 01"})
    assert done.status_code == 303 and done.headers["location"] == f"/cases/{CASE}"
    api = clerk.get(f"/api/pieces/{owner}").json()
    assert api["status"] == "return_receipt" and api["service"].startswith(
        "return receipt signed by R. Okafor")
    assert api["return_receipt_number"] == "9590 9402 0000 0000 0000 01"
    assert api["compliance"] == _listed(web, owner)


def test_a_tracking_csv_is_reported_by_line_and_recorded_once(site, tmp_path):
    web, clerk, _, _, tenant = site
    content = ("article_number,status,date,signed_by,detail\n"
               f"{printed(tenant)},in_transit,2026-11-26,,Dallas hub\n"
               f"{UNKNOWN},delivered,2026-11-27,,\n"
               f"{tenant},notice_left,27/11/2026,,\n").encode()
    before = _events(web)
    answer = clerk.post("/tracking/import", data={"csrf": clerk.csrf},
                        files={"file": ("events.csv", content, "text/csv")})
    assert answer.status_code == 200
    text = " ".join(unescape(re.sub(r"<[^>]+>", "", answer.text.replace("<br>", " "))).split())
    assert "1 event recorded from events.csv; 2 lines could not be recorded" in text
    assert "events.csv:3: article_number: no mail piece with article number" in text
    assert "events.csv:4: date: '27/11/2026' is not a date hint: write YYYY-MM-DD" in text
    assert _events(web) == before + 1
    again = clerk.post("/api/tracking/import", headers={"X-CSRF-Token": clerk.csrf},
                       files={"file": ("events.csv", content, "text/csv")}).json()
    assert again["recorded"] == 0 and again["already"] == 1
    assert [(p["line"], p["field"]) for p in again["problems"]] == [(3, "article_number"),
                                                                   (4, "date")]
    path = tmp_path / "events.csv"
    path.write_bytes(content)
    cli_import = cli_run(web.root, "track", "import", str(path))  # the same report, and once more
    assert cli_import.exit_code == 2
    assert f"0 events recorded from {path} (1 already on record)" in cli_import.output
    said = cli_import.stderr.splitlines()
    for line in (3, 4):  # "error: FILE:LINE: field: message", then "    hint: …"
        at = next(i for i, x in enumerate(said) if f"{path}:{line}:" in x)
        reported = said[at].split(str(path), 1)[1] + " " + said[at + 1].strip()
        assert f"events.csv{reported}" in text, reported
    assert _events(web) == before + 1
    assert [e["status"] for e in clerk.get(f"/api/pieces/{tenant}").json()["events"]] == \
        ["mailed", "in_transit"]


def test_a_new_tracking_csv_records_its_good_lines(site):
    _, clerk, _, _, tenant = site
    content = ("article_number,status,date\n"
               f"{tenant},notice_left,2026-11-28\n"
               f"{tenant},notice_left,2026-11-28\n").encode()  # the same row twice: once
    answer = clerk.post("/tracking/import", data={"csrf": clerk.csrf},
                        files={"file": ("c:\\carrier\\day2.csv", content, "text/csv")})
    assert answer.status_code == 200
    assert "1 event recorded from day2.csv (1 already on record)" in answer.text
    assert clerk.get(f"/api/pieces/{tenant}").json()["status"] == "notice_left"


@pytest.mark.parametrize(("content", "said"), [
    (b"article_number,status\n1,delivered\n", "events.csv:1: date: missing column(s)"),
    (b"article_number,status,date\n\xff,delivered,2026-11-27\n", "events.csv:2: not UTF-8"),
], ids=["no-date-column", "not-utf8"])
def test_a_file_that_cannot_be_read_is_refused_beside_the_field(site, content, said):
    _, clerk, _, _, _ = site
    answer = clerk.post("/tracking/import", data={"csrf": clerk.csrf},
                        files={"file": ("events.csv", content, "text/csv")})
    assert answer.status_code == 422
    tag = re.search(r'<input id="tracking-file"[^>]*>', answer.text).group(0)
    assert 'aria-invalid="true"' in tag and 'aria-describedby="tracking-file-error"' in tag
    error = re.sub(r"<[^>]+>", "", answer.text.split('id="tracking-file-error"', 1)[1][:600])
    assert said in " ".join(unescape(error).split())


def test_importing_the_same_file_twice_on_the_command_line_records_once(site, tmp_path):
    web, _, _, owner, _ = site
    path = tmp_path / "late.csv"
    path.write_text(f"article_number,status,date,detail\n"
                    f"{owner},delivered,2026-12-04,left with the owner\n",
                    encoding="utf-8")  # the delivery recorded on its page above
    first = cli_run(web.root, "track", "import", str(path))
    assert first.exit_code == 0, first.output
    assert f"0 events recorded from {path} (1 already on record)" in first.output


def test_the_api_records_events_and_receipts(site):
    _, clerk, manager, _, tenant = site
    headers = {"X-CSRF-Token": clerk.csrf}
    done = clerk.post(f"/api/pieces/{tenant}/events", headers=headers,
                      json={"status": "unclaimed", "date": "2026-12-10"})
    assert done.status_code == 200 and done.json()["status"] == "unclaimed"
    refused = clerk.post(f"/api/pieces/{tenant}/receipt", headers=headers,
                         json={"signed_by": "X", "date": "2026-12-11"})
    assert refused.status_code == 400
    assert "cannot become 'return_receipt'" in refused.json()["error"]
    assert manager.post(f"/api/pieces/{tenant}/events", headers={"X-CSRF-Token": manager.csrf},
                        json={"status": "delivered", "date": "2026-12-10"}).status_code == 403
    assert clerk.post(f"/api/pieces/{UNKNOWN}/events", headers=headers,
                      json={"status": "delivered", "date": "2026-12-10"}).status_code == 404
