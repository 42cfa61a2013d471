"""The officer's pages in a real browser (Debian's Chromium) on a phone's screen, 390 x 844:
the officer opens a complaint assigned to them from My cases, fills the new case form by touch
and typing, searches the ordinance catalog twice and picks two violations (seeing the deadline
of each), and opens the case; its page shows both, and its event log the officer as the actor.
axe-core finds no WCAG 2.1 AA violation on any of the pages (the form empty, with search
results, with errors), none scrolls sideways, and every target is 44 px or more."""

from __future__ import annotations

from datetime import timedelta

import pytest
from browser import Visit, serving
from conftest import env_var

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERS = {"ofc.garza": "officer", "mo.manager": "manager"}
ADDRESS = "815 Sherman St, Tom Bean, TX 75489"
SMALL = """() => [...document.querySelectorAll(
  'main a[href], main button, main select, main textarea, main input:not([type=hidden])')]
  .filter(e => e.getClientRects().length)
  .map(e => [e.outerHTML.slice(0, 70), e.getBoundingClientRect()])
  .filter(([, r]) => r.height < 44 || r.width < 44)
  .map(([what, r]) => `${what} (${Math.round(r.width)} x ${Math.round(r.height)})`)"""


def prepare(server) -> None:
    """Before the service starts: a complaint from the public, accepted by the manager and
    assigned to Officer Garza."""
    from noticegen.roles import PUBLIC
    from noticegen.service import App
    from noticegen.service.complaints import ComplaintForm, Decide, assign, decide, file_complaint

    with env_var("NOTICEGEN_DATABASE_URL", None):
        app = App.open(server.root, PUBLIC)
        try:
            form = ComplaintForm(
                address=ADDRESS, kind="TB-34-3", name="Rosa Delgado", phone="(903) 555-0190",
                seen="Trash bags and an old couch piled along the back fence for weeks.",
                seen_on=app.today() - timedelta(days=1))
            server.complaint = file_complaint(app, form, [], "192.0.2.10").case_number
        finally:
            app.close()
        app = App.open(server.root, "mo.manager")
        try:
            decide(app, server.complaint, Decide(accept=True))
            assign(app, server.complaint, "ofc-garza")
        finally:
            app.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("field-browser"), USERS, prepare) as running:
        yield running


def checked(v: Visit, name: str) -> None:
    """The page as it stands: a screenshot, no axe violation, nothing wider than the screen,
    no target under 44 px."""
    v.check(name)
    small = v.page.evaluate(SMALL)
    assert not small, f"{name}: targets under 44 px: {small}"


def follow(v: Visit, target) -> None:
    """Tap a link or a button that leads to another page, and wait for it."""
    with v.page.expect_navigation():
        target.tap()
    v.page.wait_for_load_state("networkidle")


def settled(v: Visit) -> None:
    v.page.wait_for_load_state("networkidle")
    v.page.wait_for_function("!document.querySelector('.htmx-request')")


def search(v: Visit, words: str, expected: str) -> None:
    """Type in the catalog search (as one types, letter by letter) until the section shows."""
    box = v.page.locator("#f-q")
    box.tap()
    box.fill("")
    box.press_sequentially(words, delay=40)
    v.page.locator("#results p", has_text=f"found for “{words}”").wait_for()
    v.page.locator(f"#results button[value='{expected}']").wait_for()
    settled(v)


def pick(v: Visit, ordinance: str, index: int) -> None:
    v.page.locator(f"#results button[value='{ordinance}']").tap()
    v.page.locator(f"#violation-{index}").wait_for()
    settled(v)


def test_the_officer_opens_a_case_from_a_complaint_on_the_phone(phone, server):
    v = phone
    v.go("/field")
    assert v.page.url.endswith("/field")
    checked(v, "phone-field-home")
    row = v.page.locator("li", has_text=f"Complaint {server.complaint}")
    assert row.locator("a[href^='geo:0,0?q=']").count() == 1
    follow(v, row.get_by_role("link", name="Open a case"))
    assert f"/field/new?complaint={server.complaint}" in v.page.url
    assert v.page.input_value("#f-street") == "815 Sherman St"
    assert v.page.input_value("#f-zip") == "75489"
    assert "Rosa Delgado" in v.page.inner_text("main")

    v.page.locator("#f-parcel_id").tap()
    v.page.keyboard.type("2250-0004-0012")
    v.page.fill("#f-parties-0-name", "Harlan Pruitt")
    v.page.fill("#f-parties-0-street", "PO Box 301")
    v.page.fill("#f-parties-0-city", "Sherman")
    v.page.fill("#f-parties-0-state", "TX")
    v.page.fill("#f-parties-0-zip", "75090")

    search(v, "trash", "TB-34-3")
    assert "Deadline: within 7 days" in v.page.inner_text("#results")
    checked(v, "phone-field-new-results")
    pick(v, "TB-34-3", 0)
    first = v.page.locator("#violation-0")
    assert "Accumulation of rubbish" in first.inner_text()
    assert "Deadline: within 7 days" in first.inner_text()
    v.page.wait_for_function(  # the focus moves to the violation's first field
        "document.activeElement.id === 'f-violations-0-location'", timeout=5000)
    v.page.keyboard.type("Along the back fence")
    v.page.fill("#f-violations-0-description", "Six trash bags and a couch by the fence.")
    v.page.fill("#f-violations-0-corrective_action", "Haul off the trash and the couch.")

    search(v, "34-2", "TB-34-2")
    assert v.page.locator("#results li").count() == 1
    pick(v, "TB-34-2", 1)
    second = v.page.locator("#violation-1")
    assert "Weeds and high grass" in second.inner_text()
    assert "Deadline: within 7 days" in second.inner_text()
    assert "Added violation 2" in v.page.inner_text("#new-case-status")
    v.page.keyboard.type("Front yard")
    v.page.fill("#f-violations-1-description", "Grass about 18 inches tall in the front yard.")
    v.page.fill("#f-violations-1-corrective_action", "Mow the yard to under 12 inches.")

    search(v, "junked", "TB-78-60")  # picked by mistake, and removed
    pick(v, "TB-78-60", 2)
    v.page.locator("#violation-2 button[name=remove]").tap()
    assert v.page.locator("#violation-2").count() == 0
    v.page.get_by_role("button", name="Add another party").tap()
    v.page.locator("#party-1").wait_for()
    settled(v)
    v.page.locator("#party-1 button[name=remove]").tap()
    assert v.page.locator("#party-1").count() == 0
    checked(v, "phone-field-new-filled")

    follow(v, v.page.get_by_role("button", name="Open the case"))
    assert v.page.url.endswith(f"/field/cases/{server.complaint}"), v.page.url
    text = v.page.inner_text("main")
    assert "Accumulation of rubbish, trash and refuse" in text
    assert "Weeds and high grass" in text and "Junked vehicles" not in text
    log = v.page.inner_text(".timeline")
    assert "complaint received" in log and "ofc.garza" in log
    checked(v, "phone-field-case")


def test_the_new_case_form_empty_and_with_its_errors(phone):
    v = phone
    v.go("/field/new")
    checked(v, "phone-field-new")
    follow(v, v.page.get_by_role("button", name="Open the case"))
    alert = v.page.inner_text("#form-errors")
    assert "to correct" in alert and "Parcel id" in alert
    assert v.page.get_attribute("#f-parcel_id", "aria-invalid") == "true"
    assert v.page.get_attribute("#f-q", "aria-invalid") == "true"
    checked(v, "phone-field-new-errors")
    v.page.fill("#f-street", "1 Enter Key Ln")
    with v.page.expect_navigation():
        v.page.locator("#f-street").press("Enter")  # sends the form, not a side button
    v.page.wait_for_load_state("networkidle")
    assert v.page.input_value("#f-street") == "1 Enter Key Ln"
    assert v.page.locator("#party-1").count() == 0
    v.page.locator("#f-q").fill("grass")
    v.page.locator("#f-q").press("Enter")  # searches, does not send the form
    v.page.locator("#results button[value='TB-34-2']").wait_for()
    assert v.page.locator("#form-errors").count() == 1
