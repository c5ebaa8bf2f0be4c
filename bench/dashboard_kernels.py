"""The dashboard server's memory: what one viewer's kernel holds, and what 20 abandoned page loads leave behind,
right after and once the culling interval has passed — served as `lianhu dashboard` serves it (at most 8 kernels,
idle ones culled) and, for reference, with Voilà's own defaults (no cap, nothing culled).

    .venv/bin/python bench/dashboard_kernels.py                         # a fresh `small` demo year (~6 minutes)
    .venv/bin/python bench/dashboard_kernels.py --size city             # the city: ~1 GB a kernel
    .venv/bin/python bench/dashboard_kernels.py --db build/demo/lianhu.sqlite

An abandoned load asks for the page and closes the tab as soon as the server answers (no page drawn, no
websocket). Kernels are Voilà's child processes; memory is their resident set (RSS). The reference loads no
more pages than the free memory holds kernels for (with 3 GiB to spare): nothing else stops its kernels.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # the browser drivers: tests/browser.py

MIB = 2**20


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="small")
    parser.add_argument("--db", help="an existing store (else a fresh demo year of --size)")
    parser.add_argument("--loads", type=int, default=20, help="abandoned page loads")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from lianhu_tools.serve import KernelLimits

    db = args.db or demo_year_store(args.size)
    limits = KernelLimits(ready=0)  # a kernel per visitor, none kept ready: bench/dashboard_viewers.py has those
    print(f"store {db}; {args.loads} abandoned loads; lianhu dashboard's limits: at most {limits.max_kernels} kernels, "
          f"culled {limits.abandoned_seconds} s idle with no page ({limits.connected_seconds} s with one), "
          f"checked every {limits.interval_seconds} s")
    wait = limits.abandoned_seconds + 2 * limits.interval_seconds + 30  # a multiple of 15
    rows = [_run(db, limits, args.loads, wait, "lianhu dashboard"), _run(db, None, args.loads, wait, "Voilà defaults")]
    print(f"\n| served with | one viewer's kernel (RSS) | tab closed: kernels left | {args.loads} abandoned loads: answered "
          f"| kernels, memory after the loads | kernels, memory {wait} s later |\n|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _run(db: str, limits, loads: int, wait: float, name: str) -> list[str]:
    import psutil

    from browser import abandoned_load, browser, choose, serving, wait_for_dashboard

    print(f"\n{name}:")
    with serving(db, limits=limits) as served, browser() as chrome:
        context = chrome.new_context()
        page = context.new_page()
        started = time.perf_counter()
        page.goto(served.url, wait_until="commit")
        wait_for_dashboard(page, timeout=600, served=served)
        seconds, drawn = time.perf_counter() - started, max(served.kernel_bytes())
        for county in page.locator(".widget-dropdown").filter(has=page.locator("label", has_text="县区")) \
                .locator("option").all_inner_texts()[1:] + ["全市"]:
            choose(page, "县区", county)  # as a leader looks at every county in turn
        viewer = max(served.kernel_bytes())
        print(f"  one viewer: page drawn in {seconds:.1f} s, its kernel {drawn / MIB:,.0f} MiB, "
              f"{viewer / MIB:,.0f} MiB after every county; the server {psutil.Process(served.pid).memory_info().rss / MIB:,.0f} MiB")
        page.close(run_before_unload=True)  # as a leader closes the tab
        time.sleep(5)
        closed = len(served.kernels())
        print(f"  tab closed: {closed} kernel(s) alive 5 s later")

        answered = {}
        if limits is None:  # nothing bounds these kernels: no more than the free memory holds, with 3 GiB to spare
            room = int((psutil.virtual_memory().available - 3 * 2**30) // (1.2 * viewer))
            if room < loads:
                print(f"  only {max(room, 0)} loads: free memory would not hold the kernels of {loads}")
                loads = max(room, 0)
        for _ in range(loads):
            status = abandoned_load(chrome, served.url)
            answered[status] = answered.get(status, 0) + 1
        served.settled()  # the kernels' notebooks have run
        after = served.kernel_bytes()
        print(f"  after {sum(answered.values())} abandoned loads (answered {_statuses(answered)}): {_memory(after)}")
        alive = []
        for _ in range(int(wait // 15)):
            time.sleep(15)
            alive.append(len(served.kernels()))
        later = served.kernel_bytes()
        print(f"  kernels alive every 15 s: {' '.join(map(str, alive))}; {wait} s later: {_memory(later)}")
        context.close()
    return [name, f"{drawn / MIB:,.0f} MiB drawn, {viewer / MIB:,.0f} MiB after every county", str(closed),
            _statuses(answered), _memory(after), _memory(later)]


def _statuses(answered: dict[int, int]) -> str:
    return ", ".join(f"{count} × {status}" for status, count in sorted(answered.items()))


def _memory(sizes: list[int]) -> str:
    return f"{len(sizes)} kernels, {sum(sizes) / MIB:,.0f} MiB"


def demo_year_store(size: str) -> str:
    """A fresh demo year of `size` with its mid-year and year-end assessments: its store's path."""
    from lianhu_tools.demo.pipeline import start_demo_year

    started = time.perf_counter()
    year = start_demo_year(size, tempfile.mkdtemp(prefix="lianhu_bench_"), assess=("2025H1", "2025"))
    print(f"built a {size} demo year with its assessments in {time.perf_counter() - started:.0f} s")
    return str(year.folder / "lianhu.sqlite")


if __name__ == "__main__":
    main()
