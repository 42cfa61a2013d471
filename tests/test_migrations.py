"""A record made by the noticegen before the service (schema 0001, committed in tests/data:
the 17 examples and a citation) upgrades to this noticegen's schema with nothing lost."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

from noticegen.cli import cli

OLD = Path(__file__).parent / "data" / "record-0001.sqlite"
KEPT = ("people", "cases", "case_revisions", "events", "documents", "blobs", "approvals")


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as c:
        found = {t: c.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in KEPT}
    engine.dispose()
    return found


def test_a_record_at_0001_upgrades_with_everything_kept(project_root: Path, monkeypatch):
    monkeypatch.delenv("NOTICEGEN_DATABASE_URL", raising=False)
    database = project_root / "var" / "record.sqlite"
    database.parent.mkdir()
    shutil.copy(OLD, database)
    url = f"sqlite:///{database}"
    before = _counts(url)
    assert before["cases"] == 17 and before["documents"] == 1
    runner = CliRunner()
    refused = runner.invoke(cli, ["--root", str(project_root), "users", "list"])
    assert refused.exit_code == 4 and "schema revision 0001" in refused.output
    done = runner.invoke(cli, ["--root", str(project_root), "db", "upgrade"])
    assert done.exit_code == 0 and "0001 → 0003" in done.output, done.output
    assert _counts(url) == before
    added = runner.invoke(cli, ["--root", str(project_root), "users", "add", "clerk.jones",
                                "--role", "clerk"])
    assert added.exit_code == 0, added.output
    engine = create_engine(url)
    with engine.connect() as c:
        with pytest.raises(Exception, match="append-only"):
            c.execute(text("DELETE FROM accounts"))
        triggers = set(c.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
                       .scalars())
    for table in ("accounts", "access", "jobs", "job_events", "api_tokens", "template_reviews"):
        assert {f"{table}_no_update", f"{table}_no_delete"} <= triggers
    engine.dispose()
