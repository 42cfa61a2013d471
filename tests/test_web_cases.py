"""The case page, its photos and documents, and the clerk's form that issues one document
(issue 14, item 3): the complainant only for the roles that need it (directive V.A.3), files
from the blob store, and the same record as the command line's."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pillow_heif
import pytest
from conftest import CASE_TEXT, Web, cli_ok, complainants, make_photo, served_examples
from PIL import Image
from sqlalchemy import select

from noticegen.errors import InputError
from noticegen.record.tables import documents, mail_pieces, people, photos
from noticegen.render.identity import verification_url
from noticegen.service import App, add_event, import_cases, issue, load_case, mail_batch
from noticegen.service.mailing import check_batch
from noticegen.service.views import issued_refusals

pytestmark = pytest.mark.record
KEY = "test-key-not-secret"


ODD = "CE-2026-0901"
CSP_SANDBOX = re.compile(r"default-src 'self';.*; sandbox$")


def _odd_case(root: Path) -> Path:
    """A case whose photos are a JPEG named in Cyrillic, a HEIC and a page (a.html), with an
    officer's note that names the complainant."""
    folder = root / "odd"
    make_photo(folder / "photos" / "фото.jpg", datetime(2026, 11, 3, 10, 16))
    heic = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (200, 0, 0))).save(heic, quality=50)
    (folder / "photos" / "IMG_0001.HEIC").write_bytes(heic.getvalue())
    (folder / "photos" / "a.html").write_text("<script>alert(document.cookie)</script>")
    text = CASE_TEXT.replace("CE-2026-0001", ODD).replace(
        '["photos/yard.jpg"]', '["photos/фото.jpg", "photos/IMG_0001.HEIC", "photos/a.html"]')
    text += "    notes: Spoke with MARGARET   ellison at (903) 555-0147 about the yard.\n"
    (folder / f"{ODD}.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The examples with a notice mailed to CE-2026-0163 (and delivered), a closure letter to
    CE-2026-0182's complainant and a citation for CE-2026-0141 on record; and the odd case
    above, imported as a record made before import looked at what a photo is holds it."""
    def seed(app: App) -> tuple[str, str]:
        with pytest.MonkeyPatch.context() as before:
            before.setattr("noticegen.project._photo_format", lambda path: "JPEG")
            import_cases(app, [_odd_case(app.root)])
        mail_batch(app, ["CE-2026-0163"], "nov", date(2026, 11, 25), "nov-one", workers=1)
        with app.record.read() as c:
            article = c.execute(select(mail_pieces.c.article_number)).scalar()
        add_event(app, article, "delivered", date(2026, 11, 27))
        closure = issue(app, "closure", "CE-2026-0182", datetime(2026, 11, 25, 10))
        issue(app, "citation", "CE-2026-0141", datetime(2026, 11, 25, 10))
        return article, closure.document.document_id

    with served_examples(tmp_path_factory, "cases", seed, actor="clerk.cli") as web:
        web.article, web.closure = web.seeded
        yield web


def documents_of(web: Web, number: str) -> list[dict]:
    with web.asgi.state.base.record.read() as c:
        return [dict(r) for r in c.execute(select(documents, people.c.name.label("actor"))
                                           .join(people, people.c.id == documents.c.actor_id)
                                           .where(documents.c.case_number == number))
                .mappings()]


def test_the_case_page_shows_parties_violations_photos_and_the_event_log(site):
    page = site.client("officer").get("/cases/CE-2026-0174")
    assert page.status_code == 200
    text = page.text
    for expected in ("215 Oak St, Tom Bean, TX 75489", "2250-0001-0011", "Priority 3",
                     "Kyle Easley", "Northstar Builders LLC", "contractor",
                     "1420 Texoma Pkwy, Suite 6, Sherman, TX 75090",
                     "Tom Bean Code of Ordinances § 14-2", "observed 2026-10-08 09:20",
                     "complaint received", "Daniel Whitfield"):
        assert expected in text, expected
    photos = re.findall(r'<img src="(/cases/CE-2026-0174/photos/([0-9a-f]{64}))"', text)
    assert len(photos) == 2
    shown = site.client("attorney").get(photos[0][0])
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert hashlib.sha256(shown.content).hexdigest() == photos[0][1]
    elsewhere = site.client("clerk").get(f"/cases/CE-2026-0163/photos/{photos[0][1]}")
    assert elsewhere.status_code == 404  # a photo of another case is not this case's
    assert site.client("clerk").get("/cases/CE-2026-0174/photos/" + "0" * 64).status_code == 404


def test_the_complainant_is_shown_to_the_clerk_and_never_to_the_attorney(site):
    clerk, attorney = site.client("clerk"), site.client("attorney")
    names = complainants(site.root)
    assert len(names) >= 10
    for number, name in names.items():
        for path in (f"/cases/{number}", f"/api/cases/{number}"):
            assert name in clerk.get(path).text, (number, path)
            withheld = attorney.get(path)
            assert withheld.status_code == 200 and name not in withheld.text, (number, path)
        assert "complainant" not in attorney.get(f"/api/cases/{number}").json()
    answer = clerk.get("/api/cases/CE-2026-0182").json()
    assert answer["complainant"]["name"] == "Carol Beasley"
    assert answer["complainant"]["address"] == "507 N Britton St, Tom Bean, TX 75489"


def test_a_closure_letter_is_listed_and_served_only_to_roles_that_see_the_complainant(site):
    doc_id = site.closure
    clerk, attorney = site.client("clerk"), site.client("attorney")
    assert doc_id not in attorney.get("/cases/CE-2026-0182").text
    assert doc_id not in attorney.get("/api/cases/CE-2026-0182").text
    listed = [d["id"] for d in clerk.get("/api/cases/CE-2026-0182").json()["documents"]]
    assert listed == [doc_id]
    for path in (f"/documents/{doc_id}", f"/documents/{doc_id}/download"):
        refused = attorney.get(path)
        assert refused.status_code == 403 and "complainant" in refused.text
        assert "Carol Beasley" not in refused.text
    recorded = documents_of(site, "CE-2026-0182")[0]
    opened = clerk.get(f"/documents/{doc_id}")
    assert opened.status_code == 200 and opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"] == \
        f"inline; filename=\"{doc_id}.pdf\"; filename*=UTF-8''{doc_id}.pdf"
    # Chromium's PDF viewer does not run in a sandboxed document: a PDF shown is not one
    assert "sandbox" not in opened.headers["content-security-policy"]
    assert hashlib.sha256(opened.content).hexdigest() == recorded["sha256"]
    saved = clerk.get(f"/documents/{doc_id}/download")
    assert saved.headers["content-disposition"] == \
        f"attachment; filename=\"{doc_id}.pdf\"; filename*=UTF-8''{doc_id}.pdf"
    assert CSP_SANDBOX.fullmatch(saved.headers["content-security-policy"])
    assert site.client("attorney").get("/documents/NOPE-1").status_code == 404


def test_every_document_is_listed_with_its_template_hash_and_links(site):
    answer = site.client("manager").get("/api/cases/CE-2026-0163").json()
    recorded = {d["id"]: d for d in documents_of(site, "CE-2026-0163")}
    assert {d["id"] for d in answer["documents"]} == set(recorded)
    assert {d["role"] for d in answer["documents"]} == {"notice", "file-copy", "affidavit"}
    settings = site.asgi.state.base.project.settings
    for d in answer["documents"]:
        row = recorded[d["id"]]
        assert (d["template_id"], d["template_version"], d["sha256"]) == (
            row["template_id"], row["template_version"], row["sha256"])
        signed = urlsplit(verification_url(settings.verification.base_url, KEY.encode(),
                                           d["id"]))
        assert d["verify_url"] == f"{signed.path}?{signed.query}"
        assert d["open_url"] == f"/documents/{d['id']}"
    page = site.client("manager").get("/cases/CE-2026-0163").text
    notice = next(d for d in answer["documents"] if d["role"] == "notice")
    for link in (notice["open_url"], notice["download_url"], notice["verify_url"]):
        assert f'href="{link.replace("&", "&amp;")}"' in page
    assert notice["sha256"] in page and "nov-letter v" in page


def test_each_mail_piece_shows_its_tracking_and_the_deadline_track_list_gives(site):
    piece = site.client("clerk").get("/api/cases/CE-2026-0163").json()["pieces"][0]
    listed = cli_ok(site.root, "track", "list", "--case", "CE-2026-0163")
    assert f"    service: {piece['service']}\n    compliance date: {piece['compliance']}\n" \
        in listed
    assert piece["status"] == "delivered" and piece["service"] == "delivered 2026-11-27"
    assert piece["url"] == f"/pieces/{site.article}"
    page = site.client("clerk").get("/cases/CE-2026-0163").text
    assert f'href="/pieces/{site.article}"' in page and piece["compliance"] in page
    events = site.client("clerk").get("/api/cases/CE-2026-0163").json()["events"]
    delivered = [e for e in events if e["kind"] == "delivered"]
    assert delivered and delivered[0]["actor"] == "clerk.cli"


def test_an_unknown_case_is_a_404_with_a_hint_and_only_the_roles_stated_may_look(site):
    missing = site.client("clerk").get("/cases/CE-2026-0198")
    assert missing.status_code == 404 and "did you mean" in missing.text
    assert site.client("clerk").get("/api/cases/CE-2026-0198").json()["hint"].startswith(
        "did you mean")
    admin = site.client("admin")
    for path in ("/cases/CE-2026-0163", "/api/cases/CE-2026-0163",
                 f"/documents/{site.closure}"):
        assert admin.get(path).status_code == 403
    assert site.anonymous().get("/cases/CE-2026-0163").status_code == 303
    assert site.anonymous().get("/api/cases/CE-2026-0163").status_code == 401


def test_the_form_offers_only_what_the_ladder_allows(site):
    page = site.client("clerk").get("/cases/CE-2026-0196").text
    offered = re.findall(r'<input type="hidden" name="type" value="([\w-]+)">', page)
    steps = [m.group(1) for line in cli_ok(site.root, "next", "CE-2026-0196").splitlines()
             if (m := re.match(r"\s+may issue\s+(\S+)", line))]
    assert offered == [s for s in steps if s not in ("follow-up", "referral")]
    assert "citation" not in offered
    assert 'name="type"' not in site.client("officer").get("/cases/CE-2026-0196").text


def test_a_clerk_issues_a_document_recorded_as_theirs_and_the_cli_reads_it(site):
    clerk = site.client("clerk", "clerk.jones")
    at = site.asgi.state.base.now() - timedelta(minutes=10)
    sent = clerk.post("/cases/CE-2026-0174/documents", data={
        "csrf": clerk.csrf, "type": "nov", "recipient": "owner", "service": "in-person",
        "issued": f"{at:%Y-%m-%dT%H:%M}"})
    assert sent.status_code == 303, sent.text
    doc_id = re.search(r"issued=([\w-]+)#documents", sent.headers["location"]).group(1)
    row = next(d for d in documents_of(site, "CE-2026-0174") if d["id"] == doc_id)
    assert row["actor"] == "clerk.jones" and row["document_type"] == "nov"
    assert row["delivery"] == "in_person" and row["recipient"] == "owner"
    shown = clerk.get(sent.headers["location"])
    assert "Issued and recorded" in shown.text and doc_id in shown.text
    said = cli_ok(site.root, "next", "CE-2026-0174", "--as-of", f"{at:%Y-%m-%d}")
    assert re.search(r"not now\s+nov\s+Directive VIII\.B: a notice of violation for .* was "
                     rf"issued on {at:%B} {at.day}, {at.year}", said)
    events = clerk.get("/api/cases/CE-2026-0174").json()["events"]
    assert any(e["kind"] == "nov" and e["actor"] == "clerk.jones" and e["document_id"] == doc_id
               for e in events)


def test_a_refusal_is_a_409_quoting_the_rule(site):
    clerk = site.client("clerk")
    refused = clerk.post("/cases/CE-2026-0196/documents",
                         data={"csrf": clerk.csrf, "type": "citation", "recipient": "owner"})
    assert refused.status_code == 409
    assert "citation may not be issued now" in refused.text
    assert "Directive VIII.D.1: a notice of violation with a compliance date must be issued " \
           "first" in refused.text
    api = clerk.post("/api/cases/CE-2026-0196/documents",
                     json={"type": "citation", "recipient": "tenant"},
                     headers={"X-CSRF-Token": clerk.csrf})
    assert api.status_code == 409 and "Directive VIII.D" in api.json()["error"]
    assert not [d for d in documents_of(site, "CE-2026-0196") if d["document_type"] == "citation"]


def test_missing_facts_are_a_422_beside_their_field(site):
    clerk = site.client("clerk")
    missing = clerk.post("/cases/CE-2026-0174/documents",
                         data={"csrf": clerk.csrf, "type": "stop-work"})
    assert missing.status_code == 422
    assert 'id="stop-work-recipient" name="recipient" aria-invalid="true" ' \
           'aria-describedby="stop-work-recipient-error"' in missing.text
    assert 'id="stop-work-recipient-error"' in missing.text
    bad_time = clerk.post("/api/cases/CE-2026-0174/documents",
                          json={"type": "stop-work", "recipient": "owner", "issued": "noon"},
                          headers={"X-CSRF-Token": clerk.csrf})
    assert bad_time.status_code == 422 and bad_time.json()["problems"][0]["field"] == "issued"


def test_a_template_not_approved_is_refused_and_only_a_clerk_issues(site):
    template = Path(site.root) / "templates" / "field_report.html"
    before = template.read_text(encoding="utf-8")
    clerk = site.client("clerk")
    try:
        template.write_text(before.replace("{% endblock %}", "<p>Changed.</p>{% endblock %}"),
                            "utf-8")
        refused = clerk.post("/cases/CE-2026-0166/documents",
                             data={"csrf": clerk.csrf, "type": "field-report"})
        assert refused.status_code == 409, refused.text
        assert "approved" in refused.text
    finally:
        template.write_text(before, encoding="utf-8")
    attorney = site.client("attorney")
    assert attorney.post("/cases/CE-2026-0166/documents",
                         data={"csrf": attorney.csrf, "type": "field-report"}).status_code == 403
    done = clerk.post("/api/cases/CE-2026-0166/documents",
                      json={"type": "field-report"},
                      headers={"X-CSRF-Token": clerk.csrf})
    assert done.status_code == 201 and done.json()["new"] is True


# -- review: files served as what they are, issue dates, the complainant in free text ----------

def _photo_of(site: Web, name: str) -> str:
    with site.asgi.state.base.record.read() as c:
        return c.execute(select(photos.c.sha256).where(photos.c.name == name)).scalar_one()


def test_a_photo_is_shown_only_as_the_image_its_bytes_are_and_always_sandboxed(site):
    officer = site.client("officer")
    jpeg = officer.get(f"/cases/{ODD}/photos/{_photo_of(site, 'фото.jpg')}")
    assert jpeg.status_code == 200 and jpeg.headers["content-type"] == "image/jpeg"
    # a name Latin-1 cannot carry: RFC 6266's filename* with an ASCII fallback
    assert jpeg.headers["content-disposition"] == \
        "inline; filename=\"____.jpg\"; filename*=UTF-8''%D1%84%D0%BE%D1%82%D0%BE.jpg"
    page = officer.get(f"/cases/{ODD}/photos/{_photo_of(site, 'a.html')}")
    assert page.status_code == 200
    assert page.headers["content-type"] == "application/octet-stream"
    assert page.headers["content-disposition"].startswith('attachment; filename="a.html"')
    heic = officer.get(f"/cases/{ODD}/photos/{_photo_of(site, 'IMG_0001.HEIC')}")
    assert heic.headers["content-type"] == "image/heic"
    assert heic.headers["content-disposition"].startswith("attachment;")
    for answer in (jpeg, page, heic):
        assert CSP_SANDBOX.fullmatch(answer.headers["content-security-policy"])
        assert answer.headers["x-content-type-options"] == "nosniff"


def test_an_issue_time_later_than_now_is_refused_beside_its_field(site):
    clerk = site.client("clerk")
    ahead = site.asgi.state.base.now() + timedelta(days=1)
    refused = clerk.post("/cases/CE-2026-0174/documents", data={
        "csrf": clerk.csrf, "type": "stop-work", "recipient": "owner",
        "issued": f"{ahead:%Y-%m-%dT%H:%M}"})
    assert refused.status_code == 422
    assert 'id="stop-work-issued" name="issued" type="datetime-local" value="' in refused.text
    assert 'aria-invalid="true" aria-describedby="stop-work-issued-error"' in refused.text
    assert "is later than now" in refused.text and "time zone" in refused.text
    assert not [d for d in documents_of(site, "CE-2026-0174")
                if d["document_type"] == "stop-work"]
    app = site.asgi.state.base
    case = load_case(app, "CE-2026-0174").case
    assert issued_refusals(app, case, app.now() + timedelta(minutes=1)) == []  # clock skew
    assert issued_refusals(app, case, app.now() + timedelta(minutes=2))


def test_an_issue_time_before_what_the_case_records_is_refused(site):
    clerk = site.client("clerk")
    early = clerk.post("/api/cases/CE-2026-0174/documents",
                       json={"type": "stop-work", "recipient": "owner",
                             "issued": "2026-10-01 09:00"},
                       headers={"X-CSRF-Token": clerk.csrf})
    assert early.status_code == 422, early.text
    problem = early.json()["problems"][0]
    assert problem["field"] == "issued"
    assert re.fullmatch(r"the issue date October 1, 2026 is before the [a-z ]+ on record on "
                        r"\w+ \d+, 2026", problem["message"]), problem["message"]


def test_free_text_naming_the_complainant_refuses_a_party_document(site):
    clerk = site.client("clerk")
    refused = clerk.post(f"/api/cases/{ODD}/documents", json={"type": "nov"},
                         headers={"X-CSRF-Token": clerk.csrf})
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["problems"]
    assert (problem["where"], problem["field"]) == (ODD, "history[0].notes")
    assert "V.A.3" in problem["message"] and "complainant" in problem["message"]
    assert problem["hint"].startswith("reword it")
    assert not documents_of(site, ODD)
    app = site.asgi.state.base
    with pytest.raises(InputError) as batch:
        check_batch(app, [ODD], "nov", app.today(), "odd-nov")
    assert (ODD, "history[0].notes") in [(p.file, p.field) for p in batch.value.problems]


def test_free_text_naming_the_complainant_reads_complainant_for_other_roles(site):
    clerk = site.client("clerk").get(f"/api/cases/{ODD}").text
    assert "MARGARET   ellison at (903) 555-0147" in clerk
    attorney = site.client("attorney")  # the role outside SEES_COMPLAINANT that reads cases
    for path in (f"/api/cases/{ODD}", f"/cases/{ODD}"):
        text = attorney.get(path).text
        assert "ellison" not in text.lower() and "555-0147" not in text, path
        assert "Spoke with [complainant] at [complainant] about the yard." in text
    # a site visit seen from the complainant's yard does not say whose it is
    visit = attorney.get("/api/cases/CE-2026-0163").text
    assert "128 Sherman St" not in visit and "front yard of [complainant]" in visit
    assert "front yard of 128 Sherman St" in site.client("clerk").get(
        "/api/cases/CE-2026-0163").text
