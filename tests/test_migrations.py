"""Old stores are brought to this program's schema by alembic's scripts, the same way on SQLite and PostgreSQL:
a version-1 store ends exactly as a new one is made, with its data; copies that two writers once left are
repaired and counted; three programs upgrading at once upgrade once; a newer store is refused."""

import subprocess
import sys

import pandas as pd
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lianhu_tools.store import SCHEMA_VERSION, Store, StoreTooNew, migrations, tables
from lianhu_tools.store.store import store_url as url_of
from test_store import WORKER


def old_store(url: str, version: str) -> sa.engine.Engine:
    """A store as a program of `version` left it: alembic's scripts up to that version, on an empty database."""
    engine = sa.create_engine(url_of(url))
    with engine.begin() as conn:
        command.upgrade(migrations.config(conn), version)
        conn.execute(tables.meta.insert().values(key="schema_version", value=str(int(version))))
    return engine


def test_a_version_1_store_is_upgraded_to_exactly_what_a_new_store_is(store_url):
    engine = old_store(store_url, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO imports (kind, source, rows, at, who) VALUES ('activities', 'old', 1, "
                             "'2025-01-01 00:00:00', 'planner')")
        conn.exec_driver_sql("INSERT INTO activities (import_id, record_id, period, village_code) VALUES "
                             "(1, 'R1', '2025H1', '620502101201')")
    store = Store(store_url)
    assert store.schema_version() == SCHEMA_VERSION
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), tables.metadata) == []
    assert store.activities()["record_id"].tolist() == ["R1"] and store.integrity_problems() == []


def test_a_store_from_before_alembic_is_stamped_then_upgraded(store_url):
    engine = old_store(store_url, "0004")
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE alembic_version")  # a version-4 store knew only its meta table
    assert Store(store_url).schema_version() == SCHEMA_VERSION
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == migrations.HEAD


def test_copies_left_by_two_writers_at_once_are_repaired_and_counted(store_url):
    """What two writers at once once stored on PostgreSQL: the same record twice, a household with two cadres."""
    engine = old_store(store_url, "0004")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO imports (kind, source, rows, at, who) VALUES ('activities', 'a', 2, "
                             "'2025-01-01 00:00:00', 'p'), ('activities', 'b', 1, '2025-01-01 00:00:00', 'p')")
        conn.exec_driver_sql("INSERT INTO activities (import_id, period, village_code, fingerprint) VALUES "
                             "(1, '2025H1', '620502101201', 7), (1, '2025H1', '620502101201', 8), "
                             "(1, '2025H1', '620502101201', 8), (2, '2025H1', '620502101201', 7)")
        conn.exec_driver_sql("INSERT INTO pairings (cadre_id, household_id, term_start, status) VALUES "
                             "('C1', 'H1', 2025, 'confirmed'), ('C2', 'H1', 2025, 'confirmed'), ('C3', 'H2', 2025, 'locked')")
    store = Store(store_url)
    kept = store.activities().sort_values("id")
    assert kept["id"].tolist() == [1, 2, 3]  # one import's two identical records are two visits: both kept
    assert kept["fingerprint"].tolist()[:2] == [7, 8] and kept["fingerprint"].is_unique
    assert store.current("pairings").sort_values("id")["cadre_id"].tolist() == ["C1", "C3"]
    log = pd.read_sql(sa.select(tables.audit_log).where(tables.audit_log.c.action == "repair"), store.engine)
    assert '"identical_records_removed": 1' in log["new_value"].iloc[0] and '"pairings_ended": 1' in log["new_value"].iloc[0]
    assert store.integrity_problems() == []


def test_three_programs_upgrading_at_once_upgrade_once(store_url):
    old_store(store_url, "0001").dispose()
    openers = [subprocess.Popen([sys.executable, str(WORKER), store_url, "import", str(100 * k), "5"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(3)]
    results = [o.communicate(timeout=300) for o in openers]
    assert [o.returncode for o in openers] == [0, 0, 0], [err[-1500:] for _, err in results]
    store = Store(store_url)
    assert store.schema_version() == SCHEMA_VERSION and store.count(tables.activities) == 15
    assert store.integrity_problems() == []


def test_a_store_of_a_newer_program_is_refused(store_url):
    store = Store(store_url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{SCHEMA_VERSION + 1:04d}'")
    with pytest.raises(StoreTooNew, match="newer"):
        Store(store_url)
