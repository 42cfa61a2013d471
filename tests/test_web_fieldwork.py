"""The officer's field work through the pages (issue 15, part 2): the report of field
investigation (directive VII.D.3 a–j) recorded as a new revision and an "inspection" event
with the officer as actor, every required element refused by name when missing, a form sent
twice recorded once; photos from the phone with their own EXIF capture times (a HEIC one, one
turned by its orientation tag, one without a time), refused with the reason when too large
or not images, attached to a violation and printed in a notice."""

from __future__ import annotations

import io
import re
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from conftest import Web, cli_ok, cli_run, make_heic, make_photo, opened, served_examples
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select

from noticegen.record.tables import events, people
from noticegen.service import issue, load_case

pytestmark = pytest.mark.record

CASE = "CE-2026-0148"
"""Ofc. Garza's case (the test officer's): a collapsed garage and a green pool."""
OTHERS = "CE-2026-0144"
"""Ofc. Whitfield's."""
VIOLATION = "garage"
FULL = {"at": "2026-12-03T10:05", "place": "From the alley behind 605 Sherman St",
        "violations": [VIOLATION],
        "conditions": "The garage roof has partly fallen in; the north wall leans about "
                      "8 inches out of plumb.",
        "witness_name": ["Hal Moore", ""], "witness_statement": [
            "The roof came down in the storm last week.", ""],
        "evidence": "4 photographs of the garage from the alley\nWall out of plumb 8 in, "
                    "measured at the north corner",
        "discussions": "Spoke with the owner by phone about securing the garage.",
        "corrective_action": "Secure the garage against entry and remove the fallen roof.",
        "recommended_action": "Notice of violation; a hearing if not secured within 30 days.",
        "referrals": "Grayson County Health Department"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_examples(tmp_path_factory, "fieldwork") as web:
        yield web


@pytest.fixture(scope="module")
def officer(site):
    return site.client("officer")


def opened_form(client, path: str) -> dict[str, str]:
    """The form's csrf, one-time key and revision, as the page gave them."""
    page = client.get(path)
    assert page.status_code == 200, page.text
    return {name: re.search(rf'name="{name}" value="([^"]+)"', page.text).group(1)
            for name in ("csrf", "key", "revision")}


def revision(web: Web, number: str = CASE) -> int:
    with opened(web.root) as app:
        return load_case(app, number).revision


def logged(web: Web, number: str = CASE) -> list[dict]:
    with web.asgi.state.base.record.read() as c:
        return [dict(r) for r in c.execute(
            select(events.c.kind, events.c.data, events.c.occurred_at,
                   people.c.name.label("actor")).join(
                people, people.c.id == events.c.actor_id)
            .where(events.c.case_number == number).order_by(events.c.id)).mappings()]


def send_report(client, fields: dict, number: str = CASE, form: dict | None = None):
    form = form or opened_form(client, f"/field/cases/{number}/report")
    return client.post(f"/field/cases/{number}/report", data={**form, **fields})


# -- the report of field investigation ---------------------------------------------------------

def test_the_form_shows_the_investigator_and_defaults_to_now(site, officer):
    page = officer.get(f"/field/cases/{CASE}/report").text
    assert "a. Investigator:</strong> Elena Garza, Code Compliance Officer, Badge No. 114" \
        in page
    now = site.asgi.state.base.now().isoformat(timespec="minutes")[:13]  # (to the hour)
    assert re.search(rf'name="at" type="datetime-local" value="{now}:\d\d"', page)
    assert 'value="605 Sherman St, Tom Bean, TX 75489"' in page  # the place, to correct
    assert f'type="checkbox" value="{VIOLATION}"' in page
    assert 'data-offline' in page and '<script src="/static/offline.js" defer>' in page


def test_a_report_with_every_element_is_recorded_as_the_officers(site, officer):
    before = revision(site)
    sent = send_report(officer, FULL)
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/field/cases/{CASE}/report?recorded={before + 1}"
    shown = officer.get(sent.headers["location"]).text
    assert f"revision {before + 1} of the case" in shown and f'href="/field/cases/{CASE}"' \
        in shown
    with opened(site.root) as app:
        record = load_case(app, CASE)
    assert record.revision == before + 1
    visit = record.case.site_visits[-1]
    assert (visit.at, visit.place, visit.violations) == (
        datetime(2026, 12, 3, 10, 5), FULL["place"], [VIOLATION])
    assert [(w.name, w.statement) for w in visit.witnesses] == [
        ("Hal Moore", "The roof came down in the storm last week.")]
    assert visit.evidence == ["4 photographs of the garage from the alley",
                              "Wall out of plumb 8 in, measured at the north corner"]
    assert visit.corrective_action == FULL["corrective_action"]
    assert visit.referrals == ["Grayson County Health Department"]
    inspection = logged(site)[-1]
    assert inspection["kind"] == "inspection" and inspection["actor"] == "officer.test"
    assert inspection["occurred_at"] == datetime(2026, 12, 3, 10, 5)
    assert inspection["data"]["investigator"] == {
        "officer": "ofc-garza", "name": "Elena Garza", "badge": "114",
        "title": "Code Compliance Officer"}
    assert inspection["data"]["recommended_action"] == FULL["recommended_action"]
    assert inspection["data"]["discussions"] == [FULL["discussions"]]
    log = officer.get(f"/api/cases/{CASE}").json()["events"]
    assert any(e["kind"] == "inspection" and e["actor"] == "officer.test"
               and e["detail"] == FULL["place"] for e in log)
    folder = site.root / "exported"
    cli_ok(site.root, "cases", "export", CASE, "--out", str(folder))
    exported = yaml.safe_load((folder / f"{CASE}.yaml").read_text(encoding="utf-8"))
    assert exported["site_visits"][-1]["conditions"] == FULL["conditions"]
    assert exported["site_visits"][-1]["violations"] == [VIOLATION]
    imported = cli_ok(site.root, "cases", "import", str(folder / f"{CASE}.yaml"))
    assert "unchanged" in imported, imported  # the same revision, and the visit once
    assert [e["kind"] for e in logged(site)].count("inspection") == \
        [e["kind"] for e in log].count("inspection")
    again = send_report(officer, FULL)
    assert again.status_code == 422
    assert "a visit at this time and place is already recorded" in again.text


def test_the_field_report_document_prints_the_visit(site):
    with opened(site.root, "clerk.test") as app:
        done = issue(app, "field-report", CASE, datetime(2026, 12, 7, 9, 0), draft=True)
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(
        io.BytesIO(done.document.content)).pages).split())
    for said in ("Elena Garza", "From the alley behind 605 Sherman St", "Hal Moore",
                 "Grayson County Health Department", "8 inches out of plumb"):
        assert said in text, said


@pytest.mark.parametrize(("field", "given", "said"), [
    ("at", {"at": ""}, "give the date and time of the visit"),
    ("at", {"at": "2027-01-05T10:00"}, "the time of the visit is in the future"),
    ("at", {"at": "2026-09-01T10:00"}, "before the case was opened on 2026-09-08"),
    ("at", {"at": "yesterday"}, "not a date-time"),
    ("place", {"place": "  "}, "give the place of the visit"),
    ("conditions", {"conditions": ""}, "describe the conditions observed"),
    ("conditions", {"conditions": "", "violations": []},
     "no violation is checked as observed: explain the conditions observed"),
    ("recommended-action", {"recommended_action": ""},
     "give the recommended enforcement action and its timeline"),
    ("witness-1-statement", {"witness_name": ["Hal Moore", "Ada Lowe"],
                             "witness_statement": ["Saw it.", ""]},
     "give what the witness said"),
    ("violations", {"violations": ["garage", "shed"]}, "no violation &#39;shed&#39; in this case"),
    ("conditions", {"conditions": "Roof down\x07"}, "control character"),
])
def test_a_required_element_missing_or_wrong_is_refused_beside_its_field(site, officer, field,
                                                                        given, said):
    before = revision(site)
    refused = send_report(officer, {**FULL, "at": "2026-12-02T10:00", **given})
    assert refused.status_code == 422, refused.text
    page = refused.text
    assert said in page
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', page) or \
        f'id="f-{field}" aria-describedby="f-{field}-error"' in page
    assert f'id="f-{field}-error"' in page and f'href="#f-{field}"' in page
    assert "4 photographs of the garage from the alley" in page  # what was typed is kept
    assert 'value="Hal Moore"' in page
    assert revision(site) == before


def test_every_missing_element_is_told_at_once(site, officer):
    refused = send_report(officer, {"at": "", "place": "", "conditions": "",
                                    "recommended_action": "", "violations": []})
    assert refused.status_code == 422
    assert refused.text.count('aria-invalid="true"') == 4
    assert "4 problems to correct" in refused.text


def test_the_same_form_sent_twice_is_recorded_once(site, officer):
    form = opened_form(officer, f"/field/cases/{CASE}/report")
    before, inspections = revision(site), len(logged(site))
    first = send_report(officer, {**FULL, "at": "2026-12-04T09:00"}, form=form)
    again = send_report(officer, {**FULL, "at": "2026-12-04T09:00"}, form=form)
    assert first.status_code == 303
    assert again.status_code == 409 and again.headers["x-noticegen-outcome"] == "received"
    assert "already received" in again.text
    assert revision(site) == before + 1 and len(logged(site)) == inspections + 1


def test_a_case_changed_since_the_form_opened_shows_it_again_with_what_was_typed(site,
                                                                                 officer):
    stale = opened_form(officer, f"/field/cases/{CASE}/report")
    assert send_report(officer, {**FULL, "at": "2026-12-05T09:00"}).status_code == 303
    changed = send_report(officer, {**FULL, "at": "2026-12-05T11:00"}, form=stale)
    assert changed.status_code == 409 and changed.headers["x-noticegen-outcome"] == "changed"
    assert "changed by someone else" in changed.text and "Hal Moore" in changed.text
    assert f'name="key" value="{stale["key"]}"' in changed.text  # still to be received
    assert f'name="revision" value="{revision(site)}"' in changed.text
    again = officer.post(f"/field/cases/{CASE}/report", data={
        **FULL, "at": "2026-12-05T11:00", "csrf": stale["csrf"], "key": stale["key"],
        "revision": str(revision(site))})
    assert again.status_code == 303


def test_another_officers_case_is_refused_naming_whose_it_is(site, officer):
    for path in (f"/field/cases/{OTHERS}/report", f"/field/cases/{OTHERS}/photos",
                 f"/api/field/cases/{OTHERS}/report"):
        refused = officer.get(path)
        assert refused.status_code == 403
        assert "assigned to Daniel Whitfield (ofc-whitfield), not to you" in refused.text
    sent = officer.post(f"/field/cases/{OTHERS}/report", data={**FULL, "csrf": officer.csrf,
                                                               "key": "k" * 20,
                                                               "revision": "1"})
    assert sent.status_code == 403
    assert site.client("clerk").get(f"/field/cases/{CASE}/report").status_code == 403


def test_the_api_records_a_report_once(site, officer):
    start = officer.get(f"/api/field/cases/{CASE}/report").json()
    assert start["investigator"]["name"] == "Elena Garza"
    assert [v["id"] for v in start["violations"]] == [VIOLATION, "pool"]
    body = {"revision": start["revision"], "key": start["key"], "at": "2026-12-06 08:30",
            "place": "Alley", "violations": [], "conditions": "The garage was secured.",
            "recommended_action": "Follow-up in 30 days.",
            "witnesses": [{"name": "Hal Moore", "statement": "Boarded up Tuesday."}]}
    headers = {"X-CSRF-Token": officer.csrf}
    done = officer.post(f"/api/field/cases/{CASE}/report", json=body, headers=headers)
    assert done.status_code == 201, done.text
    assert done.json() == {"case_number": CASE, "revision": start["revision"] + 1,
                           "url": f"/field/cases/{CASE}"}
    again = officer.post(f"/api/field/cases/{CASE}/report", json=body, headers=headers)
    assert again.status_code == 409
    missing = officer.post(f"/api/field/cases/{CASE}/report", headers=headers, json={
        "revision": start["revision"] + 1, "key": "another-key-123", "place": "Alley"})
    assert missing.status_code == 422
    assert {p["field"] for p in missing.json()["problems"]} == {
        "at", "conditions", "recommended_action"}


# -- photos ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("phone")
    return {
        "front.jpg": make_photo(folder / "front.jpg", datetime(2026, 12, 3, 10, 16)),
        "sideways.jpg": make_photo(folder / "sideways.jpg", datetime(2026, 12, 3, 10, 18),
                                   orientation=6, size=(640, 480)),
        "IMG_0042.HEIC": make_heic(folder / "IMG_0042.HEIC", "2026:12:03 10:20:00"),
        "no-exif.jpg": _plain(folder / "no-exif.jpg"),
    }


def _plain(path: Path) -> Path:
    Image.new("RGB", (400, 300), (60, 60, 160)).save(path, "JPEG")
    return path


def upload(client, files: list[tuple[str, bytes, str]], number: str = CASE, **fields):
    form = opened_form(client, f"/field/cases/{number}/photos")
    return client.post(f"/field/cases/{number}/photos",
                       data={**form, "violation": VIOLATION, **fields},
                       files=[("photos", f) for f in files])


def test_photos_are_attached_with_their_own_capture_times(site, officer, photos):
    before, logged_before = revision(site), len(logged(site))
    files = [(name, path.read_bytes(), "image/heic" if name.endswith("HEIC") else "image/jpeg")
             for name, path in photos.items()]
    sent = upload(officer, files, caption="Garage from the alley",
                  captions="Front of the garage\n\nRoof from the north\n")
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/field/cases/{CASE}/photos?added=4"
    page = officer.get(sent.headers["location"]).text
    assert "4 photos added" in page
    for said in ("taken 3 December 2026 at 10:16 AM", "taken 3 December 2026 at 10:18 AM",
                 "taken 3 December 2026 at 10:20 AM", "capture time not recorded"):
        assert said in page, said
    with opened(site.root) as app:
        record = load_case(app, CASE)
    assert record.revision == before + 1
    with site.asgi.state.base.record.read() as c:
        from noticegen.service.casework import latest

        data, _ = latest(c, CASE)
    attached = next(v for v in data["violations"] if v["id"] == VIOLATION)["photos"][-4:]
    assert [(p["name"], p.get("caption")) for p in attached] == [
        ("front.jpg", "Front of the garage"), ("sideways.jpg", "Garage from the alley"),
        ("IMG_0042.HEIC", "Roof from the north"), ("no-exif.jpg", "Garage from the alley")]
    event = logged(site)[-1]
    assert len(logged(site)) == logged_before + 1
    assert event["kind"] == "photos" and event["actor"] == "officer.test"
    assert event["data"]["violation"] == VIOLATION
    assert [p["taken"] for p in event["data"]["photos"]] == [
        "2026-12-03T10:16:00-06:00", "2026-12-03T10:18:00-06:00",
        "2026-12-03T10:20:00-06:00", None]
    shown = re.findall(rf'<img src="(/cases/{CASE}/photos/([0-9a-f]{{64}})/upright)"', page)
    by_sha = {sha: url for url, sha in shown}
    sideways = officer.get(by_sha[attached[1]["sha256"]])
    assert sideways.status_code == 200 and sideways.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(sideways.content)) as thumb:
        assert thumb.height > thumb.width  # turned upright by its orientation tag
    from_heic = site.client("attorney").get(by_sha[attached[2]["sha256"]])
    assert from_heic.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(from_heic.content)) as thumb:
        assert thumb.format == "JPEG"
    api = officer.get(f"/api/field/cases/{CASE}/photos").json()
    listed = api["violations"][0]["photos"][-4:]
    assert [p["taken_words"] for p in listed][-1] == "capture time not recorded"


def test_the_photos_print_in_a_notice_with_their_captions_and_times(site, officer, photos):
    assert upload(officer, [("front.jpg", photos["front.jpg"].read_bytes(), "image/jpeg"),
                            ("no-exif.jpg", photos["no-exif.jpg"].read_bytes(), "image/jpeg")],
                  caption="North wall leaning").status_code == 303
    with opened(site.root, "clerk.test") as app:
        done = issue(app, "nov", CASE, datetime(2026, 12, 7, 9, 0), recipient="owner",
                     draft=True)
    text = " ".join(" ".join(p.extract_text() or "" for p in PdfReader(
        io.BytesIO(done.document.content)).pages).split())
    assert "North wall leaning" in text
    assert "taken December 3, 2026 at 10:16 AM" in text
    assert "capture time not recorded" in text


def test_a_photo_too_large_or_not_an_image_is_refused_with_the_reason(site, officer, photos):
    before, logged_before = revision(site), len(logged(site))
    big = photos["front.jpg"].read_bytes()
    big += b"\0" * (16_000_000 - len(big))
    refused = upload(officer, [("huge.jpg", big, "image/jpeg"),
                               ("notes.txt", b"just some words", "text/plain"),
                               ("front.jpg", photos["front.jpg"].read_bytes(), "image/jpeg")])
    assert refused.status_code == 422
    page = refused.text
    assert "huge.jpg: the file is 16.0 MB, more than the 15 MB a photo may be" in page
    assert "notes.txt: not a photo noticegen can print" in page
    assert re.search(r'id="f-photos"[^>]*aria-invalid="true"', page)
    assert revision(site) == before and len(logged(site)) == logged_before


def test_an_upload_needs_its_violation_and_a_photo(site, officer, photos):
    refused = upload(officer, [], violation="")
    assert refused.status_code == 422
    assert "choose the violation the photos show" in refused.text
    assert "choose at least one photo" in refused.text
    wrong = upload(officer, [("front.jpg", photos["front.jpg"].read_bytes(), "image/jpeg")],
                   violation="shed")
    assert wrong.status_code == 422 and "no violation &#39;shed&#39; in this case" in wrong.text
    many = upload(officer, [("front.jpg", photos["front.jpg"].read_bytes(), "image/jpeg")],
                  captions="one\ntwo")
    assert many.status_code == 422 and "2 captions for 1 photos" in many.text


def test_the_same_upload_sent_twice_is_recorded_once(site, officer, photos):
    form = opened_form(officer, f"/field/cases/{CASE}/photos")
    files = [("photos", ("front.jpg", photos["front.jpg"].read_bytes(), "image/jpeg"))]
    data = {**form, "violation": VIOLATION}
    before = revision(site)
    assert officer.post(f"/field/cases/{CASE}/photos", data=data, files=files
                        ).status_code == 303
    again = officer.post(f"/field/cases/{CASE}/photos", data=data, files=files)
    assert again.status_code == 409 and "already received" in again.text
    assert revision(site) == before + 1


def test_a_case_files_site_visit_names_only_the_cases_violations(project_root):
    path = project_root / "cases" / "CE-2026-0001.yaml"
    path.write_text(path.read_text(encoding="utf-8") + """site_visits:
  - at: 2026-11-03 10:10
    place: From the public sidewalk
    violations: [v1, v2]
    conditions: Grass about 18 inches tall.
    corrective_action: Mow the front yard.
    recommended_action: Door-hanger warning notice.
""", encoding="utf-8")
    checked = cli_run(project_root, "check", str(path))
    assert checked.exit_code == 2
    assert "site_visits[0].violations[1]: no violation 'v2' in this case" in checked.output
    path.write_text(path.read_text(encoding="utf-8").replace("[v1, v2]", "[v1]"),
                    encoding="utf-8")
    assert cli_run(project_root, "check", str(path)).exit_code == 0
