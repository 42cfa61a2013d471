"""The pages in a real browser (Debian's Chromium, driven by Playwright): the clerk's day, the
city attorney's approval, the public's verification link, and hostile case text shown
literally (issue 14's "done when"); WCAG 2.1 AA by axe-core on every page, and the keyboard
alone."""

from __future__ import annotations

import pytest
import yaml
from browser import PASSWORD, Visit, serving

from noticegen.source import _Loader as CaseLoader

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERS = {"clerk.jones": "clerk", "ann.attorney": "attorney", "admin.root": "admin",
         "mo.manager": "manager", "ofc.garza": "officer"}


NEW_WORDS = "Bring this citation with you to court."
HOSTILE = {"name": 'Robert "Bobby" O\'Neil <script>alert(1)</script>',
           "text": "{{7*7}} {% raw %}<img src=x onerror=alert(2)> \"quoted\" 'single'"}


def prepare(server) -> None:
    """Before the service starts: the citation's wording changed (and not yet approved), and
    a case whose text is hostile."""
    citation = server.root / "templates" / "citation.html"
    text = citation.read_text(encoding="utf-8")
    marker = "<strong>Signing this citation is not an admission of guilt.</strong>"
    citation.write_text(text.replace(marker, f"{marker} {NEW_WORDS}"), encoding="utf-8")
    data = yaml.load((server.root / "examples" / "cases" / "CE-2026-0163.yaml")
                     .read_text(encoding="utf-8"), Loader=CaseLoader)  # 'on:' stays a key
    data["case_number"] = "CE-2026-0901"
    data["responsible_parties"][0]["name"] = HOSTILE["name"]
    data["property"]["zoning"] = HOSTILE["text"]
    data["complaint"]["type"] = HOSTILE["text"]
    for violation in data["violations"]:
        violation["description"] = HOSTILE["text"]
        violation["location"] = HOSTILE["name"]
    hostile = server.root / "hostile" / "CE-2026-0901.yaml"
    hostile.parent.mkdir()
    hostile.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    done = server.cli("cases", "import", str(hostile))
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("browser"), USERS, prepare) as running:
        yield running


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


# -- the clerk's day -------------------------------------------------------------------------

BATCH = ("CE-2026-0163", "CE-2026-0174", "CE-2026-0196")
"""The open cases the ladder allows a notice of violation on 2026-11-25 (the batch demo's)."""


def qr_links(pdf: bytes, tmp_path) -> list[str]:
    """The URLs of the QR codes on a PDF's first three pages (a packet's cover carries the
    mail barcode; the notice's first page its QR code), decoded from their pictures."""
    import subprocess

    from PIL import Image
    from pyzbar.pyzbar import decode

    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "3", str(source),
                    str(tmp_path / "page")], check=True)
    return [d.data.decode() for picture in sorted(tmp_path.glob("page*.png"))
            for d in decode(Image.open(picture)) if d.type == "QRCODE"]


@pytest.fixture(scope="module")
def mailed(browser, server):
    """The clerk mails the batch of three through the pages (one run serves the tests that
    follow it): the facts they check."""
    v = Visit(browser, server)
    v.sign_in("clerk.jones")
    assert v.page.url.endswith("/queue")
    v.shot("queue")
    v.go("/batches/new")
    with v.page.expect_response(lambda r: "/batches/new?" in r.url):
        v.page.fill("#mail-date", "2026-11-25")  # the list follows the date (htmx)
    v.page.wait_for_load_state("networkidle")
    assert v.page.input_value("#batch-id") == "nov-2026-11-25"
    for box in v.page.query_selector_all("input[name=cases]"):
        box.set_checked(box.get_attribute("value") in BATCH)
    v.shot("batch-new")
    v.page.click("text=Mail the notices")
    v.page.wait_for_url("**/jobs/*")
    seen = []
    for _ in range(600):
        seen.append(v.page.get_attribute("#job-bar", "value"))
        if v.page.locator("#job-progress .notice").count():
            break
        v.page.wait_for_timeout(250)
    v.shot("job-finished")
    text = v.page.inner_text("#job-progress")
    assert "Batch nov-2026-11-25: 5 pieces recorded" in text, text
    v.page.click("#job-progress a[href='/batches/nov-2026-11-25']")
    v.page.wait_for_load_state("networkidle")
    v.shot("batch")
    with v.page.expect_download() as download:
        v.page.click("a[download='nov-2026-11-25-print.pdf']")
    printed = download.value.path().read_bytes()
    yield v, seen, printed
    v.close()


def test_the_clerk_mails_a_batch_and_watches_it_finish(mailed, server):
    v, seen, printed = mailed
    assert printed.startswith(b"%PDF")
    import hashlib

    answer = v.page.request.get(f"{server.url}/api/batches/nov-2026-11-25")
    assert answer.ok
    papers = {p["name"]: p["sha256"] for p in answer.json()["papers"]}
    assert hashlib.sha256(printed).hexdigest() == papers["print.pdf"]
    assert any(value not in (None, "0") for value in seen)  # the bar moved as it went
    listed = server.cli("track", "list")
    assert listed.returncode == 0, listed.stderr
    for case in BATCH:
        assert case in listed.stdout


def test_each_case_page_shows_its_pieces(mailed):
    v, *_ = mailed
    for case in BATCH:
        v.go(f"/cases/{case}")
        pieces = v.page.inner_text("#pieces ~ *")
        assert "nov-2026-11-25" in v.page.content()
        assert "certified" in pieces.lower() or "mailed" in pieces.lower(), pieces
    v.shot("case-with-pieces")


def test_a_recorded_delivery_moves_the_deadline(mailed):
    v, *_ = mailed
    v.go("/cases/CE-2026-0196")
    link = v.page.locator("a[href^='/pieces/']").first
    article = link.get_attribute("href").rsplit("/", 1)[1]
    v.go(f"/pieces/{article}")
    before = v.page.inner_text("#compliance")
    v.page.select_option("#event-status", "delivered")
    v.page.fill("#event-date", "2026-12-03")
    v.shot("piece")
    v.page.click("text=Record the event")
    v.page.wait_for_url("**/cases/CE-2026-0196*")
    v.go(f"/pieces/{article}")
    after = v.page.inner_text("#compliance")
    assert after != before, (before, after)
    assert "2026-12-03" in after or "December 3" in after, after


def test_the_qr_code_leads_to_a_genuine_verification(mailed, visit, server, tmp_path):
    v, *_ = mailed
    documents = v.page.request.get(f"{server.url}/api/cases/CE-2026-0163").json()["documents"]
    (notice,) = [d for d in documents if d["doc_type"] == "nov" and d["role"] == "notice"]
    pdf = v.page.request.get(f"{server.url}/documents/{notice['id']}/download").body()
    (link,) = qr_links(pdf, tmp_path)
    assert link.startswith(f"{server.url}/verify/")
    visitor = visit()
    visitor.page.goto(link)
    assert "Genuine" in visitor.page.inner_text("h1")
    body = visitor.page.inner_text("main")
    assert "CE-2026-0163" in body and "Dustin Pike" not in body and "Ybarra" not in body
    visitor.shot("verify-genuine")
    forged = link[:-4] + ("0000" if not link.endswith("0000") else "1111")
    visitor.page.goto(forged)
    assert "Not genuine" in visitor.page.inner_text("h1")
    visitor.shot("verify-not-genuine")
    visitor.go("/verify")
    visitor.shot("verify-upload")


# -- the city attorney -----------------------------------------------------------------------

def test_the_attorney_approves_a_changed_template_and_the_clerk_issues_with_it(visit, server):
    from io import BytesIO

    from pypdf import PdfReader

    attorney = visit()
    attorney.sign_in("ann.attorney")
    assert attorney.page.url.endswith("/templates")
    row = attorney.page.locator("tr", has_text="citation").first
    assert "changed" in row.inner_text().lower()
    attorney.shot("templates")
    attorney.go("/templates/citation")
    assert NEW_WORDS in attorney.page.inner_text("main")  # the change, side by side
    attorney.shot("template-citation")
    attorney.page.click("text=Approve as v3")
    attorney.page.wait_for_load_state("networkidle")
    assert "approved" in attorney.page.inner_text("main").lower()
    attorney.shot("template-approved")
    listed = server.cli("templates", "list")
    line = next(x for x in listed.stdout.splitlines() if x.startswith("citation "))
    assert "v3" in line and "ann.attorney" in line, line

    clerk = visit()
    clerk.sign_in("clerk.jones")
    clerk.go("/cases/CE-2026-0141")
    clerk.page.click("summary:has-text('Citation')")
    clerk.page.fill("#citation-issued", "2026-11-25T10:00")
    clerk.page.click("text=Issue the citation")
    clerk.page.wait_for_load_state("networkidle")
    assert "citation v3" in clerk.page.inner_text("#documents ~ table")
    clerk.shot("case-issued")
    documents = clerk.page.request.get(f"{server.url}/api/cases/CE-2026-0141").json()
    (cited,) = [d for d in documents["documents"] if d["doc_type"] == "citation"]
    assert cited["template_version"] == 3 and cited["actor"] == "clerk.jones"
    pdf = clerk.page.request.get(f"{server.url}/documents/{cited['id']}").body()
    words = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert NEW_WORDS in " ".join(words.split())


# -- hostile case text -----------------------------------------------------------------------

def test_hostile_case_text_shows_literally_on_every_page(visit):
    v = visit()
    v.sign_in("clerk.jones")
    for path in ("/cases/CE-2026-0901", "/queue", "/batches/new", "/followups"):
        v.go(path)
        text = v.page.inner_text("main")
        if path == "/cases/CE-2026-0901":
            assert HOSTILE["name"] in text and "{{7*7}}" in text and "49" not in text
            assert "<img src=x onerror=alert(2)>" in text
        assert v.page.locator("main script, main img[src=x]").count() == 0
    v.shot("case-hostile")
    api = v.page.request.get(f"{v.server.url}/api/cases/CE-2026-0901").json()
    assert api["parties"][0]["name"] == HOSTILE["name"]
    # Visit.close() (the fixture) fails the test if any dialog opened.


# -- every page, at a desk and on a phone ----------------------------------------------------

PAGES = {
    "clerk.jones": ["/queue", "/cases/CE-2026-0196", "/batches/new", "/batches", "/tracking",
                    "/followups", "/account/password", "/api/docs"],
    "ann.attorney": ["/templates", "/templates/nov-letter", "/cases/CE-2026-0141"],
    "mo.manager": ["/queue", "/followups"],
    "admin.root": ["/users"],
    None: ["/sign-in", "/verify", "/verify/CE-2026-0141-CIT-XXXXXXXX?sig=00"],
}


@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_every_page_fits_the_screen(visit, mailed, phone):
    """Every page fits a phone and passes axe-core's WCAG 2.1 A and AA rules."""
    wide, barriers = [], []
    for who, paths in PAGES.items():
        v = visit(phone)
        if who:
            v.sign_in(who)
        for path in paths:
            v.go(path)
            name = ("phone-" if phone else "") + (who or "public").split(".")[0] + \
                path.split("?")[0].replace("/", "-")
            v.shot(name)
            if phone and v.overflows():
                wide.append(f"{path} as {who}")
            for rule in v.accessibility():
                targets = ", ".join(" ".join(node["target"]) for node in rule["nodes"][:3])
                barriers.append(f"{path} as {who}: {rule['id']} ({rule['impact']}) at "
                                f"{targets}: {rule['help']}")
    assert not wide, "scrolls sideways at 390 px: " + ", ".join(wide)
    assert not barriers, "WCAG 2.1 AA (axe-core):\n" + "\n".join(barriers)


# -- the keyboard alone ----------------------------------------------------------------------

FOCUSED = """() => { const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const r = e.getBoundingClientRect();
  return {what: e.outerHTML.slice(0, 80),
          ring: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                || s.boxShadow !== 'none',
          shown: r.width > 0 && r.height > 0}; }"""
FOCUSABLE = """() => [...document.querySelectorAll(
  'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select, '
  + 'textarea, [tabindex]:not([tabindex="-1"])')].filter(e => e.getClientRects().length).length"""


def test_signing_in_with_the_keyboard_alone(visit):
    v = visit()
    v.go("/sign-in")
    v.tab_to("name")
    v.page.keyboard.type("clerk.jones")
    v.page.keyboard.press("Tab")
    assert v.page.evaluate("document.activeElement.id") == "password"
    v.page.keyboard.type(PASSWORD)
    with v.page.expect_navigation():
        v.page.keyboard.press("Enter")
    assert "/sign-in" not in v.page.url
    assert "clerk.jones" in v.page.inner_text("header")


@pytest.mark.parametrize(("who", "path"), [(None, "/verify"), ("clerk.jones", "/batches/new")])
def test_every_focusable_element_shows_where_the_focus_is(visit, who, path):
    v = visit()
    if who:
        v.sign_in(who)
    v.go(path)
    reached, unmarked = [], []
    for _ in range(200):
        v.page.keyboard.press("Tab")
        focused = v.page.evaluate(FOCUSED)
        if focused is None or (reached and focused["what"] == reached[0]):
            break  # round to the start: every element has had the focus once
        reached.append(focused["what"])
        if not (focused["ring"] and focused["shown"]):
            unmarked.append(focused["what"])
    assert len(reached) >= v.page.evaluate(FOCUSABLE), reached
    assert not unmarked, f"no visible focus indicator on {path}: {unmarked}"
