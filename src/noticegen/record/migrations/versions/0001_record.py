"""The record: people, cases and their revisions, the event log, documents, mail pieces,
article-number sequences, approvals and blobs; every table append-only.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=80), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('cases',
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('case_number')
    )
    op.create_table('people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.Column('approved_by', sa.Text(), nullable=False),
    sa.Column('approved_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('template_id', 'version', 'hash')
    )
    op.create_table('batches',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('document_type', sa.String(length=40), nullable=False),
    sa.Column('mail_date', sa.Date(), nullable=False),
    sa.Column('pieces', sa.Integer(), nullable=False),
    sa.Column('record_sha256', sa.String(length=64), nullable=False),
    sa.Column('print_sha256', sa.String(length=64), nullable=False),
    sa.Column('book_sha256', sa.String(length=64), nullable=False),
    sa.Column('manifest_sha256', sa.String(length=64), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['book_sha256'], ['blobs.sha256'], ),
    sa.ForeignKeyConstraint(['manifest_sha256'], ['blobs.sha256'], ),
    sa.ForeignKeyConstraint(['print_sha256'], ['blobs.sha256'], ),
    sa.ForeignKeyConstraint(['record_sha256'], ['blobs.sha256'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('case_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_number', 'revision')
    )
    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('sequences',
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('first', sa.String(length=22), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('documents',
    sa.Column('id', sa.String(length=80), nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('document_type', sa.String(length=40), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('template_id', sa.String(length=80), nullable=False),
    sa.Column('template_version', sa.Integer(), nullable=False),
    sa.Column('template_hash', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('format', sa.String(length=8), nullable=False),
    sa.Column('file', sa.Text(), nullable=False),
    sa.Column('recipient', sa.String(length=60), nullable=False),
    sa.Column('recipient_role', sa.String(length=40), nullable=False),
    sa.Column('delivery', sa.String(length=40), nullable=False),
    sa.Column('violations', sa.JSON(), nullable=False),
    sa.Column('deadline', sa.Text(), nullable=True),
    sa.Column('deadline_on', sa.Date(), nullable=True),
    sa.Column('follow_up_due', sa.Date(), nullable=True),
    sa.Column('batch_id', sa.String(length=80), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], ),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.ForeignKeyConstraint(['revision_id'], ['case_revisions.id'], ),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.String(length=60), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['case_revisions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('revision_id', 'party_id')
    )
    op.create_table('photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('violation_id', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('caption', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['revision_id'], ['case_revisions.id'], ),
    sa.ForeignKeyConstraint(['sha256'], ['blobs.sha256'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('violations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('revision_id', sa.Integer(), nullable=False),
    sa.Column('violation_id', sa.String(length=60), nullable=False),
    sa.Column('ordinance', sa.String(length=60), nullable=False),
    sa.Column('observed', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['revision_id'], ['case_revisions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('revision_id', 'violation_id')
    )
    op.create_table('mail_pieces',
    sa.Column('article_number', sa.String(length=22), nullable=False),
    sa.Column('sequence', sa.String(length=80), nullable=False),
    sa.Column('serial', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.String(length=80), nullable=False),
    sa.Column('line', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.String(length=80), nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('recipient', sa.String(length=60), nullable=False),
    sa.Column('addressee', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('mailing_date', sa.Date(), nullable=False),
    sa.Column('service', sa.Text(), nullable=False),
    sa.Column('postage', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('fees', sa.Numeric(precision=8, scale=2), nullable=False),
    sa.Column('packet_sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batches.id'], ),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.ForeignKeyConstraint(['packet_sha256'], ['blobs.sha256'], ),
    sa.ForeignKeyConstraint(['sequence'], ['sequences.name'], ),
    sa.PrimaryKeyConstraint('article_number'),
    sa.UniqueConstraint('batch_id', 'line'),
    sa.UniqueConstraint('document_id'),
    sa.UniqueConstraint('sequence', 'serial')
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_number', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', sa.DateTime(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('entry_key', sa.String(length=64), nullable=True),
    sa.Column('document_id', sa.String(length=80), nullable=True),
    sa.Column('article_number', sa.String(length=22), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('correction', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['article_number'], ['mail_pieces.article_number'], ),
    sa.ForeignKeyConstraint(['case_number'], ['cases.case_number'], ),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_number', 'entry_key')
    )
    _append_only([
        "people", "decisions", "blobs", "cases", "case_revisions", "parties", "violations",
        "photos", "batches", "documents", "mail_pieces", "sequences", "events", "approvals"])


def _append_only(tables: list[str]) -> None:
    """The database itself refuses to change or remove a row of the record."""
    if op.get_bind().dialect.name == "sqlite":
        for table in tables:
            for action in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON "
                           f"{table} BEGIN SELECT RAISE(ABORT, 'the record is append-only: "
                           f"{action} on {table} refused'); END")
        return
    op.execute("CREATE FUNCTION noticegen_append_only() RETURNS trigger AS $$ BEGIN "
               "RAISE EXCEPTION 'the record is append-only: % on % refused', TG_OP, "
               "TG_TABLE_NAME; END $$ LANGUAGE plpgsql")
    for table in tables:
        op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION noticegen_append_only()")


def downgrade() -> None:
    raise NotImplementedError("the record is never downgraded: restore a backup instead")
