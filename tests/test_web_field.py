"""The officer's pages (issue "the web service, part 2", item 1): their open cases in priority
order with a map link to each property, the ordinance catalog searched by citation or words
with the deadline each section gives, and the new case form — from what the officer saw (V.B)
or from an accepted complaint assigned to them — recorded as revision 1 with the officer as the
actor of the revision and of its event; each refusal on its field, with nothing recorded."""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import quote

import pytest
from conftest import Web, opened, served_examples
from sqlalchemy import func, select

from noticegen.record.tables import case_revisions, cases, events, people, submissions
from noticegen.roles import PUBLIC
from noticegen.rules import batch_order
from noticegen.service import App, load_case
from noticegen.service.cases import case_numbers
from noticegen.service.complaints import ComplaintForm, Decide, assign, decide, file_complaint
from noticegen.service.submissions import new_key

pytestmark = pytest.mark.record
TODAY = date(2026, 12, 7)
"""The day the tests open cases on (the examples' year: case numbers CE-2026-…)."""
SEEN = "2026-12-07T09:30"
OFFICER = "officer.test"
"""The officer's account (conftest's: officer ofc-garza)."""


@pytest.fixture(scope="module", autouse=True)
def _today():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(App, "today", lambda self: TODAY)
        yield


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_examples(tmp_path_factory, "field") as web:
        yield web


def complaint_for(web: Web, officer: str = "ofc-garza", **given: str) -> str:
    """A complaint filed by the public, accepted by a manager and assigned to the officer:
    its case number."""
    form = {"address": "731 Sherman St, Tom Bean, TX 75489", "kind": "TB-34-3",
            "seen": "Bags of trash and an old couch piled by the back fence.",
            "seen_on": "2026-12-05", "name": "Rosa Delgado", "phone": "(903) 555-0190",
            **given}
    with opened(web.root, PUBLIC) as app:
        number = file_complaint(app, ComplaintForm.model_validate(form), [], "192.0.2.9"
                                ).case_number
    with opened(web.root, "mo.manager") as app:
        decide(app, number, Decide(accept=True))
        assign(app, number, officer)
    return number


def fields(client, **over: str | None) -> dict[str, str]:
    """A filled new case form as a browser sends it (a field given None is left out)."""
    data = {"csrf": client.csrf, "key": new_key(), "q": "",
            "next_party": "1", "next_violation": "1",
            "street": "700 Sherman St", "street2": "", "city": "Tom Bean", "state": "TX",
            "zip": "75489", "parcel_id": "2250-0003-0009", "zoning": "",
            "parties-0-role": "owner", "parties-0-name": "Dana Whitley",
            "parties-0-street": "PO Box 12", "parties-0-street2": "",
            "parties-0-city": "Tom Bean", "parties-0-state": "TX", "parties-0-zip": "75489",
            "parties-0-phone": "",
            "violations-0-ordinance": "TB-34-2", "violations-0-location": "Front yard",
            "violations-0-description": "Grass about 20 inches tall across the front yard.",
            "violations-0-corrective_action": "Mow the yard to under 12 inches.",
            "violations-0-observed": SEEN, **over}
    return {k: v for k, v in data.items() if v is not None}


def counts(web: Web) -> tuple[int, ...]:
    with web.asgi.state.base.record.read() as c:
        return tuple(c.execute(select(func.count()).select_from(t)).scalar()
                     for t in (cases, case_revisions, events, submissions))


def revision_one(web: Web, number: str):
    """Revision 1 of the case with the name of its actor, and its events with theirs."""
    with web.asgi.state.base.record.read() as c:
        revision = c.execute(select(case_revisions, people.c.name).join(
            people, people.c.id == case_revisions.c.actor_id).where(
            case_revisions.c.case_number == number)).mappings().all()
        logged = c.execute(select(events.c.kind, events.c.occurred_at, people.c.name).join(
            people, people.c.id == events.c.actor_id).where(events.c.case_number == number)
            ).all()
    assert len(revision) == 1 and revision[0]["revision"] == 1
    return revision[0], logged


# -- my cases --------------------------------------------------------------------------------

def test_my_cases_are_the_officers_open_cases_in_priority_order_with_map_links(site):
    officer = site.client("officer")
    mine = officer.get("/api/field").json()
    with opened(site.root) as app:
        records = [load_case(app, n) for n in case_numbers(app)]
        catalog = app.project.catalog
    theirs = [r.case for r in records if r.case.officer == "ofc-garza" and not r.case.closure]
    expected = [c.case_number for c in batch_order(theirs, catalog)]
    assert [c["case_number"] for c in mine["cases"]] == expected
    assert len(expected) >= 5 and mine["officer_name"] == "Elena Garza"
    assert "CE-2026-0144" not in expected  # another officer's
    assert "CE-2026-0160" not in expected  # closed
    tiers = [c["priority"]["tier"] for c in mine["cases"]]
    assert tiers == sorted(tiers)
    page = officer.get("/field")
    assert page.status_code == 200
    for case in mine["cases"]:
        link = "geo:0,0?q=" + quote(case["address"], safe="")
        assert case["map_url"] == link and f'href="{link}"' in page.text
        assert f'href="/field/cases/{case["case_number"]}"' in page.text
        assert case["due"]["what"]
    assert page.text.index(expected[0]) < page.text.index(expected[-1])
    assert 'href="/field/new"' in page.text and "New case from what I see" in page.text


def test_a_complaint_assigned_to_the_officer_is_listed_until_a_case_is_opened(site):
    number = complaint_for(site, address="1 Test Listing Rd")
    other = complaint_for(site, officer="ofc-whitfield", address="2 Test Listing Rd")
    officer = site.client("officer")
    listed = {c["case_number"]: c for c in officer.get("/api/field").json()["complaints"]}
    assert number in listed and other not in listed
    assert listed[number]["open_url"] == f"/field/new?complaint={number}"
    page = officer.get("/field").text
    assert f'href="/field/new?complaint={number}"' in page and other not in page
    refused = officer.get(f"/field/new?complaint={other}")
    assert refused.status_code == 400 and "Daniel Whitfield" in refused.text


def test_a_clerk_may_not_use_the_officers_pages(site):
    clerk = site.client("clerk")
    for path in ("/field", "/api/field", "/field/new", "/field/cases/CE-2026-0141",
                 "/field/ordinances?q=grass"):
        assert clerk.get(path).status_code == 403, path
    assert clerk.post("/field/new", data=fields(clerk)).status_code == 403
    assert clerk.get("/api/ordinances?q=grass").status_code == 200  # (a reader's)
    assert site.anonymous().get("/field").status_code == 303


def test_an_officer_account_not_linked_to_an_officer_is_told_how_to_link_it(site):
    from noticegen.service import people as accounts

    with pytest.MonkeyPatch.context() as patch, opened(site.root, "admin.test") as app:
        patch.setattr(accounts, "_check_officer", lambda *_: None)  # (an account of before)
        accounts.add_user(app, "unlinked.test", "officer", Web.PASSWORD)
    page = site.client("officer", "unlinked.test").get("/field")
    assert page.status_code == 403
    assert "not linked to an officer" in page.text
    assert "noticegen users add NAME --role officer --officer ID" in page.text


def test_the_officers_case_page_has_the_map_the_deadlines_and_the_field_buttons(site):
    page = site.client("officer").get("/field/cases/CE-2026-0141").text
    assert 'href="geo:0,0?q=412%20N%20Britton%20St%2C%20Tom%20Bean%2C%20TX%2075489"' in page
    assert "Deadline: within 7 days" in page
    for path in ("report", "photos", "issue"):
        assert f'href="/field/cases/CE-2026-0141/{path}"' in page
    assert 'href="/cases/CE-2026-0141"' in page
    assert "Margaret Ellison" in page  # an officer sees the complainant (V.A.3)
    assert re.search(r'<img src="/cases/CE-2026-0141/photos/[0-9a-f]{64}"', page)
    assert "complaint received" in page
    answer = site.client("officer").get("/api/field/cases/CE-2026-0141").json()
    assert answer["deadlines"] == {"high-grass": "within 7 days"}
    assert answer["case"]["complainant"]["name"] == "Margaret Ellison"


# -- the catalog search ----------------------------------------------------------------------

def test_the_search_finds_by_citation_and_by_words_with_the_deadline(site):
    officer = site.client("officer")
    by_number = officer.get("/api/ordinances", params={"q": "34-2"}).json()
    assert [f["id"] for f in by_number] == ["TB-34-2"]  # not § 34-20 or § 34-21
    found = by_number[0]
    assert found["deadline"] == "within 7 days"
    assert found["if_served_now"].startswith("on or before ")
    assert date.fromisoformat(found["due_on"]) >= datetime.now().date()
    assert [f["id"] for f in officer.get("/api/ordinances?q=§ 34-2").json()] == ["TB-34-2"]
    by_words = officer.get("/api/ordinances", params={"q": "grass"}).json()
    assert "TB-34-2" in [f["id"] for f in by_words]
    chapter = [f["id"] for f in officer.get("/api/ordinances?q=34").json()]
    assert len(chapter) >= 5 and all(i.startswith("TB-34-") for i in chapter)
    junk = officer.get("/api/ordinances?q=junked vehicle").json()
    assert [f["id"] for f in junk][:1] == ["TB-78-60"]
    assert officer.get("/api/ordinances?q=").json() == []
    fragment = officer.get("/field/ordinances", params={"q": "grass"})
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert "Weeds and high grass" in fragment.text and "Deadline: within 7 days" in fragment.text
    assert 'name="pick" value="TB-34-2"' in fragment.text
    assert 'hx-get="/field/new/violation"' in fragment.text
    none = officer.get("/field/ordinances", params={"q": "zeppelin"}).text
    assert "0 sections found" in none


def test_the_form_searches_as_one_types_and_picks_with_htmx_fragments(site):
    officer = site.client("officer")
    form = officer.get("/field/new").text
    assert 'hx-get="/field/ordinances" hx-trigger="input changed delay:300ms, search"' in form
    assert '<div id="results" aria-live="polite">' in form
    assert '<label for="f-q">' in form
    picked = officer.get("/field/new/violation", params={"pick": "TB-78-40",
                                                         "next_violation": "2"}).text
    assert 'name="violations-2-ordinance" value="TB-78-40"' in picked
    assert "Deadline: within 24 hours" in picked and 'id="f-violations-2-observed"' in picked
    assert 'id="next-violation" name="next_violation" value="3" hx-swap-oob="true"' in picked
    party = officer.get("/field/new/party", params={"next_party": "1"}).text
    assert 'name="parties-1-name"' in party and "Remove responsible party 2" in party
    assert officer.get("/field/new/violation", params={"pick": "TB-0"}).status_code == 404


def test_without_script_the_forms_own_buttons_change_it_and_record_nothing(site):
    officer = site.client("officer")
    before = counts(site)
    given = fields(officer, **{"violations-0-ordinance": None})
    picked = officer.post("/field/new", data={**given, "pick": "TB-34-3", "q": "trash"})
    assert picked.status_code == 200
    assert 'name="violations-0-ordinance" value="TB-34-3"' in picked.text
    assert 'value="Dana Whitley"' in picked.text  # what was typed is kept
    assert "Accumulation of rubbish" in picked.text and 'name="pick"' in picked.text
    more = officer.post("/field/new", data={**given, "more": "party"})
    assert 'name="parties-1-name"' in more.text
    gone = officer.post("/field/new", data={**fields(officer), "remove": "violations-0"})
    assert 'name="violations-0-ordinance"' not in gone.text
    assert counts(site) == before


# -- a new case ------------------------------------------------------------------------------

def test_a_new_case_from_what_the_officer_saw_is_revision_1_by_the_officer(site):
    officer = site.client("officer")
    form = officer.get("/field/new").text
    assert 'value="Tom Bean"' in form and 'value="TX"' in form
    key = re.search(r'name="key" value="([^"]+)"', form)[1]
    sent = officer.post("/field/new", data=fields(
        officer, key=key, **{"violations-1-ordinance": "TB-78-60",
                             "violations-1-location": "Driveway",
                             "violations-1-description": "A pickup without plates or "
                             "wheels on blocks in the driveway.",
                             "violations-1-corrective_action": "Remove the vehicle.",
                             "violations-1-observed": SEEN}))
    assert sent.status_code == 303, sent.text
    number = sent.headers["location"].rsplit("/", 1)[1]
    assert sent.headers["location"] == f"/field/cases/{number}"
    assert re.fullmatch(r"CE-2026-\d{4}", number)
    revision, logged = revision_one(site, number)
    assert revision["name"] == OFFICER
    assert logged == [("complaint_received", datetime(2026, 12, 7), OFFICER)]
    data = revision["data"]
    assert data["complaint"] == {"received": "2026-12-07", "source": "staff_observation",
                                 "type": "Weeds and high grass; Junked vehicles",
                                 "complainants": 1}
    assert "complainant" not in data and data["officer"] == "ofc-garza"
    assert data["opened"] == "2026-12-07"
    assert data["property"] == {"address": {"lines": ["700 Sherman St"], "city": "Tom Bean",
                                            "state": "TX", "zip": "75489"},
                                "parcel_id": "2250-0003-0009"}
    assert [v["id"] for v in data["violations"]] == ["tb-34-2", "tb-78-60"]
    assert data["violations"][0]["observed"] == "2026-12-07T09:30:00"
    assert data["responsible_parties"][0]["id"] == "owner"
    page = officer.get(sent.headers["location"]).text
    assert "Weeds and high grass" in page and "Junked vehicles" in page
    assert f"{OFFICER}" in page and "complaint received" in page


def test_a_new_case_from_an_accepted_complaint_takes_its_number_and_complainant(site):
    number = complaint_for(site, address="412 Elm St, Tom Bean, TX 75489")
    officer = site.client("officer")
    form = officer.get(f"/field/new?complaint={number}")
    assert form.status_code == 200
    for shown in ('value="412 Elm St"', 'value="Tom Bean"', 'value="75489"', "Rosa Delgado",
                  'name="pick" value="TB-34-3"'):  # the reported kind already searched
        assert shown in form.text, shown
    sent = officer.post("/field/new", data=fields(
        officer, complaint=number, street="412 Elm St", **{
            "violations-0-ordinance": "TB-34-3", "violations-0-location": "Back fence",
            "violations-0-description": "Trash bags and a couch along the back fence."}))
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/field/cases/{number}"
    revision, logged = revision_one(site, number)
    assert revision["name"] == OFFICER
    assert logged == [("complaint_received", datetime(2026, 12, 7), OFFICER)]
    data = revision["data"]
    assert data["complaint"]["source"] == "citizen"
    assert data["complaint"]["type"] == "Accumulation of rubbish, trash and refuse"
    assert data["complainant"] == {"name": "Rosa Delgado", "phone": "(903) 555-0190"}
    listed = [c["case_number"] for c in officer.get("/api/field").json()["complaints"]]
    assert number not in listed
    assert number in [c["case_number"] for c in officer.get("/api/field").json()["cases"]]
    again = officer.get(f"/field/new?complaint={number}")
    assert again.status_code == 400 and "already opened" in again.text


@pytest.mark.parametrize(("change", "field"), [
    ({"parcel_id": ""}, "parcel_id"),
    ({f"parties-0-{k}": "" for k in ("name", "street", "city", "state", "zip")},
     "parties-0-name"),
    ({"violations-0-ordinance": None}, "violations"),
    ({"violations-0-description": "  "}, "violations-0-description"),
    ({"violations-0-observed": "2027-01-05T10:00"}, "violations-0-observed"),
    ({"zip": "7548"}, "zip"),
])
def test_each_refusal_is_on_its_field_with_what_was_typed_and_nothing_recorded(
        site, change, field):
    officer = site.client("officer")
    before = counts(site)
    sent = officer.post("/field/new", data=fields(officer, **change))
    assert sent.status_code == 422, sent.text
    text = sent.text
    assert f'id="f-{field}-error"' in text
    if field != "violations":
        assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', text), field
        assert re.search(rf'id="f-{field}"[^>]*aria-describedby="[^"]*f-{field}-error', text)
    else:
        assert re.search(r'id="f-q"[^>]*aria-describedby="f-q-hint f-violations-error"', text)
    assert f'href="#f-{"q" if field == "violations" else field}"' in text
    assert 'value="700 Sherman St"' in text
    if field != "violations":
        assert 'name="violations-0-ordinance" value="TB-34-2"' in text  # the pick is kept
    assert counts(site) == before


def test_every_problem_is_told_at_once(site):
    officer = site.client("officer")
    sent = officer.post("/field/new", data=fields(officer, parcel_id="", **{
        "parties-0-name": "", "violations-0-location": ""}))
    assert sent.status_code == 422
    for field in ("parcel_id", "parties-0-name", "violations-0-location"):
        assert f'id="f-{field}-error"' in sent.text
    assert "3 problems to correct" in sent.text


def test_violation_text_that_names_the_complainant_is_refused_at_its_field(site):
    number = complaint_for(site, address="9 Leak Test Ln, Tom Bean, TX 75489")
    officer = site.client("officer")
    before = counts(site)
    sent = officer.post("/field/new", data=fields(officer, complaint=number, **{
        "violations-0-location": "Seen from Rosa Delgado's back yard"}))
    assert sent.status_code == 422
    assert 'id="f-violations-0-location-error"' in sent.text
    assert "names the complainant" in sent.text
    assert counts(site) == before


def test_the_same_form_sent_twice_is_refused_with_a_link_to_its_case(site):
    officer = site.client("officer")
    data = fields(officer, street="5 Twice Ct")
    first = officer.post("/field/new", data=data)
    assert first.status_code == 303
    number = first.headers["location"].rsplit("/", 1)[1]
    before = counts(site)
    again = officer.post("/field/new", data=data)
    assert again.status_code == 409
    assert f'href="/field/cases/{number}"' in again.text and "already received" in again.text
    assert counts(site) == before


def test_the_api_opens_a_case_and_names_each_problem_as_the_form_does(site):
    officer = site.client("officer")
    headers = {"X-CSRF-Token": officer.csrf}
    body = {"street": "88 Api Ave", "city": "Tom Bean", "state": "tx", "zip": "75489",
            "parcel_id": "2250-0008-0008", "key": new_key(),
            "parties": [{"role": "owner", "name": "Lee Park", "street": "88 Api Ave",
                         "city": "Tom Bean", "state": "TX", "zip": "75489"}],
            "violations": [{"ordinance": "TB-34-5", "location": "Side yard",
                            "description": "Lumber and pipe stacked along the side yard.",
                            "corrective_action": "Remove the stored materials.",
                            "observed": "2026-12-07 09:00"}]}
    made = officer.post("/api/field/cases", json=body, headers=headers)
    assert made.status_code == 201, made.text
    number = made.json()["case_number"]
    assert made.json()["url"] == f"/field/cases/{number}"
    assert officer.get(f"/api/field/cases/{number}").json()["deadlines"] == {
        "tb-34-5": "within 10 days"}
    assert officer.post("/api/field/cases", json=body, headers=headers).status_code == 409
    bad = officer.post("/api/field/cases", headers=headers, json={
        **body, "key": new_key(), "parcel_id": "", "violations": []})
    assert bad.status_code == 422
    assert {p["field"] for p in bad.json()["problems"]} == {"parcel_id", "violations"}
