"""The pages in a real browser (Debian's Chromium, driven by Playwright): the clerk's day, the
city attorney's approval, the public's verification link, and hostile case text shown
literally (issue 14's "done when")."""

from __future__ import annotations

import pytest

from browser import Visit, chromium, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERS = {"clerk.jones": "clerk", "ann.attorney": "attorney", "admin.root": "admin",
         "mo.manager": "manager", "ofc.garza": "officer"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("browser"), USERS) as running:
        yield running


@pytest.fixture(scope="module")
def browser():
    with chromium() as found:
        yield found


@pytest.fixture
def visit(browser, server):
    opened: list[Visit] = []

    def make(phone: bool = False) -> Visit:
        opened.append(Visit(browser, server, phone))
        return opened[-1]

    yield make
    for v in opened:
        v.close()


def test_sign_in_page_and_a_failed_sign_in(visit):
    v = visit()
    v.go("/sign-in")
    v.shot("sign-in")
    v.page.fill("#name", "clerk.jones")
    v.page.fill("#password", "not-the-password")
    v.page.click("button[type=submit]")
    assert "not right" in v.page.inner_text("[role=alert]")
    assert v.page.get_attribute("#password", "aria-invalid") == "true"
    v.shot("sign-in-failed")


def test_the_administrator_adds_a_user_and_sees_the_one_time_password(visit):
    v = visit()
    v.sign_in("admin.root")
    assert v.page.url.endswith("/users")
    v.page.fill("#new-name", "new.clerk")
    v.page.select_option("#new-role", "clerk")
    v.page.click("text=Add user")
    assert "One-time password" in v.page.inner_text("[role=status]")
    v.shot("users")
