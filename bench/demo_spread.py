"""How a demo year's assessment spreads: the grade counts and the share of cadres sharing rank 1, per demo size
and seed — on the total alone, and with the tie-break of `assessment.rank` (where this version has it).

    .venv/bin/python bench/demo_spread.py                          # small and city, seeds 2012 and 7
    .venv/bin/python bench/demo_spread.py --sizes small --seeds 2012

The records are scored in memory on the default indicator system (no store: the same `score` the store's runs
use). The pairings of a city take a minute or two: they are kept in build/bench/pairings/, under a digest of
the rosters, and reused while the rosters stay the same.
"""

from __future__ import annotations

import argparse
import hashlib
import pickle
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

CACHE = Path("build/bench/pairings")


def pairings(rosters, size: str, seed: int):
    from lianhu_tools.demo.pipeline import demo_pairings

    digest = hashlib.sha256(b"".join(pd.util.hash_pandas_object(t, index=False).to_numpy().tobytes()
                                     for t in rosters.tables().values())).hexdigest()[:16]
    cached = CACHE / f"{size}_{seed}_{digest}.pickle"
    if cached.exists():
        return pickle.loads(cached.read_bytes())
    found = demo_pairings(rosters)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(pickle.dumps(found))
    return found


def year_records(rosters, links, pairs, teams, seed: int) -> pd.DataFrame:
    """The demo's year of records as the store gives them back: with their half year and village."""
    from lianhu_tools.demo.activities import generate_activities

    records = generate_activities(links, pairs, teams, year=2025, seed=seed)
    home = rosters.households.set_index("household_id")["village_code"]
    village = records["target_id"].where(records["target_kind"] == "村", records["target_id"].map(home))
    return records.assign(village_code=village, period=np.where(records["date"].dt.month <= 6, "2025H1", "2025H2"))


def spread(rosters, links, pairs, teams, records, period: str) -> dict:
    from lianhu_tools.assessment import Inputs, load_indicators, score
    from lianhu_tools.assessment.indicators import FULL_MARKS, grade_of, grade_order
    from lianhu_tools.policy import default_policy
    from lianhu_tools.periods import within

    system = load_indicators()
    inputs = Inputs(period, records[within(records["period"], period)], pairs, links, teams, rosters, default_policy())
    scores = score(inputs, system)
    cadres = scores[scores["subject_kind"] == "cadre"]
    points = cadres.pivot_table(index="subject_id", columns="indicator", values="points", aggfunc="sum")
    total = points.sum(axis=1).clip(0, FULL_MARKS).round(1)
    grades = pd.Series([grade_of(system, t) for t in total]).value_counts()
    out = {"cadres": len(total), "top_total": float(total.max()), "tied_top_total": int((total == total.max()).sum()),
           "grades": {g: int(grades.get(g, 0)) for g in grade_order(system)}}
    try:
        from lianhu_tools.assessment.rank import tie_break  # noqa: F401 — the version ranks with a tie-break
    except ImportError:  # ranked on the total alone
        return out
    from lianhu_tools.assessment import ranked

    subjects = scores[["subject_kind", "subject_id"]].drop_duplicates().assign(name="", unit_name="", county_name="")
    run = {"indicators": system, "scores": scores, "frozen": {"subjects": subjects.to_dict("list")},
           "adjustments": pd.DataFrame(columns=["subject_kind", "subject_id", "points"])}
    table = ranked(run)["cadre"]
    out["tied_rank_1"] = int((table["rank_city"] == 1).sum())
    out["tied_any"] = int(table["tied_city"].sum())
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", default=["small", "city"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[2012, 7])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from lianhu_tools.demo.pipeline import write_demo_rosters
    from lianhu_tools.rosters import load_rosters

    print(f"{'size':6} {'seed':>5} {'period':7} {'cadres':>7} {'top':>6} {'tied on total at top':>22} "
          f"{'sharing rank 1':>15} {'tied anywhere':>14}  grades")
    for size in args.sizes:
        for seed in args.seeds:
            started = time.perf_counter()
            with tempfile.TemporaryDirectory() as folder:
                rosters = load_rosters(write_demo_rosters(size, Path(folder) / "rosters", seed))
            links, pairs, teams = pairings(rosters, size, seed)
            records = year_records(rosters, links, pairs, teams, seed)
            for period in ("2025H1", "2025"):
                s = spread(rosters, links, pairs, teams, records, period)
                n = s["cadres"]
                share = lambda k: f"{s[k]:,} ({s[k] / n:.1%})" if k in s else "—"
                print(f"{size:6} {seed:>5} {period:7} {n:>7,} {s['top_total']:>6.1f} {share('tied_top_total'):>22} "
                      f"{share('tied_rank_1'):>15} {share('tied_any'):>14}  "
                      + "，".join(f"{g} {c:,}" for g, c in s["grades"].items()), flush=True)
            print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
