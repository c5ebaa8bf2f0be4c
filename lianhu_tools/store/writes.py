"""The two things every writer of the store needs: the time a write is stamped with, and a frame's rows inserted in
bulk (COPY on PostgreSQL)."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def insert_frame(conn, table: sa.Table, frame: pd.DataFrame) -> None:
    """Bulk insert (COPY on PostgreSQL, else executemany) of the frame's columns that the table has; NaN/NaT
    become NULL."""
    columns = [c.name for c in table.c if c.name in frame.columns]
    frame = frame[columns].astype(object).where(frame[columns].notna(), None)
    for name in columns:
        if isinstance(table.c[name].type, sa.DateTime):
            frame[name] = pd.Series([None if v is None else pd.Timestamp(v).to_pydatetime() for v in frame[name]],
                                    index=frame.index, dtype=object)  # a list of datetimes would become Timestamps again
        elif isinstance(table.c[name].type, sa.Date):
            frame[name] = [None if v is None else pd.Timestamp(v).date() for v in frame[name]]
    rows = list(frame.itertuples(index=False, name=None))
    marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(conn.dialect.paramstyle)
    if rows and conn.dialect.name == "postgresql":  # COPY, several times executemany's speed, into a table of this
        listed, incoming = ", ".join(columns), f"incoming_{table.name}"  # transaction (row policies refuse COPY)
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {incoming}")
        conn.exec_driver_sql(f"CREATE TEMP TABLE {incoming} ON COMMIT DROP AS SELECT {listed} FROM {table.name} WITH NO DATA")
        with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(f"COPY {incoming} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({listed}) SELECT {listed} FROM {incoming}")
    elif rows and marker:  # straight to the driver's executemany: SQLAlchemy's per-row work costs 10 s a million
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join([marker] * len(columns))})",
                             rows)
    elif rows:
        conn.execute(table.insert(), [dict(zip(columns, values)) for values in rows])
