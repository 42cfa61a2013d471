"""The officer's field work on a phone (390 x 844, touch) in a real browser (Debian's
Chromium): the report of field investigation filled and sent, refused beside its fields when
an element is missing; photos from the camera (a HEIC one among them) shown upright with their
own capture times; and a report sent on a dead signal kept on the phone and recorded once
when the connection is back (issue 15, part 2). axe-core's WCAG 2.1 A and AA rules on each
page, and no horizontal scrolling."""

from __future__ import annotations

from datetime import datetime

import pytest
from browser import Visit, serving
from conftest import make_heic, make_photo

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERS = {"ofc.garza": "officer"}
CASE = "CE-2026-0148"
"""Ofc. Garza's: a collapsed garage and a green pool."""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("fieldwork"), USERS) as running:
        yield running


def inspections(v: Visit) -> list[dict]:
    answer = v.page.request.get(f"{v.server.url}/api/cases/{CASE}")
    assert answer.ok, answer.text()
    return [e for e in answer.json()["events"] if e["kind"] == "inspection"]


def fill_report(v: Visit, place: str) -> None:
    page = v.page
    page.fill("#f-place", place)
    page.check("input[name=violations][value=garage]")
    page.fill("#f-conditions", "Garage roof still down; the pool is now clear.")
    page.fill("#f-witness-0-name", "Hal Moore")
    page.fill("#f-witness-0-statement", "The pool was pumped out on Saturday.")
    page.fill("#f-evidence", "3 photographs from the alley")
    page.fill("#f-recommended-action", "Hearing on the garage; close the pool violation.")


def test_the_officer_records_a_field_report(phone):
    page = phone.page
    phone.go(f"/field/cases/{CASE}/report")
    investigator = page.inner_text("form.fieldwork-form")
    assert "Elena Garza" in investigator and "Badge No. 114" in investigator
    phone.check("phone-field-report")
    page.fill("#f-place", "")
    page.click("text=Record the field report")
    page.wait_for_selector("#form-errors")
    assert page.get_attribute("#f-place", "aria-invalid") == "true"
    assert page.get_attribute("#f-recommended-action", "aria-invalid") == "true"
    assert "give the place of the visit" in page.inner_text("#f-place-error")
    phone.check("phone-field-report-errors")
    before = len(inspections(phone))
    fill_report(phone, "From the alley behind 605 Sherman St")
    page.click("text=Record the field report")
    page.wait_for_url("**/report?recorded=*")
    assert "Recorded" in page.inner_text("#recorded")
    after = inspections(phone)
    assert len(after) == before + 1
    assert after[-1]["actor"] == "ofc.garza"
    assert after[-1]["detail"] == "From the alley behind 605 Sherman St"
    phone.check("phone-field-report-recorded")


def test_the_officer_adds_photos_from_the_camera(phone, tmp_path):
    page = phone.page
    shots = [make_photo(tmp_path / "garage.jpg", datetime(2026, 12, 3, 10, 16)),
             make_photo(tmp_path / "sideways.jpg", datetime(2026, 12, 3, 10, 18),
                        orientation=6),
             make_heic(tmp_path / "IMG_0042.HEIC", "2026:12:03 10:20:00")]
    plain = tmp_path / "no-time.jpg"
    from PIL import Image

    Image.new("RGB", (400, 300), (60, 60, 160)).save(plain, "JPEG")
    phone.go(f"/field/cases/{CASE}/photos")
    assert page.get_attribute("#f-photos", "capture") == "environment"
    assert page.get_attribute("#f-photos", "accept") == "image/*"
    phone.check("phone-field-photos")
    page.set_input_files("#f-photos", [str(p) for p in [*shots, plain]])
    page.select_option("#f-violation", "garage")
    page.fill("#f-caption", "Garage from the alley")
    page.click("text=Add the photos")
    page.wait_for_url("**/photos?added=4")
    text = page.inner_text("main")
    for said in ("4 photos added", "taken 3 December 2026 at 10:16 AM",
                 "taken 3 December 2026 at 10:18 AM", "taken 3 December 2026 at 10:20 AM",
                 "capture time not recorded", "IMG_0042.HEIC"):
        assert said in text, said
    shown = page.locator("ul.fieldwork-photos img")  # (loaded lazily: each seen first)
    for index in range(shown.count()):
        shown.nth(index).scroll_into_view_if_needed()
    page.wait_for_function("[...document.querySelectorAll('ul.fieldwork-photos img')]"
                           ".every(i => i.complete && i.naturalWidth > 0)")
    sizes = page.eval_on_selector_all(
        "ul.fieldwork-photos img", "imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight, "
        "i.closest('li').innerText])")
    sideways = next((w, h) for w, h, said in sizes if "sideways.jpg" in said)
    assert sideways[1] > sideways[0]  # upright
    phone.check("phone-field-photos-added")


def test_a_report_sent_on_a_dead_signal_arrives_once(phone):
    page = phone.page
    phone.go(f"/field/cases/{CASE}/report")
    before = len(inspections(phone))
    fill_report(phone, "From the sidewalk, no signal")
    phone.context.set_offline(True)
    page.click("text=Record the field report")
    status = page.locator("[data-offline-status]")
    status.filter(has_text="Saved on this phone").wait_for()
    assert page.evaluate("localStorage.length") == 1
    assert page.input_value("#f-place") == "From the sidewalk, no signal"  # nothing lost
    phone.shot("phone-field-report-offline")
    phone.context.set_offline(False)
    page.locator("[data-offline-status]").filter(has_text="Sent.").wait_for()
    assert page.evaluate("localStorage.length") == 0
    assert "Recorded" in page.inner_text("#recorded")
    phone.shot("phone-field-report-sent")
    after = inspections(phone)
    assert len(after) == before + 1
    assert after[-1]["detail"] == "From the sidewalk, no signal"
    assert after[-1]["actor"] == "ofc.garza"
    phone.go(f"/field/cases/{CASE}/report")  # opened again: nothing is sent twice
    page.wait_for_timeout(500)
    assert len(inspections(phone)) == before + 1


def test_a_report_kept_on_the_phone_and_refused_comes_back_with_its_problems(phone):
    page = phone.page
    phone.go(f"/field/cases/{CASE}/report")
    before = len(inspections(phone))
    fill_report(phone, "From the sidewalk, in a hurry")
    page.fill("#f-recommended-action", "")
    phone.context.set_offline(True)
    page.click("text=Record the field report")
    page.locator("[data-offline-status]").filter(has_text="Saved on this phone").wait_for()
    phone.context.set_offline(False)
    page.locator("[data-offline-status]").filter(has_text="Not sent").wait_for()
    assert page.get_attribute("#f-recommended-action", "aria-invalid") == "true"
    assert page.input_value("#f-place") == "From the sidewalk, in a hurry"  # nothing lost
    assert page.evaluate("localStorage.length") == 1  # kept until it is sent
    phone.check("phone-field-report-refused-later")
    page.fill("#f-recommended-action", "Warning notice by door hanger.")
    page.click("text=Record the field report")
    page.wait_for_url("**/report?recorded=*")
    assert page.evaluate("localStorage.length") == 0
    assert len(inspections(phone)) == before + 1
