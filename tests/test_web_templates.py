"""The city attorney's pages (issue 14, item 4): every template with its approval state, the
specimen, the diff since approval, approving (a changed template gets the next version) or
sending back with a note, only as the signed-in attorney; and the whole review PDF as a job."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from conftest import cli_ok, cli_run
from pypdf import PdfReader
from sqlalchemy import select

from noticegen.record.tables import approvals, people, template_reviews
from noticegen.review import load_approvals, statuses
from noticegen.service.jobs import run

WORD_BEFORE = "Thank you for bringing your concern"
WORD_AFTER = "Thank you for raising your concern"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _state(web, template_id: str) -> dict:
    found = web.client("manager").get(f"/api/templates/{template_id}")
    assert found.status_code == 200, found.text
    return found.json()


def _shown(page: str, action: str) -> dict[str, str]:
    """The hidden hash and version of the page's form that posts to `action`."""
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', page, re.S)
    assert form, action
    fields = dict(re.findall(r'<input type="hidden" name="(hash|version)" value="([^"]*)">',
                             form.group(0)))
    assert set(fields) == {"hash", "version"}, fields
    return fields


def _seen(web, template_id: str) -> dict:
    """What the API shows of a template, as an answer to it carries it."""
    found = _state(web, template_id)
    return {"hash": found["hash"], "version": found["version"]}


def _registry_version(root: Path, template_id: str) -> int:
    line = next(x for x in (root / "templates" / "registry.yaml").read_text().splitlines()
                if f"{{id: {template_id}," in x)
    return int(re.search(r"version: (\d+)", line).group(1))


@pytest.fixture
def changed(web):
    """The closure letter's wording changed after its approval (v2)."""
    closure = web.root / "templates" / "closure.html"
    text = closure.read_text(encoding="utf-8")
    if WORD_BEFORE not in text:
        pytest.fail(f"templates/closure.html no longer says '{WORD_BEFORE}': pick another word")
    _edit(closure, WORD_BEFORE, WORD_AFTER)
    return web


def test_the_list_shows_every_template_and_its_state_as_the_cli_does(web):
    attorney = web.client("attorney")
    shown = attorney.get("/templates")
    assert shown.status_code == 200
    listed = cli_ok(web.root, "templates", "list")
    every = statuses(web.root)
    assert len(every) == 15 and {"mail-cover", "nov-letter", "closure-letter"} <= \
        {s.entry.id for s in every}
    api = {t["id"]: t for t in attorney.get("/api/templates").json()}
    for s in every:
        assert f'href="/templates/{s.entry.id}"' in shown.text
        assert s.entry.id in listed and s.describe() in listed
        assert api[s.entry.id]["approval"] == s.describe()
        assert api[s.entry.id]["version"] == s.entry.version
        assert api[s.entry.id]["hash"] == s.hash and s.hash[:12] in shown.text
    assert {t["state"] for t in api.values()} == {"approved"}
    assert web.client("manager").get("/templates").status_code == 200
    assert web.client("clerk").get("/templates").status_code == 403
    assert web.client("officer").get("/api/templates").status_code == 403


def test_one_template_shows_its_specimen_diff_files_and_history(changed):
    web = changed
    attorney = web.client("attorney")
    shown = attorney.get("/templates/closure-letter")
    assert shown.status_code == 200
    text = shown.text
    assert '<iframe class="pdf" src="/templates/closure-letter/specimen.pdf"' in text
    assert "changed since approval" in text
    assert re.search(r"<del><span class=\"visually-hidden\">removed: </span>bringing</del>", text)
    assert "<ins><span class=\"visually-hidden\">added: </span>raising</ins>" in text
    assert re.search(r"templates/closure.html</code></td>.*?<strong>changed</strong>", text,
                     re.S)
    assert "City Attorney&#39;s Office (initial approval)" in text  # the history
    assert "Approve as v3, as attorney.test" in text  # v2 was approved with other words
    specimen = attorney.get("/templates/closure-letter/specimen.pdf")
    assert specimen.status_code == 200 and specimen.headers["content-type"] == "application/pdf"
    assert specimen.headers["content-disposition"].startswith("inline")
    assert "object-src" not in specimen.headers["content-security-policy"]  # the PDF viewer
    words = " ".join(" ".join((p.extract_text() or "").split())
                     for p in PdfReader(io.BytesIO(specimen.content)).pages)
    assert "Thank you for raising your concern" in words
    cached = list((web.root / "out" / ".cache" / "specimens").glob("closure-letter-*.pdf"))
    assert len(cached) == 1 and cached[0].read_bytes() == specimen.content
    assert attorney.get("/templates/closure-letter/specimen.pdf").content == specimen.content
    manager = web.client("manager").get("/templates/closure-letter")
    assert manager.status_code == 200 and "Approve as" not in manager.text  # attorney only
    detail = _state(web, "closure-letter")
    assert detail["state"] == "changed since approval" and detail["approval_version"] == 3
    assert any(r["kind"] == "changed" for r in detail["since_approval"]["rows"])
    assert {"name": "templates/closure.html", "change": "changed"}.items() <= \
        next(f for f in detail["files"] if f["name"] == "templates/closure.html").items()
    assert attorney.get("/templates/no-such").status_code == 404


def test_approving_as_the_attorney_names_them_and_gives_the_next_version(changed):
    web = changed
    root = web.root
    registry = (root / "templates" / "registry.yaml").read_text(encoding="utf-8")
    attorney = web.client("attorney")
    shown = _shown(attorney.get("/templates/closure-letter").text,
                   "/templates/closure-letter/approve")
    assert shown == {"hash": _seen(web, "closure-letter")["hash"], "version": "2"}
    for role in ("clerk", "manager", "officer", "admin"):
        client = web.client(role)
        refused = client.post("/templates/closure-letter/approve",
                              data={"csrf": client.csrf, "note": "x", **shown})
        assert refused.status_code == 403, role
    assert _registry_version(root, "closure-letter") == 2
    done = attorney.post("/templates/closure-letter/approve",
                         data={"csrf": attorney.csrf, "note": "bringing → raising", **shown})
    assert done.status_code == 303 and done.headers["location"] == "/templates/closure-letter"

    after = (root / "templates" / "registry.yaml").read_text(encoding="utf-8")
    assert _registry_version(root, "closure-letter") == 3
    changed_lines = [(a, b) for a, b in zip(registry.splitlines(), after.splitlines(),
                                            strict=True) if a != b]
    assert len(changed_lines) == 1 and "closure-letter" in changed_lines[0][0]  # nothing else
    latest = load_approvals(root)["closure-letter"][-1]
    assert (latest.version, latest.approved_by, latest.note) == \
        (3, "attorney.test", "bringing → raising")
    assert WORD_AFTER in (root / "config" / "approved-specimens" /
                             "closure-letter.txt").read_text(encoding="utf-8")
    with web.asgi.state.base.record.read() as c:
        row = c.execute(select(approvals.c.version, approvals.c.approved_by, people.c.name)
                        .join(people, people.c.id == approvals.c.actor_id)
                        .where(approvals.c.template_id == "closure-letter")).one()
    assert tuple(row) == (3, "attorney.test", "attorney.test")
    listed = cli_run(root, "templates", "list")
    line = next(x for x in listed.output.splitlines() if x.startswith("closure-letter "))
    assert " v3 " in line and "approved" in line and "by attorney.test" in line
    assert _state(web, "closure-letter")["state"] == "approved"
    again = attorney.post("/api/templates/closure-letter/approve",
                          json={"note": "again", **_seen(web, "closure-letter")},
                          headers={"x-csrf-token": attorney.csrf})
    assert again.status_code == 200 and again.json()["new"] is False
    assert again.json()["version"] == 3 and _registry_version(root, "closure-letter") == 3


def test_the_cli_approves_a_change_with_the_next_version_too(web):
    root = web.root
    after = _registry_version(root, "stop-work-posting") + 1
    _edit(root / "templates" / "stop_work.html", 'stop_work.css">{% endblock %}',
          'stop_work.css">{% endblock %}\n')  # layout only
    done = cli_ok(root, "templates", "approve", "stop-work-posting", "--by", "A. Attorney")
    assert f"stop-work-posting v{after}: approved" in done
    assert f"templates/registry.yaml now gives stop-work-posting version {after}" in done
    assert _registry_version(root, "stop-work-posting") == after
    assert load_approvals(root)["stop-work-posting"][-1].approved_by == "A. Attorney"


def test_a_changed_word_version_makes_the_template_unapproved(web):
    word = web.root / "templates" / "docx" / "closure.docx"
    word.write_bytes(word.read_bytes() + b"\0")  # any byte of the Word file
    detail = _state(web, "closure-letter")
    assert detail["state"] == "changed since approval"
    assert next(f for f in detail["files"]
                if f["name"] == "templates/docx/closure.docx")["change"] == "changed"
    assert [s.entry.id for s in statuses(web.root) if s.approved is None] == ["closure-letter"]


def test_a_mail_template_is_not_approved_under_a_version_set_in_the_code(web):
    _edit(web.root / "templates" / "mail" / "affidavit.html", "</body>", "\n</body>")
    before = (web.root / "config" / "approvals.yaml").read_bytes()
    attorney = web.client("attorney")
    refused = attorney.post("/api/templates/affidavit-of-mailing/approve",
                            json=_seen(web, "affidavit-of-mailing"),
                            headers={"x-csrf-token": attorney.csrf})
    assert refused.status_code == 400
    assert "MAIL_TEMPLATE_VERSIONS" in refused.json()["hint"]
    assert "needs a new version number" in refused.json()["error"]
    assert (web.root / "config" / "approvals.yaml").read_bytes() == before
    page = attorney.get("/templates/affidavit-of-mailing").text
    assert "a mail template's version is set in noticegen's code" in page


def test_sending_back_needs_a_note_and_shows_until_approved(changed):
    web = changed
    attorney = web.client("attorney")
    manager = web.client("manager")
    shown = _shown(attorney.get("/templates/closure-letter").text,
                   "/templates/closure-letter/send-back")
    assert shown == {"hash": _seen(web, "closure-letter")["hash"], "version": "2"}
    assert manager.post("/templates/closure-letter/send-back",
                        data={"csrf": manager.csrf, "note": "no", **shown}).status_code == 403
    empty = attorney.post("/templates/closure-letter/send-back",
                          data={"csrf": attorney.csrf, "note": "  ", **shown})
    assert empty.status_code == 422
    assert re.search(r'<textarea id="send-back-note"[^>]*aria-invalid="true"[^>]*'
                     r'aria-describedby="send-back-note-error"', empty.text)
    assert 'id="send-back-note-error">say what must change' in empty.text
    api_empty = attorney.post("/api/templates/closure-letter/send-back",
                              json={"note": "", **_seen(web, "closure-letter")},
                              headers={"x-csrf-token": attorney.csrf})
    assert api_empty.status_code == 422 and api_empty.json()["problems"][0]["field"] == "note"

    sent = attorney.post("/templates/closure-letter/send-back",
                         data={"csrf": attorney.csrf, "note": "Keep “bringing”.", **shown})
    assert sent.status_code == 303
    listed = attorney.get("/templates").text
    assert '<span class="badge bad">sent back</span>' in listed
    assert "by attorney.test: Keep “bringing”." in listed
    assert _state(web, "closure-letter")["sent_back"]["by"] == "attorney.test"
    cli_list = cli_run(web.root, "templates", "list").output
    assert "NOT APPROVED — sent back" in cli_list and "attorney.test: Keep “bringing”." in cli_list
    with web.asgi.state.base.record.read() as c:
        row = c.execute(select(template_reviews.c.decision, template_reviews.c.note,
                               template_reviews.c.version, people.c.name)
                        .join(people, people.c.id == template_reviews.c.actor_id)).one()
    assert tuple(row) == ("sent_back", "Keep “bringing”.", 2, "attorney.test")

    _edit(web.root / "templates" / "closure.html", WORD_AFTER, "Thank you for your concern")
    assert _state(web, "closure-letter")["state"] == "changed since approval"
    api = attorney.post("/api/templates/closure-letter/send-back",
                        json={"note": "Still no.", **_seen(web, "closure-letter")},
                        headers={"x-csrf-token": attorney.csrf})
    assert api.status_code == 200 and api.json()["by"] == "attorney.test"
    assert _state(web, "closure-letter")["state"] == "sent back"
    approved = attorney.post("/templates/closure-letter/approve", data={
        "csrf": attorney.csrf, **_shown(attorney.get("/templates/closure-letter").text,
                                        "/templates/closure-letter/approve")})
    assert approved.status_code == 303
    assert _state(web, "closure-letter")["state"] == "approved"
    history = attorney.get("/templates/closure-letter").text
    assert "Keep “bringing”." in history and "Still no." in history
    refused = attorney.post("/api/templates/closure-letter/send-back",
                            json={"note": "late", **_seen(web, "closure-letter")},
                            headers={"x-csrf-token": attorney.csrf})
    assert refused.status_code == 400 and "approved as it is now" in refused.json()["error"]


def test_an_answer_covers_only_the_content_the_attorney_was_shown(changed):
    """Someone edits the template between the attorney reading it and answering: the answer
    is refused (409, nothing recorded), on the page and in the API, until they reload."""
    web = changed
    root = web.root
    attorney = web.client("attorney")
    page = attorney.get("/templates/closure-letter").text
    approve_seen = _shown(page, "/templates/closure-letter/approve")
    back_seen = _shown(page, "/templates/closure-letter/send-back")
    api_seen = _seen(web, "closure-letter")
    _edit(root / "templates" / "closure.html", WORD_AFTER, "Thank you for reporting your concern")
    files = [root / "config" / "approvals.yaml", root / "templates" / "registry.yaml",
             root / "config" / "approved-specimens" / "closure-letter.txt"]
    before = [f.read_bytes() for f in files]

    refused = attorney.post("/templates/closure-letter/approve",
                            data={"csrf": attorney.csrf, "note": "ok", **approve_seen})
    assert refused.status_code == 409
    assert "changed since the page was opened" in refused.text
    assert "reload the page and review the template again" in refused.text
    api = attorney.post("/api/templates/closure-letter/approve",
                        json={"note": "ok", **api_seen}, headers={"x-csrf-token": attorney.csrf})
    assert api.status_code == 409 and "changed since the page was opened" in api.json()["error"]
    assert "reload" in api.json()["hint"]
    unversioned = attorney.post("/api/templates/closure-letter/approve",
                                json={"hash": api_seen["hash"]},
                                headers={"x-csrf-token": attorney.csrf})
    assert unversioned.status_code == 409  # the hash alone is checked too
    no_hash = attorney.post("/api/templates/closure-letter/approve", json={"note": "ok"},
                            headers={"x-csrf-token": attorney.csrf})
    assert no_hash.status_code == 422  # an answer names what it answers
    back = attorney.post("/templates/closure-letter/send-back",
                         data={"csrf": attorney.csrf, "note": "no", **back_seen})
    assert back.status_code == 409 and "changed since the page was opened" in back.text
    api_back = attorney.post("/api/templates/closure-letter/send-back",
                             json={"note": "no", **api_seen},
                             headers={"x-csrf-token": attorney.csrf})
    assert api_back.status_code == 409
    assert [f.read_bytes() for f in files] == before
    with web.asgi.state.base.record.read() as c:
        assert c.execute(select(template_reviews.c.id)).first() is None
        assert c.execute(select(approvals.c.id).where(
            approvals.c.template_id == "closure-letter")).first() is None
    assert _state(web, "closure-letter")["state"] == "changed since approval"

    stale_version = attorney.post("/api/templates/closure-letter/approve",
                                  json={**_seen(web, "closure-letter"), "version": 1},
                                  headers={"x-csrf-token": attorney.csrf})
    assert stale_version.status_code == 409 and "you reviewed v1" in \
        stale_version.json()["error"]
    reloaded = _shown(attorney.get("/templates/closure-letter").text,
                      "/templates/closure-letter/approve")
    assert reloaded["hash"] != approve_seen["hash"]
    done = attorney.post("/templates/closure-letter/approve",
                         data={"csrf": attorney.csrf, **reloaded})
    assert done.status_code == 303 and _state(web, "closure-letter")["state"] == "approved"
    assert "reporting" in files[2].read_text(encoding="utf-8")


def test_the_review_pdf_is_made_by_the_worker_and_downloaded(web):
    """The attorney asks for it; the manager may read it, not ask."""
    manager = web.client("manager")
    attorney = web.client("attorney")
    assert "Make the review PDF" in attorney.get("/templates").text
    assert "Make the review PDF" not in manager.get("/templates").text
    assert manager.post("/template-reviews", data={"csrf": manager.csrf}).status_code == 403
    assert manager.post("/api/template-reviews", json={"templates": ["closure-letter"]},
                        headers={"x-csrf-token": manager.csrf}).status_code == 403
    asked = attorney.post("/api/template-reviews", json={"templates": ["closure-letter"]},
                          headers={"x-csrf-token": attorney.csrf})
    assert asked.status_code == 202, asked.text
    job_id = asked.json()["job_id"]
    waiting = manager.get(f"/template-reviews/{job_id}")
    assert waiting.status_code == 200 and 'hx-trigger="every 1s"' in waiting.text
    assert run(web.asgi.state.base, job_id).state == "finished"
    done = manager.get(f"/api/template-reviews/{job_id}").json()
    assert done["state"] == "finished" and done["files"] == [
        "templates-review.pdf", "closure-letter-specimen.docx"]
    shown = manager.get(f"/template-reviews/{job_id}").text
    assert f'href="/template-reviews/{job_id}/templates-review.pdf"' in shown
    assert "hx-trigger" not in shown
    pdf = manager.get(f"/template-reviews/{job_id}/templates-review.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    words = " ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Legal review of the document templates" in words and "closure-letter" in words
    word = manager.get(f"/template-reviews/{job_id}/closure-letter-specimen.docx")
    assert word.status_code == 200 and word.content.startswith(b"PK")
    assert manager.get(f"/template-reviews/{job_id}/other.pdf").status_code == 404
    assert manager.get("/template-reviews/nope").status_code == 404
    started = attorney.post("/template-reviews", data={"csrf": attorney.csrf})
    assert started.status_code == 303 and started.headers["location"].startswith(
        "/template-reviews/")
    assert web.client("clerk").get(f"/template-reviews/{job_id}").status_code == 403
