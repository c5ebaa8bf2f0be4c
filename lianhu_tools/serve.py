"""The dashboard served to leaders (Voilà: code hidden, nothing loaded from the internet), and driven in
a real browser (headless Chromium through Playwright) by the browser test and `bench/dashboard.py`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_dashboard.ipynb"
TEMPLATES = NOTEBOOK.parent  # notebooks/voila/templates/lianhu: Voilà's lab template without its CDN links
STORES = ("data/lianhu.sqlite", "build/demo/lianhu.sqlite")  # the city's own store first, then `make demo`'s


def default_store() -> str | None:
    """LIANHU_DB if set, else the first of STORES that exists (here, or in the project's folder), else None."""
    if os.environ.get("LIANHU_DB"):
        return os.environ["LIANHU_DB"]
    found = (base / p for p in STORES for base in (Path.cwd(), NOTEBOOK.parents[1]))
    return next((str(p.resolve()) for p in found if p.exists()), None)


def voila(db: str | None, port: int, ip: str = "127.0.0.1", policy_file: str | None = None) -> tuple[list[str], dict[str, str]]:
    """The Voilà command line and environment serving the dashboard on store `db` (a demo city when None)."""
    if db and "://" not in db:
        db = str(Path(db).resolve())  # the kernel runs in notebooks/
    paths = [str(TEMPLATES)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p]
    env = os.environ | {"JUPYTER_PATH": os.pathsep.join(paths), "LIANHU_DB": db or "",
                        "LIANHU_POLICY": str(Path(policy_file).resolve()) if policy_file else ""}
    return [sys.executable, "-m", "voila", str(NOTEBOOK), "--template=lianhu", "--no-browser", f"--port={port}",
            f"--Voila.ip={ip}"], env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db: str | None, port: int | None = None, wait: float = 60) -> Iterator[str]:
    """Voilà serving the dashboard in the background; yields its address, stops it afterwards."""
    port = port or free_port()
    command, env = voila(db, port)
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + wait
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"Voilà did not start:\n{log.read().decode(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:  # Voilà and its kernels: they share the session started for them
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


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
