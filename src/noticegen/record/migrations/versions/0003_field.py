"""Field work and the public: complaints filed through the online form (directive V.A.1),
what the division decided about each (accepted, not accepted, assigned), the officer an
officer's account acts as, and the forms already received (a form sent twice counts once).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _stamped() -> list[sa.Column]:
    return [sa.Column("actor_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    op.add_column("accounts", sa.Column("officer_id", sa.String(60), nullable=True))
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_number", sa.String(20), nullable=False, unique=True),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        *_stamped())
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("complaint_id", sa.Integer(), sa.ForeignKey("complaints.id"),
                  nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        *_stamped())
    op.create_table(
        "submissions",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        *_stamped())
    _append_only(["complaints", "complaint_events", "submissions"])


def _append_only(tables: list[str]) -> None:
    """As in 0001: the database refuses to change or remove a row (the function exists)."""
    for table in tables:
        if op.get_bind().dialect.name == "sqlite":
            for action in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON "
                           f"{table} BEGIN SELECT RAISE(ABORT, 'the record is append-only: "
                           f"{action} on {table} refused'); END")
        else:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON "
                       f"{table} FOR EACH ROW EXECUTE FUNCTION noticegen_append_only()")


def downgrade() -> None:
    raise NotImplementedError("the record is never downgraded: restore a backup instead")
