"""The store keeps everything or nothing: killed writers, two writers at once, busy, migrations."""

import os
import signal
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
import sqlalchemy as sa

from lianhu_tools.store import Store, StoreBusy, StoreTooNew, migrations, tables
from lianhu_tools.store import store as store_module

WRITER = textwrap.dedent("""
    import sys, time
    import pandas as pd
    from lianhu_tools.store import store as s
    path, first, n, mode = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    ids = range(first, first + n)
    records = pd.DataFrame({"record_id": [f"R{i:09d}" for i in ids], "date": pd.Timestamp("2025-03-18"),
                            "actor_kind": "干部", "actor_id": "C1", "target_kind": "户", "target_id": [f"H{i}" for i in ids],
                            "task": "宣传政策", "kind": "走访", "quantity": 1.0, "days": 1.0, "note": None,
                            "period": "2025H1", "village_code": "620502101201"})
    if mode in ("stall", "hold"):  # announce the first half written, then wait: to be killed, or for a line on stdin
        insert = s._insert_frame
        def halting(conn, table, frame):
            insert(conn, table, frame.iloc[: len(frame) // 2])
            print("half", flush=True)
            time.sleep(600) if mode == "stall" else sys.stdin.readline()
            insert(conn, table, frame.iloc[len(frame) // 2:])
        s._insert_frame = halting
    store = s.Store(path)
    print("ready", flush=True)
    store.add_activities(records, source=f"writer {first}")
    print("done", flush=True)
""")


def writer(path, first, n, mode="plain") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(first), str(n), mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def wait_for(process: subprocess.Popen, line: str) -> None:
    for got in process.stdout:
        if got.strip() == line:
            return
    raise AssertionError(f"writer ended before printing {line!r}")


def test_a_writer_killed_mid_import_leaves_the_store_untouched(tmp_path):
    path = tmp_path / "lianhu.sqlite"
    assert writer(path, 0, 1000).wait() == 0
    killed = writer(path, 1000, 20000, "stall")
    wait_for(killed, "half")
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    store = Store(path)
    assert store.integrity_ok()
    assert store.count(tables.activities) == 1000  # the killed import left nothing behind
    assert store.count(tables.imports) == 1
    assert writer(path, 1000, 20000).wait() == 0  # and the store takes the import again
    assert Store(path).count(tables.activities) == 21000


def test_two_processes_importing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "lianhu.sqlite"
    Store(path)
    writers = [writer(path, 0, 30000), writer(path, 30000, 30000)]
    assert [w.wait() for w in writers] == [0, 0]
    store = Store(path)
    assert store.count(tables.activities) == 60000 and store.count(tables.imports) == 2
    assert store.activities()["record_id"].is_unique


def test_a_writer_that_cannot_get_in_is_told_to_try_again(tmp_path, monkeypatch):
    path = tmp_path / "lianhu.sqlite"
    Store(path)
    holder = writer(path, 0, 1000, "hold")  # holds the write lock until told on its stdin
    wait_for(holder, "half")
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 1)
    with pytest.raises(StoreBusy, match="请稍后再试"):
        Store(path).add_activities(pd.DataFrame({"record_id": ["X"], "date": [pd.Timestamp("2025-01-02")],
                                                 "actor_kind": ["单位"], "actor_id": ["U1"], "target_kind": ["村"],
                                                 "target_id": ["620502101201"], "task": ["办实事"], "kind": ["办实事"],
                                                 "quantity": [1.0], "period": ["2025H1"],
                                                 "village_code": ["620502101201"]}), source="test")
    assert holder.poll() is None  # told to try again while the other still held the lock
    holder.communicate("go\n")
    assert holder.returncode == 0
    assert Store(path).count(tables.activities) == 1000


def test_an_older_store_is_migrated_and_a_newer_one_refused(tmp_path, monkeypatch):
    path = tmp_path / "lianhu.sqlite"
    assert Store(path).schema_version() == migrations.SCHEMA_VERSION
    added = sa.Column("remark", sa.String)
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", migrations.SCHEMA_VERSION + 1)
    monkeypatch.setitem(migrations.MIGRATIONS, migrations.SCHEMA_VERSION,
                        lambda operations: operations.add_column("audit_log", added))
    migrated = Store(path)
    assert migrated.schema_version() == migrations.SCHEMA_VERSION
    assert "remark" in [c["name"] for c in sa.inspect(migrated.engine).get_columns("audit_log")]
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", migrations.SCHEMA_VERSION - 1)
    with pytest.raises(StoreTooNew, match="newer"):
        Store(path)


def test_every_import_is_in_the_audit_log(tmp_path):
    store = Store(tmp_path / "s.sqlite", who="规划员甲")
    assert writer(tmp_path / "s.sqlite", 0, 10).wait() == 0
    log = pd.read_sql(sa.select(tables.audit_log), store.engine)
    assert list(log["action"]) == ["import"] and '"rows": 10' in log["new_value"].iloc[0]


def test_accepting_one_county_leaves_the_rest_of_the_city(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    city = pd.DataFrame({"cadre_id": ["C1", "C2", "C3"], "household_id": ["H1", "H2", "H3"]})
    store.save_pairings(city, 2025, "locked")
    store.save_pairings(pd.DataFrame({"cadre_id": ["C1", "C4"], "household_id": ["H1", "H2"]}), 2025, "confirmed")
    current = store.current("pairings").set_index("household_id")
    assert current["cadre_id"].to_dict() == {"H1": "C1", "H2": "C4", "H3": "C3"}
    assert current.loc["H3", "status"] == "locked" and current.loc["H1", "status"] == "locked"  # kept: never unlocked
    history = pd.read_sql(sa.select(tables.status_history), store.engine)
    assert list(history["new_status"]) == ["locked"] * 3 + ["ended", "confirmed"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_store_is_private_to_its_owner(tmp_path):
    path = tmp_path / "office" / "data" / "lianhu.sqlite"
    store = Store(path)
    assert writer(path, 0, 10).wait() == 0
    assert store.count(tables.activities) == 10  # an open connection: the -wal and -shm files exist
    modes = {p.name: p.stat().st_mode & 0o777 for p in path.parent.iterdir()}
    assert set(modes) == {"lianhu.sqlite", "lianhu.sqlite-wal", "lianhu.sqlite-shm"} and set(modes.values()) == {0o600}
    assert {(p.stat().st_mode & 0o777) for p in (path.parent, path.parent.parent)} == {0o700}
