"""Time and peak memory to generate, and to load+validate, the demo city and province.

    .venv/bin/python bench/rosters.py                 # city (Excel) and province (CSV)
    .venv/bin/python bench/rosters.py --only city

Each phase runs in a fresh process so that its peak memory (max RSS) is its own.
Targets on a 2-core machine: city load+validate < 20 s; province < 120 s and < 4 GiB.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings

CASES = {"city": "xlsx", "province": "csv"}


def phase(name: str, size: str, file_format: str, folder: str) -> dict:
    """Run one phase in this process and return its figures."""
    from lianhu_tools.errors import RosterWarning

    started = time.perf_counter()
    if name == "generate":
        from lianhu_tools.demo import generate_city
        city = generate_city(size, seed=2012)
        generated = time.perf_counter() - started
        from lianhu_tools.tables import write_rosters
        write_rosters(city.tables(), folder, file_format)
        figures = {"generate_s": generated, "write_s": time.perf_counter() - started - generated,
                   "rows": {n: len(t) for n, t in city.tables().items()}}
    else:
        from lianhu_tools.rosters import load_rosters
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RosterWarning)
            rosters = load_rosters(folder)
        figures = {"load_validate_s": time.perf_counter() - started,
                   "rows": {n: len(t) for n, t in rosters.tables().items()}}
    figures["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=list(CASES))
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--size", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:  # child process
        print(json.dumps(phase(args.phase, args.size, CASES[args.size], args.folder)))
        return
    for size, file_format in CASES.items():
        if args.only and size != args.only:
            continue
        with tempfile.TemporaryDirectory() as folder:
            for name in ("generate", "load"):
                out = subprocess.run([sys.executable, __file__, "--phase", name, "--size", size, "--folder", folder],
                                     check=True, capture_output=True, text=True).stdout
                figures = json.loads(out.strip().splitlines()[-1])
                times = ", ".join(f"{k} {v:.1f} s" for k, v in figures.items() if k.endswith("_s"))
                print(f"{size:9s} {file_format:4s} {name:9s} {times}; peak {figures['peak_rss_mib']:,.0f} MiB; "
                      f"rows {figures['rows']}", flush=True)


if __name__ == "__main__":
    main()
