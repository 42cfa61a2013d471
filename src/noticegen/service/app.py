"""The application object every face builds: settings, the record, the blob store and the
person acting. Each operation of the service takes it first."""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import Connection, func, insert, select

from ..blobs import BlobStore
from ..errors import NoticegenError
from ..files import write_atomically
from ..project import Project, load_project
from ..record import Record, RecordError
from ..record.db import actor_id, head, now
from ..record.numbers import ensure_sequence, impb_name, used
from ..record.tables import decisions, documents, sequences

RECORD_FILE = "record.sqlite"
BLOBS = "blobs"
MARKER = "RECORD"
"""A file in the blob store naming the record it belongs to: a database that is missing,
emptied or replaced no longer matches it."""
MAILED = "MAILED"
"""A file in the blob store with the highest article-number serial of each sequence ever
recorded: a database restored from an older backup is noticed, and its numbers not reused."""
CREATED = "created"
ACCEPT_EMPTY = "accept-empty-record"
ACCEPT_OLDER = "accept-older-record"


class LostRecord(RecordError):
    """The database is missing or empty while issued documents exist: issuing would reuse
    article numbers and lose the history the ladder reads."""


def database_url(project: Project, url: str | None = None) -> str:
    """The given URL (the face reads NOTICEGEN_DATABASE_URL), else the settings' store_url,
    else a SQLite file in the state folder."""
    if url:
        return url
    if project.settings.store_url:
        return project.settings.store_url
    return f"sqlite:///{(project.settings.state_dir / RECORD_FILE).resolve()}"


@dataclass
class App:
    """One project folder with its record, used by one person."""

    project: Project
    record: Record
    blobs: BlobStore
    actor: str

    @classmethod
    def open(cls, root: Path, actor: str, database: str | None = None) -> App:
        project = load_project(root)
        return cls(project, Record(database_url(project, database)),
                   BlobStore(project.settings.state_dir / BLOBS), actor)

    def close(self) -> None:
        self.record.close()

    @property
    def root(self) -> Path:
        return self.project.root

    @property
    def out(self) -> Path:
        return self.root / "out"

    @property
    def work(self) -> Path:
        """Unfinished work (a batch's journal): never the record."""
        return self.project.settings.state_dir / "work"

    # -- the agency's clock ------------------------------------------------------------------

    def today(self) -> date:
        """Today in the agency's time zone (not the server's)."""
        return datetime.now(self.project.settings.zone).date()

    def now(self) -> datetime:
        """Now on the agency's wall clock, to the minute and without a zone (as `noticegen
        render` defaults)."""
        return datetime.now(self.project.settings.zone).replace(second=0, microsecond=0,
                                                               tzinfo=None)

    # -- the record's state ----------------------------------------------------------------

    def ready(self) -> None:
        """The record exists at this noticegen's schema; otherwise say what to do."""
        found = self.record.revision()
        if found is None:
            if self._marker() is not None or self._issued_in_out():
                raise self._lost()
            raise RecordError(f"there is no record yet at {self.record.shown}",
                              "create it with `noticegen db upgrade`")
        self.record.require_current(found)

    def ready_to_issue(self) -> None:
        """As `ready`, and this is the record the blob store and out/ belong to (or someone
        decided to start over): a lost database must not lead to reused article numbers or a
        forgotten history."""
        self.ready()
        with self.record.read() as c:
            created = c.execute(select(decisions.c.detail).where(decisions.c.decision.in_(
                [CREATED, ACCEPT_EMPTY])).order_by(decisions.c.id.desc())).scalar()
            issued = c.execute(select(func.count()).select_from(documents)).scalar()
        marker = self._marker()
        if marker is not None and marker != created:
            raise self._lost()
        if marker is None:
            if not issued and self._issued_in_out():
                raise self._lost()
            if created:
                self._mark(created)
        if behind := self._behind():
            raise LostRecord(
                f"the record at {self.record.shown} is older than what was mailed: "
                + "; ".join(f"{name} serial {top} was recorded, the record's last is {last}"
                            for name, top, last in behind)
                + " (restored from an older backup?); nothing is issued until it is whole",
                "restore the latest backup; only if the newer record is truly gone, `noticegen "
                "db init --accept-older-record` records that decision (numbers then continue "
                "past the highest ever mailed)")

    def mailed(self) -> dict[str, int]:
        """The highest serial of each sequence ever recorded, as kept beside the blobs."""
        path = self.blobs.root / MAILED
        try:
            found = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        except (ValueError, OSError):
            raise RecordError(f"{path} is damaged", "restore it from the blob store's "
                              "backup") from None
        return {str(k): int(v) for k, v in found.items()}

    def note_mailed(self, serials: dict[str, int]) -> None:
        """Raise the kept highest serials after a batch is recorded."""
        known = self.mailed()
        for name, serial in serials.items():
            known[name] = max(known.get(name, 0), serial)
        write_atomically(self.blobs.root / MAILED, json.dumps(known, sort_keys=True) + "\n")

    def _behind(self) -> list[tuple[str, int, int]]:
        """Sequences whose kept highest serial the record does not reach (unless someone
        accepted that older record)."""
        mailed = self.mailed()
        if not mailed:
            return []
        with self.record.read() as c:
            accepted = c.execute(select(decisions.c.detail).where(
                decisions.c.decision == ACCEPT_OLDER).order_by(decisions.c.id.desc())).scalar()
            found = [(name, top, used(c, name)) for name, top in sorted(mailed.items())]
        waived = json.loads(accepted) if accepted else {}
        return [(name, top, last) for name, top, last in found
                if last < top and waived.get(name, 0) < top]

    def _marker(self) -> str | None:
        path = self.blobs.root / MARKER
        return path.read_text(encoding="utf-8").strip() if path.is_file() else None

    def _mark(self, identity: str) -> None:
        write_atomically(self.blobs.root / MARKER, identity + "\n")

    def _issued_in_out(self) -> bool:
        """Readable copies of issued documents under out/ (not drafts, not reviews)."""
        return self.out.is_dir() and any(
            p.suffix in (".pdf", ".docx") and not p.name.startswith("DRAFT-")
            and p.relative_to(self.out).parts[0] not in ("review", ".cache")
            for p in self.out.rglob("*") if p.is_file())

    def _lost(self) -> LostRecord:
        return LostRecord(
            f"the record at {self.record.shown} is missing, empty or not the one this folder's "
            f"documents were issued from (files in {self.blobs.root.resolve()} or "
            f"{self.out.resolve()}); nothing is issued on a lost record: article numbers would "
            "be reused and the case histories forgotten",
            "restore the database from its last backup (`noticegen db backup` makes one); only "
            "if it is truly gone, `noticegen db init --accept-empty-record` records that "
            "decision and starts over past every article number found in out/")

    @contextmanager
    def transaction(self) -> Iterator[tuple[Connection, int]]:
        """A transaction of the record and the acting person's id in it."""
        with self.record.transaction() as c:
            yield c, actor_id(c, self.actor)


def upgrade(app: App) -> tuple[str | None, str]:
    """Create the record or bring it to the head; a new record gets its identity."""
    before, after = app.record.upgrade()
    if before is None:
        with app.transaction() as (c, actor):
            if not c.execute(select(decisions.c.id).where(
                    decisions.c.decision == CREATED)).first():
                c.execute(insert(decisions).values(decision=CREATED, detail=str(uuid.uuid4()),
                                                   actor_id=actor, recorded_at=now()))
    return before, after


def accept_empty_record(app: App) -> int:
    """Record the decision to start over on an empty record; IMpb serials then start past the
    highest found in out/ (manifests and batch records), so no number is issued twice."""
    found = app.record.revision()
    if found is None:
        raise RecordError(f"there is no record at {app.record.shown} to accept",
                          "create it with `noticegen db upgrade` first")
    app.record.require_current(found)
    floor = _highest_serial(app)
    with app.transaction() as (c, actor):
        if c.execute(select(func.count()).select_from(documents)).scalar():
            raise NoticegenError("the record is not empty; there is nothing to accept",
                                 "`noticegen db check` shows what it holds")
        source = app.project.settings.mail.article_numbers
        if source.source == "impb" and not c.execute(select(sequences.c.name).where(
                sequences.c.name == impb_name(source))).first():
            c.execute(insert(sequences).values(name=impb_name(source), kind="impb",
                                               floor=floor, actor_id=actor, recorded_at=now()))
        ensure_sequence(c, source, actor)
        identity = f"{uuid.uuid4()} (started over on an empty record; IMpb serials continue " \
                   f"after {floor})"
        c.execute(insert(decisions).values(decision=ACCEPT_EMPTY, actor_id=actor,
                                           recorded_at=now(), detail=identity))
    app._mark(identity)
    return floor


def accept_older_record(app: App) -> dict[str, int]:
    """Record the decision to go on with a record older than what was mailed (its backup was
    all there was); numbers continue past the highest ever mailed."""
    app.ready()
    mailed = app.mailed()
    with app.transaction() as (c, actor):
        c.execute(insert(decisions).values(decision=ACCEPT_OLDER, actor_id=actor,
                                           recorded_at=now(), detail=json.dumps(mailed)))
    return mailed


def _highest_serial(app: App) -> int:
    """The highest IMpb serial of the configured Mailer ID found in what survives of earlier
    records: manifests and batch records under out/, the blob store, and the state folder's
    files (an earlier version's article-number and tracking files included)."""
    source = app.project.settings.mail.article_numbers
    if source.source != "impb" or not source.mailer_id:
        return 0
    width = 7 if len(source.mailer_id) == 9 else 10
    pattern = re.compile(r"9[23]\d{3}" + source.mailer_id + r"(\d{" + str(width) + r"})\d")
    places = [p for p in app.out.rglob("*") if p.name in ("manifest.csv", "batch.json")] \
        if app.out.is_dir() else []
    state = app.project.settings.state_dir
    places += [p for p in state.rglob("*") if p.is_file()] if state.is_dir() else []
    top = 0
    for path in places:
        if path.stat().st_size > 200_000_000:
            continue  # a print file: its numbers are in its batch's record too
        text = path.read_bytes().decode("latin-1").replace(" ", "")
        for match in pattern.finditer(text):
            top = max(top, int(match.group(1)))
    return top


def backup(app: App, target: Path) -> str:
    """An online copy of a SQLite record (consistent while others write)."""
    path = app.record.sqlite_file
    if path is None:
        raise NoticegenError(
            "the record is a PostgreSQL database; back it up with its own tools",
            f"e.g. pg_dump --format=custom --file={target} '<database URL>', and keep the blob "
            f"store folder ({app.blobs.root}) with it")
    app.ready()
    if target.exists():
        raise NoticegenError(f"{target} already exists", "name a new file; backups are kept")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with sqlite3.connect(path) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
    except sqlite3.Error as exc:
        target.unlink(missing_ok=True)
        raise RecordError(f"the backup could not be written: {exc}",
                          "check the target folder and free disk space") from None
    return head()
