"""Certified-mail article numbers: MOD 10 check digits, IMpb and label-roll numbers, allocation."""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from ..config import ArticleNumbers
from ..errors import NoticegenError, display_path

LENGTHS = (20, 22)  # PS 3800 legacy labels; IMpb and current 9589… labels
_DIGITS = re.compile(r"[0-9]+")
_BUSY_TIMEOUT_S = 30.0
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS rolls (
    id INTEGER PRIMARY KEY,
    first TEXT UNIQUE,
    size INTEGER,
    loaded_at TEXT
);
CREATE TABLE IF NOT EXISTS allocations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    number TEXT UNIQUE NOT NULL,
    key TEXT UNIQUE NOT NULL,
    allocated_at TEXT
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER
);
"""


class ArticleNumberError(NoticegenError):
    """A problem the clerk must fix (a mistyped roll, an empty roll, the IMpb settings)."""

    exit_code = 2


def _digits(number: str) -> str:
    """Numbers are read off labels in groups of four; spaces carry no meaning."""
    return number.replace(" ", "")


def check_digit(digits: str) -> int:
    """USPS MOD 10, weights 3 and 1 from the right, so every length uses the same rule."""
    if not _DIGITS.fullmatch(digits):
        raise ValueError(f"expected ASCII digits, got {digits!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


def is_valid(number: str) -> bool:
    """A 20- or 22-digit article number whose last digit checks; spaces are ignored."""
    digits = _digits(number)
    if len(digits) not in LENGTHS or not _DIGITS.fullmatch(digits):
        return False
    return check_digit(digits[:-1]) == int(digits[-1])


def printed(number: str) -> str:
    """Groups of four, as USPS prints the line under the barcode and clerks read it back."""
    digits = _digits(number)
    if not _DIGITS.fullmatch(digits):
        raise ValueError(f"expected an article number of digits, got {number!r}")
    return " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))


def impb_number(service_type_code: str, mailer_id: str, serial: int) -> str:
    """A 22-digit IMpb tracking number; the channel follows from the Mailer ID's length."""
    if not re.fullmatch(r"[0-9]{3}", service_type_code):
        raise ArticleNumberError(
            f"service type code '{service_type_code}' cannot go into an IMpb tracking number",
            "IMpb numbers carry a 3-digit service type code (USPS Publication 199, appendix); "
            "set mail.article_numbers.service_type_code to it in config/agency.yaml")
    if re.fullmatch(r"9[0-9]{8}", mailer_id):
        channel, width = "92", 7
    elif re.fullmatch(r"[0-8][0-9]{5}", mailer_id):
        channel, width = "93", 10
    else:
        raise ArticleNumberError(
            f"Mailer ID '{mailer_id}' is neither 9 digits starting with 9 nor 6 digits "
            "starting with 0-8",
            "set mail.article_numbers.mailer_id in config/agency.yaml to the Mailer ID USPS "
            "assigned to the agency")
    if isinstance(serial, bool) or not 0 <= serial < 10**width:
        raise ValueError(f"serial {serial} does not fit the {width} digits that Mailer ID "
                         f"{mailer_id} leaves for it")
    body = f"{channel}{service_type_code}{mailer_id}{serial:0{width}d}"
    return body + str(check_digit(body))


def _expect_valid(number: str) -> str:
    """The digits of a valid article number, or a ValueError naming the right check digit."""
    digits = _digits(number)
    if len(digits) not in LENGTHS or not _DIGITS.fullmatch(digits):
        raise ValueError(f"'{number}' is not a 20- or 22-digit article number")
    expected = check_digit(digits[:-1])
    if expected != int(digits[-1]):
        raise ValueError(f"'{printed(digits)}' fails its check digit: the last digit should be "
                         f"{expected}, not {digits[-1]}")
    return digits


def label_number(first: str, offset: int) -> str:
    """The label `offset` places after `first` on a PS 3800 roll (the serial counts up by one)."""
    digits = _expect_valid(first)
    if isinstance(offset, bool) or offset < 0:
        raise ValueError(f"offset must be a non-negative integer, got {offset!r}")
    body = digits[:-1]
    value = int(body) + offset
    if value >= 10 ** len(body):
        raise ValueError(f"offset {offset} runs past the last {len(digits)}-digit number")
    new = f"{value:0{len(body)}d}"
    return new + str(check_digit(new))


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Allocator:
    """Hands out each article number once, across runs, crashes and concurrent processes.

    Every change is one `BEGIN IMMEDIATE` transaction in a WAL-mode SQLite file with synchronous
    FULL: a number is either recorded against its key on disk or was never handed out.
    """

    def __init__(self, path: Path, source: ArticleNumbers) -> None:
        self.path = Path(path)
        self.source = source
        if source.source == "impb":
            assert source.mailer_id is not None  # the settings model guarantees it
            impb_number(source.service_type_code, source.mailer_id, 0)  # settings fail early
        try:
            self._db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._unusable(exc) from None
        try:
            self._prepare()
        except sqlite3.Error as exc:
            self._db.close()
            raise self._unusable(exc) from None
        except BaseException:
            self._db.close()
            raise

    def _prepare(self) -> None:
        """WAL mode and the tables, retried: SQLite answers "locked" at once, without waiting,
        when several processes open a new file together."""
        deadline = time.monotonic() + _BUSY_TIMEOUT_S
        pause = 0.005
        while True:
            try:
                self._db.execute(f"PRAGMA busy_timeout = {int(_BUSY_TIMEOUT_S * 1000)}")
                mode = self._db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise sqlite3.OperationalError(f"journal mode stays '{mode}', not WAL")
                self._db.execute("PRAGMA synchronous = FULL")
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")
                    self._db.execute("COMMIT")
                finally:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                return
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(pause)
                pause = min(pause * 2, 0.2)

    def _unusable(self, exc: sqlite3.Error) -> ArticleNumberError:
        return ArticleNumberError(
            f"cannot use the article-number file {display_path(self.path)}: {exc}",
            "check that its folder exists and is writable, on a local disk (not a network share)")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Allocator:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One writer at a time; others wait up to the busy timeout, then get a clear error."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc):
                raise
            raise ArticleNumberError(
                f"the article-number file {display_path(self.path)} stayed locked for "
                f"{_BUSY_TIMEOUT_S:.0f} s",
                "another noticegen run is allocating numbers; wait for it and try again") from None
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def load_roll(self, first: str, size: int) -> None:
        """Record a new PS 3800 roll by its first label, so its numbers can be handed out."""
        if self.source.source != "label_roll":
            raise ArticleNumberError(
                "label rolls are not used: article numbers come from IMpb",
                "set mail.article_numbers.source: label_roll in config/agency.yaml to use rolls")
        digits = _digits(first)
        if len(digits) not in LENGTHS or not _DIGITS.fullmatch(digits):
            raise ArticleNumberError(
                f"'{first}' is not an article number",
                "type the 20 or 22 digits printed under the barcode of the roll's first label")
        expected = check_digit(digits[:-1])
        if expected != int(digits[-1]):
            raise ArticleNumberError(
                f"'{printed(digits)}' fails its check digit",
                f"with these digits the last one would be {expected}, not {digits[-1]}; "
                "re-read the first label of the roll")
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ArticleNumberError(f"roll size {size!r} is not a positive whole number",
                                     "give the number of labels on the roll")
        try:
            last = label_number(digits, size - 1)
        except ValueError:
            raise ArticleNumberError(f"a roll of {size} starting at {printed(digits)} runs past "
                                     f"the last {len(digits)}-digit number",
                                     "check the first label and the roll size") from None
        low, high = digits[:-1] + "0", last[:-1] + "9"  # same width: text order is number order
        with self._transaction() as db:
            for other, other_size, loaded_at in db.execute(
                    "SELECT first, size, loaded_at FROM rolls WHERE length(first) = ?",
                    (len(digits),)):
                other_last = label_number(other, other_size - 1)
                if other[:-1] <= last[:-1] and digits[:-1] <= other_last[:-1]:
                    raise ArticleNumberError(
                        f"the roll {printed(digits)} … {printed(last)} overlaps the roll "
                        f"{printed(other)} … {printed(other_last)} loaded {loaded_at}",
                        "each roll is loaded once; check the first label and the roll size")
            row = db.execute(
                "SELECT number, key FROM allocations WHERE length(number) = ? "
                "AND number BETWEEN ? AND ? ORDER BY number LIMIT 1",
                (len(digits), low, high)).fetchone()
            if row:
                raise ArticleNumberError(
                    f"the roll {printed(digits)} … {printed(last)} contains "
                    f"{printed(row[0])}, already allocated to {row[1]}",
                    "numbers are never reused; check the first label and the roll size")
            db.execute("INSERT INTO rolls (first, size, loaded_at) VALUES (?, ?, ?)",
                       (digits, size, _now()))

    def allocate(self, keys: Sequence[str]) -> dict[str, str]:
        """Numbers for `keys`, all or none; a key allocated before keeps its number (re-runs)."""
        if isinstance(keys, str):
            raise TypeError("allocate() takes a sequence of keys, not one string")
        wanted = list(dict.fromkeys(keys))
        for key in wanted:
            if not isinstance(key, str) or not key.strip():
                raise ValueError(f"allocation keys must be non-blank strings, got {key!r}")
        if not wanted:
            return {}
        with self._transaction() as db:
            found: dict[str, str] = {}
            for start in range(0, len(wanted), 500):
                chunk = wanted[start:start + 500]
                marks = ", ".join("?" * len(chunk))
                found.update(db.execute(
                    f"SELECT key, number FROM allocations WHERE key IN ({marks})", chunk))
            new = [key for key in wanted if key not in found]
            if new:
                if self.source.source == "impb":
                    numbers = self._next_impb(db, len(new))
                else:
                    numbers = self._next_labels(db, len(new))
                now = _now()
                try:
                    db.executemany(
                        "INSERT INTO allocations (number, key, allocated_at) VALUES (?, ?, ?)",
                        [(number, key, now) for key, number in zip(new, numbers, strict=True)])
                except sqlite3.IntegrityError as exc:
                    raise ArticleNumberError(
                        f"the article-number file {display_path(self.path)} already holds a "
                        f"number it was about to hand out ({exc})",
                        "the file was edited or its counters reset; restore it from backup") \
                        from None
                found.update(zip(new, numbers, strict=True))
        return {key: found[key] for key in wanted}

    @staticmethod
    def _counter(db: sqlite3.Connection, name: str) -> int:
        row = db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0]) if row else 0

    @staticmethod
    def _set_counter(db: sqlite3.Connection, name: str, value: int) -> None:
        db.execute("INSERT INTO counters (name, value) VALUES (?, ?) "
                   "ON CONFLICT(name) DO UPDATE SET value = excluded.value", (name, value))

    def _next_impb(self, db: sqlite3.Connection, count: int) -> list[str]:
        """Serials count up per Mailer ID, so a number stays unique whatever the service code."""
        mailer_id = self.source.mailer_id
        assert mailer_id is not None
        name = f"impb:{mailer_id}"
        last = self._counter(db, name)
        width = 7 if len(mailer_id) == 9 else 10
        if last + count >= 10**width:
            raise ArticleNumberError(
                f"Mailer ID {mailer_id} has {10**width - 1 - last} serial numbers left, "
                f"{count} needed",
                "ask USPS for another Mailer ID and set mail.article_numbers.mailer_id")
        numbers = [impb_number(self.source.service_type_code, mailer_id, last + i)
                   for i in range(1, count + 1)]
        self._set_counter(db, name, last + count)
        return numbers

    def _next_labels(self, db: sqlite3.Connection, count: int) -> list[str]:
        """The next unused labels, finishing each roll before the next one in load order."""
        rolls = db.execute("SELECT id, first, size FROM rolls ORDER BY id").fetchall()
        if not rolls:
            raise ArticleNumberError(
                "no PS 3800 label roll is loaded",
                "load a roll with the number of its first label and the number of labels")
        numbers: list[str] = []
        for roll_id, first, size in rolls:
            name = f"roll:{roll_id}"
            used = self._counter(db, name)
            take = min(size - used, count - len(numbers))
            if take > 0:
                numbers += [label_number(first, used + i) for i in range(take)]
                self._set_counter(db, name, used + take)
        if len(numbers) < count:
            missing = count - len(numbers)
            raise ArticleNumberError(
                f"the loaded label rolls are used up: {count} numbers needed, "
                f"{len(numbers)} left; {missing} missing",
                f"load a new PS 3800 roll (at least {missing} labels) and run again; "
                "nothing was allocated")
        return numbers

    def allocated(self, key: str) -> str | None:
        """The number already given to `key`, if any (a resumed batch prints the same one)."""
        row = self._db.execute("SELECT number FROM allocations WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def count(self) -> int:
        """How many numbers have been handed out, for reports and tests."""
        return int(self._db.execute("SELECT count(*) FROM allocations").fetchone()[0])
