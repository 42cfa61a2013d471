"""The store's schema and its migrations: numbered steps, applied in order, never edited once
released, so an office can upgrade without losing a record."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    inspect,
    text,
)


def define(metadata: MetaData, version: int) -> dict[str, Table]:
    """The tables as they stand at a schema version (migrations build from frozen versions)."""
    schema_version = Table(
        "schema_version", metadata,
        Column("version", Integer, primary_key=True),
        Column("applied_at", DateTime(timezone=True), nullable=False),
    )
    batches = Table(
        "batches", metadata,
        Column("id", String(80), primary_key=True),
        Column("document_type", String(40), nullable=False),
        Column("mail_date", Date, nullable=False),
        Column("pieces", Integer, nullable=False),
        Column("record_sha256", String(64), nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
    )
    documents = Table(
        "documents", metadata,
        Column("id", String(80), primary_key=True),
        Column("case_number", String(40), nullable=False, index=True),
        Column("document_type", String(40), nullable=False),
        Column("recipient", String(80), nullable=False),
        Column("recipient_role", String(40), nullable=False),
        Column("template_id", String(80), nullable=False),
        Column("template_version", Integer, nullable=False),
        Column("sha256", String(64), nullable=False, index=True),
        Column("issued_at", DateTime(timezone=True), nullable=False),
        Column("delivery", String(40), nullable=False),
        Column("batch_id", String(80), ForeignKey("batches.id"), nullable=True),
        Column("violations", Text, nullable=False),  # JSON [[violation id, ordinance id], ...]
        Column("deadline", Text, nullable=True),
        Column("follow_up_due", Date, nullable=True),
        Column("file", Text, nullable=True),
    )
    mail_pieces = Table(
        "mail_pieces", metadata,
        Column("article_number", String(26), primary_key=True),
        Column("document_id", String(80), ForeignKey("documents.id"), nullable=False, index=True),
        Column("batch_id", String(80), ForeignKey("batches.id"), nullable=False),
        Column("line", Integer, nullable=False),
        Column("service", String(80), nullable=False),
        Column("postage", Numeric(8, 2), nullable=False),
        Column("fees", Numeric(8, 2), nullable=False),
        Column("mailing_date", Date, nullable=False),
        Column("addressee", Text, nullable=False),
        Column("address", Text, nullable=False),
        Column("packet_sha256", String(64), nullable=False, index=True),
        *([Column("return_receipt_number", String(26), nullable=True)] if version >= 2 else []),
    )
    events = Table(
        "events", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("article_number", String(26), ForeignKey("mail_pieces.article_number"),
               nullable=False, index=True),
        Column("status", String(40), nullable=False),
        Column("occurred_on", Date, nullable=False),
        Column("signer", Text, nullable=True),
        Column("detail", Text, nullable=True),
        Column("correction", Integer, nullable=False, default=0),
        Column("source", String(40), nullable=False),
        Column("recorded_by", Text, nullable=False),
        Column("recorded_at", DateTime(timezone=True), nullable=False),
    )
    return {t.name: t for t in (schema_version, batches, documents, mail_pieces, events)}


def _v1(connection: Connection) -> None:
    """The first released schema: batches, documents, mail pieces, events."""
    v1 = MetaData()
    define(v1, 1)
    v1.create_all(connection, checkfirst=True)


def _v2(connection: Connection) -> None:
    """Hardcopy return receipts (PS 3811) carry their own tracking number: keep both."""
    if "return_receipt_number" not in {c["name"] for c in inspect(connection).get_columns(
            "mail_pieces")}:
        connection.execute(text("ALTER TABLE mail_pieces ADD COLUMN return_receipt_number "
                                "VARCHAR(26)"))


MIGRATIONS: list[tuple[int, Callable[[Connection], None]]] = [(1, _v1), (2, _v2)]
CURRENT = MIGRATIONS[-1][0]
metadata = MetaData()
TABLES = define(metadata, CURRENT)
