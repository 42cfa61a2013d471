"""Issue on site on a phone (390 x 844, touch) in a real browser (Debian's Chromium): the
officer picks the door hanger and "Handed to the person", issues it, and gets the PDF to
print, which says so; a door hanger "posted at the site" is refused beside its field first.
axe-core's WCAG 2.1 A and AA rules on the page empty, refused and issued; no sideways
scrolling."""

from __future__ import annotations

import io
import re

import pytest
from browser import serving
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, pytest.mark.slow]

USERS = {"ofc.garza": "officer"}
CASE = "CE-2026-0196"
"""Ofc. Garza's: a hall used for events without a certificate of occupancy (a warning and a
stop work order may both be issued); its owner is Hollis Family Partnership, Ltd."""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with serving(tmp_path_factory.mktemp("onsite"), USERS) as running:
        yield running


def test_the_officer_issues_a_door_hanger_handed_in_person_and_gets_the_pdf(phone):
    page = phone.page
    phone.go(f"/field/cases/{CASE}/issue")
    assert "Elena Garza, Badge No. 114" in page.inner_text("form.onsite-form")
    phone.check("phone-onsite")

    page.tap("label[for=document-warning]")
    page.select_option("#recipient", "owner")
    page.tap("label[for=service-posted]")
    page.tap("text=Issue and record")
    page.wait_for_selector("#service-error")
    assert "is not posted at the site" in page.inner_text("#service-error")
    assert page.get_attribute("#service-posted", "aria-invalid") == "true"
    assert page.is_checked("#document-warning") and page.is_checked("#service-posted")
    phone.check("phone-onsite-refused")

    page.tap("label[for=service-in-person]")
    page.tap("text=Issue and record")
    page.wait_for_url("**/issue?issued=*")
    assert "Issued" in page.inner_text(".issued h2")
    phone.check("phone-onsite-issued")

    link = page.locator("a", has_text="Open the PDF to print")
    box = link.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 300
    href = link.get_attribute("href")
    assert re.fullmatch(r"/documents/CE-2026-0196-WN-\w+", href)
    pdf = page.request.get(phone.server.url + href)
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Handed to Hollis Family Partnership, Ltd. in person" in text
    assert "Elena Garza" in text and "Badge No. 114" in text
