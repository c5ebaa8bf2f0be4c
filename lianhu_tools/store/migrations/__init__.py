"""Bringing a store to this program's schema with alembic: its migration environment (env.py) and one script
per schema version (versions/0001 … ), run the same way on SQLite and PostgreSQL. A new store is created at the
newest version at once and stamped; a store from before alembic (its version only in the meta table) is
stamped with that version, then upgraded. Run under the store's write lock: two programs opening one store
at once create or upgrade it once."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ...errors import StoreTooNew
from .. import postgres_roles
from ..tables import meta, metadata, users

FOLDER = Path(__file__).resolve().parent


def config(conn=None):
    """Alembic's configuration for these scripts, on an open connection (env.py uses it as it is). Alembic is
    imported only here: a dashboard viewer's kernel, which never migrates, does without it."""
    from alembic.config import Config

    settings = Config()
    settings.set_main_option("script_location", str(FOLDER))
    settings.attributes["connection"] = conn
    return settings


HEAD = max(path.name[:4] for path in (FOLDER / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))  # alembic's head too
SCHEMA_VERSION = int(HEAD)  # the version of a store this program creates


def stored_version(conn) -> int | None:
    """The store's schema version; None before it has tables."""
    inspector = sa.inspect(conn)
    if inspector.has_table("alembic_version"):
        revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        return int(revision) if revision and revision.isdigit() else None
    if inspector.has_table("meta"):  # before alembic: meta's schema_version
        return int(conn.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar_one())
    return None


def check_not_newer(version: int | None) -> None:
    if version is not None and version > SCHEMA_VERSION:
        raise StoreTooNew(f"数据库版本 {version} 比本程序新（{SCHEMA_VERSION}），请升级程序 / "
                          f"the store's schema {version} is newer than this program's {SCHEMA_VERSION}")


def create_or_migrate(conn) -> None:
    """Create the store, or bring it to SCHEMA_VERSION; nothing when it is there already."""
    from alembic import command

    version = stored_version(conn)
    check_not_newer(version)
    settings = config(conn)
    if version is None:
        metadata.create_all(conn)
        conn.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        conn.execute(meta.insert().values(key="written", value="created"))  # Store.transaction changes it
        command.stamp(settings, HEAD)
    elif version < SCHEMA_VERSION:
        if not sa.inspect(conn).has_table("alembic_version"):
            command.stamp(settings, f"{version:04d}")
        command.upgrade(settings, HEAD)
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION)))
        if conn.dialect.name == "postgresql" and conn.execute(sa.select(sa.func.count()).select_from(users)).scalar_one():
            postgres_roles.set_up(conn)  # the roles' privileges on the tables the upgrade added
