"""A city's year of work records: import them (files → checked → store) and roll them up.

    .venv/bin/python bench/archives.py                      # 1,000,000 records, the `city` preset, Excel diaries
    .venv/bin/python bench/archives.py --rows 200000 --format csv

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
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from lianhu_tools.archives import LEVELS, import_activity_files, rollup
    from lianhu_tools.assessment import ACTIVITY_COLUMNS, results, run_assessment
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

        store = Store(folder / "lianhu.sqlite")
        store.save_rosters(rosters)
        store.save_pairings(pairs, 2025, "locked", links=links)
        started = time.perf_counter()
        import_activity_files(store, diaries)
        print(f"import (read, check, store)  {time.perf_counter() - started:6.1f} s   target < 60 s", flush=True)

        started = time.perf_counter()
        year = store.activities("2025", ACTIVITY_COLUMNS)
        loaded = time.perf_counter() - started
        tables = {by: rollup(year, by) for by in (*LEVELS, "unit", "cadre")}
        print(f"roll-ups                     {time.perf_counter() - started:6.1f} s   (reading the year back {loaded:.1f} s; "
              + ", ".join(f"{by} {len(t):,}" for by, t in tables.items()) + ")", flush=True)
        step = time.perf_counter()
        assessed = results(store, run_assessment(store, "2025", rosters), rosters)
        print(f"year-end assessment          {time.perf_counter() - step:6.1f} s   ("
              + ", ".join(f"{len(t):,} {kind}s" for kind, t in assessed.items()) + ")")
        print(f"roll-ups + assessment        {time.perf_counter() - started:6.1f} s   target < 10 s")
        print(f"peak memory                  {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")


if __name__ == "__main__":
    main()
