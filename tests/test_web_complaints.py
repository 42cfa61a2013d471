"""Complaints through the service (issue "the web service, part 2", items 2-4): the public form
(directive V.A.1) with its refusals, each plain and leaving nothing recorded; the status link
whose page never shows the responsible party, the officer's notes or another complaint (tested
over every example case); and the complaint queue's accept (III.D), not accept (III.F) and
assign (VII.B), recorded as the person signed in."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import Web, make_heic, opened, served_examples
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from noticegen.record.db import record_blob
from noticegen.record.tables import blobs, cases, complaint_events, complaints, people
from noticegen.service import App, casework
from noticegen.service.complaints import PER_HOUR, RESOLVED, digest
from noticegen.service.submissions import new_key
from noticegen.source import _Loader as CaseLoader

pytestmark = pytest.mark.record
TODAY = date(2026, 12, 7)
"""The day the tests file on (the examples' year: case numbers CE-2026-…)."""


@pytest.fixture(scope="module", autouse=True)
def _today():
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(App, "today", lambda self: TODAY)
        yield


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_examples(tmp_path_factory, "complaints") as web:
        yield web


_hosts = iter(range(1, 250))


def public(web: Web, host: str | None = None) -> TestClient:
    """A visitor's browser from its own network address (the form's hourly limit is per
    address); its `.csrf` is the form's token."""
    client = TestClient(web.asgi, base_url="https://testserver", follow_redirects=False,
                        client=(host or f"192.0.2.{next(_hosts)}", 50000))
    client.csrf = web.csrf_of(client, "/complaints/new")
    return client


FORM = {"address": "512 N Britton St", "kind": "TB-34-2",
        "seen": "Grass about two feet tall across the front yard.", "seen_on": "2026-12-01",
        "name": "Margaret Ellison", "phone": "(903) 555-0147"}


def send(client: TestClient, photos=(), **fields: str):
    """The public form sent as a browser sends it (multipart, an empty file part when no photo
    is chosen)."""
    data = {"csrf": client.csrf, "key": new_key(), **FORM, **fields}
    data = {k: v for k, v in data.items() if v is not None}
    files = [("photos", p) for p in photos] or [("photos", ("", b"", "application/octet-stream"))]
    return client.post("/complaints/new", data=data, files=files)


def filed(client: TestClient, photos=(), **fields: str) -> tuple[str, str]:
    """Send the form; the case number and the status link's path the filed page gives."""
    sent = send(client, photos, **fields)
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == "/complaints/filed"
    shown = client.get("/complaints/filed")
    assert shown.status_code == 200, shown.text
    number = re.search(r'<strong class="mono">([A-Z]+-\d{4}-\d{4})</strong>', shown.text)[1]
    link = re.search(r'<a href="(https://testserver(/status/[\w-]{43}))">\1</a>', shown.text)
    assert link, shown.text
    return number, link[2]


def jpeg(name: str = "yard.jpg", size=(640, 480)) -> tuple[str, bytes, str]:
    out = io.BytesIO()
    from PIL import Image

    Image.new("RGB", size, (90, 140, 60)).save(out, "JPEG")
    return name, out.getvalue(), "image/jpeg"


def counts(web: Web) -> tuple[int, int, int, int]:
    """Rows of the complaints, cases, blobs and submissions… tables (what a refusal must not
    add to)."""
    from noticegen.record.tables import submissions

    with web.asgi.state.base.record.read() as c:
        return tuple(c.execute(select(func.count()).select_from(t)).scalar()
                     for t in (complaints, cases, blobs, submissions))


# -- the public form -------------------------------------------------------------------------

def test_filing_gives_the_next_case_number_and_a_status_link_shown_once(web):
    visitor = public(web)
    form = visitor.get("/complaints/new")
    assert form.status_code == 200 and '<meta name="robots" content="noindex">' in form.text
    assert "the Chief of Police or designee may accept one" in form.text.replace("The", "the")
    number, link = filed(visitor, photos=[jpeg("front.jpg"), jpeg("side.jpg", (480, 640))])
    assert number == "CE-2026-0200"
    assert filed(public(web))[0] == "CE-2026-0201"
    again = visitor.get("/complaints/filed")  # a reload shows it again…
    assert again.status_code == 200 and link in again.text
    elsewhere = public(web).get("/complaints/filed")  # …another browser never
    assert elsewhere.status_code == 404 and link not in elsewhere.text
    status = visitor.get(link)
    assert status.status_code == 200
    assert '<meta name="robots" content="noindex">' in status.text
    assert "Received: it will be reviewed for acceptance" in status.text
    assert "Margaret Ellison" not in status.text  # their own name is not on it either
    with web.asgi.state.base.record.read() as c:
        row = c.execute(select(complaints).where(complaints.c.case_number == number)
                        ).mappings().one()
    assert row["token_sha256"] == digest(link.rsplit("/", 1)[1])  # the secret is not kept
    assert row["data"]["complainant"] == {"name": "Margaret Ellison", "phone": "(903) 555-0147"}
    assert [p["name"] for p in row["data"]["photos"]] == ["front.jpg", "side.jpg"]
    api = visitor.post("/api/complaints", headers={"X-CSRF-Token": visitor.csrf}, json={
        "address": "9 Main St", "seen": "Car on blocks", "seen_on": "2026-12-06",
        "anonymous": True})
    assert api.status_code == 201, api.text
    answer = api.json()
    assert answer["case_number"] == "CE-2026-0202"
    token = answer["status_url"].rsplit("/", 1)[1]
    assert answer["api_status_url"] == f"https://testserver/api/status/{token}"
    stands = visitor.get(f"/api/status/{token}").json()
    assert (stands["case_number"], stands["stage"], stands["address"]) == (
        "CE-2026-0202", "received", "9 Main St")


def test_the_mailing_address_is_taken_whole_or_not_at_all(site):
    visitor = public(site)
    half = send(visitor, mail_street="516 N Britton St", mail_zip="7548")
    assert half.status_code == 422
    for field, words in (("mail_city", "give the city of your mailing address"),
                         ("mail_state", "give the state of your mailing address"),
                         ("mail_zip", "not a ZIP code")):
        assert f'aria-describedby="f-{field}-error"' in half.text, field
        assert words in half.text
    assert 'value="516 N Britton St"' in half.text
    number, _ = filed(visitor, mail_street="516 N Britton St", mail_city="Tom Bean",
                      mail_state="tx", mail_zip="75489")
    row = site.client("manager").get(f"/api/complaints/{number}").json()
    assert row["complainant"]["mailing_address"] == {
        "lines": ["516 N Britton St"], "city": "Tom Bean", "state": "TX", "zip": "75489"}


def _refused(site: Web, sent, status: int, *words: str) -> str:
    assert sent.status_code == status, sent.text
    for w in words:
        assert w in sent.text, (w, sent.text[-3000:])
    assert "Traceback" not in sent.text
    return sent.text


def test_each_refusal_is_plain_tied_to_its_field_and_records_nothing(site):
    visitor = public(site)
    before = counts(site)
    empty = _refused(site, send(visitor, seen="  "), 422, "describe what you saw")
    assert re.search(r'<textarea id="f-seen" name="seen"[^>]* aria-invalid="true" '
                     r'aria-describedby="f-seen-hint f-seen-error">', empty)
    assert 'id="f-seen-error"' in empty and 'value="512 N Britton St"' in empty  # kept
    big = ("huge.jpg", b"\xff\xd8\xff\xe0" + bytes(20_000_000), "image/jpeg")
    text = _refused(site, send(visitor, photos=[big]), 422,
                    "huge.jpg: the file is 20.0 MB, more than the 15 MB a photo may be",
                    "Photos are not kept when the form comes back")
    assert 'aria-describedby="f-photos-hint f-photos-error"' in text
    page = ("notes.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg")
    _refused(site, send(visitor, photos=[page]), 422, "notes.jpg: not a photo noticegen can print")
    _refused(site, send(visitor, photos=[jpeg(f"{n}.jpg") for n in range(7)]), 422,
             "7 photos sent; at most 6 are taken at once")
    _refused(site, send(visitor, name=""), 422, "give your name, or choose to stay anonymous")
    _refused(site, send(visitor, phone=None, name="Ann"), 422,
             "give a phone number, an email address or a mailing address")
    _refused(site, send(visitor, anonymous="on"), 422, "you chose to stay anonymous")
    _refused(site, send(visitor, seen_on="2026-12-25"), 422, "the date is in the future")
    _refused(site, send(visitor, seen_on="12/01/2026"), 422,
             "&#39;12/01/2026&#39; is not a date in the form YYYY-MM-DD")
    _refused(site, send(visitor, email="not-an-address"), 422, "not an email address")
    _refused(site, send(visitor, kind="TB-99-99"), 422, "not one of the listed problems")
    _refused(site, send(visitor, seen="x" * 4001), 422, "longer than the 4000 characters")
    bot = _refused(site, send(visitor, website="https://spam.example"), 422,
                   "the form could not be accepted")
    assert "website" not in bot and "Margaret" not in bot
    api = visitor.post("/api/complaints", headers={"X-CSRF-Token": visitor.csrf},
                       json={"address": "1 Main St", "seen": "", "seen_on": "2026-12-01",
                             "anonymous": True, "colour": "red"})
    assert api.status_code == 422
    assert {(p["field"], p["message"]) for p in api.json()["problems"]} == {
        ("seen", "describe what you saw"), ("colour", "not a field of the complaint form")}
    broken = visitor.post("/api/complaints", content=b"{not json",
                          headers={"X-CSRF-Token": visitor.csrf,
                                   "Content-Type": "application/json"})
    assert broken.status_code == 422 and "not a JSON object" in broken.text
    assert counts(site) == before


def test_a_form_sent_twice_is_recorded_once(site):
    visitor = public(site)
    key = new_key()
    data = {"csrf": visitor.csrf, "key": key, **FORM}
    first = visitor.post("/complaints/new", data=data)
    assert first.status_code == 303
    before = counts(site)
    second = visitor.post("/complaints/new", data=data)
    _refused(site, second, 409, "this complaint was already received; it is recorded once")
    assert counts(site) == before


def test_the_hourly_limit_refuses_the_next_complaint_from_one_address(web):
    visitor = public(web, "198.51.100.7")
    for _ in range(PER_HOUR):
        assert send(visitor).status_code == 303
    before = counts(web)
    text = _refused(web, send(visitor, photos=[jpeg()]), 429,
                    f"{PER_HOUR} complaints were sent from this connection within the hour",
                    "try again in an hour")
    assert 'value="512 N Britton St"' in text
    assert counts(web) == before  # not even the photo's blob
    assert send(public(web, "198.51.100.8")).status_code == 303  # another address is taken


def test_a_wrong_token_shows_nothing(site):
    number, link = filed(public(site))
    visitor = public(site)
    for token in ("0" * 43, link.rsplit("/", 1)[1][:-1] + "x", "short"):
        page = visitor.get(f"/status/{token}")
        assert page.status_code == 404
        assert "no complaint is found for this link" in page.text
        assert number not in page.text and "Britton" not in page.text
        api = visitor.get(f"/api/status/{token}")
        assert api.status_code == 404 and set(api.json()) == {"error", "hint"}


# -- the status page over every example case -------------------------------------------------

EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples" / "cases")
                  .glob("*.yaml"))


def _example(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=CaseLoader)


def _secrets(data: dict) -> list[str]:
    """What the status page must never show of a case: the responsible parties' names, the
    site visits' text, the violations' descriptions, the history's notes, the resolution."""
    found = [p["name"] for p in data.get("responsible_parties", [])]
    found += [v["description"] for v in data.get("violations", [])]
    for visit in data.get("site_visits", []):
        for key, value in visit.items():
            if key != "at":
                found += value if isinstance(value, list) else [value]
    found += [h["notes"] for h in data.get("history", []) if h.get("notes")]
    if data.get("closure"):
        found.append(data["closure"]["resolution"])
    return [str(s) for s in found if s]


def _case_from(app: App, data: dict, number: str, folder: Path) -> None:
    """The example's case made from the complaint (its number), as an officer's new case is:
    photos by SHA-256 from the blob store, no history (its closure kept)."""
    data = {**data, "case_number": number}
    data.pop("history", None)
    for violation in data.get("violations", []):
        taken = []
        for photo in violation.get("photos", []):
            photo = photo if isinstance(photo, dict) else {"file": photo}
            content = (folder / photo["file"]).read_bytes()
            sha = app.blobs.put(content)
            with app.transaction() as (c, _):
                record_blob(c, sha, len(content), "image")
            taken.append({"sha256": sha, "name": Path(photo["file"]).name}
                         | ({"caption": photo["caption"]} if "caption" in photo else {}))
        violation["photos"] = taken
    casework.create(app, json.loads(json.dumps(data, default=str)), [], new_key(), number)


def _complainant(data: dict) -> dict[str, str]:
    who = data.get("complainant") or {}
    if who.get("anonymous") or not who.get("name"):
        return {"anonymous": "on", "name": "", "phone": ""}
    return {"name": who["name"], "phone": who.get("phone") or "",
            "email": who.get("email") or ("" if who.get("phone") else "someone@example.com")}


def test_the_status_page_of_every_example_never_shows_the_responsible_party(site):
    manager = site.client("manager")
    closed = 0
    for path in EXAMPLES:
        data = _example(path)
        property_ = data["property"]["address"]
        where = ", ".join([*property_["lines"], property_["city"]])
        visitor = public(site)
        number, link = filed(visitor, address=where, seen=data["complaint"]["type"],
                             kind=data["violations"][0]["ordinance"], **_complainant(data))
        answer = manager.post(f"/complaints/{number}/decision", data={
            "csrf": manager.csrf, "key": new_key(), "accept": "yes",
            "note": "Officer's private note: a neighbour feud, per the owner."})
        assert answer.status_code == 303, (path.name, answer.text)
        with opened(site.root, "officer.test") as app:
            _case_from(app, data, number, path.parent)
        shown = [visitor.get(link), visitor.get("/api" + link)]
        for page in shown:
            assert page.status_code == 200, (path.name, page.text)
            leaked = [s for s in [*_secrets(data), "Officer's private note"] if s in page.text]
            assert not leaked, (path.name, leaked)
        stands = shown[1].json()
        assert set(stands) == {"case_number", "received", "address", "seen", "stage", "words",
                               "since"}
        if data.get("closure"):
            closed += 1
            assert stands["stage"] == "resolved"
            words = RESOLVED[data["closure"]["reason"]]
            assert f"Resolved: {words}" in shown[0].text, path.name
        else:
            assert stands["stage"] == "investigating"
            assert "Accepted: an officer is investigating." in shown[0].text
    assert closed == 2


def test_a_complaint_not_accepted_shows_its_rule_and_reason_but_not_the_note(site):
    visitor = public(site)
    number, link = filed(visitor)
    officer = site.client("officer")
    refused = officer.post(f"/complaints/{number}/decision", data={
        "csrf": officer.csrf, "key": new_key(), "accept": "no", "reason": "",
        "note": "kept"})
    assert refused.status_code == 422
    assert 'aria-describedby="decline-reason-error"' in refused.text
    assert 'aria-invalid="true"' in refused.text and ">kept</textarea>" in refused.text
    done = officer.post(f"/complaints/{number}/decision", data={
        "csrf": officer.csrf, "key": new_key(), "accept": "no", "reason": "frivolous",
        "note": "Same neighbour, fourth time this month."})
    assert done.status_code == 303
    assert done.headers["location"] == f"/complaints/{number}?done=not_accepted"
    page = visitor.get(link).text
    assert "Not accepted (directive III.F.2): the complaint is frivolous." in page
    assert "fourth time" not in page
    assert visitor.get("/api" + link).json()["stage"] == "not_accepted"


def test_an_ended_complaint_s_link_stops_working_after_a_year(site, monkeypatch):
    visitor = public(site)
    number, link = filed(visitor)
    manager = site.client("manager")
    manager.post(f"/complaints/{number}/decision", data={
        "csrf": manager.csrf, "key": new_key(), "accept": "no", "reason": "no_standing"})
    _, open_link = filed(visitor)
    assert visitor.get(link).status_code == 200
    monkeypatch.setattr(App, "today", lambda self: date(2027, 12, 8))
    gone = visitor.get(link)
    assert gone.status_code == 404 and number not in gone.text
    assert visitor.get("/api" + link).status_code == 404
    assert visitor.get(open_link).status_code == 200  # one not ended still shows


# -- the complaint queue ---------------------------------------------------------------------

def _actors(site: Web, number: str) -> list[tuple[str, str]]:
    with site.asgi.state.base.record.read() as c:
        return [tuple(r) for r in c.execute(
            select(complaint_events.c.kind, people.c.name)
            .join(people, people.c.id == complaint_events.c.actor_id)
            .join(complaints, complaints.c.id == complaint_events.c.complaint_id)
            .where(complaints.c.case_number == number).order_by(complaint_events.c.id))]


def test_the_queue_shows_complaints_with_priority_complainant_and_photos(site):
    number, _ = filed(public(site), photos=[jpeg("front.jpg")], address="14 Hazard Ln",
                      kind="TB-14-40", seen="The roof fell in on one side.")
    anonymous, _ = filed(public(site), address="15 Hazard Ln", anonymous="on", name="",
                         phone="")
    manager = site.client("manager")
    queue = manager.get("/complaints")
    assert queue.status_code == 200
    text = queue.text
    row = text[text.index(f">{number}</a>"):]
    row = row[:row.index("</tr>")]
    assert "Priority 1" in row and "III.A.1" in row and "Dangerous and substandard" in row
    assert "Margaret Ellison" in row and ">new<" in row
    [thumb] = re.findall(rf'<a href="(/complaints/{number}/photos/([0-9a-f]{{64}}))"', row)
    photo = manager.get(thumb[0])
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/jpeg"
    assert hashlib.sha256(photo.content).hexdigest() == thumb[1]
    assert "sandbox" in photo.headers["content-security-policy"]
    assert site.client("clerk").get(thumb[0]).status_code == 403
    assert manager.get(f"/complaints/{anonymous}/photos/{thumb[1]}").status_code == 404
    other = text[text.index(f">{anonymous}</a>"):]
    assert ">anonymous<" in other[:other.index("</tr>")]
    listed = {r["case_number"]: r for r in manager.get("/api/complaints").json()}
    assert listed[number]["priority"]["tier"] == 1
    assert listed[anonymous]["complainant"] == {"anonymous": True, "name": None,
                                                "phone": None, "email": None,
                                                "mailing_address": None}


def test_accept_assign_and_not_accept_are_recorded_as_the_person_signed_in(site):
    number, link = filed(public(site))
    officer = site.client("officer")
    page = officer.get(f"/complaints/{number}")
    assert "Accept (directive III.D)" in page.text and "Open a case" not in page.text
    accepted = officer.post(f"/complaints/{number}/decision", data={
        "csrf": officer.csrf, "key": new_key(), "accept": "yes", "note": "Seen from the road."})
    assert accepted.status_code == 303
    page = officer.get(accepted.headers["location"])
    assert "Accepted and recorded." in page.text
    assert f'href="/field/new?complaint={number}"' in page.text
    assert "Open a case" not in site.client("manager").get(f"/complaints/{number}").text
    manager = site.client("manager")
    assigned = manager.post(f"/complaints/{number}/assignment", data={
        "csrf": manager.csrf, "key": new_key(), "officer": "ofc-whitfield"})
    assert assigned.status_code == 303
    assert "Daniel Whitfield" in officer.get(f"/complaints/{number}").text
    assert _actors(site, number) == [("accepted", "officer.test"),
                                     ("assigned", "manager.test")]
    again = officer.post(f"/complaints/{number}/decision", data={
        "csrf": officer.csrf, "key": new_key(), "accept": "no", "reason": "frivolous"})
    assert again.status_code == 409 and "already decided" in again.text
    assert "an officer is investigating" in public(site).get(link).text
    api_number, _ = filed(public(site))
    headers = {"X-CSRF-Token": manager.csrf}
    key = new_key()
    done = manager.post(f"/api/complaints/{api_number}/decision", headers=headers,
                        json={"accept": False, "reason": "history_unfounded", "key": key})
    assert done.status_code == 200 and done.json()["state"] == "not_accepted"
    twice = manager.post(f"/api/complaints/{api_number}/decision", headers=headers,
                         json={"accept": False, "reason": "history_unfounded", "key": key})
    assert twice.status_code == 409
    late = manager.post(f"/api/complaints/{api_number}/assignment", headers=headers,
                        json={"officer": "ofc-garza"})
    assert late.status_code == 400 and "not accepted" in late.json()["error"]
    assert _actors(site, api_number) == [("not_accepted", "manager.test")]


def test_an_anonymous_complaint_is_accepted_only_with_the_chief_s_grounds(site):
    number, _ = filed(public(site), anonymous="on", name="", phone="")
    manager = site.client("manager")
    page = manager.get(f"/complaints/{number}")
    assert "The grounds for accepting it anonymous (required)" in page.text
    refused = manager.post(f"/complaints/{number}/decision", data={
        "csrf": manager.csrf, "key": new_key(), "accept": "yes", "note": " "})
    assert refused.status_code == 422
    assert re.search(r'<textarea id="accept-note" name="note" rows="4" aria-invalid="true" '
                     r'aria-describedby="accept-note-hint accept-note-error">', refused.text)
    assert "accepted only at the Chief&#39;s discretion (directive V.A.2)" in refused.text
    api = manager.post(f"/api/complaints/{number}/decision", json={"accept": True},
                       headers={"X-CSRF-Token": manager.csrf})
    assert api.status_code == 422 and api.json()["problems"][0]["field"] == "note"
    assert _actors(site, number) == []
    done = manager.post(f"/complaints/{number}/decision", data={
        "csrf": manager.csrf, "key": new_key(), "accept": "yes",
        "note": "Imminent threat: an open, unfenced pool next to the school."})
    assert done.status_code == 303 and _actors(site, number) == [("accepted", "manager.test")]


def test_only_managers_and_officers_see_the_queue(site):
    number, _ = filed(public(site))
    for role in ("clerk", "attorney", "admin"):
        client = site.client(role)
        for path in ("/complaints", f"/complaints/{number}", "/api/complaints",
                     f"/api/complaints/{number}"):
            assert client.get(path).status_code == 403, (role, path)
        assert client.post(f"/complaints/{number}/decision", data={
            "csrf": client.csrf, "accept": "yes"}).status_code == 403
    stranger = public(site)
    for path in ("/complaints", f"/complaints/{number}"):
        away = stranger.get(path)
        assert away.status_code == 303 and away.headers["location"].startswith("/sign-in")
    assert stranger.get("/api/complaints").status_code == 401
    assert site.client("manager").get("/complaints/CE-2026-9999").status_code == 404


def test_the_sign_in_page_links_the_public_form(site):
    text = public(site).get("/sign-in").text
    assert '<a href="/complaints/new">File a complaint</a>' in text


def test_a_heic_photo_is_taken_and_downloaded_not_shown(site):
    import pillow_heif
    from PIL import Image

    heic = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (200, 0, 0))).save(heic, quality=50)
    number, _ = filed(public(site), photos=[("IMG_0001.HEIC", heic.getvalue(), "image/heic")])
    manager = site.client("manager")
    [sha] = manager.get(f"/api/complaints/{number}").json()["photos"]
    sent = manager.get(f"/complaints/{number}/photos/{sha}")
    assert sent.status_code == 200 and sent.headers["content-type"] == "image/heic"
    assert sent.headers["content-disposition"].startswith("attachment;")


def test_a_complaints_heic_photo_is_shown_upright_as_jpeg(site, tmp_path):
    from noticegen.service.complaints import ComplaintForm, file_complaint
    from noticegen.service.uploads import Upload

    heic = make_heic(tmp_path / "yard.heic", "2026:12:01 09:30:00")
    with opened(site.root, "public") as app:
        filed = file_complaint(app, ComplaintForm(
            address="9 Elm St", seen="A junked car", seen_on="2026-12-01", name="Al Roe",
            phone="(903) 555-0111"), [Upload("yard.heic", heic.read_bytes())], "10.9.9.9")
    manager = site.client("manager")
    page = manager.get(f"/complaints/{filed.case_number}").text
    shown = re.search(rf'<img src="(/complaints/{filed.case_number}/photos/\w+/upright)"', page)
    assert shown, page
    answer = manager.get(shown.group(1))
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/jpeg"
    assert answer.content[:3] == b"\xff\xd8\xff"
