"""Alembic's migration environment: always on the store's open connection, inside its write transaction."""

from alembic import context

from lianhu_tools.store.tables import metadata

context.configure(connection=context.config.attributes["connection"], target_metadata=metadata,
                  render_as_batch=True)  # SQLite alters a table by copying it
with context.begin_transaction():
    context.run_migrations()
