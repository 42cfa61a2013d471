"""The command line and the web give the same results on the same record: what one issues or
records, the other reads, the same (issue 14)."""

from __future__ import annotations

import hashlib

import pytest
from conftest import cli_ok, opened, served_examples

pytestmark = pytest.mark.record  # (the record is the module's own: run again on PostgreSQL)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    """One service for the module: the tests issue and mail for different cases."""
    with served_examples(tmp_path_factory, "parity") as found:
        yield found


def _cli(web, *args: str) -> str:
    return cli_ok(web.root, *args, actor="clerk.cli")


def test_a_document_issued_by_the_cli_is_read_through_the_web(web):
    said = _cli(web, "render", "citation", "CE-2026-0141", "--issued", "2026-11-25 10:00")
    path = web.root / said.split()[0]
    clerk = web.client("clerk")
    documents = clerk.get("/api/cases/CE-2026-0141").json()["documents"]
    (cited,) = [d for d in documents if d["doc_type"] == "citation"]
    assert cited["id"] == path.stem and cited["actor"] == "clerk.cli"
    served = clerk.get(f"/documents/{cited['id']}").content
    assert hashlib.sha256(served).hexdigest() == cited["sha256"] == \
        hashlib.sha256(path.read_bytes()).hexdigest()
    visitor = web.anonymous()
    checked = visitor.post("/api/verify", files={"file": ("c.pdf", served, "application/pdf")},
                           headers={"x-csrf-token": web.csrf_of(visitor, "/verify")})
    assert checked.status_code == 200 and checked.json()["verdict"] == "genuine"


def test_a_document_issued_through_the_web_is_read_by_the_cli(web):
    clerk = web.client("clerk", "clerk.web")
    issued = clerk.post("/api/cases/CE-2026-0182/documents",
                        json={"type": "closure", "issued": "2026-11-25T10:00"},
                        headers={"x-csrf-token": clerk.csrf})
    assert issued.status_code == 201, issued.text
    doc_id = issued.json()["document_id"]
    copy = next((web.root / "out" / "CE-2026-0182").glob(f"{doc_id}.*"))
    verified = _cli(web, "verify", str(copy))
    assert verified.startswith("MATCH") and doc_id in verified
    _cli(web, "cases", "export", "CE-2026-0182", "--out", str(web.root / "x"))
    history = (web.root / "x" / "CE-2026-0182.yaml").read_text(encoding="utf-8")
    assert f"document: {doc_id}" in history, history


def test_a_delivery_recorded_by_the_cli_moves_the_web_deadline_as_track_list_says(web):
    from datetime import date

    from noticegen.service.jobs import run, submit_batch

    with opened(web.root, "clerk.web") as app:
        job = submit_batch(app, ["CE-2026-0196"], "nov", date(2026, 11, 25), "nov-parity")
        assert run(app, job).state == "finished"
    clerk = web.client("clerk")
    pieces = clerk.get("/api/pieces?case=CE-2026-0196").json()
    article = pieces[0]["article_number"]
    _cli(web, "track", "event", article, "delivered", "--date", "2026-12-03")
    shown = clerk.get(f"/api/pieces/{article.replace(' ', '')}").json()
    assert shown["status"] == "delivered"
    listed = _cli(web, "track", "list", "--case", "CE-2026-0196")
    line = next(x for x in listed.splitlines() if article in x.replace("  ", " ")
                or article.replace(" ", "") in x.replace(" ", ""))
    assert shown["compliance"] in listed or shown["compliance"].split(" (")[0] in line, \
        (shown["compliance"], listed)
