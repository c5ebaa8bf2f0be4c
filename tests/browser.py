"""Drivers for the dashboard in a real browser (headless Chromium through Playwright), used by
tests/test_browser.py, tests/test_dashboard_kernels.py and the dashboard benches; not shipped in the package."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Iterator

import psutil

from lianhu_tools.serve import KernelLimits, free_port, voila


@dataclass
class Served:
    """Voilà running in the background: its address and what it has logged so far."""

    url: str
    log_file: IO[bytes]
    pid: int  # Voilà's process

    def log(self, last: int = 4000) -> str:
        self.log_file.seek(0)
        return self.log_file.read().decode(errors="replace")[-last:]

    def kernels(self) -> list[psutil.Process]:
        """The kernels alive: Voilà's child processes running ipykernel (Voilà's API does not list them)."""
        alive = []
        try:
            children = psutil.Process(self.pid).children()
        except psutil.NoSuchProcess:
            return alive
        for child in children:
            try:
                if child.is_running() and child.status() != psutil.STATUS_ZOMBIE and \
                        any("ipykernel" in part for part in child.cmdline()):
                    alive.append(child)
            except psutil.NoSuchProcess:
                pass
        return alive

    def _each_kernel(self, measure) -> list:
        found = []
        for kernel in self.kernels():
            try:
                found.append(measure(kernel))
            except psutil.NoSuchProcess:
                pass
        return found

    def kernel_bytes(self) -> list[int]:
        """The resident memory (RSS) of each kernel alive."""
        return self._each_kernel(lambda kernel: kernel.memory_info().rss)

    def kernel_unique_bytes(self) -> list[int]:
        """Each kernel's unique set size: the memory it alone holds (the libraries' shared pages not counted)."""
        return self._each_kernel(lambda kernel: kernel.memory_full_info().uss)

    def kernel_cpu_seconds(self) -> float:
        """The CPU time the kernels alive have used."""
        return sum(self._each_kernel(lambda kernel: sum(kernel.cpu_times()[:2])))

    def settled(self, seconds: float = 600) -> bool:
        """Until the kernels together use under a tenth of a core for 4 s (their notebooks have run), at most
        `seconds`; whether they did."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            before = self.kernel_cpu_seconds()
            time.sleep(4)
            if self.kernel_cpu_seconds() - before < 0.4:
                return True
        return False


@contextmanager
def serving(db: str | None, port: int | None = None, wait: float = 60,
            limits: KernelLimits | None = KernelLimits(ready=0)) -> Iterator[Served]:
    """Voilà serving the dashboard on store `db` (as `lianhu dashboard` does, with `limits` on its kernels — by
    default none kept ready; None: Voilà's own, no cap and no culling) until the block ends."""
    port = port or free_port()
    command, env = voila(db, port, limits=limits)
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    served = Served(f"http://127.0.0.1:{port}/", log, process.pid)
    try:
        deadline = time.monotonic() + wait
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Voilà did not start:\n{served.log()}")
            time.sleep(0.2)
        yield served
    finally:  # Voilà, which shuts down its kernels (each in a session of its own); any it left, killed
        stop(process, served.kernels())
        log.close()


def stop(process: subprocess.Popen, leftovers: list[psutil.Process], seconds: float = 30) -> None:
    """A server started in a session of its own: SIGTERM to that session, SIGKILL after `seconds`; then whatever of
    `leftovers` (the processes it started in sessions of their own) is still there, killed."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
    for leftover in leftovers:
        try:
            leftover.kill()
        except psutil.NoSuchProcess:
            pass


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


def abandoned_load(chrome, url: str) -> int:
    """A visitor who leaves as soon as the server answers (no page drawn, no websocket); the HTTP status. A window
    of its own, closed whole: closing the one tab of a page still loading can hang Playwright."""
    visitor = chrome.new_context()
    try:
        return visitor.new_page().goto(url, wait_until="commit").status
    finally:
        visitor.close()


def wait_for_dashboard(page, timeout: float = 180, served: Served | None = None) -> None:
    """Until the headline and the charts (panels of one plot) are drawn, bars included; if they never are, the
    error carries what the page shows and what Voilà logged."""
    from playwright.sync_api import TimeoutError as PageTimeout

    try:
        page.locator(".covered").wait_for(timeout=timeout * 1000)
        page.locator(".js-plotly-plot .bars .point").first.wait_for(timeout=timeout * 1000)
    except PageTimeout as exc:
        shown = page.evaluate("document.body ? document.body.innerText.slice(0, 2000) : ''")
        raise AssertionError(f"the dashboard was not drawn in {timeout:g} s\n--- page:\n{shown}\n--- Voilà:\n"
                             f"{served.log() if served else '(no log)'}") from exc


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
    """The x values of the first chart after the map (coverage by part of the area)."""
    return page.evaluate("document.querySelector('.js-plotly-plot').data"
                         ".filter(t => t.legend === 'legend2').flatMap(t => [...t.x])")
