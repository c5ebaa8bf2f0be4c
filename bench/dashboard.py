"""The leadership dashboard on a whole city: how long a filter change takes to redraw.

    .venv/bin/python bench/dashboard.py                         # a fresh `city` demo year (about 2 minutes to build)
    .venv/bin/python bench/dashboard.py --db build/demo/lianhu.sqlite   # the store `make demo` wrote

Target (issue 5): a filter change redraws in under 1 s. Measured twice: in the kernel (the Python side of
a redraw) and in headless Chromium through Voilà (select a county → its headline and charts shown), for
every county and back to the whole city.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the browser drivers: tests/browser.py


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="city")
    parser.add_argument("--db", help="an existing store (else a fresh demo year of --size)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from browser import browser, choose, serving, wait_for_dashboard
    from lianhu_tools.widgets.dashboard import Dashboard
    from lianhu_tools.store import Store

    db = args.db or _demo_year(args.size)
    started = time.perf_counter()
    board = Dashboard(Store(db, create=False))
    print(f"store {db}: {len(board.rosters.households):,} households, {len(board.data.records(board.period.value)):,} records "
          f"in {board.period.value}")
    print(f"open and first render: {time.perf_counter() - started:.1f} s")
    counties = [(name, code) for name, code in board.county.options if code] + [("全市", "")]
    kernel = []
    for _, code in counties:
        board.county.value = code
        kernel.append(board.seconds)
    print(f"kernel redraw per county change: median {statistics.median(kernel):.2f} s, max {max(kernel):.2f} s")

    with serving(db) as served, browser() as chrome:
        page = chrome.new_page(viewport={"width": 1400, "height": 1900})
        started = time.perf_counter()
        page.goto(served.url, wait_until="commit")
        wait_for_dashboard(page, timeout=600, served=served)
        print(f"browser: page served and drawn in {time.perf_counter() - started:.1f} s")
        shown = [choose(page, "县区", name) for name, _ in counties]
        print(f"browser redraw per county change, headline and all charts (target < 1 s): "
              f"median {statistics.median(shown):.2f} s, max {max(shown):.2f} s over {len(shown)} changes")


def _demo_year(size: str) -> str:
    from lianhu_tools.assessment import run_assessment
    from lianhu_tools.demo.pipeline import start_demo_year

    started = time.perf_counter()
    year = start_demo_year(size, tempfile.mkdtemp(prefix="lianhu_bench_"))
    for period in ("2025H1", "2025"):
        run_assessment(year.store, period, year.rosters)
    print(f"built a {size} demo year ({year.records:,} records) in {time.perf_counter() - started:.0f} s (not timed below)")
    return str(year.folder / "lianhu.sqlite")


if __name__ == "__main__":
    main()
