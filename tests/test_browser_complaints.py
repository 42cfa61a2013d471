"""The complaint pages in a real browser (Debian's Chromium): a visitor on a phone files a
complaint with two photos by the keyboard alone and reads its status page; the manager's
complaint queue and a complaint's page. axe-core finds no WCAG 2.1 AA violation on any of
them, and none scrolls sideways at 390 px."""

from __future__ import annotations

import re

import pytest
from browser import Visit, serving
from PIL import Image

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERS = {"mo.manager": "manager", "ofc.garza": "officer"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("complaints-browser"), USERS) as running:
        yield running


def photos(folder) -> list[str]:
    paths = []
    for n, size in ((1, (1200, 900)), (2, (900, 1200))):
        path = folder / f"yard-{n}.jpg"
        Image.new("RGB", size, (90 + 40 * n, 140, 60)).save(path, "JPEG", quality=85)
        paths.append(str(path))
    return paths


def test_a_visitor_files_a_complaint_with_photos_by_the_keyboard_alone(visit, tmp_path):
    v = visit(phone=True)
    v.go("/complaints/new")
    v.check("phone-complaint-form")
    keys = v.page.keyboard
    v.tab_to("f-address")
    keys.type("512 N Britton St")
    keys.press("Tab")
    assert v.focused() == "f-kind"
    keys.type("Weeds")  # a closed select picks the option its first letters name
    assert v.page.input_value("#f-kind") == "TB-34-2"
    keys.press("Tab")
    assert v.focused() == "f-seen"  # left empty: the form comes back with its problem
    keys.press("Tab")
    assert v.focused() == "f-seen_on"
    keys.type("12012026")
    assert v.page.input_value("#f-seen_on") == "2026-12-01"
    v.tab_to("f-name")
    keys.type("Margaret Ellison")
    keys.press("Tab")
    assert v.focused() == "f-phone"
    keys.type("(903) 555-0147")
    v.tab_to("f-mail_zip")
    keys.press("Tab")
    assert v.page.evaluate("document.activeElement.type") == "submit"  # the trap is skipped
    with v.page.expect_navigation():
        keys.press("Enter")
    v.page.wait_for_load_state("networkidle")
    assert "describe what you saw" in v.page.inner_text("#f-seen-error")
    assert v.page.get_attribute("#f-seen", "aria-invalid") == "true"
    assert v.page.input_value("#f-address") == "512 N Britton St"  # what was typed is kept
    v.check("phone-complaint-form-errors")

    v.tab_to("f-seen")
    keys.type("Grass and weeds about two feet tall across the front yard.")
    v.tab_to("f-photos")
    v.page.set_input_files("#f-photos", photos(tmp_path))  # (the phone's own picker)
    v.tab_to("f-mail_zip")
    keys.press("Tab")
    with v.page.expect_navigation():
        keys.press("Enter")
    v.page.wait_for_load_state("networkidle")
    assert v.page.url.endswith("/complaints/filed"), v.page.content()
    number = v.page.inner_text("strong.mono")
    assert re.fullmatch(r"CE-\d{4}-\d{4}", number)
    link = v.page.inner_text(".status-link a")
    assert re.fullmatch(re.escape(v.server.url) + r"/status/[\w-]{43}", link)
    v.check("phone-complaint-filed")

    for _ in range(10):  # the skip link, the brand, then the status link
        keys.press("Tab")
        if v.page.evaluate("document.activeElement.href") == link:
            break
    else:
        raise AssertionError("Tab never reached the status link")
    with v.page.expect_navigation():
        keys.press("Enter")
    v.page.wait_for_load_state("networkidle")
    assert v.page.url == link
    assert "Received: it will be reviewed for acceptance" in v.page.inner_text("main")
    assert "Margaret Ellison" not in v.page.content()
    v.check("phone-complaint-status")


def _file(v: Visit, photos: list[str] = (), **fields: str) -> str:
    """A complaint sent through the form (filled, not typed: the keyboard has its own test);
    its case number and status link."""
    v.go("/complaints/new")
    if photos:
        v.page.set_input_files("#f-photos", photos)
    for field, value in fields.items():
        if field == "anonymous":
            v.page.check("#f-anonymous")
        elif field == "kind":
            v.page.select_option("#f-kind", value)
        else:
            v.page.fill(f"#f-{field}", value)
    with v.page.expect_navigation():
        v.page.click("button[type=submit]")
    return v.page.inner_text("strong.mono"), v.page.inner_text(".status-link a")


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_complaint_queue_and_a_complaint_for_the_manager(visit, tmp_path, phone):
    public = visit(phone=phone)
    first, link = _file(public, photos(tmp_path), address="14 Hazard Ln", kind="TB-14-40",
          seen="The roof fell in.", seen_on="2026-12-01", name="Carol Beasley",
          phone="(903) 555-0198")
    anonymous, _ = _file(public, address="15 Hazard Ln", seen="An open pool, no fence.",
                      seen_on="2026-12-02", anonymous="on")
    v = visit(phone=phone)
    v.sign_in("mo.manager")
    prefix = "phone-" if phone else ""
    v.go("/complaints")
    assert anonymous in v.page.inner_text("main")
    v.check(prefix + "complaint-queue")
    v.go(f"/complaints/{anonymous}")
    v.check(prefix + "complaint")
    with v.page.expect_navigation():
        v.page.click("text=Accept the complaint")  # an anonymous one without the grounds
    assert v.page.get_attribute("#accept-note", "aria-invalid") == "true"
    assert "Chief's discretion" in v.page.inner_text("#accept-note-error")
    v.check(prefix + "complaint-refused")
    v.page.fill("#accept-note", "Imminent threat: an open pool beside the school.")
    with v.page.expect_navigation():
        v.page.click("text=Accept the complaint")
    assert "Accepted and recorded." in v.page.inner_text("[role=status]")
    v.check(prefix + "complaint-accepted")
    v.go(f"/complaints/{first}")
    v.page.select_option("#decline-reason", "no_standing")
    with v.page.expect_navigation():
        v.page.click("button:has-text('Do not accept')")
    assert "Recorded as not accepted" in v.page.inner_text("[role=status]")
    public.go(link.removeprefix(v.server.url))
    assert "Not accepted (directive III.F.1)" in public.page.inner_text("main")
    public.check(prefix + "complaint-status-not-accepted")
