"""Mail pieces in the record: event transitions and corrections, service and deemed delivery,
the date the record acts on (never before the one printed on the notice), carriers' CSV
imports, export, verification, and a schema that only `noticegen db upgrade` changes."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import CASE_TEXT, REPO, fresh_database, make_photo
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from test_article_numbers import record_pieces

from noticegen.cli import cli
from noticegen.mail.article_numbers import is_valid, printed
from noticegen.record.db import head
from noticegen.record.numbers import ensure_sequence, lock, next_numbers
from noticegen.record.tables import documents, events, mail_pieces
from noticegen.rules import OfficeCalendar
from noticegen.rules.deadlines import long_date_with_weekday
from noticegen.service import (
    App,
    TrackingError,
    add_event,
    due,
    mail_batch,
    pieces,
    reports,
    verify_file,
    verify_link,
)
from noticegen.tracking import PieceRecord, TransitionError
from noticegen.tracking.report import followups
from noticegen.tracking.service import EVENTS, TRANSITIONS

MAILED = date(2026, 11, 25)  # a Wednesday
PRINTED = date(2026, 12, 7)
"""What an NOV for weeds (TB-34-2) mailed on MAILED prints: see
test_the_printed_deadline_is_what_the_record_acts_on for the real notice and the reasoning."""
UNKNOWN = "9400111201080805483016"  # a valid article number on no piece


def mail(app: App, violations: tuple[tuple[str, str], ...] = (("v1", "TB-34-2"),),
         printed_on: date | None = PRINTED, **piece: str) -> str:
    """One NOV mailed on MAILED, written into the record as a batch would (without rendering
    it): its notice prints `printed_on`; returns its article number."""
    source = app.project.settings.mail.article_numbers
    with app.transaction() as (c, actor):
        ensure_sequence(c, source, actor)
        lock(c, source)
        numbers = next_numbers(c, source, 1)
        record_pieces(c, actor, numbers, document={
            "violations": [list(v) for v in violations],
            "deadline": f"on or before {long_date_with_weekday(printed_on)}"
            if printed_on else None, "deadline_on": printed_on}, piece=piece)
    return numbers[0].article


def the_piece(app: App, article: str) -> PieceRecord:
    [found] = pieces(app, article=article)
    return found


# --- transitions ------------------------------------------------------------------------------

WALK = {"mailed": [], "in_transit": ["in_transit"], "notice_left": ["notice_left"],
        "delivered": ["delivered"], "unclaimed": ["notice_left", "unclaimed"],
        "refused": ["refused"], "returned_undeliverable": ["returned_undeliverable"],
        "return_receipt": ["delivered", "return_receipt"]}
"""A legal path from 'mailed' to each status."""


def _signer(status: str) -> str | None:
    return "J. Muñoz" if status == "return_receipt" else None


def test_every_status_is_reachable_and_every_event_is_known() -> None:
    assert set(WALK) == set(EVENTS) and set(TRANSITIONS) == {None, *EVENTS}


@pytest.mark.parametrize("before", list(WALK))
def test_every_event_transition(app, before) -> None:
    """From each status, every event: the allowed ones are recorded; the others are refused
    and change nothing, and go in only as an explicit correction."""
    for after in EVENTS:
        article = mail(app)
        for step in WALK[before]:
            add_event(app, article, step, date(2026, 11, 27), signer=_signer(step))
        history = the_piece(app, article).events
        assert history[-1].status == before
        if after in TRANSITIONS[before]:
            add_event(app, article, after, date(2026, 11, 30), signer=_signer(after))
            assert the_piece(app, article).status == after, (before, after)
            continue
        with pytest.raises(TransitionError, match=f"cannot become '{after}'") as caught:
            add_event(app, article, after, date(2026, 11, 30), signer=_signer(after))
        assert caught.value.exit_code == 2 and "--correction" in (caught.value.hint or "")
        assert the_piece(app, article).events == history, (before, after)
        add_event(app, article, after, date(2026, 11, 30), signer=_signer(after),
                  correction=True, detail="entered in error before")
        piece = the_piece(app, article)
        assert piece.status == after and piece.events[-1].correction, (before, after)
        assert piece.events[:-1] == history


def test_unknown_article_unknown_status_and_unsigned_receipt_are_refused(app) -> None:
    article = mail(app)
    with pytest.raises(TrackingError, match="no mail piece"):
        add_event(app, UNKNOWN, "delivered", MAILED)
    with pytest.raises(TransitionError, match="unknown mail event 'teleported'"):
        add_event(app, article, "teleported", MAILED)
    with pytest.raises(TrackingError, match="who signed"):
        add_event(app, article, "return_receipt", MAILED)
    with pytest.raises(TrackingError, match="before the piece was mailed"):
        add_event(app, article, "delivered", MAILED - timedelta(days=1))
    assert [e.status for e in the_piece(app, article).events] == ["mailed"]


def test_records_are_never_deleted_corrections_are_new_events(app) -> None:
    article = mail(app)
    add_event(app, article, "delivered", date(2026, 11, 30))
    add_event(app, article, "returned_undeliverable", date(2026, 12, 2), correction=True,
              detail="delivered was keyed against the wrong piece")
    piece = the_piece(app, article)
    assert [(e.status, e.correction) for e in piece.events] == [
        ("mailed", False), ("delivered", False), ("returned_undeliverable", True)]
    [report] = reports(app, article=article)
    assert report.service.needs_posting  # the correction is what the record now acts on


# --- service and the date the record acts on ---------------------------------------------------
# Mailed Wed Nov 25, 2026; TB-34-2 (weeds) allows 7 days and counts refusal as service;
# TB-34-5 (open storage) allows 10 days and does not. The NOV printed Monday, December 7.

def test_before_delivery_the_printed_date_is_acted_on(app) -> None:
    [report] = reports(app, article=mail(app))
    assert report.service.state == "pending"
    assert report.acts_on == PRINTED and report.why == "the date printed on the notice"


def test_a_delivery_no_later_than_presumed_keeps_the_printed_date(app) -> None:
    article = mail(app)
    add_event(app, article, "delivered", date(2026, 11, 30))  # Mon + 7 = Mon Dec 7
    [report] = reports(app, article=article)
    assert report.service.state == "served" and report.service.on == date(2026, 11, 30)
    assert report.acts_on == PRINTED


def test_a_later_return_receipt_moves_the_date(app) -> None:
    article = mail(app)
    add_event(app, article, "delivered", date(2026, 11, 30))
    add_event(app, article, "return_receipt", date(2026, 12, 1), signer="J. Muñoz",
              receipt_number="9590940312345678901234")
    [report] = reports(app, article=article)
    assert report.service.on == date(2026, 12, 1)
    assert report.acts_on == date(2026, 12, 8)  # Tue Dec 1 + 7 = Tue Dec 8
    assert report.why.startswith("served later than the notice presumed")
    assert "after the printed December 7, 2026" in report.why
    assert report.piece.return_receipt_number == "9590940312345678901234"


@pytest.mark.parametrize("status", ["refused", "unclaimed"])
def test_refused_or_unclaimed_is_deemed_delivered_where_the_ordinance_allows(app, status):
    article = mail(app)
    add_event(app, article, "notice_left", date(2026, 11, 27))
    add_event(app, article, status, date(2026, 12, 3))
    [report] = reports(app, article=article)
    assert report.service.state == "deemed_served"  # Health & Safety Code §342.006
    assert report.service.on == date(2026, 12, 3)
    assert report.acts_on == date(2026, 12, 10)  # Thu Dec 3 + 7


@pytest.mark.parametrize("violations", [(("v1", "TB-34-5"),),
                                        (("v1", "TB-34-2"), ("v2", "TB-34-5"))],
                         ids=["storage", "weeds-and-storage"])
@pytest.mark.parametrize("status", ["refused", "unclaimed", "returned_undeliverable"])
def test_other_returns_need_posting(app, status, violations) -> None:
    # printed: presumed served Sat Nov 28 + 7 (weeds) = Sat Dec 5 -> Mon Dec 7; storage alone
    # + 10 = Tue Dec 8
    article = mail(app, violations, printed_on=PRINTED if len(violations) == 2 else
                   date(2026, 12, 8))
    add_event(app, article, status, date(2026, 12, 3))
    [report] = reports(app, article=article)
    assert report.service.state == "not_served" and report.service.needs_posting
    assert report.acts_on is None
    found = [f for f in due(app, date(2026, 12, 4)) if article in f.what]
    assert len(found) == 1 and "posting or publication" in found[0].what
    reason = "returned_undeliverable" if status == "returned_undeliverable" else "refused_posted"
    assert found[0].due == date(2026, 12, 3) and f"--reservice {reason}" in found[0].what


def test_followups_only_after_the_date_acted_on(app) -> None:
    mail(app)
    assert due(app, PRINTED) == []  # the owner has all of December 7
    [found] = due(app, PRINTED + timedelta(days=1))
    assert found.case_number == "CE-2026-0001" and found.due == PRINTED
    assert "VIII.D.2" in found.what and "(service presumed)" in found.what


def test_a_closed_case_is_due_its_six_month_check(app) -> None:
    source = app.project.settings.mail.article_numbers
    with app.transaction() as (c, actor):
        ensure_sequence(c, source, actor)
        record_pieces(c, actor, next_numbers(c, source, 1),
                      document={"follow_up_due": date(2027, 6, 1)})
    assert [f.what for f in due(app, date(2027, 5, 31))
            if "six-month" in f.what] == []
    [check] = [f for f in due(app, date(2027, 6, 1)) if "six-month" in f.what]
    assert check.case_number == "CE-2026-0001" and "XIII.D" in check.what


# --- the command line: import and export ------------------------------------------------------

def _invoke(root: Path, *args: str) -> Result:
    """The CLI over `root`; the database is the one the test's fixtures selected (conftest's
    database_url sets NOTICEGEN_DATABASE_URL, or removes it for SQLite)."""
    return CliRunner().invoke(cli, ["--root", str(root), *args])


def test_track_import_records_what_it_can_and_reports_the_rest_by_line(app, recorded_root,
                                                                       tmp_path) -> None:
    ok, bad = mail(app), mail(app)
    csv_file = tmp_path / "events.csv"
    csv_file.write_text(
        "article_number,status,date,signed_by,detail\n"
        f"{ok},in_transit,2026-11-26,,\"Dallas hub,\nsorted late\"\n"  # 2-3: recorded
        f"{UNKNOWN},delivered,2026-11-27,,\n"                   # 4
        "\n"                                                    # 5: blank
        f"{bad},delivered,27/11/2026,,\n"                       # 6
        f"{bad},teleported,2026-11-27,,\n"                      # 7
        f"{bad},return_receipt,2026-11-28,,\n"                  # 8
        f"{bad},delivered,2026-11-20,,\n"                       # 9: before it was mailed
        f"{ok},mailed,2026-11-28,,\n"                           # 10
        f"{printed(ok)},delivered,2026-11-28,,\n",              # 11: recorded (as printed)
        encoding="utf-8")
    result = _invoke(recorded_root, "track", "import", str(csv_file))
    assert result.exit_code == 2, result.output
    assert f"2 events recorded from {csv_file}" in result.output
    for line, field, message in [
            (4, "article_number", f"no mail piece with article number {UNKNOWN}"),
            (6, "date", "'27/11/2026' is not a date"),
            (7, "status", "unknown mail event 'teleported'"),
            (8, "signed_by", "a return receipt records who signed it"),
            (9, "date", "delivered on 2026-11-20 is before the piece was mailed (2026-11-25)"),
            (10, "status", "a piece that is 'in_transit' cannot become 'mailed'")]:
        assert f"{csv_file}:{line}: {field}: {message}" in result.stderr, line
    assert not any(f"{csv_file}:{line}:" in result.stderr for line in (1, 2, 3, 5, 11))
    assert "6 problems found in the input" in result.stderr
    assert "Traceback" not in result.output
    assert [e.status for e in the_piece(app, ok).events] == ["mailed", "in_transit",
                                                             "delivered"]
    assert [e.status for e in the_piece(app, bad).events] == ["mailed"]


@pytest.mark.parametrize(("content", "where", "message"), [
    (b"article_number,status\n1,delivered\n", ":1: date: ", "missing column(s)"),
    (b"", ":1: article_number, status, date: ", "missing column(s)"),
    (b"article_number,status,date\n\xff\xfe,delivered,2026-11-27\n", ":2: ", "not UTF-8"),
], ids=["no-date-column", "empty", "not-utf8"])
def test_track_import_refuses_a_file_it_cannot_read(recorded_root, database_url, tmp_path,
                                                    content, where, message) -> None:
    csv_file = tmp_path / "events.csv"
    csv_file.write_bytes(content)
    result = _invoke(recorded_root, "track", "import", str(csv_file))
    assert result.exit_code == 2, result.output
    assert f"{csv_file}{where}" in result.stderr and message in result.stderr
    assert "internal error" not in result.stderr


def test_track_export_quotes_cells_a_spreadsheet_would_run(app, recorded_root) -> None:
    article = mail(app, addressee="=HYPERLINK(\"http://x.example\",\"open\")",
                   address="+1 Main St, Tom Bean, TX 75489", recipient="@owner")
    plain = mail(app)
    add_event(app, article, "delivered", date(2026, 11, 28))
    result = _invoke(recorded_root, "track", "export")
    assert result.exit_code == 0, result.output
    rows = {r["article_number"]: r for r in csv.DictReader(io.StringIO(result.output))}
    row = rows[article]
    assert row["addressee"] == "'=HYPERLINK(\"http://x.example\",\"open\")"
    assert row["address"] == "'+1 Main St, Tom Bean, TX 75489"
    assert row["recipient"] == "'@owner"
    assert row["events"] == "2026-11-25 mailed; 2026-11-28 delivered"
    assert row["printed_deadline"] == row["compliance_date"] == "2026-12-07"
    assert row["service"] == "served" and row["served_on"] == "2026-11-28"
    assert rows[plain]["addressee"] == "José Muñoz"
    assert not any(v.startswith(("=", "+", "-", "@")) for r in rows.values() for v in r.values())


def test_a_negative_looking_cell_is_quoted_too(app, recorded_root) -> None:
    article = mail(app, addressee="-2+3 Holdings LLC")
    result = _invoke(recorded_root, "track", "export")
    [row] = [r for r in csv.DictReader(io.StringIO(result.output))
             if r["article_number"] == article]
    assert row["addressee"] == "'-2+3 Holdings LLC"


# --- a real batch: the printed date, the command line, verification ---------------------------

@dataclass(frozen=True)
class Mailed:
    """A project whose record holds batch b1: an NOV for each of four cases (one piece each,
    to the owner), mailed MAILED. Each test uses its own case, so they can run in any order:
    CE-2026-0001 the track commands and verification, -0002 and -0003 the hand-worked
    example, -0004 the property over delivery dates."""

    root: Path
    url: str | None

    @contextmanager
    def app(self) -> Iterator[App]:
        opened = App.open(self.root, "tester", self.url)
        try:
            yield opened
        finally:
            opened.close()

    def cli(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--root", str(self.root), *args],
                                  env={"NOTICEGEN_DATABASE_URL": self.url})

    def article(self, case: str) -> str:
        with self.app() as app:
            [piece] = [p for p in pieces(app, case=case) if p.batch_id == "b1"]
        return piece.article_number


CASES = [f"CE-2026-000{n}" for n in range(1, 5)]


@pytest.fixture(scope="module")
def mailed(tmp_path_factory) -> Iterator[Mailed]:
    root = tmp_path_factory.mktemp("mailed") / "project"
    for folder in ("ordinances", "config", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    for number in CASES:
        (root / "cases" / f"{number}.yaml").parent.mkdir(parents=True, exist_ok=True)
        (root / "cases" / f"{number}.yaml").write_text(
            CASE_TEXT.replace("CE-2026-0001", number), encoding="utf-8")
    make_photo(root / "cases" / "photos" / "yard.jpg", datetime(2026, 11, 3, 10, 16))
    with fresh_database() as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("NOTICEGEN_HMAC_KEY", "test-key-not-secret")
        found = Mailed(root, url)
        for args in (["db", "upgrade"], ["cases", "import", str(root / "cases")]):
            result = found.cli(*args)
            assert result.exit_code == 0, result.output
        with found.app() as app:
            batch = mail_batch(app, CASES, "nov", MAILED, "b1", workers=1)
        assert batch.pieces == len(CASES) and not batch.already_complete
        mp.undo()
        yield found


@pytest.mark.record
def test_the_printed_deadline_is_what_the_record_acts_on(mailed) -> None:
    """Issue 12's example. The NOV was mailed Wednesday, November 25, 2026. The notice presumes
    service by mail 3 days later (mail_allowance_days), Saturday November 28; weeds (TB-34-2)
    get 7 days, so the last day is Saturday December 5, which is not a business day and rolls
    to Monday, December 7: the date printed on the notice. (Thursday and Friday Nov 26-27 are
    Thanksgiving and the day after, Texas holidays, but only the last day is rolled.)

    Delivered Friday November 27: counted from delivery the last day is Friday December 4,
    before the printed date, and the owner was told December 7, so the record acts on
    December 7 and nothing is due on December 5. Delivered Thursday December 3: the last day
    is Thursday December 10, after the printed date, so the record acts on December 10."""
    early, late = mailed.article("CE-2026-0002"), mailed.article("CE-2026-0003")
    with mailed.app() as app:
        for article in (early, late):
            piece = the_piece(app, article)
            assert piece.printed_on == date(2026, 12, 7)
            assert piece.printed_deadline.startswith(
                "on or before Monday, December 7, 2026, or within 7 days after the day you")
            assert piece.mailing_date == MAILED and MAILED.strftime("%A") == "Wednesday"
    assert mailed.cli("track", "event", early, "delivered", "--date", "2026-11-27"
                      ).exit_code == 0
    listed = mailed.cli("track", "list", "--case", "CE-2026-0002")
    assert listed.exit_code == 0, listed.output
    assert "service: delivered 2026-11-27" in listed.output
    assert "compliance date: December 7, 2026 (the date printed on the notice; counted " \
           "from delivered November 27, 2026 it would be December 4, 2026, but the owner " \
           "was given December 7, 2026)" in listed.output
    on_the_5th = mailed.cli("followups", "--as-of", "2026-12-05")
    assert on_the_5th.exit_code == 0 and "CE-2026-0002" not in on_the_5th.output
    assert "CE-2026-0002" not in mailed.cli("followups", "--as-of", "2026-12-07").output
    assert "CE-2026-0002  2026-12-07  compliance date 2026-12-07 has passed" in mailed.cli(
        "followups", "--as-of", "2026-12-08").output

    assert mailed.cli("track", "event", late, "delivered", "--date", "2026-12-03"
                      ).exit_code == 0
    listed = mailed.cli("track", "list", "--case", "CE-2026-0003").output
    assert "compliance date: December 10, 2026 (served later than the notice presumed " \
           "(delivered December 3, 2026): December 10, 2026, after the printed December 7, " \
           "2026)" in listed
    assert "CE-2026-0003" not in mailed.cli("followups", "--as-of", "2026-12-10").output
    assert "CE-2026-0003  2026-12-10" in mailed.cli("followups", "--as-of",
                                                    "2026-12-11").output


@pytest.mark.record
def test_a_delivery_before_the_mailing_date_is_refused(mailed) -> None:
    article = mailed.article("CE-2026-0004")
    result = mailed.cli("track", "event", article, "delivered", "--date", "2026-11-24")
    assert result.exit_code == 2
    assert "delivered on 2026-11-24 is before the piece was mailed (2026-11-25)" in \
        result.stderr
    with mailed.app() as app:
        assert the_piece(app, article).status == "mailed"


def _counted(on: date, calendar: OfficeCalendar) -> date:
    """Seven days (TB-34-2) after service; a last day the offices are closed rolls forward."""
    last = on + timedelta(days=7)
    return last if calendar.is_business_day(last) else calendar.next_business_day(last)


DELIVERIES = st.tuples(st.sampled_from(["delivered", "refused", "unclaimed", "return_receipt"]),
                       st.integers(0, 60))


@pytest.mark.record
def test_the_record_never_acts_before_the_printed_date(mailed) -> None:
    """For the real NOV of CE-2026-0004 and any delivery (or refusal, deemed delivery) on any
    day from its mailing to 60 days later, the date `track list` and `followups` act on is
    never before the date printed on the notice, and is later exactly when the deadline
    counted from that service is later than the one counted from the presumed service (which
    is the printed one). Each example is a new piece of that same notice."""
    with mailed.app() as app:
        [model] = [p for p in pieces(app, case="CE-2026-0004") if p.batch_id == "b1"]
        with app.record.read() as c:
            notice = dict(c.execute(select(documents).where(
                documents.c.id == model.document_id)).mappings().one())
        project = app.project
        calendar = OfficeCalendar(project.settings.calendar)
        presumed = MAILED + timedelta(days=project.settings.calendar.mail_allowance_days)
        assert model.printed_on == _counted(presumed, calendar) == PRINTED
        source = project.settings.mail.article_numbers

        @settings(max_examples=40, deadline=None)
        @given(DELIVERIES)
        @example(("delivered", 2)).via("hand-worked: Nov 27")
        @example(("delivered", 8)).via("hand-worked: Dec 3")
        @example(("refused", 0)).via("the mailing day")
        @example(("unclaimed", 60)).via("the last day")
        def run(delivery: tuple[str, int]) -> None:
            status, days = delivery
            on = MAILED + timedelta(days=days)
            with app.transaction() as (c, actor):
                numbers = next_numbers(c, source, 1)
                record_pieces(c, actor, numbers, case="CE-2026-0004", document={
                    k: notice[k] for k in ("violations", "deadline", "deadline_on",
                                           "template_id", "template_version")})
            article = numbers[0].article
            add_event(app, article, status, on, signer=_signer(status))
            [report] = reports(app, article=article)
            piece = report.piece
            assert piece.printed_on == PRINTED
            assert report.service.on == on
            assert report.acts_on is not None and report.acts_on >= piece.printed_on
            later = _counted(on, calendar) > _counted(presumed, calendar)
            assert (report.acts_on > piece.printed_on) == later
            assert report.acts_on == max(piece.printed_on, _counted(on, calendar))
            assert report.why.startswith("served later than the notice presumed" if later
                                         else "the date printed on the notice")
            if on <= presumed:
                assert report.acts_on == piece.printed_on
            # followups act on the same date: nothing due through it, due the day after
            catalog, agency = project.catalog, project.settings
            assert followups([piece], [], catalog, agency, report.acts_on) == []
            [found] = followups([piece], [], catalog, agency,
                                report.acts_on + timedelta(days=1))
            assert found.due == report.acts_on
            assert f"compliance date {report.acts_on.isoformat()} has passed" in found.what

        run()


@pytest.mark.record
def test_track_event_receipt_list_export(mailed) -> None:
    article = mailed.article("CE-2026-0001")
    assert mailed.cli("track", "event", printed(article), "delivered", "--date",
                      "2026-11-28").exit_code == 0
    result = mailed.cli("track", "receipt", article, "--signed-by", "T. Number", "--date",
                        "2026-11-28", "--receipt-number", "9590940312345678901234")
    assert result.exit_code == 0, result.output
    assert f"{printed(article)}: return receipt signed by T. Number" in result.output
    listed = mailed.cli("track", "list", "--status", "return_receipt")
    assert listed.exit_code == 0
    assert f"{printed(article)}  CE-2026-0001  José Muñoz (owner)  return_receipt" in \
        listed.output
    assert "service: return receipt signed by T. Number on 2026-11-28" in listed.output
    exported = mailed.cli("track", "export")
    assert exported.exit_code == 0
    [row] = [r for r in csv.DictReader(io.StringIO(exported.output))
             if r["article_number"] == article]
    assert row["events"] == "2026-11-25 mailed; 2026-11-28 delivered; 2026-11-28 return_receipt"
    assert row["batch"] == "b1" and row["printed_deadline"] == "2026-12-07"
    assert row["compliance_date"] == "2026-12-07"  # Sat Nov 28 + 7 = Sat Dec 5 -> Mon Dec 7
    bad = mailed.cli("track", "event", article, "in_transit")
    assert bad.exit_code == 2 and "cannot become 'in_transit'" in bad.stderr
    unknown = mailed.cli("track", "event", UNKNOWN, "delivered", "--date", "2026-11-28")
    assert unknown.exit_code == 2 and "no mail piece with article number" in unknown.stderr
    with mailed.app() as app:
        piece = the_piece(app, article)
    assert piece.return_receipt_number == "9590940312345678901234"
    assert [e.status for e in piece.events] == ["mailed", "delivered", "return_receipt"]


@pytest.mark.record
def test_verify_a_packet_a_copy_and_a_link(mailed, tmp_path) -> None:
    folder = mailed.root / "out" / "b1"
    packet = next((folder / "packets").glob("0001-CE-2026-0001-*.pdf"))
    result = mailed.cli("verify", str(packet))
    assert result.exit_code == 0, result.output
    assert "MATCH" in result.output and "mail packet" in result.output
    assert "case CE-2026-0001" in result.output
    copy = next((folder / "file-copies").glob("*-CE-2026-0001-*.pdf"))
    result = mailed.cli("verify", str(copy))
    assert result.exit_code == 0 and "MATCH" in result.output and "document" in result.output
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(packet.read_bytes() + b"\n% altered")
    result = mailed.cli("verify", str(tampered))
    assert result.exit_code == 1 and "NO MATCH" in result.output
    missing = mailed.cli("verify", str(tmp_path / "missing.pdf"))
    assert missing.exit_code == 1 and "no such file" in missing.stderr

    from noticegen.render.identity import verification_url

    record = json.loads((folder / "batch.json").read_text(encoding="utf-8"))
    doc_id = next(p["document_id"] for p in record["pieces"] if p["case"] == "CE-2026-0001")
    with mailed.app() as app:
        url = verification_url(app.project.settings.verification.base_url,
                               b"test-key-not-secret", doc_id)
        assert [d["id"] for d in verify_link(app, doc_id, url.rsplit("sig=", 1)[1]
                                             ).documents] == [doc_id]
        assert [p.document_id for p in verify_file(app, packet).pieces] == [doc_id]
    ok = mailed.cli("verify", url)
    assert ok.exit_code == 0 and "signature valid" in ok.output and doc_id in ok.output
    forged = mailed.cli("verify", url[:-4] + "0000")
    assert forged.exit_code == 2 and "does not match" in forged.stderr


# --- the schema: only `noticegen db upgrade` changes it ---------------------------------------

def _revision(root: Path, url: str | None) -> str | None:
    """The record's schema revision; None when there is no record (for SQLite: no file, or
    an empty one)."""
    app = App.open(root, "tester", url)
    try:
        return app.record.revision()  # None when there is no record
    finally:
        app.close()


def test_db_upgrade_creates_the_alembic_head(project_root, database_url) -> None:
    first = _invoke(project_root, "db", "upgrade")
    assert first.exit_code == 0, first.output
    assert f"schema (new) → {head()}" in first.output
    assert _revision(project_root, database_url) == head()
    again = _invoke(project_root, "db", "upgrade")
    assert again.exit_code == 0 and "nothing to do" in again.output


COMMANDS = [["track", "list"], ["track", "export"], ["followups", "--as-of", "2026-12-08"],
            ["track", "event", UNKNOWN, "delivered", "--date", "2026-11-28"]]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_a_command_without_a_record_says_to_run_db_upgrade(project_root, database_url,
                                                           command) -> None:
    result = _invoke(project_root, *command)
    assert result.exit_code == 4, result.output
    assert "there is no record yet" in result.stderr
    assert "noticegen db upgrade" in result.stderr
    assert _revision(project_root, database_url) is None  # nothing migrated by itself


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_a_record_at_an_older_revision_is_not_migrated_by_a_command(recorded_root, database_url,
                                                                    command) -> None:
    # an older schema, as far as this noticegen can tell (there is only one migration yet)
    app = App.open(recorded_root, "tester", database_url)
    with app.record.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    app.close()
    result = _invoke(recorded_root, *command)
    assert result.exit_code == 4, result.output
    assert f"is at schema revision 0000; this noticegen reads revision {head()}" in \
        result.stderr
    assert "noticegen db upgrade" in result.stderr and "nothing migrates by itself" in \
        result.stderr
    assert _revision(recorded_root, database_url) == "0000"



# --- at once ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_two_importers_and_a_batch_at_once_lose_nothing(project_root, database_url,
                                                        tmp_path) -> None:
    """Two processes import carriers' events while a third mails another batch, all on the
    same record: every event and every piece is recorded, none twice."""
    shutil.copytree(REPO / "templates", project_root / "templates")
    numbers = [f"CE-2026-00{n:02d}" for n in range(1, 7)]
    for number in numbers:
        (project_root / "cases" / f"{number}.yaml").write_text(
            CASE_TEXT.replace("CE-2026-0001", number), encoding="utf-8")
    for args in (["db", "upgrade"], ["cases", "import", str(project_root / "cases")]):
        assert _invoke(project_root, *args).exit_code == 0
    app = App.open(project_root, "tester", database_url)
    try:
        mail_batch(app, numbers[:4], "nov", MAILED, "first", workers=1)
        articles = [p.article_number for p in pieces(app)]
        files = []
        for index, half in enumerate((articles[::2], articles[1::2])):
            rows = ["article_number,status,date"]
            for article in half:
                rows += [f"{article},in_transit,2026-11-26", f"{article},notice_left,2026-11-27",
                         f"{article},delivered,2026-11-28"]
            path = tmp_path / f"import-{index}.csv"
            path.write_text("\n".join(rows) + "\n", encoding="utf-8")
            files.append(path)
        base = [sys.executable, "-m", "noticegen", "--root", str(project_root)]
        commands = [[*base, "--actor", f"clerk{n}", "track", "import", str(f)]
                    for n, f in enumerate(files)]
        commands.append([*base, "batch", *numbers[4:], "--mail-date", "2026-11-30",
                         "--batch-id", "second", "--workers", "1"])
        procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for c in commands]
        for proc in procs:
            _out, err = proc.communicate(timeout=900)
            assert proc.returncode == 0, err
        found = pieces(app)
        with app.record.read() as c:
            mail_events = c.execute(select(func.count()).select_from(events).where(
                events.c.article_number.is_not(None))).scalar()
            on_record = c.execute(select(mail_pieces.c.article_number)).scalars().all()
    finally:
        app.close()
    assert all(p.status == "delivered" for p in found if p.batch_id == "first")
    assert len([p for p in found if p.batch_id == "second"]) == 2
    assert mail_events == 4 * len(articles) + 2  # mailed + 3 imported each; 2 new mailed
    assert len(set(on_record)) == len(on_record) == 6 and all(map(is_valid, on_record))
