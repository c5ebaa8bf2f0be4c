"""The store keeps everything or nothing, on SQLite and on a real PostgreSQL server: killed writers, two writers
at once (imports, accepts), the same records or files from two offices at once, busy, first opens at once."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from lianhu_tools.store import Store, StoreBusy, StoreConflict, tables
from lianhu_tools.store import store as store_module

WORKER = Path(__file__).with_name("store_worker.py")


def worker(url, job: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(WORKER), str(url), job, *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(process: subprocess.Popen, line: str) -> None:
    for got in process.stdout:
        if got.strip() == line:
            return
    raise AssertionError(f"worker ended before printing {line!r}: {process.stderr.read()[-2000:]}")


def finish(process: subprocess.Popen) -> tuple[int, str]:
    out, err = process.communicate(timeout=300)
    assert "Traceback" not in err, err
    return process.returncode, out


def test_a_writer_killed_mid_import_leaves_the_store_untouched(store_url):
    assert finish(worker(store_url, "import", 0, 1000))[0] == 0
    killed = worker(store_url, "import", 1000, 20000, "--stall")
    wait_for(killed, "half")
    os.kill(killed.pid, signal.SIGKILL)
    killed.wait()
    store = Store(store_url)
    assert store.integrity_problems() == []
    assert store.count(tables.activities) == 1000  # the killed import left nothing behind
    assert store.count(tables.imports) == 1
    assert finish(worker(store_url, "import", 1000, 20000))[0] == 0  # and the store takes the import again
    assert Store(store_url).count(tables.activities) == 21000


def test_two_processes_importing_at_once_lose_nothing(store_url):
    Store(store_url)
    writers = [worker(store_url, "import", 0, 30000), worker(store_url, "import", 30000, 30000)]
    assert [finish(w)[0] for w in writers] == [0, 0]
    store = Store(store_url)
    assert store.count(tables.activities) == 60000 and store.count(tables.imports) == 2
    assert store.activities()["record_id"].is_unique


def test_the_same_records_from_two_offices_at_once_are_stored_once(store_url):
    """Identical records without record numbers, and the same files (one digest), each from two programs at once:
    one import lands, the other is told why, in words."""
    Store(store_url)
    stored = 0
    for start, same_files in ((0, ()), (5000, ("unnumbered", "digest-of-the-same-files"))):
        first = worker(store_url, "import", start, 2000, "unnumbered", *same_files, "--hold")
        wait_for(first, "half")  # the first holds the lock half-way; the second starts meanwhile
        second = worker(store_url, "import", start, 2000, "unnumbered", *same_files)
        wait_for(second, "ready")
        first.stdin.write("go\n")
        first.stdin.flush()
        results = [finish(first), finish(second)]
        assert results[0][0] == 0 and results[1][0] == 1, results
        assert ("这些文件已经导入过" if same_files else "与库中已有记录完全相同") in results[1][1], results[1][1]
        stored += 2000
        store = Store(store_url)
        assert store.count(tables.activities) == stored and store.integrity_problems() == []


def test_two_planners_accepting_at_once_leave_one_cadre_per_household(store_url):
    """Each accept replaces the same 383 households' cadres. The first holds half-way through its write while the
    second starts: the second waits, then replaces the first's — never two open pairings for a household, never
    none. Then two accept freely at once, twice."""
    Store(store_url)
    first = worker(store_url, "accept", "AC", 383, "--hold")
    wait_for(first, "half")
    second = worker(store_url, "accept", "BC", 383)
    wait_for(second, "ready")
    first.stdin.write("go\n")
    first.stdin.flush()
    assert [finish(first)[0], finish(second)[0]] == [0, 0]
    current = Store(store_url).current("pairings")
    assert len(current) == 383 and current["household_id"].is_unique and set(current["cadre_id"].str[:2]) == {"BC"}
    for round_ in range(2):
        racers = [worker(store_url, "accept", f"D{round_}C", 383), worker(store_url, "accept", f"E{round_}C", 383)]
        assert [finish(r)[0] for r in racers] == [0, 0]
        current = Store(store_url).current("pairings")
        assert len(current) == 383 and current["household_id"].is_unique and current["cadre_id"].str[:1].nunique() == 1
    assert Store(store_url).integrity_problems() == []


def test_the_database_itself_refuses_a_second_open_pairing(store_url):
    store = Store(store_url)
    store.save_pairings(pd.DataFrame({"cadre_id": ["C1"], "household_id": ["H1"]}), 2025)
    with pytest.raises(StoreConflict, match="冲突"), store.transaction() as conn:  # past the store's own logic
        conn.execute(tables.pairings.insert().values(cadre_id="C2", household_id="H1", term_start=2025, status="confirmed"))
    assert len(store.current("pairings")) == 1


def test_a_writer_that_cannot_get_in_is_told_to_try_again(store_url, monkeypatch):
    Store(store_url)
    holder = worker(store_url, "import", 0, 1000, "--hold")  # holds the write lock until told on its stdin
    wait_for(holder, "half")
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 1)
    with pytest.raises(StoreBusy, match="请稍后再试"):
        Store(store_url).add_activities(pd.DataFrame({"record_id": ["X"], "date": [pd.Timestamp("2025-01-02")],
                                                      "actor_kind": ["单位"], "actor_id": ["U1"], "target_kind": ["村"],
                                                      "target_id": ["620502101201"], "task": ["办实事"], "kind": ["办实事"],
                                                      "quantity": [1.0], "period": ["2025H1"],
                                                      "village_code": ["620502101201"]}), source="test")
    assert holder.poll() is None  # told to try again while the other still held the lock
    holder.stdin.write("go\n")
    holder.stdin.flush()
    assert finish(holder)[0] == 0
    assert Store(store_url).count(tables.activities) == 1000


def test_programs_opening_an_empty_store_at_once_create_it_once(store_url):
    openers = [worker(store_url, "import", 1000 * k, 10) for k in range(4)]
    assert [finish(o)[0] for o in openers] == [0, 0, 0, 0]
    store = Store(store_url)
    assert store.count(tables.activities) == 40 and store.integrity_problems() == []


def test_opening_an_empty_database_to_read_creates_nothing(store_url):
    from lianhu_tools.store import NotInStore

    with pytest.raises(NotInStore):
        Store(store_url, create=False)
    if "://" in store_url:
        assert sa.inspect(sa.create_engine(store_url)).get_table_names() == []
    else:
        assert not Path(store_url).exists()


def test_every_import_is_in_the_audit_log(tmp_path):
    store = Store(tmp_path / "s.sqlite", who="规划员甲")
    assert finish(worker(tmp_path / "s.sqlite", "import", 0, 10))[0] == 0
    log = pd.read_sql(sa.select(tables.audit_log), store.engine)
    assert list(log["action"]) == ["import"] and '"rows": 10' in log["new_value"].iloc[0]


def test_accepting_one_county_leaves_the_rest_of_the_city(store_url):
    store = Store(store_url)
    city = pd.DataFrame({"cadre_id": ["C1", "C2", "C3"], "household_id": ["H1", "H2", "H3"]})
    store.save_pairings(city, 2025, "locked")
    store.save_pairings(pd.DataFrame({"cadre_id": ["C1", "C4"], "household_id": ["H1", "H2"]}), 2025, "confirmed")
    current = store.current("pairings").set_index("household_id")
    assert current["cadre_id"].to_dict() == {"H1": "C1", "H2": "C4", "H3": "C3"}
    assert current.loc["H3", "status"] == "locked" and current.loc["H1", "status"] == "locked"  # kept: never unlocked
    history = pd.read_sql(sa.select(tables.status_history).order_by(tables.status_history.c.id), store.engine)
    assert list(history["new_status"]) == ["locked"] * 3 + ["ended", "confirmed"]


def test_postgres_urls_are_taken_as_people_write_them(postgres):
    url = postgres.new_database()
    for written in (url.replace("postgresql+psycopg://", "postgres://"), url.replace("+psycopg", "")):
        store = Store(written)
        assert store.url.drivername == "postgresql+psycopg" and store.who == "lianhu_admin"


def test_a_wrong_password_or_server_is_said_without_the_password(postgres):
    from lianhu_tools.store import NotInStore

    url = postgres.url("postgres", "nobody").replace("nobody@", "nobody:s3cret-pw@")
    with pytest.raises(NotInStore) as refused:
        Store(url)
    assert "s3cret-pw" not in str(refused.value) and "连不上数据库" in str(refused.value)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_store_is_private_to_its_owner(tmp_path):
    path = tmp_path / "office" / "data" / "lianhu.sqlite"
    store = Store(path)
    assert finish(worker(path, "import", 0, 10))[0] == 0
    assert store.count(tables.activities) == 10  # an open connection: the -wal and -shm files exist
    modes = {p.name: p.stat().st_mode & 0o777 for p in path.parent.iterdir()}
    assert set(modes) == {"lianhu.sqlite", "lianhu.sqlite-wal", "lianhu.sqlite-shm"} and set(modes.values()) == {0o600}
    assert {(p.stat().st_mode & 0o777) for p in (path.parent, path.parent.parent)} == {0o700}


def test_amcheck_checks_every_index_where_it_is_installed(postgres):
    url = postgres.new_database()
    store = Store(url)
    store.save_pairings(pd.DataFrame({"cadre_id": ["C1"], "household_id": ["H1"]}), 2025)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION amcheck")
    assert store.integrity_problems() == []
    with store.engine.begin() as conn:  # an index the engine cannot read is found and said
        conn.exec_driver_sql("REVOKE ALL ON FUNCTION bt_index_check(regclass, boolean) FROM PUBLIC")
        conn.exec_driver_sql("CREATE ROLE reader LOGIN PASSWORD 'reader-pw'")
        conn.exec_driver_sql("GRANT SELECT ON ALL TABLES IN SCHEMA public TO reader")
    postgres.remember("reader", "reader-pw")
    with sa.create_engine(url.replace("lianhu_admin@", "reader@")).connect() as conn:
        assert "PostgreSQL: " in " ".join(store_module.postgres_roles.engine_problems(conn))


def test_servers_refuse_a_password_in_the_store_url(capsys):
    from lianhu_tools.cli import main

    for command in ("dashboard", "lab"):
        assert main([command, "--db", "postgresql://planner:pw-XYZ-secret@db.example/city"]) == 2
        said = capsys.readouterr()
        assert "pw-XYZ-secret" not in said.out + said.err and ".pgpass" in said.err


def test_identical_records_in_one_file_are_two_visits_and_a_growing_file_brings_only_its_new_ones(store_url):
    from store_worker import records

    from lianhu_tools.errors import AlreadyImported

    store = Store(store_url)
    twice = pd.concat([records(0, 1, numbered=False)] * 2, ignore_index=True)  # the same visit written twice
    store.add_activities(twice, source="January")
    with pytest.raises(AlreadyImported):
        store.add_activities(twice, source="January again")
    thrice = pd.concat([twice, records(0, 1, numbered=False)], ignore_index=True)
    assert store.add_new_activities(thrice, source="January to March")[1] == 2  # two there, one new
    assert store.count(tables.activities) == 3 and store.integrity_problems() == []


def test_an_assessment_while_an_import_holds_the_store_waits_and_keeps_what_it_read(store_url, tmp_path):
    """assess ‖ import: the assessment reads the year, then waits for the importer to finish before it is saved;
    what it froze is what it read, and the import is whole."""
    import threading

    from conftest import V1, record, write_csv_rosters
    from lianhu_tools.assessment import run_assessment
    from lianhu_tools.rosters import load_rosters

    rosters = load_rosters(write_csv_rosters(tmp_path / "rosters"))
    store = Store(store_url)
    store.save_rosters(rosters)
    store.save_pairings(pd.DataFrame({"cadre_id": ["C1"], "household_id": ["H1"], "unit_id": ["U1"]}), 2025, "locked",
                        links=pd.DataFrame({"unit_id": ["U1"], "village_code": [V1]}))
    store.add_activities(pd.DataFrame([record("干部", "C1", "户", "H1", "走访", f"2025-0{m}-10", days=2) for m in (1, 3, 5)]),
                         source="hand")
    holder = worker(store_url, "import", 0, 2000, "--hold")
    wait_for(holder, "half")
    assessed = {}
    assessing = threading.Thread(target=lambda: assessed.update(id=run_assessment(Store(store_url), "2025", rosters)))
    assessing.start()
    assessing.join(timeout=5)
    assert assessing.is_alive()  # computed, and waiting for the write lock
    holder.stdin.write("go\n")
    holder.stdin.flush()
    assert finish(holder)[0] == 0
    assessing.join(timeout=120)
    frozen = store.assessment(assessed["id"])["frozen"]
    assert frozen["inputs"]["records"] == 3 and store.count(tables.activities) == 2003


def test_two_first_imports_at_once_save_one_snapshot_and_refuse_other_rosters(tmp_path, rosters):
    """Two offices' first imports, each having found the store without rosters before taking the lock: the second
    saves no second snapshot of the same rosters, and is refused with other rosters."""
    from conftest import record

    from lianhu_tools.errors import ArchiveError
    from lianhu_tools.rosters import Rosters

    store = Store(tmp_path / "first.sqlite")
    one = pd.DataFrame([record("干部", "C1", "户", "H1", "走访", "2025-03-01", days=1)])
    two = pd.DataFrame([record("干部", "C1", "户", "H1", "走访", "2025-04-01", days=1)])
    three = pd.DataFrame([record("干部", "C1", "户", "H1", "走访", "2025-05-01", days=1)])
    store.add_activities(one, source="a", rosters=rosters)
    store.add_activities(two, source="b", rosters=rosters)  # the same rosters: not saved again
    assert store.count(tables.roster_tables["households"]) == len(rosters.households)
    other = Rosters(**{name: frame.copy() for name, frame in rosters.tables().items()})
    other.households.loc[0, "income_per_capita_yuan"] += 1
    with pytest.raises(ArchiveError) as refused:
        store.add_activities(three, source="c", rosters=other)
    assert [p.code for p in refused.value.problems] == ["rosters_not_stored"]
    assert len(store.activities()) == 2


def test_the_check_notices_a_dropped_safeguard_and_deleted_records(store_url, rosters):
    from conftest import record

    store = Store(store_url)
    store.add_activities(pd.DataFrame([record("干部", "C1", "户", "H1", "走访", f"2025-0{m}-01", days=1) for m in (1, 2, 3)]),
                         source="a", rosters=rosters)
    assert store.integrity_problems() == []
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX pairings_one_open_per_household")
        conn.execute(tables.activities.delete().where(tables.activities.c.date == pd.Timestamp("2025-02-01").date()))
    found = " ".join(store.integrity_problems())
    assert "household_id" in found and "fewer records" in found
