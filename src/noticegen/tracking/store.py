"""The tracking store: SQLite by default, any SQLAlchemy URL (PostgreSQL) for a larger office.
Records are only ever added; a correction is a new event."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from ..config import Settings
from ..errors import NoticegenError
from .schema import CURRENT, MIGRATIONS, TABLES
from .service import Event, check_transition

T = TABLES


class TrackingError(NoticegenError):
    exit_code = 2


@dataclass(frozen=True)
class PieceRecord:
    """A mail piece with its document and its events, oldest first."""

    article_number: str
    document_id: str
    case_number: str
    document_type: str
    recipient: str
    recipient_role: str
    addressee: str
    address: str
    mailing_date: date
    batch_id: str
    violations: tuple[tuple[str, str], ...]
    return_receipt_number: str | None
    events: tuple[Event, ...] = field(default=())

    @property
    def status(self) -> str | None:
        return self.events[-1].status if self.events else None


def store_url(settings: Settings) -> str:
    """NOTICEGEN_DB_URL, else the settings' store_url, else a SQLite file in the state folder."""
    if url := os.environ.get("NOTICEGEN_DB_URL"):
        return url
    if settings.store_url:
        return settings.store_url
    settings.state_dir.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{(settings.state_dir / 'noticegen.db').resolve()}"


def _sqlite_pragmas(engine: Engine) -> None:
    """WAL, a generous busy timeout and write locks taken at BEGIN: concurrent writers queue
    instead of failing, and a read-check-write sequence cannot interleave."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            _sqlite_pragmas(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as connection:
                yield connection
        except OperationalError as exc:
            raise TrackingError(f"the tracking store could not be written: {exc.orig}",
                                f"check the store at {self.engine.url!r}") from None

    # -- schema --------------------------------------------------------------------------

    def version(self) -> int:
        with self.engine.connect() as connection:
            if not self.engine.dialect.has_table(connection, "schema_version"):
                return 0
            return connection.execute(select(T["schema_version"].c.version).order_by(
                T["schema_version"].c.version.desc())).scalar() or 0

    def upgrade(self, to: int = CURRENT) -> list[int]:
        """Apply the migrations after the store's version, each in its own transaction."""
        applied = []
        for number, step in MIGRATIONS:
            if number > to:
                break
            try:
                with self._tx() as connection:
                    if self._version_in(connection) >= number:
                        continue
                    step(connection)
                    connection.execute(insert(T["schema_version"]).values(
                        version=number, applied_at=datetime.now(UTC)))
                    applied.append(number)
            except IntegrityError:
                continue  # another process applied it at the same moment
        return applied

    def _version_in(self, connection: Connection) -> int:
        if not self.engine.dialect.has_table(connection, "schema_version"):
            return 0
        return connection.execute(select(T["schema_version"].c.version).order_by(
            T["schema_version"].c.version.desc())).scalar() or 0

    # -- recording what was issued -------------------------------------------------------

    def record(self, documents: Sequence[dict[str, Any]], batch: dict[str, Any] | None = None,
               pieces: Sequence[dict[str, Any]] = (), recorded_by: str = "noticegen") -> int:
        """Record a batch, its documents and pieces (each piece 'mailed'); what is already
        recorded is left as it is, so re-recording a batch adds nothing. Returns rows added."""
        added = 0
        now = datetime.now(UTC)
        with self._tx() as c:
            if batch and not c.execute(select(T["batches"].c.id).where(
                    T["batches"].c.id == batch["id"])).first():
                c.execute(insert(T["batches"]).values(**batch, recorded_at=now))
                added += 1
            known = {row[0] for row in c.execute(select(T["documents"].c.id).where(
                T["documents"].c.id.in_([d["id"] for d in documents])))}
            for doc in documents:
                if doc["id"] not in known:
                    c.execute(insert(T["documents"]).values(
                        **{**doc, "violations": json.dumps(doc["violations"])}))
                    added += 1
            for piece in pieces:
                if c.execute(select(T["mail_pieces"].c.article_number).where(
                        T["mail_pieces"].c.article_number == piece["article_number"])).first():
                    continue
                c.execute(insert(T["mail_pieces"]).values(**piece))
                c.execute(insert(T["events"]).values(
                    article_number=piece["article_number"], status="mailed",
                    occurred_on=piece["mailing_date"], correction=0, source="batch",
                    recorded_by=recorded_by, recorded_at=now))
                added += 1
        return added

    # -- events --------------------------------------------------------------------------

    def add_event(self, article: str, status: str, on: date, recorded_by: str, *,
                  signer: str | None = None, detail: str | None = None,
                  correction: bool = False, source: str = "manual",
                  receipt_number: str | None = None) -> None:
        """Record one event after checking it can follow the piece's current status."""
        if status == "return_receipt" and not signer:
            raise TrackingError("a return receipt records who signed it",
                                "give --signed-by NAME")
        with self._tx() as c:
            query = select(T["mail_pieces"].c.article_number).where(
                T["mail_pieces"].c.article_number == article)
            if self.engine.dialect.name != "sqlite":
                query = query.with_for_update()
            if not c.execute(query).first():
                raise TrackingError(f"no mail piece with article number {article}",
                                    "check the number; `noticegen track list` shows them")
            history = self._events(c, article)
            check_transition(history[-1].status if history else None, status, correction)
            c.execute(insert(T["events"]).values(
                article_number=article, status=status, occurred_on=on, signer=signer,
                detail=detail, correction=int(correction), source=source,
                recorded_by=recorded_by, recorded_at=datetime.now(UTC)))
            if receipt_number:
                c.execute(T["mail_pieces"].update().where(
                    T["mail_pieces"].c.article_number == article).values(
                    return_receipt_number=receipt_number))

    def _events(self, c: Connection, article: str) -> list[Event]:
        rows = c.execute(select(T["events"]).where(T["events"].c.article_number == article)
                         .order_by(T["events"].c.id)).mappings()
        return [Event(r["status"], r["occurred_on"], r["signer"], bool(r["correction"]))
                for r in rows]

    # -- reading -------------------------------------------------------------------------

    def pieces(self, status: str | None = None, case: str | None = None,
               article: str | None = None) -> list[PieceRecord]:
        p, d = T["mail_pieces"], T["documents"]
        query = select(p, d.c.case_number, d.c.document_type, d.c.recipient,
                       d.c.recipient_role, d.c.violations).join(d, d.c.id == p.c.document_id)
        if case:
            query = query.where(d.c.case_number == case)
        if article:
            query = query.where(p.c.article_number == article)
        query = query.order_by(p.c.batch_id, p.c.line)
        with self.engine.connect() as c:
            records = [PieceRecord(
                r["article_number"], r["document_id"], r["case_number"], r["document_type"],
                r["recipient"], r["recipient_role"], r["addressee"], r["address"],
                r["mailing_date"], r["batch_id"],
                tuple(tuple(v) for v in json.loads(r["violations"])),
                r["return_receipt_number"], tuple(self._events(c, r["article_number"])))
                for r in c.execute(query).mappings()]
        return [r for r in records if status is None or r.status == status]

    def documents(self, sha256: str | None = None, document_id: str | None = None
                  ) -> list[dict[str, Any]]:
        d = T["documents"]
        query = select(d)
        if sha256:
            query = query.where(d.c.sha256 == sha256)
        if document_id:
            query = query.where(d.c.id == document_id)
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(query.order_by(d.c.issued_at)).mappings()]

    def piece_by_packet(self, sha256: str) -> list[PieceRecord]:
        """Pieces whose mailed packet (cover and notice) has this hash."""
        p = T["mail_pieces"]
        with self.engine.connect() as c:
            articles = [r[0] for r in c.execute(select(p.c.article_number).where(
                p.c.packet_sha256 == sha256))]
        return [piece for a in articles for piece in self.pieces(article=a)]

    def event_count(self) -> int:
        with self.engine.connect() as c:
            return len(c.execute(select(T["events"].c.id)).all())


def open_store(settings: Settings) -> Store:
    """The configured store, upgraded to the current schema."""
    store = Store(store_url(settings))
    store.upgrade()
    return store


def document_row(doc: Any, case: Any, file: str | None, batch_id: str | None = None,
                 follow_up_due: date | None = None) -> dict[str, Any]:
    """The documents row for a RenderedDocument of a case."""
    return {"id": doc.document_id, "case_number": doc.case_number,
            "document_type": doc.doc_type, "recipient": doc.recipient_id,
            "recipient_role": doc.recipient_role, "template_id": doc.template_id,
            "template_version": doc.template_version, "sha256": doc.sha256,
            "issued_at": doc.issued, "delivery": doc.delivery, "batch_id": batch_id,
            "violations": [[v.id, v.ordinance] for v in case.violations],
            "deadline": doc.deadline, "follow_up_due": follow_up_due, "file": file}
