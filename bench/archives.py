"""A city's year of work records: import them (files → checked → store) and roll them up.

    .venv/bin/python bench/archives.py                      # 1,000,000 records, the `city` preset, Excel diaries
    .venv/bin/python bench/archives.py --rows 200000 --format csv
    .venv/bin/python bench/archives.py --postgres           # the same files into SQLite and a PostgreSQL of its own
    .venv/bin/python bench/archives.py --db postgresql+psycopg://planner@dbhost/empty   # (password in ~/.pgpass)

Each store (a new SQLite file, then every --db, then with --postgres a throwaway server started as the tests
start theirs) gets the same files; the figures are printed side by side.

Targets (issue 4): import under 60 s; roll-ups (four levels, units, cadres) plus a year-end
assessment of every cadre under 10 s. Writing the diaries is not timed (the offices do that).
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import warnings
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="city")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--format", default="xlsx", choices=("xlsx", "csv"))
    parser.add_argument("--db", action="append", default=[], help="also an empty store at this URL")
    parser.add_argument("--postgres", action="store_true", help="also a PostgreSQL server started for the bench")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from lianhu_tools.demo.activities import generate_activities, write_activity_workbooks
    from lianhu_tools.pairing.households import match_households
    from lianhu_tools.pairing.villages import match_villages
    from lianhu_tools.demo.pipeline import write_demo_rosters
    from lianhu_tools.rosters import load_rosters
    from lianhu_tools.store import Store

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        write_demo_rosters(args.size, folder / "rosters", file_format="csv")
        rosters = load_rosters(folder / "rosters")
        links = match_villages(rosters).links
        pairs = match_households(rosters, links=links).pairs
        records = generate_activities(links, pairs, rows=args.rows)
        diaries = folder / "diaries"
        if args.format == "xlsx":
            write_activity_workbooks(records, rosters.villages, diaries, rosters.households)
        else:
            diaries.mkdir()
            records.to_csv(diaries / "工作记录.csv", index=False, encoding="gb18030")  # English headers
        print(f"{len(records):,} records in {len(list(diaries.iterdir()))} {args.format} file(s)", flush=True)

        server = _postgres() if args.postgres else None
        stores = [str(folder / "lianhu.sqlite"), *args.db, *([server.new_database()] if server else [])]
        figures = {}
        try:
            for url in stores:
                store = Store(url)
                print(f"\n{store.url.get_backend_name()}: {store.where}", flush=True)
                figures[store.url.get_backend_name()] = _measure(store, rosters, links, pairs, diaries)
        finally:
            if server:
                server.stop()
        print("\n" + " " * 30 + "".join(f"{engine:>14}" for engine in figures))
        for name, target in (("import (read, check, store)", "< 60 s"), ("read the year back", ""), ("roll-ups", ""),
                             ("year-end assessment", ""), ("roll-ups + assessment", "< 10 s")):
            print(f"{name:30}" + "".join(f"{f[name]:12.1f} s" for f in figures.values()) + f"   {target}")
        print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


def _measure(store, rosters, links, pairs, diaries) -> dict[str, float]:
    from lianhu_tools.archives import import_activity_files
    from lianhu_tools.rollup import LEVELS, rollup
    from lianhu_tools.assessment import ACTIVITY_COLUMNS, results, run_assessment

    store.save_rosters(rosters)
    store.save_pairings(pairs, 2025, "locked", links=links)
    seconds = {}
    started = time.perf_counter()
    import_activity_files(store, diaries)
    seconds["import (read, check, store)"] = time.perf_counter() - started
    started = time.perf_counter()
    year = store.activities("2025", ACTIVITY_COLUMNS)
    seconds["read the year back"] = time.perf_counter() - started
    tables = {by: rollup(year, by) for by in (*LEVELS, "unit", "cadre")}
    seconds["roll-ups"] = time.perf_counter() - started
    step = time.perf_counter()
    assessed = results(store, run_assessment(store, "2025", rosters), rosters)
    seconds["year-end assessment"] = time.perf_counter() - step
    seconds["roll-ups + assessment"] = time.perf_counter() - started
    for name, value in seconds.items():
        print(f"  {name:28} {value:6.1f} s", flush=True)
    print("  " + ", ".join(f"{by} {len(t):,}" for by, t in tables.items()) + "; "
          + ", ".join(f"{len(t):,} {kind}s" for kind, t in assessed.items()), flush=True)
    return seconds


def _postgres():
    """A throwaway PostgreSQL server, as the tests start theirs (tests/postgres.py); its password in PGPASSFILE."""
    import os
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from postgres import Server, binaries

    if binaries() is None:
        raise SystemExit("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    server = Server(binaries())
    os.environ["PGPASSFILE"] = str(server.passfile)
    return server


if __name__ == "__main__":
    main()
