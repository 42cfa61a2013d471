"""The case page, its photos and documents, and the clerk's form that issues one document
(issue 14, item 3): the complainant only for the roles that need it (directive V.A.3), files
from the blob store, and the same record as the command line's."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from click.testing import CliRunner
from conftest import Web, examples_project, fresh_database, record_env
from sqlalchemy import select

from noticegen.cli import cli
from noticegen.record.tables import documents, mail_pieces, people
from noticegen.render.identity import verification_url
from noticegen.service import App, add_event, issue, mail_batch

pytestmark = pytest.mark.record
KEY = "test-key-not-secret"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The examples with a notice mailed to CE-2026-0163 (and delivered), a closure letter to
    CE-2026-0182's complainant and a citation for CE-2026-0141 on record."""
    with fresh_database() as url, record_env(url), pytest.MonkeyPatch.context() as mp:
        mp.setenv("NOTICEGEN_HMAC_KEY", KEY)
        root = examples_project(tmp_path_factory.mktemp("cases"), url)
        app = App.open(root, "clerk.cli", url)
        try:
            mail_batch(app, ["CE-2026-0163"], "nov", date(2026, 11, 25), "nov-one", workers=1)
            with app.record.read() as c:
                article = c.execute(select(mail_pieces.c.article_number)).scalar()
            add_event(app, article, "delivered", date(2026, 11, 27))
            closure = issue(app, "closure", "CE-2026-0182", datetime(2026, 11, 25, 10))
            issue(app, "citation", "CE-2026-0141", datetime(2026, 11, 25, 10))
        finally:
            app.close()
        web = Web(root)
        web.article, web.closure = article, closure.document.document_id
        yield web


def run(web: Web, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--root", str(web.root), *args])
    assert result.exit_code == 0, result.output
    return result.output


def complainants(web: Web) -> dict[str, str]:
    found = {}
    for path in sorted((web.root / "examples" / "cases").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if (data.get("complainant") or {}).get("name"):
            found[data["case_number"]] = data["complainant"]["name"]
    return found


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
    names = complainants(site)
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
    assert opened.headers["content-disposition"] == f'inline; filename="{doc_id}.pdf"'
    assert hashlib.sha256(opened.content).hexdigest() == recorded["sha256"]
    saved = clerk.get(f"/documents/{doc_id}/download")
    assert saved.headers["content-disposition"] == f'attachment; filename="{doc_id}.pdf"'
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
    listed = run(site, "track", "list", "--case", "CE-2026-0163")
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
    steps = [m.group(1) for line in run(site, "next", "CE-2026-0196").splitlines()
             if (m := re.match(r"\s+may issue\s+(\S+)", line))]
    assert offered == [s for s in steps if s not in ("follow-up", "referral")]
    assert "citation" not in offered
    assert 'name="type"' not in site.client("officer").get("/cases/CE-2026-0196").text


def test_a_clerk_issues_a_document_recorded_as_theirs_and_the_cli_reads_it(site):
    clerk = site.client("clerk", "clerk.jones")
    sent = clerk.post("/cases/CE-2026-0174/documents", data={
        "csrf": clerk.csrf, "type": "nov", "recipient": "owner", "service": "in-person",
        "issued": "2026-12-07T09:30"})
    assert sent.status_code == 303, sent.text
    doc_id = re.search(r"issued=([\w-]+)#documents", sent.headers["location"]).group(1)
    row = next(d for d in documents_of(site, "CE-2026-0174") if d["id"] == doc_id)
    assert row["actor"] == "clerk.jones" and row["document_type"] == "nov"
    assert row["delivery"] == "in_person" and row["recipient"] == "owner"
    shown = clerk.get(sent.headers["location"])
    assert "Issued and recorded" in shown.text and doc_id in shown.text
    said = run(site, "next", "CE-2026-0174", "--as-of", "2026-12-07")
    assert re.search(r"not now\s+nov\s+Directive VIII\.B: a notice of violation for .* was "
                     r"issued on December 7, 2026", said)
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
                      json={"type": "field-report", "issued": "2026-12-07 10:00"},
                      headers={"X-CSRF-Token": clerk.csrf})
    assert done.status_code == 201 and done.json()["new"] is True
