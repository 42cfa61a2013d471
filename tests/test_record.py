"""The record: cases imported and exported, the event log the ladder reads, a lost or damaged
record refused, and no traceback for a full disk, a damaged file or an unreachable server."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import date, datetime
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO
from sqlalchemy import func, select, text
from test_check import BROKEN, _line_of

from noticegen.cli import cli
from noticegen.record import tables
from noticegen.service import (
    App,
    export_cases,
    import_cases,
    issue,
    load_case,
)
from noticegen.source import _Loader

EXAMPLES = REPO / "examples" / "cases"


def run(root: Path, *args: str):
    result = CliRunner().invoke(cli, ["--root", str(root), "--actor", "tester", *args])
    assert "Traceback" not in result.output
    return result


def count(app: App, table) -> int:
    with app.record.read() as c:
        return int(c.execute(select(func.count()).select_from(table)).scalar())


def _examples_root(tmp_path: Path) -> Path:
    root = tmp_path / "examples-project"
    for folder in ("ordinances", "config", "templates", "examples"):
        shutil.copytree(REPO / folder, root / folder)
    return root


@pytest.fixture(autouse=True)
def _templates(project_root: Path) -> None:
    """Issuing needs the templates (and their approvals, in config/)."""
    shutil.copytree(REPO / "templates", project_root / "templates")


@pytest.fixture
def examples(tmp_path: Path, database_url) -> App:
    """A project with the bundled examples imported."""
    root = _examples_root(tmp_path)
    assert run(root, "db", "upgrade").exit_code == 0
    app = App.open(root, "tester", database_url)
    import_cases(app, [root / "examples" / "cases"])
    yield app
    app.close()


# -- import and export --------------------------------------------------------------------

def _comparable(data: dict) -> dict:
    """A case file's data, validated, with photos compared by content."""
    from noticegen.cases import Case
    from noticegen.files import sha256_file

    case = Case.model_validate(data, context={"base": data.pop("__base")})
    dumped = case.model_dump(mode="json")
    for violation, model in zip(dumped["violations"], case.violations, strict=True):
        violation["photos"] = [{"sha256": sha256_file(p.file), "caption": p.caption}
                               for p in model.photos]
    return dumped


def _read(path: Path) -> dict:
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    data["__base"] = path.parent
    return data


def test_every_example_round_trips(examples: App, tmp_path: Path):
    numbers = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    written = export_cases(examples, numbers, tmp_path / "exported")
    assert [p.stem for p in written] == numbers
    for path in written:
        assert _comparable(_read(path)) == _comparable(_read(EXAMPLES / path.name)), path.name
    before = {t.name: count(examples, t) for t in (tables.case_revisions, tables.events)}
    again = import_cases(examples, [tmp_path / "exported"])
    assert {r.state for r in again} == {"unchanged"}
    assert sum(r.events_added for r in again) == 0
    assert {t.name: count(examples, t) for t in (tables.case_revisions, tables.events)} == before


def test_import_is_idempotent_and_a_change_is_a_new_revision(recorded_root: Path, app: App):
    result = run(recorded_root, "cases", "import", str(recorded_root / "cases"))
    assert result.exit_code == 0, result.output
    assert "CE-2026-0001: unchanged (revision 1)" in result.output
    assert "nothing changed" in result.output
    case_file = recorded_root / "cases" / "CE-2026-0001.yaml"
    case_file.write_text(case_file.read_text(encoding="utf-8").replace(
        "about 18 inches tall", "about 20 inches tall"), encoding="utf-8")
    result = run(recorded_root, "cases", "import", str(case_file))
    assert "CE-2026-0001: revised (revision 2)" in result.output
    assert load_case(app, "CE-2026-0001").case.violations[0].description.startswith(
        "Grass and weeds about 20")
    with app.record.read() as c:
        revisions = c.execute(select(tables.case_revisions.c.revision)).scalars().all()
    assert sorted(revisions) == [1, 2]  # the first revision is kept, not updated


@pytest.mark.parametrize("broken", BROKEN, ids=[b.name for b in BROKEN])
def test_bad_input_is_explained_through_import(broken, project_root: Path, database_url,
                                               monkeypatch):
    assert run(project_root, "db", "upgrade").exit_code == 0
    path = project_root / broken.file
    changed = path.read_text(encoding="utf-8").replace(broken.old, broken.new, 1)
    path.write_text(changed, encoding="utf-8")
    monkeypatch.chdir(project_root)
    result = run(project_root, "cases", "import", "cases")
    assert result.exit_code == 2, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert f"{broken.file}:{_line_of(changed, broken.at)}: {broken.field}" in errors[0]
    assert broken.message in errors[0]
    if broken.file == "cases/CE-2026-0001.yaml":  # nothing of a bad case is imported
        app = App.open(project_root, "tester", database_url)
        assert count(app, tables.cases) == 0
        app.close()


def test_a_raw_control_character_is_one_clear_message(project_root: Path, database_url):
    assert run(project_root, "db", "upgrade").exit_code == 0
    case_file = project_root / "cases" / "CE-2026-0001.yaml"
    case_file.write_text(case_file.read_text(encoding="utf-8").replace(
        "Front yard", "Front\x07yard"), encoding="utf-8")
    result = run(project_root, "cases", "import", str(case_file))
    assert result.exit_code == 2
    assert "CE-2026-0001.yaml" in result.stderr and "control character" in result.stderr


@pytest.mark.parametrize(("name", "content", "said"), [
    ("a.html", b"<html><script>alert(1)</script></html>", "image"),
    ("page.jpg", b"<html><script>alert(1)</script></html>", "image"),  # the name says nothing
    ("moving.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "image (it is GIF)"),
])
def test_a_photo_that_is_not_an_image_is_refused_by_check_and_import(
        name, content, said, project_root: Path, database_url):
    (project_root / "cases" / "photos" / name).write_bytes(content)
    case_file = project_root / "cases" / "CE-2026-0001.yaml"
    changed = case_file.read_text(encoding="utf-8").replace("photos/yard.jpg", f"photos/{name}")
    case_file.write_text(changed, encoding="utf-8")
    assert run(project_root, "db", "upgrade").exit_code == 0
    where = f"CE-2026-0001.yaml:{_line_of(changed, name)}: violations[0].photos[0]: photo "
    for command in ("check", ["cases", "import"]):
        result = run(project_root, *([command] if isinstance(command, str) else command),
                     str(project_root / "cases"))
        assert result.exit_code == 2, result.output
        assert where in result.stderr and f"is not a JPEG, PNG, HEIC or WebP {said}" \
            in result.stderr, result.stderr
    app = App.open(project_root, "tester", database_url)
    assert count(app, tables.cases) == 0
    app.close()


# -- the event log is what the ladder reads -----------------------------------------------

def test_a_case_under_a_vca_is_not_renoticed(examples: App):
    result = run(examples.root, "next", "CE-2026-0171", "--as-of", "2026-11-25")
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if " nov " in line)
    assert "not now" in line
    assert "voluntary compliance agreement" in result.output
    assert "December 4, 2026" in result.output
    refused = run(examples.root, "batch", "CE-2026-0171", "--mail-date", "2026-11-25",
                  "--batch-id", "vca-test", "--reservice", "new_owner")
    assert refused.exit_code == 2
    assert "VIII.C.2" in refused.stderr
    assert count(examples, tables.mail_pieces) == 0


def test_an_issued_warning_is_on_file_at_once(recorded_root: Path, app: App):
    before = run(recorded_root, "next", "CE-2026-0001", "--as-of", "2026-11-20")
    assert "may issue  nov" in before.output
    done = issue(app, "nov", "CE-2026-0001", datetime(2026, 11, 20, 9, 0), variant="letter")
    assert done.new
    after = run(recorded_root, "next", "CE-2026-0001", "--as-of", "2026-11-21")
    nov_line = next(line for line in after.output.splitlines() if " nov " in line)
    assert "not now" in nov_line and "November 20, 2026" in nov_line
    with app.record.read() as c:
        event = c.execute(select(tables.events).where(tables.events.c.kind == "nov")
                          ).mappings().one()
        person = c.execute(select(tables.people.c.name).where(
            tables.people.c.id == event["actor_id"])).scalar()
    assert event["document_id"] == done.document.document_id
    assert person == "tester"
    assert event["data"]["deadline"] == done.document.deadline.on.isoformat()
    # The same document again: nothing new is recorded.
    again = issue(app, "nov", "CE-2026-0001", datetime(2026, 11, 20, 9, 0), variant="letter",
                  reservice="returned_undeliverable")
    assert not again.new
    assert count(app, tables.documents) == 1


def test_a_closed_case_export_keeps_its_issued_events(recorded_root: Path, app: App,
                                                      tmp_path: Path):
    issue(app, "warning", "CE-2026-0001", datetime(2026, 11, 6, 9, 0), variant="letter")
    (path,) = export_cases(app, ["CE-2026-0001"], tmp_path / "x")
    history = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)["history"]
    issued = [h for h in history if h.get("document")]
    assert len(issued) == 1 and issued[0]["action"] == "warning_notice"
    again = import_cases(app, [path])
    assert again[0].state == "unchanged" and again[0].events_added == 0


# -- a lost or damaged record -------------------------------------------------------------

def test_no_record_yet_says_how_to_make_one(project_root: Path, database_url):
    result = run(project_root, "next", "CE-2026-0001")
    assert result.exit_code == 4
    assert "there is no record yet" in result.stderr
    assert "noticegen db upgrade" in result.stderr


def _issue_something(root: Path) -> None:
    result = run(root, "render", "warning", "CE-2026-0001", "--variant", "letter",
                 "--issued", "2026-11-06 09:00")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("loss", ["deleted", "emptied", "replaced"])
def test_a_lost_database_stops_issuing(recorded_root: Path, loss: str):
    if os.environ.get("NOTICEGEN_TEST_DATABASE") == "postgresql":
        pytest.skip("the database file is SQLite's")
    _issue_something(recorded_root)
    db = recorded_root / "var" / "record.sqlite"
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    if loss == "deleted":
        db.unlink()
    elif loss == "emptied":
        db.write_bytes(b"")
    else:
        db.unlink()
        assert run(recorded_root, "db", "upgrade").exit_code == 0
        assert run(recorded_root, "cases", "import",
                   str(recorded_root / "cases")).exit_code == 0
    result = run(recorded_root, "render", "warning", "CE-2026-0001", "--variant", "letter",
                 "--issued", "2026-11-07 09:00")
    assert result.exit_code == 4, result.output
    assert "nothing is issued on a lost record" in result.stderr
    assert "--accept-empty-record" in result.stderr


def test_accepting_an_empty_record_is_recorded(recorded_root: Path, database_url):
    if database_url:
        pytest.skip("the database file is SQLite's")
    _issue_something(recorded_root)
    db = recorded_root / "var" / "record.sqlite"
    db.unlink()
    assert run(recorded_root, "db", "upgrade").exit_code == 0
    assert run(recorded_root, "cases", "import", str(recorded_root / "cases")).exit_code == 0
    result = run(recorded_root, "db", "init", "--accept-empty-record")
    assert result.exit_code == 0, result.output
    _issue_something(recorded_root)
    app = App.open(recorded_root, "tester")
    with app.record.read() as c:
        decided = c.execute(select(tables.decisions.c.decision)).scalars().all()
    app.close()
    assert "accept-empty-record" in decided


def test_a_damaged_blob_is_refused_by_name(recorded_root: Path, app: App):
    record = load_case(app, "CE-2026-0001")
    photo = record.case.violations[0].photos[0].file
    os.chmod(photo, 0o644)
    photo.write_bytes(photo.read_bytes()[:100])
    result = run(recorded_root, "render", "nov", "CE-2026-0001", "--issued", "2026-11-20 09:00")
    assert result.exit_code == 4
    assert photo.name[:16] in result.stderr and "does not match its SHA-256" in result.stderr
    check = run(recorded_root, "db", "check")
    assert check.exit_code == 1
    assert "does not match its SHA-256" in check.stderr


def test_db_check_and_backup(recorded_root: Path, app: App, tmp_path: Path):
    _issue_something(recorded_root)
    result = run(recorded_root, "db", "check")
    assert result.exit_code == 0, result.output
    assert "ok: the record adds up" in result.output
    if app.record.sqlite_file is None:
        backup = run(recorded_root, "db", "backup", str(tmp_path / "b.sqlite"))
        assert backup.exit_code != 0 and "pg_dump" in backup.stderr
        return
    backup = run(recorded_root, "db", "backup", str(tmp_path / "b.sqlite"))
    assert backup.exit_code == 0, backup.output
    with sqlite3.connect(tmp_path / "b.sqlite") as copy:
        assert copy.execute("SELECT count(*) FROM documents").fetchone()[0] == 1
    again = run(recorded_root, "db", "backup", str(tmp_path / "b.sqlite"))
    assert again.exit_code != 0 and "already exists" in again.stderr


def test_the_record_refuses_updates_and_deletes(app: App):
    from noticegen.record import RecordError

    for statement in ("UPDATE case_revisions SET revision = 9",
                      "DELETE FROM events"):
        with pytest.raises(RecordError, match="append-only"), app.record.transaction() as c:
            c.execute(text(statement))


# -- no traceback: a full disk, a damaged SQLite file, an unreachable server ---------------

def test_a_damaged_sqlite_file_is_one_clear_message(recorded_root: Path, database_url):
    if database_url:
        pytest.skip("SQLite only")
    db = recorded_root / "var" / "record.sqlite"
    run(recorded_root, "db", "check")
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 300)
    result = run(recorded_root, "next", "CE-2026-0001")
    assert result.exit_code == 4
    assert "damaged" in result.stderr or "not a database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 2  # the message and its hint


def test_an_unreachable_postgresql_is_one_clear_message(project_root: Path, monkeypatch):
    monkeypatch.setenv("NOTICEGEN_DATABASE_URL",
                       "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=2")
    result = run(project_root, "next", "CE-2026-0001")
    assert result.exit_code == 4
    assert "cannot reach the record's database server" in result.stderr
    assert "NOTICEGEN_DATABASE_URL" in result.stderr


def test_a_full_disk_is_one_clear_message(recorded_root: Path, monkeypatch):
    """The disk fills while the document's file is written: a clean message, nothing
    recorded, no half-written file."""
    import errno

    import noticegen.files as files

    real = os.fsync

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    result = run(recorded_root, "render", "warning", "CE-2026-0001", "--variant", "letter",
                 "--issued", "2026-11-06 09:00")
    monkeypatch.setattr(files.os, "fsync", real)
    assert result.exit_code == 5, result.output
    assert "the disk is full" in result.stderr
    assert not [p for p in (recorded_root / "var" / "blobs").rglob("*.part")]
    app = App.open(recorded_root, "tester", os.environ.get("NOTICEGEN_DATABASE_URL"))
    assert count(app, tables.documents) == 0
    app.close()


def test_a_stopped_postgresql_mid_run_is_one_clear_message(project_root: Path, monkeypatch):
    """A database that answered when the command started and went away: no traceback."""
    from noticegen.record import Record, RecordError

    record = Record("postgresql+psycopg://postgres@127.0.0.1:1/gone?connect_timeout=1")
    with pytest.raises(RecordError, match="cannot reach"):
        record.revision()
    assert date.today()  # the message is the whole story


def test_a_server_gone_mid_transaction_is_one_clear_message(app: App, database_url):
    """PostgreSQL stops (here: ends this connection) in the middle of a transaction: a clear
    message, and nothing of the transaction is recorded."""
    if not database_url:
        pytest.skip("PostgreSQL only")
    from sqlalchemy import create_engine, insert

    from noticegen.record import RecordError

    admin = create_engine(os.environ["NOTICEGEN_TEST_POSTGRES_URL"], isolation_level="AUTOCOMMIT")
    with pytest.raises(RecordError, match="cannot reach"), app.record.transaction() as c:
        c.execute(insert(tables.people).values(name="half-written", created_at=datetime.now()))
        pid = c.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as other:
            other.execute(text(f"SELECT pg_terminate_backend({pid})"))
        c.execute(select(tables.people.c.id))
    admin.dispose()
    with app.record.read() as c:
        assert not c.execute(select(tables.people).where(
            tables.people.c.name == "half-written")).first()


def _numbers(app: App) -> list[str]:
    with app.record.read() as c:
        return list(c.execute(select(tables.mail_pieces.c.article_number)).scalars())


def test_a_restored_older_backup_never_reuses_a_number(recorded_root: Path, database_url,
                                                       tmp_path: Path):
    """Back up, mail a batch, restore the older backup: issuing stops until someone decides;
    then the next numbers continue past every number mailed, never reusing one."""
    if database_url:
        pytest.skip("restores a SQLite file")
    from noticegen.service import mail_batch

    backup = tmp_path / "before.sqlite"
    assert run(recorded_root, "db", "backup", str(backup)).exit_code == 0
    app = App.open(recorded_root, "tester")
    mail_batch(app, ["CE-2026-0001"], "nov", date(2026, 11, 25), "first", workers=1)
    first = _numbers(app)
    app.close()
    db = recorded_root / "var" / "record.sqlite"
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    shutil.copyfile(backup, db)
    again = run(recorded_root, "batch", "CE-2026-0001", "--mail-date", "2026-11-27",
                "--batch-id", "second")
    assert again.exit_code == 4, again.output
    assert "older than what was mailed" in again.stderr
    assert "--accept-older-record" in again.stderr
    decided = run(recorded_root, "db", "init", "--accept-older-record")
    assert decided.exit_code == 0, decided.output
    again = run(recorded_root, "batch", "CE-2026-0001", "--mail-date", "2026-11-27",
                "--batch-id", "second")
    assert again.exit_code == 0, again.output
    app = App.open(recorded_root, "tester")
    second = _numbers(app)
    app.close()
    assert second and not set(second) & set(first)
    assert min(int(n[-8:-1]) for n in second) > max(int(n[-8:-1]) for n in first)


def test_a_yaml_alias_bomb_is_refused_before_it_expands(project_root: Path, database_url):
    assert run(project_root, "db", "upgrade").exit_code == 0
    bomb = project_root / "cases" / "bomb.yaml"
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]"
              for i in range(8)]
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(project_root, "cases", "import", str(bomb))
    assert result.exit_code == 2
    assert "bomb.yaml:2" in result.stderr and "YAML alias '*a' is not accepted" in result.stderr
