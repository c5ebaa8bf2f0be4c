"""Many leaders opening the dashboard at once: each one's first paint (headline shown) and charts drawn, each
viewer's kernel memory, and the redraw when a leader picks a county — served as `lianhu dashboard --ready N`
serves it (N pages kept drawn) and, for reference in the same run, with no page kept ready (a kernel started
for each visitor, as Voilà does by default). On each store of --db: a SQLite file or a PostgreSQL URL.

    .venv/bin/python bench/dashboard_viewers.py --size city                 # a fresh city demo year, SQLite
    .venv/bin/python bench/dashboard_viewers.py --db build/demo/lianhu.sqlite postgresql+psycopg://me@/lianhu
    .venv/bin/python bench/dashboard_viewers.py --size city --postgres      # the same year on SQLite and on a
                                                                            # PostgreSQL server of its own

Viewers are pages of one headless Chromium, each in a window of its own, opened one after the other as fast
as the server answers; a page's times count from its own navigation
(its last, when the template's watchdog loaded it again: counted apart). Memory is each kernel's resident set
(RSS) once every page is drawn. A redraw is timed from picking the county until its headline and charts are
drawn (`tests/browser.py: choose`), one viewer after another while the others stay connected.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # browser.py, postgres.py, store_copy.py

from dashboard_kernels import demo_year_store  # noqa: E402 (this folder is the script's: on the path)

MIB = 2**20
WATCH = """(() => {  // when the headline, then the charts' bars, first appear: ms since this page's navigation
  const seen = () => {
    if (!window.__painted && document.querySelector('.covered')) window.__painted = performance.now();
    if (!window.__drawn && document.querySelector('.js-plotly-plot .bars .point')) window.__drawn = performance.now();
  };
  new MutationObserver(seen).observe(document, {childList: true, subtree: true});
})();"""


STUCK = """async () => {  // what a page not drawn shows, and what Jupyter says of its kernel
  const config = JSON.parse(document.getElementById("jupyter-config-data")?.textContent || "{}");
  let kernel = "no kernel id";
  if (config.kernelId) {
    try {
      const reply = await fetch(new URL(`api/kernels/${config.kernelId}`, new URL(config.baseUrl || "/", location.href)));
      kernel = reply.ok ? JSON.stringify(await reply.json()) : `HTTP ${reply.status}`;
    } catch (error) { kernel = String(error); }
  }
  return `widgets ${document.querySelectorAll(".jupyter-widgets").length}, text ${JSON.stringify(
    document.body.innerText.slice(0, 120))}, kernel ${kernel}`;
}"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", nargs="*", default=[], help="stores to serve (else a fresh demo year of --size)")
    parser.add_argument("--size", default="city")
    parser.add_argument("--postgres", action="store_true", help="also the same store copied to a PostgreSQL server")
    parser.add_argument("--postgres-only", action="store_true", help="with --postgres: that copy alone")
    parser.add_argument("--viewers", type=int, default=30)
    parser.add_argument("--redraws", type=int, default=10, help="viewers who each pick a county, one after another")
    parser.add_argument("--no-reference", action="store_true", help="skip the run with no page kept ready")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    stores = list(args.db) or [demo_year_store(args.size)]
    server = None
    if args.postgres:
        from postgres import start_or_skip
        from store_copy import copy_store

        from lianhu_tools.store import Store

        server = start_or_skip()
        os.environ["PGPASSFILE"] = str(server.passfile)  # the kernels' password file
        started = time.perf_counter()
        copy_store(Store(stores[0], create=False), url := server.new_database())
        print(f"copied {stores[0]} to PostgreSQL in {time.perf_counter() - started:.0f} s")
        stores = [url] if args.postgres_only else [*stores, url]
    rows = []
    try:
        for db in stores:
            rows.append(_run(db, args.viewers, args.viewers, args.redraws))
            if not args.no_reference:
                rows.append(_run(db, args.viewers, 0, args.redraws))
    finally:
        if server:
            server.stop()
    print(f"\n| store | pages kept ready | {args.viewers} viewers at once: first paint, median / slowest | charts drawn, "
          f"median / slowest | pages loaded again (drawn in 900 s) | CPU: server / browsers | kernel per viewer: RSS (its own), median / largest "
          f"| county redraw, median / slowest |\n|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _run(db: str, viewers: int, ready: int, redraws: int) -> list[str]:
    from browser import browser, choose, serving

    from lianhu_tools.errors import masked
    from lianhu_tools.serve import KernelLimits

    engine = "PostgreSQL" if db.startswith("postgres") else "SQLite"
    limits = KernelLimits(max_kernels=2 * viewers + 2, abandoned_seconds=600, connected_seconds=3600,
                          interval_seconds=30, ready=ready)
    print(f"\n{engine} ({masked(db)}), {ready} pages kept ready, {viewers} viewers:", flush=True)
    with serving(db, limits=limits, wait=120) as served, browser() as chrome:
        if ready:
            started = time.perf_counter()
            _until(lambda: _ready_pages_drawn(served) >= ready, 1800)
            print(f"  {ready} pages made ready in {time.perf_counter() - started:.0f} s", flush=True)
        pages, loads, cpu = [], [], _cpu_split(served)
        for _ in range(viewers):
            context = chrome.new_context(locale="zh-CN")
            context.add_init_script(WATCH)
            page = context.new_page()
            loads.append([])
            page.on("framenavigated", lambda frame, page=page, mine=loads[-1]: mine.append(1)
                    if frame == page.main_frame else None)
            page.goto(served.url, wait_until="commit", timeout=600_000)
            pages.append(page)
        deadline = time.monotonic() + 900
        painted, drawn, stuck = [], [], []
        for k, page in enumerate(pages):
            try:
                page.wait_for_function("window.__drawn", timeout=max(1, deadline - time.monotonic()) * 1000)
            except Exception:  # noqa: BLE001 — Playwright's timeout: the page is told about, the run goes on
                stuck.append(f"page {k}: loaded {len(loads[k])} times; " + page.evaluate(STUCK))
                continue
            painted.append(page.evaluate("window.__painted") / 1000)
            drawn.append(page.evaluate("window.__drawn") / 1000)
        for line in stuck:
            print(f"  not drawn within 900 s: {line}", flush=True)
        pages = [page for k, page in enumerate(pages) if not any(line.startswith(f"page {k}:") for line in stuck)]
        server_cpu, browser_cpu = (after - before for after, before in zip(_cpu_split(served), cpu))
        reloaded = sum(len(mine) > 1 for mine in loads)
        drawn_count = f"{len(pages)} of {viewers}"  # by the template's watchdog (a page's times count from its last load)
        if ready:  # the pool refilled, as the server's log says: the redraws do not share the cores with it
            _until(lambda: _ready_pages_drawn(served) >= ready + min(ready, viewers), 1800)
        served.settled(1800)
        sizes = sorted(served.kernel_unique_bytes())[-viewers:]  # the viewers' kernels (ready ones started later are smaller)
        rss = sorted(served.kernel_bytes())[-viewers:]
        counties = pages[0].locator(".widget-dropdown").filter(has=pages[0].locator("label", has_text="县区")) \
            .locator("option").all_inner_texts()[1:]
        redrawn = [choose(page, "县区", counties[k % len(counties)]) for k, page in enumerate(pages[:redraws])]
        print(f"  CPU while the pages were drawn: the server and its kernels {server_cpu:.0f} s, the browsers {browser_cpu:.0f} s"
              f" (all on this machine's {os.cpu_count()} cores)")
        print(f"  first paint {_spread(painted, 's')}; charts {_spread(drawn, 's')}; kernels: RSS "
              f"{_spread([s / MIB for s in rss], ' MiB', 0)}, unique {_spread([s / MIB for s in sizes], ' MiB', 0)} "
              f"(all {len(served.kernel_bytes())} kernels: {sum(served.kernel_bytes()) / MIB:,.0f} MiB RSS); "
              f"county redraw {_spread(redrawn, 's', 2)}; pages loaded again by the watchdog: {reloaded}", flush=True)
    return [f"{engine}", str(ready), _spread(painted, " s"), _spread(drawn, " s"), f"{reloaded} ({drawn_count} drawn)",
            f"{server_cpu:.0f} s / {browser_cpu:.0f} s",
            f"{_spread([s / MIB for s in rss], ' MiB', 0)} ({_spread([s / MIB for s in sizes], ' MiB', 0)} its own)",
            _spread(redrawn, " s", 2)]


def _ready_pages_drawn(served) -> int:
    """The ready pages the server has logged as drawn (kernels.DashboardKernels) so far."""
    return len(re.findall(r"ready page of kernel \S+ drawn in", served.log(50_000_000)))


def _cpu_split(served) -> tuple[float, float]:
    """CPU seconds used so far by the server with its kernels, and by the browsers (Chromium's processes)."""
    import psutil

    server = browser = 0.0
    for process in psutil.process_iter(["name", "cpu_times"]):
        times = process.info["cpu_times"]
        if times is None:
            continue
        if "chrom" in (process.info["name"] or ""):
            browser += times.user + times.system
    try:
        voila = psutil.Process(served.pid)
        for process in [voila, *voila.children(recursive=True)]:
            times = process.cpu_times()
            server += times.user + times.system + times.children_user + times.children_system
    except psutil.NoSuchProcess:
        pass
    return server, browser


def _spread(values: list[float], unit: str, digits: int = 1) -> str:
    return f"{statistics.median(values):,.{digits}f} / {max(values):,.{digits}f}{unit}"


def _until(condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {seconds:g} s")
        time.sleep(1)


if __name__ == "__main__":
    main()
