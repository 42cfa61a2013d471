"""The tracking store: event transitions, service and deemed delivery, deadlines that move with
delivery, imports, concurrency, upgrades from the first schema, verification."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from noticegen.cli import cli
from noticegen.project import load_project
from noticegen.tracking import Store, TrackingError, TransitionError
from noticegen.tracking.report import followups, piece_report
from noticegen.tracking.schema import CURRENT
from noticegen.tracking.service import EVENTS, TRANSITIONS

FIXTURES = Path(__file__).parent / "fixtures"
MAILED = date(2026, 11, 16)  # a Monday
ARTICLE = "9292391234567800000013"


def _urls() -> list[str]:
    urls = ["sqlite"]
    if os.environ.get("NOTICEGEN_TEST_POSTGRES_URL"):
        urls.append("postgresql")
    return urls


@pytest.fixture(params=_urls())
def store_url(request, tmp_path: Path) -> str:
    """A fresh, empty store: a SQLite file, or (when configured) a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url = os.environ["NOTICEGEN_TEST_POSTGRES_URL"]
    store = Store(url)
    with store.engine.begin() as c:
        c.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    store.close()
    return url


def _mail(store: Store, ordinance: str = "TB-34-2", article: str = ARTICLE,
          case: str = "CE-2026-0001") -> None:
    doc = f"{case}-NOV-{article[-6:]}"
    store.record(
        [{"id": doc, "case_number": case, "document_type": "nov", "recipient": "owner",
          "recipient_role": "owner", "template_id": "nov-letter", "template_version": 1,
          "sha256": "a" * 64, "issued_at": datetime(2026, 11, 16, 6, tzinfo=UTC),
          "delivery": "certified_mail", "batch_id": "b1", "violations": [["v1", ordinance]],
          "deadline": None, "follow_up_due": None, "file": "packets/0001.pdf"}],
        {"id": "b1", "document_type": "nov", "mail_date": MAILED, "pieces": 1,
         "record_sha256": "b" * 64} if not store.pieces() else None,
        [{"article_number": article, "document_id": doc, "batch_id": "b1", "line": 1,
          "service": "Certified Mail", "postage": Decimal("0.78"), "fees": Decimal("9.70"),
          "mailing_date": MAILED, "addressee": "José Muñoz",
          "address": "PO Box 88, Tom Bean, TX 75489", "packet_sha256": "c" * 64}])


@pytest.fixture
def store(store_url):
    s = Store(store_url)
    s.upgrade()
    _mail(s)
    yield s
    s.close()


def test_a_recorded_piece_is_mailed_once(store):
    _mail(store)  # recording the same batch again adds nothing
    [piece] = store.pieces()
    assert piece.status == "mailed"
    assert [e.status for e in piece.events] == ["mailed"]


def _walk_to(store: Store, status: str | None) -> None:
    """Bring the fixture piece to `status` by a legal path."""
    path = {None: [], "mailed": [], "in_transit": ["in_transit"],
            "notice_left": ["notice_left"], "delivered": ["delivered"],
            "unclaimed": ["notice_left", "unclaimed"], "refused": ["refused"],
            "returned_undeliverable": ["returned_undeliverable"],
            "return_receipt": ["delivered", "return_receipt"]}[status]
    for step in path:
        store.add_event(ARTICLE, step, date(2026, 11, 18), "test",
                        signer="J. Muñoz" if step == "return_receipt" else None)


TRANSITION_CASES = [(before, after, after in TRANSITIONS[before])
                    for before in TRANSITIONS if before is not None for after in EVENTS]


@pytest.mark.parametrize(("before", "after", "allowed"), TRANSITION_CASES,
                         ids=[f"{b}->{a}" for b, a, _ in TRANSITION_CASES])
def test_every_event_transition(store, before, after, allowed):
    _walk_to(store, before)
    signer = "J. Muñoz" if after == "return_receipt" else None
    if allowed:
        store.add_event(ARTICLE, after, date(2026, 11, 20), "test", signer=signer)
        assert store.pieces()[0].status == after
    else:
        with pytest.raises(TransitionError, match="cannot become"):
            store.add_event(ARTICLE, after, date(2026, 11, 20), "test", signer=signer)
        store.add_event(ARTICLE, after, date(2026, 11, 20), "test", signer=signer,
                        correction=True, detail="entered in error before")
        piece = store.pieces()[0]
        assert piece.status == after and piece.events[-1].correction


def test_unknown_article_and_unsigned_receipt_are_refused(store):
    with pytest.raises(TrackingError, match="no mail piece"):
        store.add_event("9400111201080805483016", "delivered", MAILED, "test")
    with pytest.raises(TrackingError, match="who signed"):
        store.add_event(ARTICLE, "return_receipt", MAILED, "test")


def test_records_are_never_deleted_corrections_are_new_events(store):
    store.add_event(ARTICLE, "delivered", date(2026, 11, 18), "clerk")
    store.add_event(ARTICLE, "returned_undeliverable", date(2026, 11, 25), "clerk",
                    correction=True, detail="delivered was keyed against the wrong piece")
    assert [e.status for e in store.pieces()[0].events] == [
        "mailed", "delivered", "returned_undeliverable"]


# Mailed Mon Nov 16, 2026; TB-34-2 (weeds) allows 7 days; TB-34-5 (open storage) 10 days.

def test_deadline_presumed_then_moved_by_the_delivery_date(store, repo_project):
    catalog, settings = repo_project.catalog, repo_project.settings
    presumed = piece_report(store.pieces()[0], catalog, settings)
    assert presumed.service.state == "pending"
    # presumed served Thu Nov 19 (+3) -> +7 = Thu Nov 26, Thanksgiving -> Fri 27 (holiday)
    # -> Sat, Sun -> Mon Nov 30
    assert presumed.deadline.due_at.date() == date(2026, 11, 30)
    store.add_event(ARTICLE, "delivered", date(2026, 11, 23), "clerk")
    delivered = piece_report(store.pieces()[0], catalog, settings)
    assert delivered.service.state == "served" and delivered.service.on == date(2026, 11, 23)
    assert delivered.deadline.due_at.date() == date(2026, 11, 30)  # Mon 23 + 7 = Mon 30
    store.add_event(ARTICLE, "return_receipt", date(2026, 11, 24), "clerk", signer="J. Muñoz",
                    receipt_number="9590940312345678901234")
    receipt = piece_report(store.pieces()[0], catalog, settings)
    assert receipt.service.on == date(2026, 11, 24)
    assert receipt.deadline.due_at.date() == date(2026, 12, 1)  # Tue 24 + 7 = Tue Dec 1
    assert store.pieces()[0].return_receipt_number == "9590940312345678901234"


@pytest.mark.parametrize("status", ["refused", "unclaimed"])
def test_refused_or_unclaimed_is_deemed_delivered_where_the_ordinance_allows(
        store, repo_project, status):
    catalog, settings = repo_project.catalog, repo_project.settings
    store.add_event(ARTICLE, "notice_left", date(2026, 11, 18), "clerk")
    store.add_event(ARTICLE, status, date(2026, 12, 3), "clerk")
    report = piece_report(store.pieces()[0], catalog, settings)
    assert report.service.state == "deemed_served"  # Health & Safety Code §342.006
    assert report.deadline.due_at.date() == date(2026, 12, 10)  # Thu Dec 3 + 7


@pytest.mark.parametrize("status", ["refused", "unclaimed", "returned_undeliverable"])
def test_other_returns_need_posting(store, repo_project, status):
    catalog, settings = repo_project.catalog, repo_project.settings
    second = "9292391234567800000020"
    _mail(store, ordinance="TB-34-5", article=second, case="CE-2026-0002")
    store.add_event(second, status, date(2026, 12, 3), "clerk")
    [piece] = store.pieces(case="CE-2026-0002")
    report = piece_report(piece, catalog, settings)
    assert report.service.state == "not_served" and report.service.needs_posting
    assert report.deadline is None
    due = followups(store, catalog, settings, date(2026, 12, 4))
    assert any(f.case_number == "CE-2026-0002" and "posting or publication" in f.what
               for f in due)


def test_followups_after_the_deadline(store, repo_project):
    catalog, settings = repo_project.catalog, repo_project.settings
    assert not followups(store, catalog, settings, date(2026, 11, 30))
    [due] = followups(store, catalog, settings, date(2026, 12, 1))
    assert due.case_number == "CE-2026-0001" and "VIII.D.2" in due.what


def test_the_first_schema_upgrades_with_its_records(tmp_path):
    db = tmp_path / "old.sqlite"
    shutil.copy(FIXTURES / "tracking-v1.sqlite", db)
    before = sqlite3.connect(db).execute("select count(*) from events").fetchone()[0]
    store = Store(f"sqlite:///{db}")
    assert store.version() == 1
    assert store.upgrade() == list(range(2, CURRENT + 1))
    assert store.version() == CURRENT
    pieces = store.pieces()
    assert [p.article_number for p in pieces] == ["9292391234567800000010",
                                                  "9292391234567800000020"]
    assert len(pieces[0].article_number) == 22
    assert [e.status for e in pieces[1].events] == ["mailed", "delivered"]
    assert store.event_count() == before
    assert len(store.documents()) == 2
    store.add_event(pieces[1].article_number, "return_receipt", date(2026, 11, 20), "clerk",
                    signer="Tenant", receipt_number="9590940312345678900000")
    assert store.pieces()[1].return_receipt_number == "9590940312345678900000"
    assert store.upgrade() == []  # upgrading again changes nothing
    store.close()


# -- the command line, on a real batch --------------------------------------------------------

@pytest.fixture(scope="module")
def mailed(tmp_path_factory):
    """A project with a finished two-case batch (4 pieces) and its store."""
    from test_batch import _batch, _project

    root = _project(tmp_path_factory.mktemp("tracked"), 2)
    mp = pytest.MonkeyPatch()
    mp.setenv("NOTICEGEN_HMAC_KEY", "test-key-not-secret")
    mp.delenv("NOTICEGEN_DB_URL", raising=False)
    _batch(root).run()
    mp.undo()
    return root


def _invoke(runner, root: Path, *args: str):
    return runner.invoke(cli, ["--root", str(root), *args])


def test_track_import_reports_unknown_rows(mailed, runner, tmp_path):
    project = load_project(mailed)
    from noticegen.tracking import open_store

    store = open_store(project.settings)
    articles = [p.article_number for p in store.pieces()]
    csv_file = tmp_path / "events.csv"
    csv_file.write_text("article_number,status,date,detail\n"
                        f"{articles[0]},in_transit,2026-11-26,Dallas hub\n"
                        "9400111201080805483016,delivered,2026-11-27,\n"
                        f"{articles[1]},delivered,27/11/2026,\n"
                        f"{articles[2]},teleported,2026-11-27,\n")
    result = _invoke(runner, mailed, "track", "import", str(csv_file), "--by", "clerk")
    assert result.exit_code == 2
    assert "1 event(s) recorded" in result.output
    assert f"{csv_file}:3: article_number: no mail piece with article number" in result.stderr
    assert f"{csv_file}:4: date:" in result.stderr
    assert f"{csv_file}:5: status: unknown mail event 'teleported'" in result.stderr
    assert store.pieces(article=articles[0])[0].status == "in_transit"
    store.close()


def test_track_event_receipt_list_export(mailed, runner):
    from noticegen.tracking import open_store

    store = open_store(load_project(mailed).settings)
    article = store.pieces()[3].article_number
    store.close()
    assert _invoke(runner, mailed, "track", "event", article, "delivered", "--date",
                   "2026-11-28").exit_code == 0
    result = _invoke(runner, mailed, "track", "receipt", article, "--signed-by", "T. Number",
                     "--date", "2026-11-28")
    assert result.exit_code == 0, result.output
    listed = _invoke(runner, mailed, "track", "list", "--status", "return_receipt")
    assert "return receipt signed by T. Number" in listed.output
    exported = _invoke(runner, mailed, "track", "export")
    assert exported.exit_code == 0
    assert "2026-11-28 delivered; 2026-11-28 return_receipt" in exported.output
    bad = _invoke(runner, mailed, "track", "event", article, "in_transit")
    assert bad.exit_code == 2 and "cannot become 'in_transit'" in bad.stderr


def test_verify_a_packet_a_copy_and_a_link(mailed, runner, tmp_path):
    folder = mailed / "out" / "b1"
    packet = next((folder / "packets").glob("*.pdf"))
    result = _invoke(runner, mailed, "verify", str(packet))
    assert result.exit_code == 0 and "MATCH" in result.output and "mail packet" in result.output
    copy = next((folder / "file-copies").glob("*.pdf"))
    assert "MATCH" in _invoke(runner, mailed, "verify", str(copy)).output
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(packet.read_bytes() + b"\n% altered")
    result = _invoke(runner, mailed, "verify", str(tampered))
    assert result.exit_code == 1 and "NO MATCH" in result.output
    import json

    from noticegen.render.identity import verification_url

    record = json.loads((folder / "batch.json").read_text())
    doc_id = record["pieces"][0]["document_id"]
    project = load_project(mailed)
    url = verification_url(project.settings.verification.base_url, b"test-key-not-secret",
                           doc_id)
    ok = _invoke(runner, mailed, "verify", url)
    assert ok.exit_code == 0 and "signature valid" in ok.output and doc_id in ok.output
    forged = _invoke(runner, mailed, "verify", url[:-4] + "0000")
    assert forged.exit_code == 2 and "does not match" in forged.stderr


@pytest.mark.slow
def test_two_importers_and_a_batch_at_once_lose_nothing(tmp_path):
    """Two processes import events while a third runs another batch on the same store."""
    from test_batch import _batch, _project

    root = _project(tmp_path, 6)
    env = {**os.environ, "NOTICEGEN_HMAC_KEY": "test-key-not-secret"}
    env.pop("NOTICEGEN_DB_URL", None)
    _batch(root, "first").run()
    from noticegen.tracking import open_store

    store = open_store(load_project(root).settings)
    articles = [p.article_number for p in store.pieces()]
    before = store.event_count()
    files = []
    for index, half in enumerate((articles[::2], articles[1::2])):
        rows = ["article_number,status,date"]
        for article in half:
            rows += [f"{article},in_transit,2026-11-26", f"{article},notice_left,2026-11-27",
                     f"{article},delivered,2026-11-28"]
        path = tmp_path / f"import-{index}.csv"
        path.write_text("\n".join(rows) + "\n")
        files.append(path)
    base = [sys.executable, "-m", "noticegen", "--root", str(root)]
    procs = [subprocess.Popen([*base, "track", "import", str(f), "--by", f"clerk{n}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n, f in enumerate(files)]
    procs.append(subprocess.Popen([*base, "batch", str(root / "cases"), "--mail-date",
                                   "2026-11-30", "--batch-id", "second"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    for proc in procs:
        _out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err
    assert store.event_count() == before + 3 * len(articles) + len(articles)
    assert all(p.status == "delivered" for p in store.pieces() if p.batch_id == "first")
    assert len([p for p in store.pieces() if p.batch_id == "second"]) == len(articles)
    store.close()
