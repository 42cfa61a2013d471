"""Article numbers: published check digits, number layouts, and allocation from the record
(a number exists only on a committed mail piece; the database refuses to change or remove one)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, func, insert, select, text
from sqlalchemy.exc import DBAPIError

from noticegen.config import ArticleNumbers
from noticegen.errors import NoticegenError
from noticegen.mail.article_numbers import (
    ArticleNumberError,
    check_digit,
    impb_number,
    is_valid,
    label_number,
    printed,
)
from noticegen.record.db import now
from noticegen.record.numbers import Number, ensure_sequence, lock, next_numbers
from noticegen.record.numbers import load_roll as record_roll
from noticegen.record.tables import (
    batches,
    blobs,
    case_revisions,
    documents,
    events,
    mail_pieces,
    sequences,
)
from noticegen.service import App, load_roll

# domain.md §1: digits before check, check, full number as printed
PUBLISHED = [
    ("921239123456781234567", 0, "9212 3912 3456 7812 3456 70"),
    ("940011120108080548301", 6, "9400 1112 0108 0805 4830 16"),
    ("936128987870031763379", 5, "9361 2898 7870 0317 6337 95"),
    ("950551106960504860062", 4, "9505 5110 6960 5048 6006 24"),
    ("0307179000052348374", 1, "0307 1790 0005 2348 3741"),
]
ROLL_20 = "03071790000523483741"  # a published 20-digit number, used as a roll's first label
ROLL_22 = "958907105270000000000" + str(check_digit("958907105270000000000"))  # 22-digit roll
LABELS = ArticleNumbers(source="label_roll", service_type_code="71")
IMPB_9 = ArticleNumbers(source="impb", service_type_code="923", mailer_id="912345678")
IMPB_6 = ArticleNumbers(source="impb", service_type_code="923", mailer_id="012345")


# --- check digits ------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "check", "shown"), PUBLISHED)
def test_published_check_digits(body: str, check: int, shown: str) -> None:
    assert check_digit(body) == check
    assert is_valid(body + str(check))
    assert is_valid(shown)
    assert printed(body + str(check)) == shown
    assert not is_valid(body + str((check + 1) % 10))


def test_legacy_91_series_validates_only_with_implied_prefix() -> None:
    assert not is_valid("71969010756003077385")
    assert not is_valid("7196 9010 7560 0307 7385")
    assert is_valid("9171969010756003077385")
    assert printed("9171969010756003077385") == "9171 9690 1075 6003 0773 85"


def test_check_digit_is_anchored_on_the_right() -> None:
    # a leading zero must not change the check digit; a left-anchored rule would shift weights
    assert check_digit("0" + "921239123456781234567") == check_digit("921239123456781234567")
    assert check_digit("7") == 9  # 7×3 = 21 → 10 - 1
    assert check_digit("70") == 3  # 0×3 + 7×1 = 7 → 3


@pytest.mark.parametrize("bad", ["", "12a4", "12 34", "１２３", "²3", "-12"])
def test_check_digit_rejects_non_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        check_digit(bad)


@pytest.mark.parametrize("bad", ["", "9212391234567812345670 1", "921239123456781234567",
                                 "92123912345678123456700", "9212-3912-3456-7812-3456-70",
                                 "0307179000052348374", "x" * 22])
def test_is_valid_rejects_malformed(bad: str) -> None:
    assert not is_valid(bad)


def test_weights_three_and_one_detect_every_single_digit_change() -> None:
    # changing a digit by d (1..9) moves the sum by d or 3d; neither is a multiple of 10
    assert all((w * d) % 10 for w in (1, 3) for d in range(1, 10))


@given(body=st.one_of(st.text("0123456789", min_size=19, max_size=19),
                      st.text("0123456789", min_size=21, max_size=21)),
       data=st.data())
def test_any_single_digit_change_is_caught(body: str, data: st.DataObject) -> None:
    number = body + str(check_digit(body))
    assert is_valid(number)
    assert printed(number).replace(" ", "") == number
    for position in range(len(number)):
        for digit in "0123456789":
            if digit != number[position]:
                changed = number[:position] + digit + number[position + 1:]
                assert not is_valid(changed), (number, position, digit)
    # What MOD 10 does NOT catch: swapping neighbours that differ by exactly 5 (weights 3 and 1
    # move the sum by 2×(a−b) = ±10). Other adjacent swaps are caught.
    position = data.draw(st.integers(0, len(number) - 2))
    a, b = number[position], number[position + 1]
    swapped = number[:position] + b + a + number[position + 2:]
    assert is_valid(swapped) == (abs(int(a) - int(b)) in (0, 5))


# --- number layouts ----------------------------------------------------------------------------

def test_printed_groups_of_four() -> None:
    assert printed("9212391234567812345670") == "9212 3912 3456 7812 3456 70"
    assert printed("9212 3912 3456 7812 3456 70") == "9212 3912 3456 7812 3456 70"
    assert printed("03071790000523483741") == "0307 1790 0005 2348 3741"
    with pytest.raises(ValueError):
        printed("9212-3912")


def test_impb_with_nine_digit_mailer_id() -> None:
    number = impb_number("923", "912345678", 42)
    assert len(number) == 22 and is_valid(number)
    assert number.startswith("92" + "923" + "912345678")
    assert number[14:21] == "0000042"
    # the published example decodes the same way: 92, service 123, MID 912345678, serial 1234567
    assert impb_number("123", "912345678", 1234567) == "9212391234567812345670"


def test_impb_with_six_digit_mailer_id() -> None:
    number = impb_number("923", "012345", 42)
    assert len(number) == 22 and is_valid(number)
    assert number.startswith("93" + "923" + "012345")
    assert number[11:21] == "0000000042"
    # the published 93… example: service 612, MID 898787, serial 0031763379
    assert impb_number("612", "898787", 31763379) == "9361289878700317633795"


@pytest.mark.parametrize(("mailer_id", "serial"), [("912345678", 10**7), ("012345", 10**10),
                                                   ("912345678", -1)])
def test_impb_serial_overflow(mailer_id: str, serial: int) -> None:
    with pytest.raises(ValueError, match="serial"):
        impb_number("923", mailer_id, serial)
    assert is_valid(impb_number("923", mailer_id, serial - 1 if serial > 0 else 0))


@pytest.mark.parametrize(("code", "mailer_id", "words"), [
    ("71", "912345678", "3-digit service type code"),
    ("9230", "912345678", "3-digit service type code"),
    ("923", "12345678", "Mailer ID"),
    ("923", "912345", "Mailer ID"),  # a 6-digit Mailer ID starts with 0-8
    ("923", "812345678", "Mailer ID"),  # a 9-digit one starts with 9
])
def test_impb_refuses_bad_settings(code: str, mailer_id: str, words: str) -> None:
    with pytest.raises(ArticleNumberError) as caught:
        impb_number(code, mailer_id, 1)
    assert isinstance(caught.value, NoticegenError) and caught.value.exit_code == 2
    assert caught.value.hint and "config/agency.yaml" in caught.value.hint
    assert words in str(caught.value)


def test_label_numbers_count_up_from_the_first() -> None:
    assert label_number(ROLL_20, 0) == ROLL_20
    assert label_number("0307 1790 0005 2348 3741", 1) == "0307179000052348375" + \
        str(check_digit("0307179000052348375"))
    assert label_number(ROLL_20, 1000)[:-1] == "0307179000052349374"
    assert label_number(ROLL_22, 9)[:-1] == "958907105270000000009"
    assert all(is_valid(label_number(ROLL_22, n)) for n in range(100))
    assert len({label_number(ROLL_22, n) for n in range(100)}) == 100


def test_label_number_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="should be 1, not 2"):
        label_number("03071790000523483742", 1)
    with pytest.raises(ValueError):
        label_number("0307179000052348374", 1)  # check digit missing
    with pytest.raises(ValueError):
        label_number(ROLL_20, -1)
    last = "9999999999999999999" + str(check_digit("9999999999999999999"))
    with pytest.raises(ValueError, match="runs past"):
        label_number(last, 1)


# --- allocation from the record ----------------------------------------------------------------
# Numbers are predicted with `next_numbers` and exist once a mail piece holding them commits.
# The pieces here are written with SQLAlchemy Core (no rendering): the rows a batch writes,
# with just enough of a batch, its documents and blobs for the foreign keys.

CASE = "CE-2026-0001"  # the case conftest's recorded_root imports
MAILED = date(2026, 11, 25)


def record_pieces(c: Connection, actor: int, numbers: Iterable[Number], *, case: str = CASE,
                  mailed: date = MAILED, document: dict[str, Any] | None = None,
                  piece: dict[str, Any] | None = None) -> list[str]:
    """Mail pieces (one certified NOV each) holding `numbers`, in one new batch, with their
    'mailed' events; `document` and `piece` override columns of the notice and the piece.
    Returns the notices' document ids."""
    batch = f"t-{uuid.uuid4().hex[:12]}"
    sha = hashlib.sha256(batch.encode()).hexdigest()
    numbers = list(numbers)
    c.execute(insert(blobs).values(sha256=sha, size=1, media_type="application/pdf",
                                   recorded_at=now()))
    c.execute(insert(batches).values(
        id=batch, document_type="nov", mail_date=mailed, pieces=len(numbers),
        record_sha256=sha, print_sha256=sha, book_sha256=sha, manifest_sha256=sha,
        actor_id=actor, recorded_at=now()))
    revision = c.execute(select(func.max(case_revisions.c.id)).where(
        case_revisions.c.case_number == case)).scalar()
    ids = []
    for line, number in enumerate(numbers, start=1):
        doc = f"{case}-NOV-T{number.article}"
        c.execute(insert(documents).values({
            "id": doc, "case_number": case, "revision_id": revision, "document_type": "nov",
            "role": "notice", "template_id": "nov-letter", "template_version": 1,
            "template_hash": sha, "sha256": sha, "format": "pdf",
            "file": f"out/{batch}/packets/{line:04d}.pdf", "recipient": "owner",
            "recipient_role": "owner", "delivery": "certified_mail",
            "violations": [["v1", "TB-34-2"]], "deadline": None, "deadline_on": None,
            "batch_id": batch, "issued_at": datetime.combine(mailed, time(6), UTC),
            "actor_id": actor, "recorded_at": now()} | (document or {})))
        c.execute(insert(mail_pieces).values({
            "article_number": number.article, "sequence": number.sequence,
            "serial": number.serial, "batch_id": batch, "line": line, "document_id": doc,
            "case_number": case, "recipient": "owner", "addressee": "José Muñoz",
            "address": "PO Box 88, Tom Bean, TX 75489", "mailing_date": mailed,
            "service": "Certified Mail, return receipt (hardcopy)",
            "postage": Decimal("0.78"), "fees": Decimal("9.70"),
            "packet_sha256": sha} | (piece or {})))
        c.execute(insert(events).values(
            case_number=case, kind="mailed", occurred_at=datetime.combine(mailed, time(0)),
            data={"status": "mailed", "on": mailed.isoformat()},
            article_number=number.article, document_id=doc, correction=False,
            source=f"batch:{batch}", actor_id=actor, recorded_at=now()))
        ids.append(doc)
    return ids


def allocate(app: App, source: ArticleNumbers, count: int) -> list[str]:
    """What a batch does in its transaction: lock the sequence, take the next numbers and
    commit the pieces that hold them."""
    with app.transaction() as (c, actor):
        ensure_sequence(c, source, actor)
        lock(c, source)
        numbers = next_numbers(c, source, count)
        record_pieces(c, actor, numbers)
    return [n.article for n in numbers]


class Crash(Exception):
    """Raised inside a transaction: the process died before the commit."""


def crash_while_allocating(app: App, source: ArticleNumbers, count: int) -> list[str]:
    taken: list[str] = []
    with pytest.raises(Crash), app.transaction() as (c, actor):
        ensure_sequence(c, source, actor)
        lock(c, source)
        numbers = next_numbers(c, source, count)
        record_pieces(c, actor, numbers)
        taken = [n.article for n in numbers]
        raise Crash
    return taken


def on_record(app: App) -> list[str]:
    with app.record.read() as c:
        return list(c.execute(select(mail_pieces.c.article_number)
                              .order_by(mail_pieces.c.article_number)).scalars())


def predict(app: App, source: ArticleNumbers, count: int) -> list[str]:
    with app.record.read() as c:
        return [n.article for n in next_numbers(c, source, count)]


def impb(source: ArticleNumbers, serials: Iterable[int]) -> list[str]:
    return [impb_number(source.service_type_code, source.mailer_id or "", s) for s in serials]


def set_floor(app: App, source: ArticleNumbers, floor: int) -> None:
    """The sequence entered with serials up to `floor` already taken (numbers mailed outside
    this record, as `db init --accept-empty-record` records them)."""
    with app.transaction() as (c, actor):
        c.execute(insert(sequences).values(name=f"impb:{source.mailer_id}", kind="impb",
                                           floor=floor, actor_id=actor, recorded_at=now()))


def test_impb_serials_count_up_per_mailer_id(app) -> None:
    assert predict(app, IMPB_9, 0) == []
    first = allocate(app, IMPB_9, 3)
    assert first == impb(IMPB_9, [1, 2, 3])
    assert allocate(app, IMPB_6, 2) == impb(IMPB_6, [1, 2])  # its own serials
    assert allocate(app, IMPB_9, 2) == impb(IMPB_9, [4, 5])
    assert on_record(app) == sorted(impb(IMPB_9, range(1, 6)) + impb(IMPB_6, [1, 2]))
    assert all(is_valid(n) for n in on_record(app))


def test_a_prediction_or_a_crash_before_commit_allocates_nothing(app) -> None:
    allocate(app, IMPB_9, 1)
    # a batch predicts the numbers it prints; they are not taken until its pieces commit
    assert predict(app, IMPB_9, 2) == predict(app, IMPB_9, 2) == impb(IMPB_9, [2, 3])
    assert crash_while_allocating(app, IMPB_9, 2) == impb(IMPB_9, [2, 3])
    assert on_record(app) == impb(IMPB_9, [1])
    assert allocate(app, IMPB_9, 2) == impb(IMPB_9, [2, 3])  # no gap, no repeat


def test_the_sequence_floor_is_respected(app) -> None:
    set_floor(app, IMPB_9, 41)
    assert allocate(app, IMPB_9, 2) == impb(IMPB_9, [42, 43])
    assert allocate(app, IMPB_6, 1) == impb(IMPB_6, [1])  # another Mailer ID: its own floor


def test_impb_serials_run_out_cleanly(app) -> None:
    set_floor(app, IMPB_9, 9_999_998)
    with pytest.raises(ArticleNumberError, match="1 serial numbers left, 2 needed") as caught:
        allocate(app, IMPB_9, 2)
    assert caught.value.exit_code == 2 and "Mailer ID" in (caught.value.hint or "")
    assert on_record(app) == []
    assert allocate(app, IMPB_9, 1) == impb(IMPB_9, [9_999_999])
    with pytest.raises(ArticleNumberError, match="0 serial numbers left, 1 needed"):
        allocate(app, IMPB_9, 1)


def test_impb_settings_are_checked_before_anything_is_recorded(app) -> None:
    two_digit = ArticleNumbers(source="impb", service_type_code="71", mailer_id="912345678")
    with pytest.raises(ArticleNumberError, match="3-digit"):
        allocate(app, two_digit, 1)
    with app.record.read() as c:
        assert c.execute(select(func.count()).select_from(sequences)).scalar() == 0


def test_rolls_are_refused_when_numbers_come_from_impb(app) -> None:
    with pytest.raises(ArticleNumberError, match="not used") as caught:
        load_roll(app, ROLL_20, 10)
    assert caught.value.hint and "label_roll" in caught.value.hint


@pytest.fixture
def roll_app(recorded_root):
    """The service over a project whose settings take article numbers from PS 3800 rolls."""
    import os

    agency = recorded_root / "config" / "agency.yaml"
    settings_text = agency.read_text(encoding="utf-8")
    assert settings_text.count("source: impb") == 1
    agency.write_text(settings_text.replace("source: impb", "source: label_roll"),
                      encoding="utf-8")
    opened = App.open(recorded_root, "tester", os.environ.get("NOTICEGEN_DATABASE_URL"))
    assert opened.project.settings.mail.article_numbers.source == "label_roll"
    yield opened
    opened.close()


def roll(first: str, size: int) -> list[str]:
    return [label_number(first, n) for n in range(size)]


@pytest.mark.parametrize(("first", "size", "message", "hint"), [
    ("0307 1790 0005 2348 3742", 100, "fails its check digit", "would be 1, not 2"),
    ("0307179000052348374", 100, "not an article number", "20 or 22 digits"),
    ("0307 1790 0005 2348 374X", 100, "not an article number", "20 or 22 digits"),
    ("０３０７１７９０００００５２３４８３７４１", 100, "not an article number", "20 or 22"),
    (ROLL_20, 0, "not a positive whole number", "number of labels"),
    (ROLL_20, -5, "not a positive whole number", "number of labels"),
    ("9999999999999999999" + str(check_digit("9999999999999999999")), 2, "runs past",
     "roll size"),
], ids=["check-digit", "19-digits", "letter", "full-width", "size-0", "size-negative",
        "past-the-end"])
def test_a_mistyped_roll_is_refused(roll_app, first, size, message, hint) -> None:
    with pytest.raises(ArticleNumberError) as caught:
        load_roll(roll_app, first, size)
    assert message in caught.value.message and hint in (caught.value.hint or "")
    assert caught.value.exit_code == 2
    with pytest.raises(ArticleNumberError, match="no PS 3800 label roll"):
        allocate(roll_app, LABELS, 1)


def test_overlapping_rolls_are_refused(roll_app) -> None:
    load_roll(roll_app, ROLL_20, 100)
    for first, size in [(ROLL_20, 100), (ROLL_20, 1), (label_number(ROLL_20, 99), 10)]:
        with pytest.raises(ArticleNumberError, match="overlaps the roll 0307 1790") as caught:
            load_roll(roll_app, first, size)
        assert caught.value.hint and "loaded once" in caught.value.hint
    below = "0307179000052348274"
    below += str(check_digit(below))
    with pytest.raises(ArticleNumberError, match="overlaps"):
        load_roll(roll_app, below, 101)  # ends on the first label of the loaded roll
    load_roll(roll_app, below, 100)  # ends just before it
    load_roll(roll_app, label_number(ROLL_20, 100), 50)  # starts just after it
    load_roll(roll_app, ROLL_22, 100)  # other width, no overlap
    with roll_app.record.read() as c:
        assert c.execute(select(func.count()).select_from(sequences)).scalar() == 4


def test_rolls_are_used_in_load_order_and_running_out_allocates_nothing(roll_app) -> None:
    load_roll(roll_app, ROLL_22, 3)
    load_roll(roll_app, ROLL_20, 2)
    assert allocate(roll_app, LABELS, 4) == roll(ROLL_22, 3) + roll(ROLL_20, 1)
    with pytest.raises(ArticleNumberError) as caught:
        allocate(roll_app, LABELS, 3)
    assert "3 numbers needed, 1 left; 2 missing" in caught.value.message
    assert caught.value.hint and "load a new PS 3800 roll (at least 2 labels)" in \
        caught.value.hint and "nothing was allocated" in caught.value.hint
    assert len(on_record(roll_app)) == 4
    assert allocate(roll_app, LABELS, 1) == roll(ROLL_20, 2)[1:]  # nothing was consumed
    next_first = label_number(ROLL_20, 2)
    load_roll(roll_app, next_first, 5)
    assert allocate(roll_app, LABELS, 2) == roll(next_first, 2)
    with pytest.raises(ArticleNumberError, match="used up"):
        allocate(roll_app, LABELS, 4)


# One step of the property below: commit `n` numbers from a source as pieces, crash while
# doing so, or load a new label roll of `n` labels.
STEPS = st.lists(st.one_of(
    st.tuples(st.sampled_from(["commit", "crash"]), st.sampled_from(["impb9", "impb6", "roll"]),
              st.integers(1, 4)),
    st.tuples(st.just("load"), st.just("roll"), st.integers(1, 5))), max_size=10)
SOURCES = {"impb9": IMPB_9, "impb6": IMPB_6, "roll": LABELS}


def _rolls(app: App) -> list[tuple[str, str, int]]:
    with app.record.read() as c:
        return [tuple(r) for r in c.execute(select(sequences.c.name, sequences.c.first,
                                                   sequences.c.size)
                                            .where(sequences.c.kind == "roll")
                                            .order_by(sequences.c.recorded_at))]


def test_any_sequence_of_allocations_gives_unique_valid_numbers(app) -> None:
    """Whatever is allocated, crashed or loaded, in any order (the record grows across
    examples, as a real one does): every number on record is valid and on one piece only, and
    each sequence is used from its start without a gap."""

    @settings(max_examples=25, deadline=None)
    @given(steps=STEPS)
    def run(steps: list[tuple[str, str, int]]) -> None:
        for action, name, n in steps:
            source = SOURCES[name]
            if action == "load":
                rolls = _rolls(app)
                first = label_number(rolls[-1][1], rolls[-1][2]) if rolls else ROLL_22
                with app.transaction() as (c, actor):
                    record_roll(c, LABELS, first, n, actor)
                continue
            before = on_record(app)
            with app.record.read() as c:
                used = c.execute(select(func.count()).where(
                    mail_pieces.c.sequence.startswith("roll:"))).scalar()
            left = sum(size for _, _, size in _rolls(app)) - used
            if name == "roll" and left < n:
                with pytest.raises(ArticleNumberError,
                                   match=r"no PS 3800 label roll|nothing was allocated"):
                    allocate(app, source, n)
                assert on_record(app) == before
            elif action == "crash":
                crash_while_allocating(app, source, n)
                assert on_record(app) == before
            else:
                got = allocate(app, source, n)
                assert len(got) == n and set(got).isdisjoint(before)
                assert sorted(before + got) == on_record(app)
        with app.record.read() as c:
            found = c.execute(select(mail_pieces.c.article_number, mail_pieces.c.sequence,
                                     mail_pieces.c.serial)).all()
            firsts = dict(c.execute(select(sequences.c.name, sequences.c.first)).all())
        articles = [a for a, _, _ in found]
        assert len(set(articles)) == len(articles)
        assert all(is_valid(a) for a in articles)
        for seq in {s for _, s, _ in found}:
            held = sorted((serial, article) for article, sequence, serial in found
                          if sequence == seq)
            assert [serial for serial, _ in held] == list(range(1, len(held) + 1)), seq
            impb_source = {f"impb:{s.mailer_id}": s for s in (IMPB_9, IMPB_6)}.get(seq)
            assert [article for _, article in held] == (
                impb(impb_source, [serial for serial, _ in held]) if impb_source
                else roll(firsts[seq], len(held)))

    run()


# --- the record refuses to change a number -----------------------------------------------------

@pytest.mark.parametrize("statement", [
    "UPDATE mail_pieces SET article_number = '9200000000000000000000'",
    "UPDATE mail_pieces SET addressee = 'Someone Else'",
    "DELETE FROM mail_pieces",
    "UPDATE events SET kind = 'delivered'",
    "DELETE FROM events",
])
def test_the_database_refuses_to_change_or_remove_pieces_and_events(app, statement) -> None:
    allocate(app, IMPB_9, 2)
    with app.record.read() as c:
        before = [c.execute(select(t).order_by(*t.primary_key.columns)).all()
                  for t in (mail_pieces, events)]
    with pytest.raises(DBAPIError) as caught, app.record.engine.begin() as c:
        c.execute(text(statement))
    assert "the record is append-only" in str(caught.value.orig)
    with app.record.read() as c:
        after = [c.execute(select(t).order_by(*t.primary_key.columns)).all()
                 for t in (mail_pieces, events)]
    assert after == before and len(after[0]) == 2
