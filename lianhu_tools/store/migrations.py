"""Bringing an older store to this program's schema, one step per version (alembic operations); a new
store is created at SCHEMA_VERSION directly. Run under the store's write lock."""

from __future__ import annotations

from typing import Callable

import sqlalchemy as sa

from .tables import adjustments, assessment_scores, assessments, meta, metadata, plans

MIGRATIONS: dict[int, Callable] = {
    2: lambda operations: [table.create(operations.get_bind()) for table in (assessments, assessment_scores, adjustments)],
    3: lambda operations: plans.create(operations.get_bind()),
    4: lambda operations: _fingerprints_and_unique_digests(operations),
}
SCHEMA_VERSION = max(MIGRATIONS)  # the version of a store this program creates


def _fingerprints_and_unique_digests(operations) -> None:
    """Version 4: records carry a fingerprint of their content; a digest of files is imported once."""
    inspector = sa.inspect(operations.get_bind())
    if "fingerprint" not in [c["name"] for c in inspector.get_columns("activities")]:
        operations.add_column("activities", sa.Column("fingerprint", sa.BigInteger))
        operations.create_index("activities_fingerprint", "activities", ["fingerprint"])
    indexes = [i["name"] for i in inspector.get_indexes("imports")]
    if "ix_imports_digest" in indexes:
        operations.drop_index("ix_imports_digest", "imports")
    if "imports_digest" not in indexes:
        operations.create_index("imports_digest", "imports", ["digest"], unique=True)



def create_or_migrate(conn) -> None:
    """Create the store, or bring it to SCHEMA_VERSION (once, even when two programs open an old store together)."""
    if not sa.inspect(conn).has_table("meta"):
        metadata.create_all(conn)
        conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        return
    version = int(conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar_one())
    if version < SCHEMA_VERSION:
        from alembic.migration import MigrationContext  # only an old store needs alembic
        from alembic.operations import Operations

        operations = Operations(MigrationContext.configure(conn))
        for step in range(version + 1, SCHEMA_VERSION + 1):
            MIGRATIONS[step](operations)
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))
