"""The service: accounts, API tokens, the sign-in trail, jobs and their states, and templates
sent back by the city attorney; append-only like the rest of the record.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None



def _stamped() -> list[sa.Column]:
    return [sa.Column("actor_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
            sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("must_change", sa.Boolean(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        *_stamped())
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        *_stamped())
    op.create_table(
        "access",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("session_sha256", sa.String(64), nullable=True, index=True),
        *_stamped())
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        *_stamped())
    op.create_table(
        "job_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("job_id", sa.String(40), sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        *_stamped(),
        sa.UniqueConstraint("job_id", "seq"))
    op.create_table(
        "template_reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("template_id", sa.String(80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_stamped())
    _append_only(["accounts", "api_tokens", "access", "jobs", "job_events",
                  "template_reviews"])


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
