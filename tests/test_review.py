"""Legal review: content hashes, marked specimens, the review PDF, diffs, approvals and the
refusal of unapproved templates, drafts, and the static check of template variables."""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import threading
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, case_data, make_photo, opened
from pypdf import PdfReader
from sqlalchemy import Table, func, select

from noticegen.cli import cli
from noticegen.errors import InputError
from noticegen.mail.chunks import MAIL_TEMPLATE_VERSIONS
from noticegen.project import load_project
from noticegen.record import tables
from noticegen.render import renderer
from noticegen.review import (
    MAIL_TEMPLATES,
    Specimens,
    TemplateChanged,
    TemplateNotApproved,
    approve,
    content_hash,
    find_entry,
    load_approvals,
    review_entries,
    statuses,
)
from noticegen.review.report import build_review
from noticegen.review.specimen import CLOSE, OPEN, docx_text
from noticegen.review.variables import reference, undocumented
from noticegen.service import BatchResult, issue, mail_batch
from noticegen.service import approve as record_approval
from noticegen.service import diff as compare

MAIL_DATE = date(2026, 11, 25)
ISSUED = datetime(2026, 11, 25, 10, 0)
WORD_BEFORE = "The City's goal is"
WORD_AFTER = "The City's aim is"


def _text(pdf: bytes) -> list[str]:
    return [" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the repository's catalogs, settings (with the approvals) and templates, and a
    case with an owner and a tenant whose history allows a notice of violation."""
    root = tmp_path / "project"
    for folder in ("ordinances", "config", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    make_photo(root / "cases" / "photos" / "yard.jpg", datetime(2026, 11, 3, 10, 16))
    data = case_data()
    data["history"] = []
    data["responsible_parties"].append({
        "id": "tenant", "role": "tenant", "name": "Terry Tenant",
        "mailing_address": {"lines": ["512 N Britton St"], "city": "Tom Bean", "state": "TX",
                            "zip": "75489"}})
    (root / "cases" / "CE-2026-0001.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def recorded(project: Path, database_url) -> Path:
    """`project` with its record created and its case imported: issuing, mailing and approving
    all record what they do."""
    for args in (["db", "upgrade"], ["cases", "import", str(project / "cases")]):
        result = CliRunner().invoke(cli, ["--root", str(project), *args])
        assert result.exit_code == 0, result.output
    return project


def _rows(root: Path, table: Table, *where) -> int:
    with opened(root) as app, app.record.read() as c:
        return int(c.execute(select(func.count()).select_from(table).where(*where)).scalar())


def _issued_nothing(root: Path) -> None:
    """No document, piece or batch on record, and no issued step in the case's event log."""
    for table in (tables.documents, tables.mail_pieces, tables.batches):
        assert _rows(root, table) == 0, table.name
    assert _rows(root, tables.events, tables.events.c.document_id.is_not(None)) == 0


def _batch(root: Path) -> BatchResult:
    with opened(root) as app:
        return mail_batch(app, ["CE-2026-0001"], "nov", MAIL_DATE, "b1", workers=1)


# --------------------------------------------------------------------------- the registry

def test_every_template_in_the_repository_is_approved():
    """Changing a template's words, partials, CSS or Word file means a new approval."""
    pending = [s.entry.id for s in statuses(REPO) if s.approved is None]
    assert not pending, f"not approved: {pending} (noticegen templates approve ID --by NAME)"


def test_registry_lists_every_template_with_its_facts():
    entries = review_entries(REPO / "templates")
    ids = [e.id for e in entries]
    assert len(ids) == len(set(ids))
    assert {"nov-letter", "nov-file-copy", "warning-door-hanger", "closure-letter",
            "mail-cover", "firm-mailing-book", "affidavit-of-mailing"} <= set(ids)
    for entry in entries:
        assert entry.doc_type and entry.version >= 1 and entry.audience and entry.language
        assert re.fullmatch(r"[0-9a-f]{64}", content_hash(REPO / "templates", entry))


def test_mail_template_ids_and_versions_are_the_batchs():
    assert {e.id: e.version for e in MAIL_TEMPLATES} == MAIL_TEMPLATE_VERSIONS


@pytest.mark.parametrize(("file", "old", "new", "changes"), [
    ("nov.html", "<h1>Notice of Violation</h1>", "<h1>Notice of violation</h1>", True),
    ("partials/letterhead.html", "Scan to verify", "Scan to check", True),
    ("assets/notice.css", "html {", "html { letter-spacing: 0; ", True),
    ("base.html", "<body>", "<body >", True),
    ("registry.yaml", "title: Notice of Violation", "title: Notice Of Violation", True),
    ("assets/book.css", "{", "{ ", False),           # the firm book's, not the notice's
    ("closure.html", "{% endblock %}", "{% endblock %} ", False),  # another document
])
def test_content_hash_covers_everything_the_template_is_made_from(project, file, old, new,
                                                                  changes):
    templates = project / "templates"
    entry = find_entry(review_entries(templates), "nov-letter")
    before = content_hash(templates, entry)
    path = templates / file
    text = path.read_text(encoding="utf-8")
    if old not in text:
        pytest.skip(f"{file} no longer holds {old!r}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    after = content_hash(templates, find_entry(review_entries(templates), "nov-letter"))
    assert (before != after) is changes


def test_content_hash_covers_the_word_file_and_mail_css(project):
    templates = project / "templates"
    entries = review_entries(templates)
    nov, cover = find_entry(entries, "nov-letter"), find_entry(entries, "mail-cover")
    before = content_hash(templates, nov), content_hash(templates, cover)
    with (templates / "docx" / "nov.docx").open("ab") as handle:
        handle.write(b"\0")
    with (templates / "assets" / "cover.css").open("a") as handle:
        handle.write("\n/* changed */\n")
    assert content_hash(templates, nov) != before[0]
    assert content_hash(templates, cover) != before[1]


# --------------------------------------------------------------------------- specimens

@pytest.fixture(scope="module")
def specimens() -> Specimens:
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTICEGEN_HMAC_KEY", "test-key-not-secret")
    yield Specimens.of(REPO)
    mp.undo()


def test_specimen_marks_substituted_values_only(specimens):
    html = specimens.html(find_entry(specimens.entries, "nov-letter"), marked=True)
    assert '<mark class="specimen">Rita R. Respondent</mark>' in html
    assert '<mark class="specimen">SPEC-2026-0001</mark>' in html
    assert "<h1>Notice of Violation</h1>" in html  # the template's own words stay plain
    assert OPEN not in html and CLOSE not in html
    for attribute in re.findall(r'(?:src|content)="[^"]*"', html):
        assert "<mark" not in attribute and "mark class" not in attribute
    # facts still compare as text: the ordinary deadline branch, with a marked date
    assert re.search(r"Correct all violations <mark class=\"specimen\">on or before", html)


def test_every_template_has_a_specimen(specimens):
    for entry in specimens.entries:
        text = " ".join(_text(specimens.pdf(entry)))
        assert "SPEC-2026-0001" in text or "SPECIMEN" in text, entry.id


def test_word_specimen_is_highlighted_for_redlining(specimens):
    entry = find_entry(specimens.entries, "closure-letter")
    content = specimens.docx(entry)
    assert content is not None
    with zipfile.ZipFile(io.BytesIO(content)) as docx:
        xml = docx.read("word/document.xml").decode()
    assert "<w:highlight" in xml and OPEN not in xml and CLOSE not in xml
    assert any("Carla Q. Complainant" in line for line in docx_text(content))


def test_docs_templates_md_is_generated_from_the_builders(specimens):
    assert not list(undocumented(specimens))
    expected = reference(specimens)
    actual = (REPO / "docs" / "templates.md").read_text(encoding="utf-8")
    assert actual == expected, ("docs/templates.md is out of date: .venv/bin/python -m "
                                "noticegen.review.reference > docs/templates.md")


# --------------------------------------------------------------------------- the review PDF

def test_review_pdf_has_every_templates_marked_specimen_and_variable_table(specimens):
    review = build_review(REPO, specimens, specimens.entries)
    pages = _text(review.pdf)
    assert "Legal review of the document templates" in pages[0]
    starts = sorted((start, entry) for entry in specimens.entries
                    for start in [review.pages[entry.id]])
    for index, (start, entry) in enumerate(starts):
        end = starts[index + 1][0] if index + 1 < len(starts) else len(pages)
        section = pages[start:end]
        sheets = [i for i, p in enumerate(section) if p.startswith("Review sheet")]
        assert sheets, entry.id
        specimen, sheet = section[:sheets[0]], " ".join(section[sheets[0]:])
        assert specimen and "SPEC" in " ".join(specimen), entry.id
        assert f"{entry.id} v{entry.version}" in sheet
        assert "Variables the template uses" in sheet and "What it is" in sheet
        assert content_hash(REPO / "templates", entry) in sheet.replace(" ", "")
        assert "Approval history" in sheet and "Sections cited" in sheet
        facts = ("piece.", "batch_id") if entry.doc_type == "mail" else ("doc.id", "case.number")
        assert any(f in sheet for f in facts), entry.id
    assert set(review.docx) == {f"{e.id}-specimen.docx" for e in specimens.entries if e.docx}


# --------------------------------------------------------------------------- approvals

def test_one_changed_word_stops_the_batch_until_approved(recorded, runner):
    project = recorded
    nov = project / "templates" / "nov.html"
    _edit(nov, WORD_BEFORE, WORD_AFTER)
    with pytest.raises(TemplateNotApproved) as refused:
        _batch(project)
    message = str(refused.value)
    assert "nov-letter v2" in message and "nov-file-copy v2" in message
    assert "changed: templates/nov.html" in message
    assert "[-goal-]{+aim+}" in message
    assert "noticegen templates approve nov-letter nov-file-copy --by NAME" in message
    _issued_nothing(project)
    assert _rows(project, tables.sequences) == 0, "no article number was allocated"
    assert not (project / "var" / "work" / "b1").exists(), "nothing was made"
    assert not (project / "out" / "b1").exists()

    diff = runner.invoke(cli, ["--root", str(project), "templates", "diff", "nov-letter"])
    assert diff.exit_code == 0, diff.output
    assert re.search(r"^-.*The City's goal is", diff.output, re.M)
    assert re.search(r"^\+.*The City's aim is", diff.output, re.M)
    report = " ".join(_text((project / "out" / "review" / "nov-letter-diff.pdf").read_bytes()))
    assert "goal" in report and "aim" in report and "templates/nov.html" in report
    with opened(project) as app:  # the service's diff, as an HTML page
        found = compare(app, "nov-letter", html=True)
    assert any(line.startswith("-") and WORD_BEFORE in line for line in found.lines)
    assert any(line.startswith("+") and WORD_AFTER in line for line in found.lines)
    assert found.from_label.startswith("approved v2 on ")
    page = found.content.decode()
    assert "goal" in page and "aim" in page
    assert "Files changed since that approval: templates/nov.html" in page

    cli_batch = runner.invoke(cli, ["--root", str(project), "batch", str(project / "cases"),
                                    "--mail-date", "2026-11-25", "--batch-id", "b1"])
    assert cli_batch.exit_code == 3 and "not approved" in cli_batch.output
    _issued_nothing(project)

    approved = runner.invoke(cli, ["--root", str(project), "templates", "approve",
                                   "nov-letter", "nov-file-copy", "--by", "A. Attorney",
                                   "--note", "goal → aim"])
    assert approved.exit_code == 0, approved.output
    history = load_approvals(project)["nov-letter"]
    assert history[-1].approved_by == "A. Attorney" and history[-1].note == "goal → aim"
    assert "aim" in (project / "config" / "approved-specimens" / "nov-letter.txt").read_text()
    for template_id in ("nov-letter", "nov-file-copy"):  # … and in the record
        on_file = load_approvals(project)[template_id][-1]
        assert _rows(project, tables.approvals, tables.approvals.c.template_id == template_id,
                     tables.approvals.c.hash == on_file.hash,
                     tables.approvals.c.approved_by == "A. Attorney",
                     tables.approvals.c.note == "goal → aim") == 1, template_id
    result = _batch(project)
    assert result.pieces == 2
    assert "The City's aim is" in " ".join(
        _text(next((result.folder / "packets").glob("*.pdf")).read_bytes()))


def test_render_refuses_an_unapproved_template_and_names_it(recorded, runner):
    project = recorded
    letterhead = project / "templates" / "partials" / "letterhead.html"
    _edit(letterhead, "Scan to verify", "Scan to check")
    render = ["--root", str(project), "render", "closure",
              str(project / "cases" / "CE-2026-0001.yaml"), "--issued", "2026-11-25 10:00"]
    result = runner.invoke(cli, render)
    assert result.exit_code == 3, result.output
    # the fixture case is not closed: the ladder would refuse; the template check comes first
    assert "closure-letter v2" in result.output
    assert "changed: templates/partials/letterhead.html" in result.output
    _issued_nothing(project)
    assert not (project / "out" / "CE-2026-0001").exists()

    _edit(letterhead, "Scan to check", "Scan to verify")  # approved again: now the ladder
    result = runner.invoke(cli, render)
    assert result.exit_code == 2, result.output
    assert "not approved" not in result.output
    assert "closure may not be issued now" in result.output and "XIII.B" in result.output
    _issued_nothing(project)


def test_issuing_refuses_an_unapproved_template_the_ladder_allows(recorded):
    _edit(recorded / "templates" / "nov.html", WORD_BEFORE, WORD_AFTER)
    with opened(recorded) as app, pytest.raises(TemplateNotApproved) as refused:
        issue(app, "nov", "CE-2026-0001", ISSUED, recipient="owner")
    assert "nov-letter v2" in str(refused.value)
    assert "changed: templates/nov.html" in str(refused.value)
    _issued_nothing(recorded)
    assert not (recorded / "out" / "CE-2026-0001").exists()


def test_approving_the_same_content_twice_records_it_once(project):
    before = len(load_approvals(project)["vca"])
    first, new = approve(project, "vca", "A. Attorney")
    assert not new and first.approved_by != "A. Attorney"  # already approved
    _edit(project / "templates" / "vca.html", "{% endblock %}", "{% endblock %}\n")
    second, new = approve(project, "vca", "A. Attorney", note="whitespace")
    again, repeated = approve(project, "vca", "B. Attorney")
    assert new and not repeated and again == second
    assert len(load_approvals(project)["vca"]) == before + 1


def test_an_approval_covers_only_the_content_its_approver_was_shown(project):
    """Edited between the attorney reading it and approving: refused, nothing written; the
    CLI (no expected hash) approves what is on disk."""
    vca = project / "templates" / "vca.html"
    _edit(vca, "{% endblock %}", "{% endblock %}\n")
    entry = find_entry(review_entries(project / "templates"), "vca")
    seen = content_hash(project / "templates", entry)
    _edit(vca, "{% endblock %}\n", "{% endblock %}\n\n")
    now = content_hash(project / "templates", entry)
    files = [project / "config" / "approvals.yaml", project / "templates" / "registry.yaml",
             project / "config" / "approved-specimens" / "vca.txt"]
    before = [f.read_bytes() for f in files]
    with pytest.raises(TemplateChanged, match=r"vca changed since the page was opened: you "
                       rf"reviewed v2, hash {seen[:12]}; it is now v2, hash {now[:12]}"):
        approve(project, "vca", "A. Attorney", expected_hash=seen, expected_version=2)
    with pytest.raises(TemplateChanged, match="you reviewed v1"):
        approve(project, "vca", "A. Attorney", expected_hash=now, expected_version=1)
    assert [f.read_bytes() for f in files] == before
    approval, new = approve(project, "vca", "A. Attorney", expected_hash=now,
                            expected_version=2)
    assert new and approval.hash == now and approval.version == 3


def test_two_approvals_at_once_lose_neither(project, monkeypatch):
    """Two approvals at the same moment (the web's threads, or the web and the CLI) each read
    approvals.yaml and registry.yaml, then write both: one after the other, under the lock,
    neither's entry nor its version bump is lost."""
    ids = ("vca", "closure-letter")
    _edit(project / "templates" / "vca.html", "{% endblock %}", "{% endblock %}\n")
    _edit(project / "templates" / "closure.html", "{% endblock %}", "{% endblock %}\n")
    together = threading.Barrier(len(ids))
    render = Specimens.text

    def slow(self, entry):  # both approvals meet here unless one waits for the other's lock
        with contextlib.suppress(threading.BrokenBarrierError):
            together.wait(timeout=2)
        return render(self, entry)

    monkeypatch.setattr(Specimens, "text", slow)
    done, failed = {}, []

    def approving(template_id):
        try:
            done[template_id] = approve(project, template_id, "A. Attorney")
        except Exception as exc:  # reported below, not lost in the thread
            failed.append(exc)

    threads = [threading.Thread(target=approving, args=(i,)) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failed and all(done[i][1] for i in ids)
    entries = review_entries(project / "templates")
    assert {i: find_entry(entries, i).version for i in ids} == {i: 3 for i in ids}
    on_file = load_approvals(project)
    for template_id in ids:
        assert on_file[template_id][-1] == done[template_id][0]
        assert on_file[template_id][-1].version == 3
    assert [s.entry.id for s in statuses(project) if s.approved is None] == []


def test_an_approval_is_entered_in_the_record_once(recorded):
    _edit(recorded / "templates" / "vca.html", "{% endblock %}", "{% endblock %}\n")
    with opened(recorded) as app:
        first, new = record_approval(app, "vca", "A. Attorney", "whitespace")
        again, repeated = record_approval(app, "vca", "B. Attorney", None)
    assert new and not repeated and again == first
    assert first.approved_by == "A. Attorney" and first.note == "whitespace"
    vca = tables.approvals.c.template_id == "vca"
    assert _rows(recorded, tables.approvals, vca) == 1
    assert _rows(recorded, tables.approvals, vca, tables.approvals.c.hash == first.hash,
                 tables.approvals.c.approved_by == "A. Attorney") == 1
    assert load_approvals(recorded)["vca"][-1] == first


def test_approving_needs_the_record_and_changes_nothing_without_it(project, database_url,
                                                                  runner):
    approvals = project / "config" / "approvals.yaml"
    text = project / "config" / "approved-specimens" / "vca.txt"
    before = approvals.read_bytes(), text.read_bytes()
    _edit(project / "templates" / "vca.html", "{% endblock %}", "{% endblock %}\n")
    result = runner.invoke(cli, ["--root", str(project), "templates", "approve", "vca",
                                 "--by", "A. Attorney"])
    assert result.exit_code == 4, result.output
    assert "there is no record yet" in result.stderr and "noticegen db upgrade" in result.stderr
    assert (approvals.read_bytes(), text.read_bytes()) == before


def test_a_template_that_does_not_render_cannot_be_approved(project):
    _edit(project / "templates" / "vca.html", "{{ chief.name }}", "{{ chief.nom }}")
    with pytest.raises(Exception, match=r"vca v2 cannot be approved.*line \d+.*'nom'"):
        approve(project, "vca", "A. Attorney")


def test_a_bad_approvals_file_is_reported_with_its_line(project):
    path = project / "config" / "approvals.yaml"
    _edit(path, "approved_by: City Attorney's Office (initial approval)",
          "approved_bye: City Attorney's Office (initial approval)")
    with pytest.raises(InputError) as caught:
        load_approvals(project)
    assert any(p.line and "approved_by" in p.field and "warning-door-hanger" in p.field
               for p in caught.value.problems), caught.value.problems


# --------------------------------------------------------------------------- drafts

@pytest.mark.parametrize(("doc_type", "args", "fmt"), [
    ("warning", ["--variant", "door-hanger"], "pdf"),
    ("stop-work", [], "pdf"),
    ("nov", [], "pdf"),
    ("nov", [], "docx"),
])
def test_a_draft_is_watermarked_on_every_page_and_recorded_nowhere(recorded, runner, doc_type,
                                                                   args, fmt):
    """Drafts render even an unapproved template, say so on every page, and are not issued."""
    project = recorded
    data = case_data()
    data["history"] = []
    if doc_type == "stop-work":
        data["violations"].append({**data["violations"][0], "id": "shed", "ordinance": "TB-14-2",
                                   "photos": [], "photo_override": "none taken"})
    (project / "cases" / "CE-2026-0001.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    _edit(project / "templates" / "base.html", "<body>", "<body >")  # nothing is approved now
    result = runner.invoke(cli, ["--root", str(project), "render", doc_type,
                                 str(project / "cases" / "CE-2026-0001.yaml"), "--issued",
                                 "2026-11-25 10:00", "--format", fmt, "--draft",
                                 "--recipient", "owner", *args])
    assert result.exit_code == 0, result.output
    written = list((project / "out" / "CE-2026-0001").glob(f"*.{fmt}"))
    assert [p.name.startswith("DRAFT-") for p in written] == [True]
    if fmt == "pdf":
        pages = _text(written[0].read_bytes())
        assert len(pages) >= 2 or doc_type != "nov"
        for number, page in enumerate(pages, start=1):
            assert "DRAFT — NOT FOR SERVICE" in page, f"page {number}"
    else:
        with zipfile.ZipFile(written[0]) as docx:
            headers = [n for n in docx.namelist() if re.match(r"word/header\d+\.xml", n)]
            assert headers
            for name in headers:  # first page and following pages
                if b"<w:t" in docx.read(name):
                    assert "DRAFT — NOT FOR SERVICE" in docx.read(name).decode(), name
    _issued_nothing(project)
    assert _rows(project, tables.sequences) == 0, "no article number was allocated"


def test_a_draft_has_an_id_of_its_own(tmp_path):
    loaded = load_project(REPO, [REPO / "examples" / "cases" / "CE-2026-0182.yaml"])
    case = next(iter(loaded.cases.values()))
    r = renderer(loaded, tmp_path / "cache")
    final = r.render("closure", case, ISSUED)
    draft = r.render("closure", case, ISSUED, draft=True)
    assert draft.draft and not final.draft
    assert draft.document_id != final.document_id


def test_a_drafts_file_name_says_draft(recorded, runner):
    project = recorded
    result = runner.invoke(cli, ["--root", str(project), "render", "nov",
                                 str(project / "cases" / "CE-2026-0001.yaml"), "--recipient",
                                 "owner", "--draft", "--out", str(project / "nov.pdf")])
    assert result.exit_code == 1 and "must say DRAFT" in result.output
    assert not (project / "nov.pdf").exists()
    _issued_nothing(project)


# --------------------------------------------------------------------------- the static check

def _check(runner, root: Path):
    return runner.invoke(cli, ["--root", str(root), "check", str(root / "cases")])


def test_check_passes_the_repositorys_templates(runner):
    result = runner.invoke(cli, ["--root", str(REPO), "check"])
    assert result.exit_code == 0, result.output


def test_an_undefined_variable_fails_check_with_template_line_and_variable(project, runner):
    nov = project / "templates" / "nov.html"
    lines = nov.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "partials/addressee.html" in line)
    lines.insert(at + 1, "<p>{{ nope }}</p>")
    nov.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _check(runner, project)
    assert result.exit_code == 2
    assert (f"templates/nov.html:{at + 2}: {{{{ nope }}}}: variable 'nope' is not in the nov "
            "context") in result.output.replace(str(project) + "/", "")


@pytest.mark.parametrize(("file", "old", "new", "expected"), [
    ("partials/photos.html", "{{ p.caption }}", "{{ p.captoin }}",
     r"partials/photos\.html:\d+: \{\{ violations\[…\]\.photos\[…\]\.captoin \}\}: .*"
     r"PhotoView has no field 'captoin'; did you mean 'caption'\?"),
    ("closure.html", "{{ complainant_name }}", "{{ complainant.name }}",
     r"closure\.html:\d+: \{\{ complainant\.name \}\}: variable 'complainant' is not in the "
     r"closure context"),
    ("registry.yaml", "requires: [doc, case, recipient, officer, violations, deadline]",
     "requires: [doc, case, recipient, officer, violations, deadline, levels]",
     r"warning_door_hanger\.html: requires: the warning-door-hanger template never uses the "
     r"required fact 'levels'"),
])
def test_check_names_the_bad_variable(project, runner, file, old, new, expected):
    _edit(project / "templates" / file, old, new)
    result = _check(runner, project)
    assert result.exit_code == 2
    assert re.search(expected, result.output), result.output


def test_an_undefined_variable_in_a_word_template_fails_check(project, runner):
    path = project / "templates" / "docx" / "closure.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                assert b"{{ resolution" in data or b"resolution" in data
                data = data.replace(b"complaint_type", b"complaint_kind", 1)
            dst.writestr(item, data)
    path.write_bytes(buffer.getvalue())
    result = _check(runner, project)
    assert result.exit_code == 2
    assert re.search(r"docx/closure\.docx: \{\{ complaint_kind \}\}: variable 'complaint_kind' "
                     r"is not in the closure context \(paragraph \d+", result.output), \
        result.output


def test_templates_list_shows_every_template_and_its_state(project, runner):
    _edit(project / "templates" / "citation.html", "{% endblock %}", "{% endblock %}\n")
    result = runner.invoke(cli, ["--root", str(project), "templates", "list"])
    assert result.exit_code == 0, result.output
    for entry in review_entries(project / "templates"):
        assert entry.id in result.output
    line = next(x for x in result.output.splitlines() if x.startswith("citation "))
    assert "NOT APPROVED — changed since v2 was approved" in line
    assert "1 template not approved" in result.output


def test_every_templates_command_and_the_approval_file_are_documented():
    from noticegen.cli.templates import templates

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in templates.commands:
        assert f"noticegen templates {name}" in readme, name
    assert "config/approvals.yaml" in readme and "--draft" in readme


def test_a_template_that_does_not_render_is_reported_in_the_review(project, monkeypatch):
    monkeypatch.setenv("NOTICEGEN_HMAC_KEY", "test-key-not-secret")
    _edit(project / "templates" / "vca.html", "{{ chief.name }}", "{{ chief.nom }}")
    specimens = Specimens.of(project)
    review = build_review(project, specimens, [find_entry(specimens.entries, "vca")])
    assert "vca" in review.errors and "nom" in review.errors["vca"]
    sheet = " ".join(_text(review.pdf)[review.pages["vca"]:])
    assert "The specimen could not be rendered" in sheet
    assert re.search(r"vca\.html, line \d+", sheet)
