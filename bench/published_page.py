"""The published page (考核结果_<period>.html): its size, and how long headless Chromium takes to load it from
a folder holding nothing else, per demo size. Target (issue 13): the city's under 2 MB and under 2 s.

    .venv/bin/python bench/published_page.py                      # small and city
    .venv/bin/python bench/published_page.py --sizes small

Each size's demo year (start_demo_year, with the year-end assessment) is built once into
build/bench/published/<size>/ and reused (delete the folder to rebuild; the city's takes minutes); the
page is published again from its stored assessment each run. Load: from navigation until the page says its
rankings are ready (body[data-ready]), then opening the first county's section of cadres and a search.
Run it with PYTHONPATH pointing at another checkout to measure that version's page (older ones have no
body[data-ready]: load is then the `load` event).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

BUILT = Path("build/bench/published")


def demo_store(size: str):
    from lianhu_tools.demo.pipeline import start_demo_year
    from lianhu_tools.store import Store

    folder = BUILT / size
    if not (folder / "lianhu.sqlite").exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        start_demo_year(size, folder, assess=("2025",))
        print(f"  built the {size} demo year in {time.perf_counter() - started:.0f} s", flush=True)
    store = Store(folder / "lianhu.sqlite")
    return store, store.rosters()


def load_seconds(chrome, page_path: Path) -> dict[str, float]:
    page = chrome.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    outside = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else
               (outside.append(route.request.url), route.abort()))
    started = time.perf_counter()
    page.goto(page_path.as_uri(), wait_until="load", timeout=120_000)
    if page.evaluate("!!document.getElementById('rankings')"):
        page.wait_for_function("document.body.dataset.ready === 'yes'", timeout=120_000)
    loaded = time.perf_counter() - started
    out = {"load_s": loaded, "outside": len(outside)}
    county = page.locator("section.kind details[data-county='0'] summary")
    if county.count():
        started = time.perf_counter()
        county.first.click()
        page.locator("section.kind details[data-county='0'] table.ranking").first.wait_for()
        out["county_s"] = time.perf_counter() - started
        started = time.perf_counter()
        page.locator("section.kind .search").first.fill("秦")
        page.locator("section.kind .results table.ranking").first.wait_for()
        out["search_s"] = time.perf_counter() - started - 0.15  # less the page's own 150 ms wait for typing
    page.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", nargs="+", default=["small", "city"])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from browser import browser
    from lianhu_tools.assessment import results
    from lianhu_tools.report import publish

    with browser() as chrome:
        for size in args.sizes:
            store, rosters = demo_store(size)
            assessment = int(store.assessments()["assessment_id"].iloc[-1])
            with tempfile.TemporaryDirectory() as folder:
                started = time.perf_counter()
                written = publish(store, assessment, rosters, Path(folder) / "公开发布")
                seconds = time.perf_counter() - started
                page = next(p for p in written if p.suffix == ".html")
                alone = Path(folder) / "alone"  # the page sent on its own
                alone.mkdir()
                shutil.copy(page, alone / page.name)
                beside = sorted(p.name for p in page.parent.iterdir() if p != page and p.suffix != ".xlsx")
                rows = sum(len(t) for t in results(store, assessment).values())
                timing = load_seconds(chrome, alone / page.name)
                megabytes = page.stat().st_size / 1e6
            extra = "".join(f", {k.removesuffix('_s')} {v:.2f} s" for k, v in timing.items() if k in ("county_s", "search_s"))
            print(f"{size:6} {rows:>7,} rows  page {megabytes:6.2f} MB  "
                  f"load {timing['load_s']:.2f} s{extra}  (published in {seconds:.1f} s; files beside it: "
                  f"{', '.join(beside) or 'none'}; requests blocked {timing['outside']})", flush=True)


if __name__ == "__main__":
    main()
