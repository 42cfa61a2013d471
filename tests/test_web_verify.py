"""The public verification page (issue 14, item 5): a QR code's link or an uploaded PDF says
whether the document is genuine, what it is, its case, when it was issued and where it stands —
and nothing about the people it concerns; the verification address is the service's own."""

from __future__ import annotations

import re
import shutil
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import REPO, Web, opened, served_examples
from sqlalchemy import select

from noticegen.config import Verification
from noticegen.errors import ConfigurationError, InputError
from noticegen.mail.article_numbers import printed
from noticegen.record.tables import mail_pieces
from noticegen.render.identity import signature, verification_url
from noticegen.service import App, add_event, issue, mail_batch
from noticegen.web import create_app
from noticegen.web.pages.verify import check_address

pytestmark = pytest.mark.record  # run again on PostgreSQL by scripts/test.sh

KEY = b"test-key-not-secret"
ISSUED = datetime(2026, 11, 25, 10, 0)


@pytest.fixture(scope="module")
def issued(tmp_path_factory):
    """The examples with a closure letter, a citation and a mailed notice of violation (its
    piece delivered) on record; the service over them."""
    def seed(app: App) -> dict:
        closure = issue(app, "closure", "CE-2026-0182", ISSUED)
        citation = issue(app, "citation", "CE-2026-0141", ISSUED)
        batch = mail_batch(app, ["CE-2026-0163"], "nov", date(2026, 11, 25), "nov-v", workers=1)
        with app.record.read() as c:
            piece = c.execute(select(mail_pieces.c.article_number, mail_pieces.c.document_id)
                              .order_by(mail_pieces.c.line)).first()
        add_event(app, piece[0], "delivered", date(2026, 12, 1))
        return {"closure": closure, "citation": citation,
                "packet": sorted((batch.folder / "packets").glob("*.pdf"))[0],
                "article": piece[0], "nov": piece[1]}

    with served_examples(tmp_path_factory, "verify", seed) as web:
        yield {"web": web, **web.seeded}


def _link(document_id: str) -> str:
    """The path and query of the document's QR code link, as the settings make it."""
    url = verification_url("http://127.0.0.1:8000/verify", KEY, document_id)
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def _private(root: Path, case_number: str) -> list[str]:
    """Everything about the people of a case the page must never show."""
    data = yaml.safe_load((root / "examples" / "cases" / f"{case_number}.yaml").read_text())
    found = [*data["property"]["address"]["lines"]]
    people = [data.get("complainant") or {}, *data["responsible_parties"]]
    for person in people:
        found += [person[k] for k in ("name", "phone", "email") if person.get(k)]
        found += (person.get("mailing_address") or {}).get("lines", [])
    return found


def _visible(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_qr_link_of_an_issued_document_says_genuine_and_nothing_private(issued):
    web, citation = issued["web"], issued["citation"].document
    visitor = web.anonymous()
    shown = visitor.get(_link(citation.document_id))
    assert shown.status_code == 200
    text = _visible(shown.text)
    assert "Genuine" in text and "is on record" in text
    assert "Citation" in text and "CE-2026-0141" in text
    assert "November 25, 2026" in text and "The case is open" in text
    for private in _private(web.root, "CE-2026-0141"):
        assert private not in shown.text, private
    api = visitor.get("/api" + _link(citation.document_id)).json()
    assert api["verdict"] == "genuine" and api["how"] == "link"
    assert api["documents"] == [{"what": "Citation", "case_number": "CE-2026-0141",
                                 "issued_on": "2026-11-25",
                                 "status": ["Issued on November 25, 2026 for service in person",
                                            "The case is open"]}]


def test_the_closure_letter_shows_the_case_closed_and_no_complainant(issued):
    web, closure = issued["web"], issued["closure"].document
    shown = web.anonymous().get(_link(closure.document_id))
    text = _visible(shown.text)
    assert "Genuine" in text and "Notice of Resolution" in text and "CE-2026-0182" in text
    assert re.search(r"The case was closed on \w+ \d+, 2026", text)
    for private in _private(web.root, "CE-2026-0182"):
        assert private not in shown.text, private


def test_a_mailed_notice_shows_its_mailing_and_delivery_but_not_its_article(issued):
    web = issued["web"]
    for answer in (web.anonymous().get(_link(issued["nov"])),
                   _upload(web, issued["packet"].read_bytes(), "packet.pdf")):
        assert answer.status_code == 200
        text = _visible(answer.text)
        assert "Genuine" in text and "Notice of Violation" in text and "CE-2026-0163" in text
        assert "Mailed by certified mail on November 25, 2026; delivered on December 1, 2026" \
            in text
        for article in (issued["article"], printed(issued["article"])):
            assert article not in answer.text
        for private in _private(web.root, "CE-2026-0163"):
            assert private not in answer.text, private


def test_a_tampered_or_missing_signature_says_not_genuine(issued):
    web, doc = issued["web"], issued["citation"].document
    visitor = web.anonymous()
    good = _link(doc.document_id)
    tampered = good[:-1] + ("0" if good[-1] != "0" else "1")
    other = f"/verify/{doc.document_id[:-1]}X?sig={signature(KEY, doc.document_id)}"
    for path in (tampered, f"/verify/{doc.document_id}", other):
        shown = visitor.get(path)
        assert shown.status_code == 200, path
        text = _visible(shown.text)
        assert "Not genuine" in text and "altered or not issued by the City" in text, path
        assert "CE-2026-0141" not in text.replace(doc.document_id, "")
        assert visitor.get("/api" + path).json() == {"verdict": "not genuine", "how": "link",
                                                     "documents": []}
    unknown = "CE-2026-0141-CIT-ZZZZZZZZ"
    missing = visitor.get(_link(unknown))
    assert "Not on record" in _visible(missing.text)
    assert visitor.get("/api" + _link(unknown)).json()["verdict"] == "not on record"


def _upload(web: Web, content: bytes, name: str, kind: str = "application/pdf"):
    visitor = web.anonymous()
    csrf = web.csrf_of(visitor, "/verify")
    return visitor.post("/verify", data={"csrf": csrf}, files={"file": (name, content, kind)})


def test_an_uploaded_pdf_is_checked_against_the_record(issued):
    web, closure = issued["web"], issued["closure"]
    genuine = _upload(web, closure.file.read_bytes(), "letter.pdf")
    assert genuine.status_code == 200
    text = _visible(genuine.text)
    assert "Genuine" in text and "exactly a document on record" in text
    assert "Notice of Resolution" in text and "CE-2026-0182" in text
    for private in _private(web.root, "CE-2026-0182"):
        assert private not in genuine.text, private
    changed = bytearray(closure.file.read_bytes())
    changed[-20] ^= 1
    other = _upload(web, bytes(changed), "letter.pdf")
    assert other.status_code == 200 and "No match" in _visible(other.text)
    assert "CE-2026-0182" not in other.text


def test_an_upload_that_is_no_pdf_or_too_big_is_refused_beside_the_field(issued):
    web = issued["web"]
    for content, name, reason in ((b"hello, this is text\n", "notes.txt", "is not a PDF"),
                                  (b"%PDF-1.7\n" + b"0" * (25 * 1024 * 1024), "big.pdf",
                                   "larger than 25 MB")):
        refused = _upload(web, content, name, "text/plain")
        assert refused.status_code == 422, name
        assert re.search(r'<input id="verify-file"[^>]*aria-invalid="true"[^>]*'
                         r'aria-describedby="verify-file-error"', refused.text)
        assert re.search(r'id="verify-file-error">[^<]*' + reason, refused.text)
    visitor = web.anonymous()
    none = visitor.post("/verify", data={"csrf": web.csrf_of(visitor, "/verify")})
    assert none.status_code == 422 and "choose a PDF file" in none.text
    no_token = web.anonymous().post("/verify", files={"file": ("a.pdf", b"%PDF-1.4", "x")})
    assert no_token.status_code == 403
    form = web.anonymous().get("/verify").text
    assert 'enctype="multipart/form-data"' in form and '<label for="verify-file">' in form


def test_the_api_checks_an_upload_with_a_token(issued):
    web, citation = issued["web"], issued["citation"]
    from noticegen.service.people import new_token

    web.add_user("clerk.api", "clerk")
    with opened(web.root, "admin.test") as app:
        token = new_token(app, "clerk.api")
    client = web.anonymous()
    headers = {"Authorization": f"Bearer {token}"}
    found = client.post("/api/verify", headers=headers,
                        files={"file": ("c.pdf", citation.file.read_bytes(), "application/pdf")})
    assert found.status_code == 200 and found.json()["verdict"] == "genuine"
    assert found.json()["how"] == "file"
    refused = client.post("/api/verify", headers=headers,
                          files={"file": ("c.txt", b"plain text", "text/plain")})
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["message"] == "the file is not a PDF"


def test_the_verification_address_is_the_services_own():
    assert Verification(base_url="http://127.0.0.1:8000/verify").base_url
    assert Verification(base_url="http://localhost:8000/verify/").base_url
    assert Verification(base_url="https://verify.example.gov/verify").base_url
    for wrong in ("http://verify.example.gov/verify", "http://127.0.0.1.example.com/verify",
                  "ftp://127.0.0.1/verify", "https://verify.example.gov/verify?x=1",
                  "https://verify example.gov/verify", "http://127.0.0.1:port/verify"):
        with pytest.raises(ValueError, match="not a verification address"):
            Verification(base_url=wrong)
    settings = yaml.safe_load((REPO / "config" / "agency.yaml").read_text(encoding="utf-8"))
    assert settings["verification"]["base_url"] == "http://127.0.0.1:8000/verify"
    check_address(Verification(base_url="https://verify.example.gov/verify/"))
    with pytest.raises(ConfigurationError, match="its path must be /verify"):
        check_address(Verification(base_url="https://verify.example.gov/d"))


def test_the_service_refuses_to_start_with_qr_codes_leading_elsewhere(tmp_path):
    root = tmp_path / "city"
    for part in ("ordinances", "config", "templates"):
        shutil.copytree(REPO / part, root / part)
    agency = root / "config" / "agency.yaml"
    agency.write_text(agency.read_text(encoding="utf-8").replace(
        "base_url: http://127.0.0.1:8000/verify", "base_url: https://verify.example.gov/d"),
        encoding="utf-8")
    with pytest.raises(ConfigurationError, match="where this service answers"):
        create_app(root)
    agency.write_text(agency.read_text(encoding="utf-8").replace(
        "https://verify.example.gov/d", "http://city.example.gov/verify"), encoding="utf-8")
    with pytest.raises(InputError):
        create_app(root)
