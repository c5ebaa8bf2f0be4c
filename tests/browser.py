"""Drivers for the dashboard in a real browser (headless Chromium through Playwright), used by
tests/test_browser.py and bench/dashboard.py; not shipped in the package."""

from __future__ import annotations

import re
import shutil
import time
from contextlib import contextmanager
from typing import Iterator


def chromium() -> str | None:
    """The system's Chromium (Debian: apt-get install chromium fonts-noto-cjk)."""
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


@contextmanager
def browser() -> Iterator[object]:
    """Headless Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    if chromium() is None:
        raise RuntimeError("找不到 Chromium / no Chromium: apt-get install chromium fonts-noto-cjk")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            yield instance
        finally:
            instance.close()


def wait_for_dashboard(page, timeout: float = 180) -> None:
    """Until the headline and the charts (panels of one plot) are drawn, bars included."""
    page.locator(".covered").wait_for(timeout=timeout * 1000)
    page.locator(".js-plotly-plot .bars .point").first.wait_for(timeout=timeout * 1000)


def choose(page, control: str, option: str, timeout: float = 120) -> float:
    """Pick area `option` in the dropdown labelled `control` (县区, 乡镇 or 村); the seconds until the headline
    names it and the charts are redrawn, bars included — checked on every animation frame (a locator's wait
    polls only every half second)."""
    page.evaluate("document.querySelectorAll('.js-plotly-plot').forEach(plot => plot.dataset.old = 'yes')")
    label = page.locator("label", has_text=re.compile(f"^{control}$"))
    dropdown = page.locator(".widget-dropdown").filter(has=label).locator("select")
    started = time.perf_counter()
    dropdown.select_option(label=option)
    page.wait_for_function(
        """(option) => [...document.querySelectorAll('h3')].some(h => h.textContent.startsWith(option + ' '))
                       && [...document.querySelectorAll('.js-plotly-plot')]
                              .some(plot => !plot.dataset.old && plot.querySelector('.bars .point'))""",
        arg=option, timeout=timeout * 1000, polling="raf")
    return time.perf_counter() - started


def first_chart_x(page) -> list[str]:
    """The x values of the first panel (coverage by part of the area)."""
    return page.evaluate("document.querySelector('.js-plotly-plot').data"
                         ".filter(t => (t.legend || 'legend') === 'legend').flatMap(t => [...t.x])")
