"""Article numbers from the record: a number exists only on its mail piece, so one is never
handed out twice, whatever crashed, and never lost. Numbers are predicted before a batch is
rendered (they are printed on it) and claimed in the transaction that issues it, under a row
lock on their sequence; if another batch claimed them meanwhile, the batch is made again."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, insert, select

from ..config import ArticleNumbers
from ..mail.article_numbers import (
    LENGTHS,
    ArticleNumberError,
    check_digit,
    impb_number,
    label_number,
    printed,
)
from .db import insert_once, now
from .tables import mail_pieces, sequences


@dataclass(frozen=True)
class Number:
    sequence: str
    serial: int
    article: str


def impb_name(source: ArticleNumbers) -> str:
    return f"impb:{source.mailer_id}"


def ensure_sequence(connection: Connection, source: ArticleNumbers, actor: int) -> None:
    """The IMpb sequence of the configured Mailer ID, entered on first use."""
    if source.source != "impb":
        return
    assert source.mailer_id is not None  # the settings model guarantees it
    impb_number(source.service_type_code, source.mailer_id, 0)  # bad settings fail here
    insert_once(connection, sequences, name=impb_name(source), kind="impb", floor=0,
                actor_id=actor, recorded_at=now())


def lock(connection: Connection, source: ArticleNumbers) -> None:
    """Hold the sequences' rows until the transaction ends (SQLite: BEGIN IMMEDIATE already
    holds the whole database)."""
    if connection.dialect.name != "sqlite":
        connection.execute(select(sequences.c.name).where(
            sequences.c.kind == ("impb" if source.source == "impb" else "roll"))
            .with_for_update()).all()


def used(connection: Connection, name: str) -> int:
    """The highest serial of the sequence on any piece, or its floor."""
    top = connection.execute(select(func.max(mail_pieces.c.serial)).where(
        mail_pieces.c.sequence == name)).scalar()
    floor = connection.execute(select(sequences.c.floor).where(
        sequences.c.name == name)).scalar() or 0
    return max(int(top) if top is not None else 0, int(floor))


def next_numbers(connection: Connection, source: ArticleNumbers, count: int,
                 mailed: dict[str, int] | None = None) -> list[Number]:
    """The next `count` numbers no piece holds yet (IMpb serials count up per Mailer ID;
    label rolls are used up in the order they were loaded), past the highest serial of each
    sequence known to have been mailed (`mailed`, kept beside the blobs)."""
    mailed = mailed or {}
    if count == 0:
        return []
    if source.source == "impb":
        mailer_id = source.mailer_id
        assert mailer_id is not None
        name = impb_name(source)
        last = max(used(connection, name), mailed.get(name, 0))
        width = 7 if len(mailer_id) == 9 else 10
        if last + count >= 10**width:
            raise ArticleNumberError(
                f"Mailer ID {mailer_id} has {10**width - 1 - last} serial numbers left, "
                f"{count} needed",
                "ask USPS for another Mailer ID and set mail.article_numbers.mailer_id")
        return [Number(name, last + i,
                       impb_number(source.service_type_code, mailer_id, last + i))
                for i in range(1, count + 1)]
    rolls = connection.execute(select(sequences.c.name, sequences.c.first, sequences.c.size)
                               .where(sequences.c.kind == "roll")
                               .order_by(sequences.c.recorded_at, sequences.c.name)).all()
    if not rolls:
        raise ArticleNumberError(
            "no PS 3800 label roll is loaded",
            "load a roll with the number of its first label and the number of labels")
    numbers: list[Number] = []
    for name, first, size in rolls:
        done = max(used(connection, name), mailed.get(name, 0))  # serial n: label n
        take = min(size - done, count - len(numbers))
        numbers += [Number(name, done + i, label_number(first, done + i - 1))
                    for i in range(1, take + 1)] if take > 0 else []
    if len(numbers) < count:
        missing = count - len(numbers)
        raise ArticleNumberError(
            f"the loaded label rolls are used up: {count} numbers needed, {len(numbers)} "
            f"left; {missing} missing",
            f"load a new PS 3800 roll (at least {missing} labels) and run again; nothing was "
            "allocated")
    return numbers


def load_roll(connection: Connection, source: ArticleNumbers, first: str, size: int,
              actor: int) -> str:
    """Record a new PS 3800 roll by its first label; refuses a mistyped or overlapping roll."""
    if source.source != "label_roll":
        raise ArticleNumberError(
            "label rolls are not used: article numbers come from IMpb",
            "set mail.article_numbers.source: label_roll in config/agency.yaml to use rolls")
    digits = first.replace(" ", "")
    if len(digits) not in LENGTHS or not digits.isdigit() or not digits.isascii():
        raise ArticleNumberError(
            f"'{first}' is not an article number",
            "type the 20 or 22 digits printed under the barcode of the roll's first label")
    expected = check_digit(digits[:-1])
    if expected != int(digits[-1]):
        raise ArticleNumberError(
            f"'{printed(digits)}' fails its check digit",
            f"with these digits the last one would be {expected}, not {digits[-1]}; re-read "
            "the first label of the roll")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ArticleNumberError(f"roll size {size!r} is not a positive whole number",
                                 "give the number of labels on the roll")
    try:
        last = label_number(digits, size - 1)
    except ValueError:
        raise ArticleNumberError(f"a roll of {size} starting at {printed(digits)} runs past "
                                 f"the last {len(digits)}-digit number",
                                 "check the first label and the roll size") from None
    for other, other_size, loaded in connection.execute(select(
            sequences.c.first, sequences.c.size, sequences.c.recorded_at).where(
            sequences.c.kind == "roll")):
        if len(other) != len(digits):
            continue
        other_last = label_number(other, other_size - 1)
        if other[:-1] <= last[:-1] and digits[:-1] <= other_last[:-1]:
            raise ArticleNumberError(
                f"the roll {printed(digits)} … {printed(last)} overlaps the roll "
                f"{printed(other)} … {printed(other_last)} loaded {loaded:%Y-%m-%d}",
                "each roll is loaded once; check the first label and the roll size")
    name = f"roll:{digits}"
    connection.execute(insert(sequences).values(name=name, kind="roll", first=digits, size=size,
                                                floor=0, actor_id=actor, recorded_at=now()))
    return name


def taken(connection: Connection, numbers: list[Number]) -> list[str]:
    """Which of these numbers a piece already holds (another batch claimed them)."""
    articles = [n.article for n in numbers]
    found: list[str] = []
    for start in range(0, len(articles), 500):
        found += connection.execute(select(mail_pieces.c.article_number).where(
            mail_pieces.c.article_number.in_(articles[start:start + 500]))).scalars().all()
    return found
