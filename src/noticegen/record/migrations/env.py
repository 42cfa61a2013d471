"""Alembic's environment: runs on the connection noticegen hands it (never reads a URL)."""

from alembic import context

from noticegen.record.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    context.run_migrations()
