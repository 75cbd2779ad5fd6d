"""Alembic environment: runs on the connection handed in by server.adapters.engine.migrate."""
from alembic import context

from server.adapters.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("run migrations through `hallq` (server.adapters.engine.migrate), which supplies the connection")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
