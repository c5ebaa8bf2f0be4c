"""The dashboard's kernels under real Voilà, visited by headless Chromium (tests/browser.py): abandoned loads
culled, a cap on live kernels with a busy page past it, a connected page kept until it is left unused, a closed
tab's kernel shut down at once; and whatever fails, visitors (a hostile one too) get a short message, never a
traceback or a path on the server. Kernels are counted as Voilà's child processes (Voilà's API lists none).
Skipped where there is no Chromium, except in CI (LIANHU_REQUIRE_BROWSER=1)."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest

from browser import abandoned_load, browser, chromium, serving, wait_for_dashboard
from lianhu_tools.errors import DASHBOARD_ERROR_MESSAGE
from lianhu_tools.serve import KernelLimits

pytestmark = pytest.mark.skipif(chromium() is None and not os.environ.get("LIANHU_REQUIRE_BROWSER"),
                                reason="no Chromium here (apt-get install chromium fonts-noto-cjk)")
# Short so that the test is quick: two kernels, abandoned ones culled after 6 s idle, connected ones after 12 s.
LIMITS = KernelLimits(max_kernels=2, abandoned_seconds=6, connected_seconds=12, interval_seconds=1, ready=0)
SERVER_SECRETS = ("Traceback", str(Path(__file__).resolve().parents[1]), sys.prefix, str(Path.home()), "/tmp/")


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from lianhu_tools.demo.pipeline import start_demo_year

    return start_demo_year("tiny", tmp_path_factory.mktemp("year"), assess=("2025H1", "2025"))


@pytest.fixture(scope="module")
def chrome():
    """One browser window: its tabs share cookies, and a tab closed leaves the browser running (as a leader's)."""
    with browser() as instance:
        context = instance.new_context(locale="zh-CN")
        yield context
        context.close()


def shows_nothing_of_the_server(text: str) -> list[str]:
    return [secret for secret in SERVER_SECRETS if secret in text]


def until(condition, seconds: float) -> float:
    """Seconds until `condition()` holds (checked every 0.2 s); fails after `seconds`."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, f"not within {seconds:g} s"
        time.sleep(0.2)
    return time.monotonic() - started


def test_abandoned_loads_are_culled_and_a_visitor_past_the_cap_gets_the_busy_page(year, chrome):
    with serving(str(year.folder / "lianhu.sqlite"), limits=LIMITS) as served:
        statuses = [abandoned_load(chrome.browser, served.url) for _ in range(5)]
        assert statuses == [200, 200, 503, 503, 503] and len(served.kernels()) == 2

        page = chrome.new_page()  # one more visitor
        response = page.goto(served.url)
        assert response.status == 503 and "看板访问人数已满" in page.inner_text("body")
        assert "dashboard is busy" in page.inner_text("body") and shows_nothing_of_the_server(page.content()) == []
        page.close()
        assert "Dashboard busy" in served.log()

        culled = until(lambda: not served.kernels(), 60)  # rendered, then idle for 6 s, checked every second
        assert len(served.kernels()) == 0

        page = chrome.new_page()  # a leader reading: the page stays while connected
        page.goto(served.url, wait_until="commit")
        wait_for_dashboard(page, served=served)
        time.sleep(LIMITS.abandoned_seconds + 2 * LIMITS.interval_seconds)
        assert len(served.kernels()) == 1
        county = page.locator(".widget-dropdown").filter(has=page.locator("label", has_text="县区")).locator("select")
        county.select_option(index=1)  # still answers
        page.locator("h3", has_text=county.locator("option").nth(1).inner_text()).wait_for(timeout=30_000)
        left = until(lambda: not served.kernels(), LIMITS.connected_seconds + 30)  # left unused: reclaimed
        assert left > LIMITS.abandoned_seconds + LIMITS.interval_seconds
        page.close()

        page = chrome.new_page()  # a tab closed: its kernel shut down at once, not culled later
        page.goto(served.url, wait_until="commit")
        wait_for_dashboard(page, served=served)
        assert len(served.kernels()) == 1
        page.close(run_before_unload=True)
        closed = until(lambda: not served.kernels(), LIMITS.abandoned_seconds - 2)
    print(f"\nabandoned loads culled in {culled:.1f} s; an open page unused lost its kernel after {left:.1f} s; "
          f"a closed tab's kernel was shut down in {closed:.1f} s")


HOSTILE = """async (pause) => {
    // a second websocket to this page's kernel, sending widget state no page would send
    const config = JSON.parse(document.getElementById('jupyter-config-data').textContent);
    const ws = new WebSocket(`ws://${location.host}/api/kernels/${config.kernelId}/channels?session_id=hostile`);
    const received = [];
    const send = (msg_type, content) => ws.send(JSON.stringify({
        header: {msg_id: String(Math.random()), username: 'hostile', session: 'hostile', msg_type, version: '5.3', date: ''},
        parent_header: {}, metadata: {}, content, channel: 'shell', buffers: []}));
    const wait = (ms) => new Promise(done => setTimeout(done, ms));
    await new Promise((done, fail) => { ws.onopen = done; ws.onerror = () => fail(new Error('no websocket'));
                                        setTimeout(() => fail(new Error('no websocket in 30 s')), 30000); });
    ws.onmessage = (event) => received.push(JSON.parse(event.data));
    send('comm_info_request', {target_name: 'jupyter.widget'});
    await wait(pause);
    const comms = Object.keys(received.find(m => m.header.msg_type === 'comm_info_reply').content.comms);
    comms.forEach(comm_id => send('comm_msg', {comm_id, data: {method: 'request_state'}}));
    await wait(pause);
    const dropdowns = received.filter(m => m.header.msg_type === 'comm_msg' && m.content.data.method === 'update'
                                      && m.content.data.state._model_name === 'DropdownModel').map(m => m.content.comm_id);
    dropdowns.forEach(comm_id => send('comm_msg', {comm_id, data: {method: 'update', state: {index: 999}, buffer_paths: []}}));
    await wait(pause);
    ws.close();
    return {dropdowns: dropdowns.length, received: received.map(m => JSON.stringify(m))};
}"""


def test_visitors_get_a_short_message_and_never_a_traceback(year, chrome, tmp_path):
    with sqlite3.connect(year.folder / "lianhu.sqlite") as source, sqlite3.connect(tmp_path / "lianhu.sqlite") as copy:
        source.backup(copy)  # with what is still in the write-ahead log
    (tmp_path / "broken.sqlite").write_text("not a store", encoding="utf-8")
    with serving(str(tmp_path / "lianhu.sqlite")) as served:
        page = chrome.new_page()
        frames = []  # everything the page's own websocket receives
        page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(
            payload.decode(errors="replace") if isinstance(payload, bytes) else payload)))
        page.goto(served.url, wait_until="commit")
        wait_for_dashboard(page, served=served)

        hostile = page.evaluate(HOSTILE, 2000)  # out-of-range indices: ipywidgets raises in the kernel
        assert hostile["dropdowns"] == 4
        errors = [m for m in hostile["received"] if '"msg_type": "error"' in m or '"msg_type":"error"' in m]
        assert len(errors) == 4 and all(DASHBOARD_ERROR_MESSAGE in m for m in errors)
        assert [s for m in hostile["received"] for s in shows_nothing_of_the_server(m)] == []

        with sqlite3.connect(tmp_path / "lianhu.sqlite") as db:  # the store changes under the open page
            db.execute("DROP TABLE assessment_results")
        period = page.locator(".widget-dropdown").filter(has=page.locator("label", has_text="期别")).locator("select")
        period.select_option(label="2025年上半年")  # its assessment's results are read now, and cannot be
        page.locator(".dashboard-error").wait_for(timeout=30_000)
        assert DASHBOARD_ERROR_MESSAGE in page.inner_text("body")
        assert shows_nothing_of_the_server(page.content()) == []
        assert [s for f in frames for s in shows_nothing_of_the_server(f)] == []
        assert "dashboard redraw failed" in served.log(100_000) and "assessment_results" in served.log(100_000)  # kept there
        page.close()

    with serving(str(tmp_path / "broken.sqlite")) as served:  # the notebook's cell fails while the page is served
        page = chrome.new_page()
        page.goto(served.url + "?template=lab")  # Voilà's own template would say more: refused
        page.locator(".lianhu-error").wait_for(timeout=60_000)
        assert DASHBOARD_ERROR_MESSAGE in page.inner_text("body")
        assert shows_nothing_of_the_server(page.content()) == [] and "There was an error" not in page.content()
        assert "NotInStore" in served.log(100_000)
        page.close()


def test_a_visitor_probing_voilas_template_urls_gets_404_and_no_traceback(year):
    import http.client
    from urllib.parse import urlsplit

    def status(path: str) -> tuple[int, str]:  # the path sent as it is (requests would resolve its dot segments)
        where = urlsplit(served.url)
        connection = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
        connection.request("GET", "/voila/templates/" + path)
        answer = connection.getresponse()
        return answer.status, answer.read().decode(errors="replace")

    with serving(str(year.folder / "lianhu.sqlite")) as served:
        for path in ("", "lianhu", "lianhu/", "lianhu/x/y", "/static/index.css", "lianhu/static/", "lianhu/static/..",
                     "lianhu/static/%2E%2E", "lianhu/static/..%2Findex.css", "lianhu/static/a%00b",
                     "lianhu/static/../../../conf.json", "../lianhu/static/index.css"):
            code, text = status(path)
            assert code in (403, 404) and shows_nothing_of_the_server(text) == [], (path, code)
        assert status("lianhu/static/index.css")[0] == 200
        assert "Traceback" not in served.log(100_000) and " 500 " not in served.log(100_000)


def test_pages_kept_ready_come_at_once_and_are_drawn_again_when_the_store_changes(tmp_path, chrome):
    """`lianhu dashboard --ready 1`: a kernel waits with the page drawn; records imported meanwhile replace it."""
    from lianhu_tools.demo.pipeline import start_demo_year

    year = start_demo_year("tiny", tmp_path / "year")
    limits = KernelLimits(max_kernels=3, abandoned_seconds=6, connected_seconds=60, interval_seconds=1, ready=1)

    def shown_records(served) -> int:
        page = chrome.new_page()
        page.goto(served.url, wait_until="commit", timeout=180_000)  # the ready page may still be drawn
        wait_for_dashboard(page, served=served)
        records = int(page.locator(".records").inner_text().replace(",", ""))
        page.close(run_before_unload=True)
        return records

    with serving(str(year.folder / "lianhu.sqlite"), limits=limits) as served:
        until(lambda: served.log(10**7).count(" drawn in ") == 1, 120)  # the ready page
        assert shown_records(served) == len(year.store.activities("2025H2"))  # the latest half: no assessment yet
        assert served.log(10**7).count("Using pre-heated kernel") == 1
        until(lambda: served.log(10**7).count(" drawn in ") == 2, 120)  # another made ready for the next visitor

        more = year.store.activities("2025H2").drop(columns=["id", "import_id", "fingerprint"]).head(25)
        year.store.add_activities(more.assign(record_id="NEW-" + more["record_id"].astype(str), days=more["days"] + 0.5),
                                  "补录.xlsx")
        try:
            until(lambda: "the store changed" in served.log(10**7) and served.log(10**7).count(" drawn in ") >= 3, 300)
        except AssertionError as exc:
            raise AssertionError(served.log(10**7)[-6000:]) from exc
        assert shown_records(served) == len(year.store.activities("2025H2"))  # the latest half: no assessment yet
        assert served.log(10**7).count("Using pre-heated kernel") == 2, served.log(20000)
        assert taken_before_drawn(served.log(10**7)) == []


def test_a_visitor_before_the_ready_page_is_drawn_gets_a_page_of_their_own(year, chrome):
    """A ready page given to a visitor while still being drawn stopped at its first cell for good, now and then
    (always, on this machine, for a visitor who came within a second of the ready kernel's start): such a visitor
    gets a kernel of their own, and the ready page waits, drawn, for the next one."""
    limits = KernelLimits(max_kernels=3, abandoned_seconds=600, connected_seconds=600, interval_seconds=1, ready=1)
    with serving(str(year.folder / "lianhu.sqlite"), limits=limits) as served:
        until(lambda: "Kernel started" in served.log(10**7), 120)
        early, later = chrome.new_page(), chrome.new_page()
        early.goto(served.url, wait_until="commit", timeout=180_000)
        wait_for_dashboard(early, served=served)
        until(lambda: " drawn in " in served.log(10**7), 120)
        later.goto(served.url, wait_until="commit", timeout=180_000)
        wait_for_dashboard(later, served=served)
        log = served.log(10**7)
        assert log.count("Using pre-heated kernel") >= 1 and taken_before_drawn(log) == [], log
        for page in (early, later):
            page.close()


def taken_before_drawn(log: str) -> list[str]:
    """Ready kernels Voilà gave a visitor before their page was drawn, from the server's log."""
    drawn, early = set(), []
    for line in log.splitlines():
        if (found := re.search(r"ready page of kernel (\S+) drawn in", line)):
            drawn.add(found[1])
        elif (found := re.search(r"Using pre-heated kernel: (\S+)", line)) and found[1] not in drawn:
            early.append(found[1])
    return early


def test_a_page_never_drawn_is_loaded_again_once(year, chrome):
    """Should a page never be drawn (voila-dashboards/voila#1395), the template loads it again once, when neither
    the page nor its kernel moved for a while. Here its kernel's websocket is held up, so that the widgets never
    come (and the kernel is not culled)."""
    with serving(str(year.folder / "lianhu.sqlite"), limits=HELD_UP) as served:
        page, loads = _page_held_up(chrome, served)
        until(lambda: page.wait_for_timeout(100) or len(loads) == 2, 90)  # Playwright's events come during its calls
        assert loads[1] - loads[0] > WATCHDOG_SECONDS[0]
        page.wait_for_timeout(45_000)
        assert len(loads) == 2  # once only
        page.close()


def test_a_page_whose_stream_stopped_half_way_is_loaded_again_once(year, chrome):
    """A page whose stream stopped before its end has no footer: the watchdog watches from the head. Here the page
    comes cut off after its first cell, every time."""
    def cut_off(route):
        page = route.fetch().text()
        first = page.index("voila_process(1,")
        route.fulfill(status=200, content_type="text/html", body=page[:page.index("</div>", first)])

    with serving(str(year.folder / "lianhu.sqlite"), limits=HELD_UP) as served:
        page = chrome.new_page()
        loads = []
        page.on("framenavigated", lambda frame: loads.append(time.monotonic()) if frame == page.main_frame else None)
        page.route(served.url, cut_off)
        page.add_init_script(f"window.lianhuWatchdogSeconds = {list(WATCHDOG_SECONDS)};")
        page.goto(served.url, wait_until="commit", timeout=120_000)
        until(lambda: page.wait_for_timeout(100) or len(loads) == 2, 150)
        assert loads[1] - loads[0] > WATCHDOG_SECONDS[0]
        page.wait_for_timeout(45_000)
        assert len(loads) == 2
        page.close()


def test_a_page_still_being_drawn_is_not_loaded_again(year, chrome):
    """A busy browser drawing slowly (30 leaders' pages on one machine) is left to finish: a reload would take
    another kernel. Here the kernel never answers, but the page keeps changing, as a page being drawn does."""
    with serving(str(year.folder / "lianhu.sqlite"), limits=HELD_UP) as served:
        page, loads = _page_held_up(
            chrome, served, "setInterval(() => document.documentElement.appendChild(document.createElement('i')), 3000)")
        page.wait_for_timeout(60_000)
        assert len(loads) == 1
        page.close()


def test_a_page_whose_kernel_is_busy_is_not_loaded_again_until_the_kernel_is_done(year, chrome):
    """A kernel slow to answer (the server under load) keeps its page: the template asks Jupyter's API whether
    the kernel is busy. Here the page's websocket is held up and its kernel made busy for 50 s."""
    with serving(str(year.folder / "lianhu.sqlite"), limits=HELD_UP) as served:
        page, loads = _page_held_up(chrome, served)
        _kept_busy(served, page, 50)
        started = time.monotonic()
        until(lambda: page.wait_for_timeout(100) or len(loads) == 2, 120)
        assert loads[1] - started > 50 + WATCHDOG_SECONDS[1]
        page.close()


HELD_UP = KernelLimits(max_kernels=3, abandoned_seconds=600, connected_seconds=600, interval_seconds=30, ready=0)
WATCHDOG_SECONDS = (20, 10)  # the template's 120 s and 60 s, shortened


def _page_held_up(chrome, served, script: str = ""):
    """A page of the dashboard whose kernel never answers it (its websocket held up), running `script`; and the
    times its main frame was loaded."""
    page = chrome.new_page()
    loads = []
    page.on("framenavigated", lambda frame: loads.append(time.monotonic()) if frame == page.main_frame else None)
    page.route_web_socket("**/channels**", lambda socket: None)
    page.add_init_script(f"window.lianhuWatchdogSeconds = {list(WATCHDOG_SECONDS)}; {script}")
    page.goto(served.url, wait_until="commit")
    return page, loads


def _kept_busy(served, page, seconds: float) -> None:
    """The page's kernel, reached through its connection file as Voilà reaches it, set to sleep for `seconds`."""
    from jupyter_client import BlockingKernelClient

    kernel = page.wait_for_function(
        "() => { try { return JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId } "
        "catch (error) { return null } }",  # the page may have come in part only
        timeout=120_000).json_value()
    [connection] = [part for process in served.kernels() for part in process.cmdline()
                    if part.endswith(f"kernel-{kernel}.json")]
    client = BlockingKernelClient()
    client.load_connection_file(connection)
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        client.execute(f"import time; time.sleep({seconds})")
    finally:
        client.stop_channels()


def test_ready_pages_wait_for_room_under_the_cap_and_a_visitor_past_it_gets_the_busy_page(year, chrome):
    limits = KernelLimits(max_kernels=2, abandoned_seconds=600, connected_seconds=600, interval_seconds=1, ready=1)
    with serving(str(year.folder / "lianhu.sqlite"), limits=limits) as served:
        pages = [chrome.new_page() for _ in range(3)]
        for drawn, page in enumerate(pages[:2], start=1):
            until(lambda: served.log(10**7).count(" drawn in ") == drawn, 120)  # a ready page for each visitor
            page.goto(served.url, wait_until="commit", timeout=180_000)
            wait_for_dashboard(page, served=served)
        assert pages[2].goto(served.url).status == 503  # two kernels, both taken: the next ready page waits
        time.sleep(3)
        log = served.log(10**7)
        assert len(served.kernels()) == 2 and log.count("Using pre-heated kernel") == 2
        assert "HTTP 503" not in log and "Traceback" not in log and log.count("a visitor got the busy page") == 1
        for page in pages:
            page.close()


def test_the_shell_channel_pages_are_drawn_through_looks_again_and_asks_the_kernel_after_a_silence():
    """A wait with no deadline for a reply (nbclient's, drawing a page) ends with the kernel's answer to the
    channel's own question once nothing came for `SHELL_NUDGE_SECONDS`: a reply lost on the way no longer holds a page
    for good. A real kernel, started with the client class `lianhu dashboard` configures."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    from jupyter_client.manager import AsyncKernelManager

    from lianhu_tools.kernels import SHELL_NUDGE_SECONDS
    from lianhu_tools.serve import KernelLimits as Limits

    option = next(o for o in Limits().voila_options() if o.startswith("--AsyncKernelManager.client_class="))

    async def wait_in_silence():
        manager = AsyncKernelManager(client_class=option.split("=", 1)[1])
        await manager.start_kernel()
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            started = time.monotonic()
            reply = await asyncio.wait_for(client.shell_channel.get_msg(), SHELL_NUDGE_SECONDS + 30)
            return reply["msg_type"], time.monotonic() - started
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)

    with ThreadPoolExecutor(1) as thread:  # a loop of its own: Playwright's runs in this thread
        answered, waited = thread.submit(asyncio.run, wait_in_silence()).result()
    assert answered == "kernel_info_reply" and SHELL_NUDGE_SECONDS <= waited < SHELL_NUDGE_SECONDS + 10


def test_a_ready_page_that_shows_an_error_is_not_counted_as_drawn():
    """A ready kernel that died half-way (restarted, its later cells failing) draws the dashboard's error message:
    that page is not given to a visitor (and is started again)."""
    import asyncio
    from types import SimpleNamespace

    from lianhu_tools.kernels import ERROR_MARK, _drawn

    async def pool_task(chunks):
        drawing = asyncio.get_running_loop().create_future()
        drawing.set_result(None)
        content = {"kernel_id": "k", "task": drawing, "renderer": SimpleNamespace(rendered_cache=chunks)}
        task = asyncio.ensure_future(asyncio.sleep(0, content))
        await task
        return task

    async def both():
        return (_drawn(await pool_task(["<div>the page</div>"])),
                _drawn(await pool_task(["<div>", f'<div {ERROR_MARK} style="">看板出错</div>'])))

    found = []  # in a thread of its own: Playwright's loop may run in the test's
    thread = threading.Thread(target=lambda: found.append(asyncio.run(both())))
    thread.start()
    thread.join()
    assert found == [(True, False)]
