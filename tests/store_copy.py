"""A store's every row copied into a new store at another URL (a SQLite file or a PostgreSQL database), for the
tests that run one demo year on both engines."""

from __future__ import annotations

import sqlalchemy as sa

from lianhu_tools.store import Store
from lianhu_tools.store.tables import metadata


def copy_store(source: Store, url: str) -> Store:
    target = Store(url)
    with source.engine.connect() as reading, target.engine.begin() as conn:
        for table in metadata.sorted_tables:
            rows = [dict(row._mapping) for row in reading.execute(sa.select(table))]
            if table.name == "meta" or not rows:
                continue
            conn.execute(table.insert(), rows)
            keys = list(table.primary_key.columns)
            if conn.dialect.name == "postgresql" and len(keys) == 1 and isinstance(keys[0].type, sa.Integer):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{keys[0].name}'), "
                                     f"{max(row[keys[0].name] for row in rows)})")
    return target
