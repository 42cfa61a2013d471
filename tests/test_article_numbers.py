"""Article numbers: published check digits, number layouts, and allocation across processes."""

from __future__ import annotations

import multiprocessing
import multiprocessing.queues
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from noticegen.config import ArticleNumbers
from noticegen.errors import NoticegenError
from noticegen.mail.article_numbers import (
    Allocator,
    ArticleNumberError,
    check_digit,
    impb_number,
    is_valid,
    label_number,
    printed,
)

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


# --- allocation --------------------------------------------------------------------------------

def roll(first: str, size: int) -> list[str]:
    return [label_number(first, n) for n in range(size)]


def test_invalid_first_label_names_expected_check_digit(tmp_path: Path) -> None:
    with Allocator(tmp_path / "n.db", LABELS) as numbers:
        with pytest.raises(ArticleNumberError) as caught:
            numbers.load_roll("0307 1790 0005 2348 3742", 100)
        assert caught.value.exit_code == 2
        assert caught.value.hint and "would be 1, not 2" in caught.value.hint
        with pytest.raises(ArticleNumberError, match="not an article number"):
            numbers.load_roll("0307179000052348374", 100)
        with pytest.raises(ArticleNumberError, match="positive"):
            numbers.load_roll(ROLL_20, 0)
        with pytest.raises(ArticleNumberError, match="no PS 3800 label roll"):
            numbers.allocate(["a"])
        assert numbers.count() == 0


def test_allocation_is_ordered_and_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "n.db"
    expected = roll(ROLL_20, 10)
    with Allocator(path, LABELS) as numbers:
        numbers.load_roll(ROLL_20, 10)
        first = numbers.allocate(["c", "a", "b"])
        assert list(first.items()) == list(zip("cab", expected[:3], strict=True))
        again = numbers.allocate(["a", "b", "c"])
        assert again == first
        assert list(again) == ["a", "b", "c"]  # answers in the order asked
        mixed = numbers.allocate(["b", "d", "d", "e"])
        assert mixed == {"b": expected[2], "d": expected[3], "e": expected[4]}
        assert numbers.count() == 5
        assert numbers.allocated("d") == expected[3]
        assert numbers.allocated("zzz") is None
        assert numbers.allocate([]) == {}
    with Allocator(path, LABELS) as reopened:  # a resumed batch gets the same numbers
        assert reopened.allocate(["e", "c"]) == {"e": expected[4], "c": expected[0]}
        assert reopened.allocate(["f"]) == {"f": expected[5]}


def test_allocate_refuses_bad_keys(tmp_path: Path) -> None:
    with Allocator(tmp_path / "n.db", IMPB_9) as numbers:
        with pytest.raises(TypeError):
            numbers.allocate("abc")
        with pytest.raises(ValueError):
            numbers.allocate(["ok", " "])
        assert numbers.count() == 0


def test_rolls_are_used_in_load_order_and_exhaustion_allocates_nothing(tmp_path: Path) -> None:
    with Allocator(tmp_path / "n.db", LABELS) as numbers:
        numbers.load_roll(ROLL_22, 3)
        numbers.load_roll(ROLL_20, 2)
        got = numbers.allocate(["a", "b", "c", "d"])
        assert list(got.values()) == roll(ROLL_22, 3) + roll(ROLL_20, 1)
        with pytest.raises(ArticleNumberError) as caught:
            numbers.allocate(["e", "f", "g"])
        assert "3 numbers needed, 1 left; 2 missing" in str(caught.value)
        assert caught.value.hint and "load a new PS 3800 roll (at least 2 labels)" in \
            caught.value.hint
        assert numbers.count() == 4
        assert numbers.allocated("e") is None
        assert numbers.allocate(["e"]) == {"e": roll(ROLL_20, 2)[1]}  # nothing was consumed
        next_first = label_number(ROLL_20, 2)
        numbers.load_roll(next_first, 5)
        assert list(numbers.allocate(["f", "g"]).values()) == roll(next_first, 2)


def test_overlapping_rolls_are_refused(tmp_path: Path) -> None:
    with Allocator(tmp_path / "n.db", LABELS) as numbers:
        numbers.load_roll(ROLL_20, 100)
        for first, size in [(ROLL_20, 100), (ROLL_20, 1), (label_number(ROLL_20, 99), 10)]:
            with pytest.raises(ArticleNumberError, match="overlaps"):
                numbers.load_roll(first, size)
        below = "0307179000052348274"
        below += str(check_digit(below))
        with pytest.raises(ArticleNumberError, match="overlaps"):
            numbers.load_roll(below, 101)  # ends on the first label of the loaded roll
        numbers.load_roll(below, 100)  # ends just before it
        numbers.load_roll(label_number(ROLL_20, 100), 50)  # starts just after it
        numbers.load_roll(ROLL_22, 100)  # other width, no overlap


def test_roll_overlapping_allocated_numbers_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "n.db"
    with Allocator(path, LABELS) as numbers:
        numbers.load_roll(ROLL_20, 10)
        numbers.allocate(["a", "b"])
    # someone deletes the roll record by hand; its allocated numbers still block a reload
    with sqlite3.connect(path) as db:
        db.execute("DELETE FROM rolls")
    db.close()
    with Allocator(path, LABELS) as numbers:
        with pytest.raises(ArticleNumberError, match="already allocated to a"):
            numbers.load_roll(ROLL_20, 10)
        with pytest.raises(ArticleNumberError, match="already allocated to b"):
            numbers.load_roll(label_number(ROLL_20, 1), 10)
        numbers.load_roll(label_number(ROLL_20, 2), 10)


def test_rolls_refused_when_source_is_impb(tmp_path: Path) -> None:
    with Allocator(tmp_path / "n.db", IMPB_9) as numbers, \
            pytest.raises(ArticleNumberError, match="not used"):
        numbers.load_roll(ROLL_20, 10)


def test_impb_settings_are_checked_when_opening(tmp_path: Path) -> None:
    two_digit = ArticleNumbers(source="impb", service_type_code="71", mailer_id="912345678")
    with pytest.raises(ArticleNumberError, match="3-digit"):
        Allocator(tmp_path / "n.db", two_digit)


def test_unusable_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(ArticleNumberError, match="cannot use"):
        Allocator(tmp_path / "missing-folder" / "n.db", LABELS)


@pytest.mark.parametrize("source", [IMPB_9, IMPB_6])
def test_ten_thousand_impb_allocations(tmp_path: Path, source: ArticleNumbers) -> None:
    with Allocator(tmp_path / "n.db", source) as numbers:
        got: dict[str, str] = {}
        for call in range(100):
            got.update(numbers.allocate([f"k{call}-{i}" for i in range(100)]))
        assert numbers.count() == 10_000
        values = list(got.values())
        assert len(set(values)) == 10_000
        assert all(is_valid(v) for v in values)
        assert values == [impb_number(source.service_type_code, source.mailer_id or "", serial)
                          for serial in range(1, 10_001)]


def test_impb_serials_run_out_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "n.db"
    with Allocator(path, IMPB_9) as numbers:
        numbers.allocate(["a"])
    with sqlite3.connect(path) as db:
        db.execute("UPDATE counters SET value = 9999998")
    db.close()
    with Allocator(path, IMPB_9) as numbers:
        with pytest.raises(ArticleNumberError, match="1 serial numbers left, 2 needed"):
            numbers.allocate(["b", "c"])
        assert numbers.allocate(["b"]) == {"b": impb_number("923", "912345678", 9_999_999)}


def _allocate_in_child(path: str, prefix: str, ready: threading.Barrier,
                       results: multiprocessing.queues.Queue[tuple[str, list[list[str]]]]) \
        -> None:
    """Runs in a spawned process: 100 calls of 50 keys, alongside its sibling.

    Both wait for each other before the first call and again after it, so their calls are
    certain to interleave; the short pause between calls (a batch renders between allocations)
    keeps one process from holding the write lock for all its calls in a row.
    """
    batches = []
    with Allocator(Path(path), LABELS) as numbers:
        for call in range(100):
            if call < 2:
                ready.wait(60)
            got = numbers.allocate([f"{prefix}-{call}-{i}" for i in range(50)])
            batches.append(list(got.values()))
            time.sleep(0.001)
    results.put((prefix, batches))


def test_two_processes_share_one_roll_without_gaps_or_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "n.db"
    with Allocator(path, LABELS) as numbers:
        numbers.load_roll(ROLL_22, 10_000)
    expected = roll(ROLL_22, 10_000)
    offset = {number: n for n, number in enumerate(expected)}
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(2)
    queue = context.Queue()
    children = [context.Process(target=_allocate_in_child, args=(str(path), prefix, ready, queue))
                for prefix in ("a", "b")]
    for child in children:
        child.start()
    results = dict(queue.get(timeout=120) for _ in children)
    for child in children:
        child.join(30)
        assert child.exitcode == 0
    everything = [number for batches in results.values() for batch in batches for number in batch]
    assert len(everything) == 10_000
    assert set(everything) == set(expected)  # exactly the first 10,000 labels: no gap, no repeat
    starts = {}
    for prefix, batches in results.items():
        for batch in batches:  # each call got 50 consecutive labels
            first = offset[batch[0]]
            assert [offset[n] for n in batch] == list(range(first, first + 50))
        starts[prefix] = [offset[batch[0]] for batch in batches]
        assert starts[prefix] == sorted(starts[prefix])  # and each process's calls in order
    # each process's first call came before the other's second: they really ran at once
    assert starts["a"][0] < starts["b"][1] and starts["b"][0] < starts["a"][1]
    with Allocator(path, LABELS) as numbers:
        assert numbers.count() == 10_000
        with pytest.raises(ArticleNumberError, match="used up"):
            numbers.allocate(["one more"])


def _open_fresh_in_child(path: str, ready: threading.Barrier,
                         results: multiprocessing.queues.Queue[list[str]]) -> None:
    """Runs in a spawned process: opens a file that does not exist yet, with its siblings."""
    ready.wait(60)
    with Allocator(Path(path), IMPB_6) as numbers:
        results.put(list(numbers.allocate([f"{os.getpid()}-{i}" for i in range(20)]).values()))


def test_processes_creating_the_file_together(tmp_path: Path) -> None:
    # SQLite answers "locked" at once (no busy wait) while another process switches a new file
    # to WAL; opening must retry rather than fail
    path = tmp_path / "n.db"
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(4)
    queue = context.Queue()
    children = [context.Process(target=_open_fresh_in_child, args=(str(path), ready, queue))
                for _ in range(4)]
    for child in children:
        child.start()
    results = [queue.get(timeout=120) for _ in children]
    for child in children:
        child.join(30)
        assert child.exitcode == 0
    everything = [number for numbers in results for number in numbers]
    assert sorted(everything) == [impb_number("923", "012345", n) for n in range(1, 81)]
