"""One document id, one content: an id is derived from what the document is made from, so
issuing again after the case changed makes a new document beside the old one."""

from __future__ import annotations

import shutil
from datetime import datetime
from hashlib import sha256
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, opened
from sqlalchemy import select

from noticegen.cli import cli
from noticegen.record import tables
from noticegen.service import issue

AT = datetime(2026, 11, 20, 9, 0)


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), "--actor", "tester", *args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def root(recorded_root: Path) -> Path:
    """The fixture project with its templates and the warning letter approved in it."""
    shutil.copytree(REPO / "templates", recorded_root / "templates")
    done = run(recorded_root, "templates", "approve", "warning-letter", "--by", "Test Attorney")
    assert done.exit_code == 0, done.output
    return recorded_root


def _documents(root: Path) -> list[dict]:
    with opened(root) as app, app.record.read() as c:
        return [dict(r) for r in c.execute(select(tables.documents)
                                           .order_by(tables.documents.c.recorded_at))
                .mappings()]


def test_reissuing_after_the_case_changed_makes_a_new_document(root: Path):
    with opened(root) as app:
        first = issue(app, "warning", "CE-2026-0001", AT, variant="letter")
    case_file = root / "cases" / "CE-2026-0001.yaml"
    case_file.write_text(case_file.read_text(encoding="utf-8").replace(
        "about 18 inches tall", "about 20 inches tall"), encoding="utf-8")
    assert "revision 2" in run(root, "cases", "import", str(case_file)).output
    with opened(root) as app:
        second = issue(app, "warning", "CE-2026-0001", AT, variant="letter")
    assert second.new and second.document.document_id != first.document.document_id
    assert first.file != second.file and first.file.is_file() and second.file.is_file()
    assert sha256(first.file.read_bytes()).hexdigest() == first.document.sha256  # untouched
    rows = _documents(root)
    assert [r["id"] for r in rows] == [first.document.document_id,
                                       second.document.document_id]
    assert rows[0]["revision_id"] != rows[1]["revision_id"]
    for done in (first, second):
        checked = run(root, "verify", str(done.file))
        assert checked.exit_code == 0, checked.output
        assert done.document.document_id in checked.output
    assert run(root, "db", "check").exit_code == 0


def test_issuing_the_same_thing_twice_is_one_document(root: Path):
    with opened(root) as app:
        first = issue(app, "warning", "CE-2026-0001", AT, variant="letter")
        again = issue(app, "warning", "CE-2026-0001", AT, variant="letter")
    assert first.new and not again.new
    assert again.document.document_id == first.document.document_id
    assert again.document.sha256 == first.document.sha256
    assert len(_documents(root)) == 1


def test_an_id_does_not_depend_on_where_the_project_is(root: Path, tmp_path: Path):
    from noticegen.project import load_project
    from noticegen.render import renderer

    ids = []
    for where in (root, tmp_path / "elsewhere"):
        if where != root:
            for folder in ("ordinances", "config", "templates", "cases"):
                shutil.copytree(root / folder, where / folder)
        project = load_project(where, [where / "cases"])
        r = renderer(project, where / "cache")
        kind = r.registry.get("warning")  # type: ignore[attr-defined]
        ids.append(r.identify("warning", kind.template("letter"),
                              project.cases["CE-2026-0001"], AT)[1])
    assert ids[0] == ids[1]
