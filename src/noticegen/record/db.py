"""The database that is the record: SQLite by default, PostgreSQL by URL; schema by Alembic,
upgraded only when asked (`noticegen db upgrade`)."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, Table, create_engine, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from ..errors import NoticegenError
from .tables import blobs, people

MIGRATIONS = Path(__file__).parent / "migrations"


class RecordError(NoticegenError):
    """The record cannot be read or written: a clear message instead of a driver's traceback."""

    exit_code = 4


def _alembic(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@functools.cache
def head() -> str:
    """The schema revision this version of noticegen reads and writes (read once from the
    migrations folder: it cannot change while noticegen runs)."""
    revision = ScriptDirectory.from_config(_alembic()).get_current_head()
    assert revision is not None
    return revision


def _sqlite_setup(engine: Engine) -> None:
    """WAL, full sync, a generous busy timeout and the write lock taken at BEGIN (BEGIN
    IMMEDIATE): concurrent writers queue, and a read-check-write cannot interleave."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Record:
    """One database. Every read and write goes through `read()` or `transaction()`, which turn
    a full disk, a damaged file or an unreachable server into a RecordError."""

    def __init__(self, url: str) -> None:
        self.url = make_url(url)
        self.shown = self.url.render_as_string(hide_password=True)
        self.engine = create_engine(self.url, pool_pre_ping=self.url.get_backend_name()
                                    != "sqlite")
        if self.dialect == "sqlite":
            _sqlite_setup(self.engine)

    @property
    def dialect(self) -> str:
        return self.url.get_backend_name()

    @property
    def sqlite_file(self) -> Path | None:
        database = self.url.database
        return Path(database) if self.dialect == "sqlite" and database else None

    def close(self) -> None:
        self.engine.dispose()

    # -- schema --------------------------------------------------------------------------

    def revision(self) -> str | None:
        """The schema revision, or None where there is no record (a missing or empty SQLite
        file is not created by asking)."""
        if (path := self.sqlite_file) is not None and (
                not path.is_file() or path.stat().st_size == 0):
            return None
        with self.read() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def upgrade(self) -> tuple[str | None, str]:
        """Run the migrations up to the head; returns (from, to)."""
        if (path := self.sqlite_file) is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        before = self.revision()
        with self.guard(), self.engine.begin() as connection:
            command.upgrade(_alembic(connection), "head")
        return before, head()

    def require_current(self, found: str | None) -> None:
        """Refuse a record at another schema revision than this noticegen's (`found`)."""
        if found != head():
            raise RecordError(
                f"the record at {self.shown} is at schema revision {found or '(none)'}; this "
                f"noticegen reads revision {head()}",
                "back it up, then run `noticegen db upgrade` (nothing migrates by itself)")

    # -- access --------------------------------------------------------------------------

    @contextmanager
    def guard(self) -> Iterator[None]:
        try:
            yield
        except DBAPIError as exc:
            raise self._translate(exc.orig) from None
        except SQLAlchemyError as exc:
            raise RecordError(f"the record at {self.shown} could not be used: {exc}",
                              "check the database URL and the server") from None

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.guard(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One transaction holding the write lock (SQLite) — all of it is recorded, or none."""
        with self.guard(), self.engine.begin() as connection:
            yield connection

    def _translate(self, error: BaseException | None) -> RecordError:
        text = str(error).strip().splitlines()[0] if error else "unknown error"
        low = text.lower()
        if "disk is full" in low or "no space" in low or "disk full" in low:
            return RecordError(f"the disk holding the record is full; nothing was recorded "
                               f"({self.shown})", "free space on that disk and run the command "
                               "again")
        if isinstance(error, sqlite3.DatabaseError) and (
                "malformed" in low or "not a database" in low or "corrupt" in low):
            return RecordError(f"the record {self.shown} is damaged ({text})",
                               "restore it from the last `noticegen db backup`; do not issue "
                               "anything until it is restored")
        if "append-only" in low:
            return RecordError(f"refused by the record: {text}",
                               "nothing of the record is changed or removed; record a correction "
                               "as a new event or a new revision")
        if "locked" in low or "busy" in low:
            return RecordError(f"the record stayed locked by another noticegen run ({text})",
                               "wait for the other run to finish, then try again")
        if "readonly" in low or "read-only" in low or "unable to open" in low:
            return RecordError(f"the record {self.shown} cannot be opened for writing ({text})",
                               "check that its folder exists and is writable")
        if self.dialect != "sqlite" and any(words in low for words in (
                "connection refused", "could not connect", "connection to server",
                "server closed the connection", "connection timeout", "timeout expired",
                "terminating connection", "connection is closed", "failed to resolve host")):
            return RecordError(f"cannot reach the record's database server ({self.shown}): "
                               f"{text}", "check that PostgreSQL is running and that "
                               "NOTICEGEN_DATABASE_URL names it; nothing was recorded")
        return RecordError(f"the record {self.shown} could not be used: {text}",
                           "nothing was recorded; check the database and try again")


def insert_once(connection: Connection, table: Table, **values: Any) -> None:
    """Insert a row unless one with the same unique key is there — also when another process
    enters it at the same moment (PostgreSQL; SQLite holds the whole database)."""
    if connection.dialect.name == "postgresql":
        connection.execute(pg_insert(table).values(**values).on_conflict_do_nothing())
    else:
        connection.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())


def record_blob(connection: Connection, sha256: str, size: int, media_type: str) -> None:
    """A file of the blob store entered in the record (once, whoever enters it first)."""
    insert_once(connection, blobs, sha256=sha256, size=size, media_type=media_type,
                recorded_at=now())


def actor_id(connection: Connection, name: str) -> int:
    """The person's id, entered on first use: every row of the record names who acted."""
    found = connection.execute(select(people.c.id).where(people.c.name == name)).scalar()
    if found is None:
        insert_once(connection, people, name=name, created_at=datetime.now(UTC))
        found = connection.execute(select(people.c.id).where(people.c.name == name)).scalar()
    return int(found)


def now() -> datetime:
    return datetime.now(UTC)


def utc(moment: datetime) -> datetime:
    """A time the record stamped with `now()`, zone-aware: SQLite gives it back naive (its
    digits are UTC), PostgreSQL aware."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
