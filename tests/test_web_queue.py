"""The clerk's work queue and follow-ups pages (issue 14, item 3): the same cases, steps and
dates as `noticegen next`, `track list` and `followups` on the same record."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from conftest import Web, cli_ok, served_examples

from noticegen.rules import long_date
from noticegen.service import App, issue, mail_batch
from noticegen.service.queue import NOT_ALONE, SKIPPED

pytestmark = pytest.mark.record
AS_OF = "2026-12-07"
MAILED = ["CE-2026-0163", "CE-2026-0174", "CE-2026-0196"]
EXAMPLES = ["CE-2026-0141", "CE-2026-0144", "CE-2026-0148", "CE-2026-0152", "CE-2026-0157",
            "CE-2026-0160", "CE-2026-0163", "CE-2026-0166", "CE-2026-0171", "CE-2026-0174",
            "CE-2026-0178", "CE-2026-0182", "CE-2026-0185", "CE-2026-0189", "CE-2026-0193",
            "CE-2026-0196", "CE-2026-0199"]


@pytest.fixture(scope="module")
def desk(tmp_path_factory):
    """The examples with the demo's batch of notices (mailed 2026-11-25) and a closure letter
    on record, as the service and the command line both see them."""
    def seed(app: App) -> None:
        mail_batch(app, MAILED, "nov", date(2026, 11, 25), "nov-2026-11-25", workers=1)
        issue(app, "closure", "CE-2026-0182", datetime(2026, 11, 25, 10))

    with served_examples(tmp_path_factory, "queue", seed) as web:
        yield web


def cli_next(web: Web, number: str, as_of: str) -> tuple[str, list[str]]:
    """(the priority label, the steps `noticegen next` says may be issued)."""
    lines = cli_ok(web.root, "next", number, "--as-of", as_of).splitlines()
    steps = [m.group(1) for line in lines if (m := re.match(r"\s+may issue\s+(\S+)", line))]
    return lines[1].split(":")[0], steps


def test_the_queue_lists_what_the_ladder_allows_in_priority_order(desk):
    clerk = desk.client("clerk")
    rows = clerk.get(f"/api/queue?as_of={AS_OF}").json()["rows"]
    expected = {}
    for number in EXAMPLES:
        label, steps = cli_next(desk, number, AS_OF)
        shown = [s for s in steps if s not in SKIPPED]
        if number != "CE-2026-0182" and [s for s in shown if s not in NOT_ALONE]:
            expected[number] = (label, shown)
    assert {r["case_number"]: (r["priority"]["label"], [s["name"] for s in r["steps"]])
            for r in rows} == expected
    assert "CE-2026-0182" not in expected  # closed: its letter is on its own page
    tiers = [r["priority"]["tier"] for r in rows]
    assert tiers == sorted(tiers) and rows[0]["priority"]["label"] == "Priority 1"
    page = clerk.get(f"/queue?as_of={AS_OF}")
    assert page.status_code == 200
    linked = re.findall(r'<a href="/cases/(CE-\d{4}-\d{4})"><strong>', page.text)
    assert linked == [r["case_number"] for r in rows]
    assert "III.A.1: violation presents an imminent threat" in page.text
    assert "Directive VIII.D.2: the compliance date has expired; follow up in person" in page.text
    assert "field-report" in page.text and "Steps the queue leaves out" in page.text


def test_the_queue_gives_the_compliance_date_track_list_gives(desk):
    rows = {r["case_number"]: r for r in
            desk.client("officer").get(f"/api/queue?as_of={AS_OF}").json()["rows"]}
    listed = cli_ok(desk.root, "track", "list")
    for number in MAILED:
        said = re.findall(rf"{number} .*\n.*\n    compliance date: (.*)", listed)
        c = rows[number]["compliance"]
        assert said and said[0] == f"{long_date(date.fromisoformat(c['on']))} ({c['why']})"
        assert c["overdue"] and c["on"] < AS_OF
    assert rows["CE-2026-0189"]["compliance"]["why"].startswith("counted from the notice of "
                                                                "violation of")


def test_the_filters_narrow_the_queue(desk):
    client = desk.client("manager")
    every = client.get("/api/queue?as_of=2026-11-27").json()["rows"]

    def only(query: str) -> list[str]:
        answer = client.get(f"/api/queue?as_of=2026-11-27&{query}")
        assert answer.status_code == 200, answer.text
        return [r["case_number"] for r in answer.json()["rows"]]

    cases = {
        "step=citation": [r for r in every if "citation" in [s["name"] for s in r["steps"]]],
        "officer=ofc-whitfield": [r for r in every if r["officer"] == "ofc-whitfield"],
        "category=weeds_rubbish": [r for r in every if "weeds_rubbish" in r["categories"]],
        "overdue=true": [r for r in every if r["compliance"]["overdue"]],
    }
    for query, wanted in cases.items():
        assert 0 < len(wanted) < len(every), query
        assert only(query) == [r["case_number"] for r in wanted], query
    assert not set(MAILED) & set(only("overdue=true"))  # due 2026-11-28: not yet passed
    both = only("officer=ofc-whitfield&step=follow-up")
    assert both and all(n in only("officer=ofc-whitfield") for n in both)
    page = client.get("/queue?as_of=2026-11-27&officer=ofc-whitfield&step=&category=&overdue=1")
    assert page.status_code == 200
    assert re.findall(r'<a href="/cases/(CE-\d{4}-\d{4})"><strong>', page.text) == [
        r["case_number"] for r in every
        if r["officer"] == "ofc-whitfield" and r["compliance"]["overdue"]]
    assert '<option value="ofc-whitfield" selected>' in page.text and " checked>" in page.text


def test_a_bad_as_of_date_or_choice_is_a_422_naming_the_field(desk):
    clerk = desk.client("clerk")
    for path in ("/api/queue", "/api/followups"):
        answer = clerk.get(f"{path}?as_of=2026-13-01")
        assert answer.status_code == 422
        assert [p["field"] for p in answer.json()["problems"]] == ["as_of"]
    page = clerk.get("/queue?as_of=yesterday")
    assert page.status_code == 422 and "as_of" in page.text and "is not a date" in page.text
    assert clerk.get("/followups?as_of=2026-02-30").status_code == 422
    bad = clerk.get("/api/queue?step=demolish")
    assert bad.status_code == 422 and bad.json()["problems"][0]["field"] == "step"


def test_the_as_of_date_defaults_to_today_in_the_agencys_zone(desk):
    from zoneinfo import ZoneInfo

    today = datetime.now(ZoneInfo("America/Chicago")).date()
    assert desk.client("clerk").get("/api/queue").json()["as_of"] in (
        today.isoformat(), (today + timedelta(days=1)).isoformat())  # midnight passing


def test_only_the_desk_roles_see_the_queue_and_follow_ups(desk):
    for role in ("attorney", "admin"):
        client = desk.client(role)
        for path in ("/queue", "/api/queue", "/followups", "/api/followups"):
            assert client.get(path).status_code == 403, (role, path)
    visitor = desk.anonymous()
    assert visitor.get("/queue").status_code == 303
    assert visitor.get("/api/followups").status_code == 401
    for role in ("clerk", "manager", "officer"):
        assert desk.client(role).get("/followups").status_code == 200


def test_follow_ups_are_what_the_command_line_says_and_this_weeks_dates(desk):
    client = desk.client("officer")
    for as_of in ("2026-12-05", "2027-06-01"):
        listed = cli_ok(desk.root, "followups", "--as-of", as_of)
        said = [line for line in listed.splitlines() if line]
        found = client.get(f"/api/followups?as_of={as_of}").json()
        assert [f"{f['case_number']}  {f['due']}  {f['what']}" for f in found["due"]] == said
    assert any("six-month site check" in line and "CE-2026-0182" in line
               for line in cli_ok(desk.root, "followups", "--as-of", "2027-06-01").splitlines())
    week = client.get("/api/followups?as_of=2026-11-27").json()
    assert week["until"] == "2026-12-03" and week["due"] == []
    dates = {r["case_number"]: r["compliance"]["on"] for r in week["this_week"]}
    assert {n: dates[n] for n in MAILED} == {n: "2026-11-28" for n in MAILED}
    assert all("2026-11-27" <= on <= "2026-12-03" for on in dates.values())
    queued = client.get("/api/queue?as_of=2026-11-27").json()["rows"]
    assert {r["case_number"] for r in queued
            if r["compliance"]["on"] and "2026-11-27" <= r["compliance"]["on"] <= "2026-12-03"
            } <= set(dates)
    page = client.get("/followups?as_of=2026-12-05")
    assert page.status_code == 200
    assert "in-person follow-up due (directive VIII.D.2)" in page.text
    assert "Compliance dates from 2026-12-05 to 2026-12-11" in page.text
