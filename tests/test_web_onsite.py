"""Issue on site, the officer's phone page (issue "The web service, part 2"): a warning door
hanger handed in person or left on the door, a stop work order posted; each PDF prints the
case's officer's name and badge, the deadline and how it was served, and the event log records
the step with the officer as its actor. Another officer's case, a door hanger "posted", a
missing recipient and the ladder are refused plainly; the same form sent twice issues once."""

from __future__ import annotations

import io
import re

import pytest
from conftest import Web, opened, served_examples
from pypdf import PdfReader
from sqlalchemy import func, select

from noticegen.record.tables import documents, events, people
from noticegen.service.people import add_user

pytestmark = pytest.mark.record
WHITFIELD = "ofc.whitfield"
"""An officer account linked to ofc-whitfield (Daniel Whitfield, Badge No. 108), whose cases
are CE-2026-0163 and CE-2026-0174; the conftest officer is ofc-garza's (Elena Garza, 114)."""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_examples(tmp_path_factory, "onsite") as web:
        with opened(web.root, "admin.test") as app:
            add_user(app, WHITFIELD, "officer", Web.PASSWORD, officer="ofc-whitfield")
        yield web


def _key(client, number: str) -> str:
    page = client.get(f"/field/cases/{number}/issue")
    assert page.status_code == 200, page.text
    return re.search(r'name="key" value="([^"]+)"', page.text).group(1)


def _issue(client, number: str, **fields: str):
    key = fields.pop("key", None) or _key(client, number)
    return client.post(f"/field/cases/{number}/issue",
                       data={"csrf": client.csrf, "key": key, **fields}), key


def _pdf_text(client, url: str) -> str:
    got = client.get(url)
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(got.content)).pages)
    return re.sub(r"\s+", " ", text)


def _row(web: Web, doc_id: str) -> dict:
    with web.asgi.state.base.record.read() as c:
        doc = c.execute(select(documents).where(documents.c.id == doc_id)).mappings().one()
        event = c.execute(select(events, people.c.name.label("actor")).join(
            people, people.c.id == events.c.actor_id).where(
            events.c.document_id == doc_id)).mappings().one()
    return {"document": dict(doc), "event": dict(event)}


def _count(web: Web, number: str, doc_type: str) -> int:
    with web.asgi.state.base.record.read() as c:
        return c.execute(select(func.count()).select_from(documents).where(
            documents.c.case_number == number, documents.c.document_type == doc_type)).scalar()


def _issued(client, sent) -> tuple[str, str]:
    """(the document id, the confirmation page) after a form that issued."""
    assert sent.status_code == 303, sent.text
    doc_id = re.search(r"issued=([\w-]+)$", sent.headers["location"]).group(1)
    shown = client.get(sent.headers["location"])
    assert shown.status_code == 200
    assert "<h2>Issued</h2>" in shown.text
    assert f'<a class="button big" href="/documents/{doc_id}">Open the PDF to print</a>' \
        in shown.text
    return doc_id, shown.text


def test_the_form_offers_what_the_ladder_allows_and_says_why_not(site):
    officer = site.client("officer", WHITFIELD)
    page = officer.get("/field/cases/CE-2026-0163/issue")
    assert page.status_code == 200
    assert 'id="document-warning"' in page.text and 'id="document-stop-work"' not in page.text
    assert "Stop work order:</strong> <span class=\"badge bad\">not now</span>" in page.text
    assert "Directive X.A.1: a stop work order is issued for construction" in page.text
    assert 'id="service-in-person"' in page.text and 'id="service-left-at-door"' in page.text
    assert 'id="service-posted"' not in page.text  # only a stop work order is posted
    assert "Daniel Whitfield, Badge No. 108" in page.text
    both = officer.get("/api/field/cases/CE-2026-0174/issue").json()
    assert [(d["doc_type"], d["allowed"]) for d in both["documents"]] == [
        ("warning", True), ("stop-work", True)]
    assert len(both["recipients"]) == 2
    assert both["key"] and both["badge"] == "108"


def test_a_door_hanger_handed_in_person_prints_the_officer_deadline_and_service(site):
    officer = site.client("officer", WHITFIELD)
    sent, key = _issue(officer, "CE-2026-0163", document="warning", service="in-person")
    doc_id, shown = _issued(officer, sent)
    row = _row(site, doc_id)
    assert row["event"]["kind"] == "warning_notice" and row["event"]["actor"] == WHITFIELD
    assert row["event"]["data"]["method"] == "in_person"
    assert row["document"]["template_id"] == "warning-door-hanger"
    assert row["document"]["delivery"] == "in_person"
    text = _pdf_text(officer, f"/documents/{doc_id}")
    assert "Daniel Whitfield" in text and "Badge No. 108" in text
    assert row["document"]["deadline"] and row["document"]["deadline"] in text
    assert "Handed to Dustin Pike in person" in text
    assert "Left on door" not in text and "Handed to:" not in text
    assert "served in person" in shown and "Dustin Pike" in shown
    # sent again (a double tap): refused, naming the document, nothing more recorded
    again, _ = _issue(officer, "CE-2026-0163", document="warning", service="in-person",
                      key=key)
    assert again.status_code == 409
    assert "Already issued" in again.text and doc_id in again.text
    assert f'href="/documents/{doc_id}"' in again.text
    assert _count(site, "CE-2026-0163", "warning") == 1


def test_a_door_hanger_left_on_the_door(site):
    officer = site.client("officer")  # ofc-garza's, as CE-2026-0196 is
    sent, _ = _issue(officer, "CE-2026-0196", document="warning", recipient="owner",
                     service="left-at-door")
    doc_id, _ = _issued(officer, sent)
    row = _row(site, doc_id)
    assert row["event"]["kind"] == "warning_notice" and row["event"]["actor"] == "officer.test"
    assert row["event"]["data"]["method"] == "door_hanger"
    text = _pdf_text(officer, f"/documents/{doc_id}")
    assert "Elena Garza" in text and "Badge No. 114" in text
    assert row["document"]["deadline"].lower() in text.lower()
    assert "Left on the front door (owner not present)" in text
    assert "Handed to" not in text


def test_a_stop_work_order_posted_at_the_site(site):
    officer = site.client("officer", WHITFIELD)
    sent, _ = _issue(officer, "CE-2026-0174", document="stop-work", recipient="owner",
                     service="posted")
    doc_id, _ = _issued(officer, sent)
    row = _row(site, doc_id)
    assert row["event"]["kind"] == "stop_work_order" and row["event"]["actor"] == WHITFIELD
    assert row["event"]["data"]["method"] == "posting"
    text = _pdf_text(officer, f"/documents/{doc_id}")
    assert "Daniel Whitfield" in text and "Badge No. 108" in text
    assert "ALL WORK MUST STOP IMMEDIATELY" in text.upper()
    assert "Served By posting at the property" in text


def test_the_api_issues_a_stop_work_order_in_person_once_per_key(site):
    officer = site.client("officer")
    form = officer.get("/api/field/cases/CE-2026-0196/issue").json()
    body = {"document": "stop-work", "recipient": "owner", "service": "in-person",
            "key": form["key"]}
    headers = {"X-CSRF-Token": officer.csrf}
    done = officer.post("/api/field/cases/CE-2026-0196/issue", json=body, headers=headers)
    assert done.status_code == 201, done.text
    answer = done.json()
    assert answer["service"] == "in-person" and answer["served"] == "in person"
    assert "In person," in _pdf_text(officer, answer["url"])
    assert _row(site, answer["document_id"])["event"]["data"]["method"] == "in_person"
    again = officer.post("/api/field/cases/CE-2026-0196/issue", json=body, headers=headers)
    assert again.status_code == 409
    assert again.json()["document_id"] == answer["document_id"]
    assert again.json()["url"] == answer["url"]
    assert _count(site, "CE-2026-0196", "stop-work") == 1


def test_another_officers_case_is_refused_naming_its_officer(site):
    garza = site.client("officer")
    page = garza.get("/field/cases/CE-2026-0174/issue")
    assert page.status_code == 403
    assert "assigned to Daniel Whitfield (Badge No. 108)" in page.text
    sent = garza.post("/field/cases/CE-2026-0174/issue", data={
        "csrf": garza.csrf, "key": "k" * 20, "document": "warning", "recipient": "owner",
        "service": "in-person"})
    assert sent.status_code == 403 and "Daniel Whitfield" in sent.text
    api = garza.post("/api/field/cases/CE-2026-0174/issue", json={
        "document": "warning", "recipient": "owner", "service": "in-person"},
        headers={"X-CSRF-Token": garza.csrf})
    assert api.status_code == 403 and "Daniel Whitfield" in api.json()["error"]
    assert _count(site, "CE-2026-0174", "warning") == 0


def test_a_door_hanger_posted_and_a_missing_recipient_are_refused_beside_their_fields(site):
    officer = site.client("officer", WHITFIELD)
    sent, key = _issue(officer, "CE-2026-0174", document="warning", service="posted")
    assert sent.status_code == 422
    assert "a warning notice (door hanger) is not posted at the site: it is handed to the " \
           "person or left on the door" in sent.text
    assert 'id="service-error"' in sent.text
    assert 'aria-invalid="true" aria-describedby="service-error"' in sent.text
    assert 'aria-invalid="true" aria-describedby="recipient-error"' in sent.text
    assert "the case has 2 responsible parties; choose the one this warning notice " \
           "(door hanger) is for" in sent.text
    assert f'name="key" value="{key}"' in sent.text  # the same form, shown again
    assert 'value="warning" required checked' in sent.text
    assert _count(site, "CE-2026-0174", "warning") == 0
    missing = officer.post("/api/field/cases/CE-2026-0174/issue", json={"document": ""},
                           headers={"X-CSRF-Token": officer.csrf})
    assert missing.status_code == 422
    assert [p["field"] for p in missing.json()["problems"]] == ["document"]


def test_the_ladders_refusal_is_shown_with_its_rule(site):
    officer = site.client("officer")
    page = officer.get("/field/cases/CE-2026-0141/issue")
    assert "neither document" in page.text
    assert "Directive VIII.A.1: a warning notice is the first, informal step" in page.text
    sent, _ = _issue(officer, "CE-2026-0141", document="warning", service="in-person",
                     key="a-form-of-an-earlier-day")  # (the page offers no form now)
    assert sent.status_code == 409
    assert "Not issued:" in sent.text and "Directive VIII.A.1" in sent.text
    assert _count(site, "CE-2026-0141", "warning") == 0
