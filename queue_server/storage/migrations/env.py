"""Alembic environment: always run from `storage.database.migrate` with an open connection."""

from alembic import context

from queue_server.storage.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
