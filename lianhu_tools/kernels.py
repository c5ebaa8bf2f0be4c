"""The kernels Voilà starts for dashboard visitors (`lianhu dashboard` names these classes on its command line).

Each page view has a kernel of its own (about 200 MiB on the demo city's store: it reads the database's counts,
`store.aggregates`). `DashboardKernels` keeps at most `max_kernels` alive: a visitor past them gets the busy
page (HTTP 503, `app/voila/templates/lianhu/503.html`) and no kernel. With Voilà's preheated pool (`lianhu
dashboard --ready N`) N kernels wait with the page drawn (only drawn ones are given out); when the store has
changed they are drawn again. Pages are drawn through `DashboardKernelClient`, which does not wait for ever for a lost reply.
Kernels no page is connected to (a load abandoned, a tab closed) are culled once idle for
`cull_idle_timeout`, those a page is still connected to once unused for `cull_connected_timeout`.
Pages may send their kernel only the widgets' messages (`PAGE_MESSAGES`): code sent from a browser is dropped.
`DashboardConnection` sends no traceback and no kernel stderr to a browser: an error says
`DASHBOARD_ERROR_MESSAGE`, the detail stays in the server's log. Imported by the Voilà server only (it needs jupyter_server).
"""

from __future__ import annotations

import asyncio
import os
import re
import time
from datetime import datetime, timedelta, timezone
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from jupyter_core.utils import ensure_async
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado.ioloop import PeriodicCallback
from tornado.web import HTTPError
from traitlets import Bool, Integer, List, Type, Unicode
from voila.utils import ENV_VARIABLE

from .errors import DASHBOARD_ERROR_MESSAGE
from .serve import KernelLimits

ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython's colours, out of the log
# What a dashboard page may send its kernel: the widgets' messages. No execute_request: a visitor runs no code.
TAKEN_SECONDS = 60  # a ready kernel a visitor took is not culled sooner
HUNG_SECONDS = 120  # a ready page still drawing this long after its kernel started is started again
SHELL_LOOK_SECONDS, SHELL_NUDGE_SECONDS = 2, 10  # PatientShellChannel
ERROR_MARK = 'class="jp-OutputArea-output lianhu-error"'  # the template's error message (index.html.j2)
PAGE_MESSAGES = ("kernel_info_request", "comm_info_request", "comm_open", "comm_msg", "comm_close")


class DashboardKernels(AsyncMappingKernelManager):
    """Jupyter server's kernel manager with a cap on live kernels and culling of idle ones, connected or not."""

    max_kernels = Integer(KernelLimits.max_kernels, config=True, help="live kernels at most; past them HTTP 503")
    cull_idle_timeout = Integer(KernelLimits.abandoned_seconds, config=True,
                                help="seconds idle after which a kernel no page is connected to is culled")
    cull_interval = Integer(KernelLimits.interval_seconds, config=True, help="seconds between checks for idle kernels")
    cull_connected_timeout = Integer(KernelLimits.connected_seconds, config=True,
                                     help="seconds unused after which a kernel is culled though a page is connected")
    allow_tracebacks = Bool(False, config=True, help="send tracebacks to browsers (never, for visitors)")
    traceback_replacement_message = Unicode(DASHBOARD_ERROR_MESSAGE, config=True, help="what a browser gets instead")
    allowed_message_types = List(list(PAGE_MESSAGES), config=True,
                                 help="the only messages a page may send its kernel (others are dropped and logged)")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starting = 0  # kernels being started: not yet in the map, counted against the cap
        self._written = None  # the store's `aggregates.written_last` at the last check
        self._drawn_with: dict[str, object] = {}  # ready kernel → what the store had been written with before it drew
        self._taken: dict[str, datetime] = {}  # kernel a visitor took from the pool → when
        if hasattr(self, "get_rendered_notebook"):  # Voilà's pool (its class derives from this one)
            self.get_pool_size = self._drawn_pages
            self.get_rendered_notebook = self._taken_now(self.get_rendered_notebook)
            self._initialize = self._logged_when_drawn(self._initialize)
        self._redraw = PeriodicCallback(self.redraw_ready_pages, 1000 * self.cull_interval)
        self._redraw.start()

    async def redraw_ready_pages(self) -> None:
        """Voilà's pool (when it has one): a ready page drawn before the store's last write is replaced, once it is
        drawn and the store has been quiet since the previous check (an import in several writes redraws once);
        kernels whose start failed are dropped; then the pool is filled."""
        pools = getattr(self, "_pools", None)
        if not pools:
            return
        try:
            written = await asyncio.get_running_loop().run_in_executor(None, _written_last)
        except Exception:  # the store unreachable for now: the pages stay, the next check tries again
            self.log.warning("Dashboard: could not read the store to check the ready pages", exc_info=True)
            return
        before, self._written = self._written, written
        waiting = set()
        for name, pool in pools.items():
            for task in [t for t in pool if t.done()]:
                if not _succeeded(task):
                    pool.remove(task)
                    continue
                kernel_id, drawing = task.result()["kernel_id"], task.result()["task"]
                drawn_with = self._drawn_with.setdefault(kernel_id, written if before is None else before)
                if drawing.done() and (not _succeeded(drawing) or _shows_an_error(task)):
                    self.log.warning("Dashboard: ready page of kernel %s could not be drawn; started again", kernel_id)
                elif drawing.done() and written == before and drawn_with != written:
                    self.log.info("Dashboard: the store changed; ready page of kernel %s drawn again", kernel_id)
                elif not drawing.done() and time.monotonic() - task.result()["started"] > HUNG_SECONDS:
                    self.log.warning("Dashboard: ready page of kernel %s not drawn in %d s; started again", kernel_id,
                                     HUNG_SECONDS)
                else:
                    waiting.add(kernel_id)
                    continue
                pool.remove(task)
                await ensure_async(self.shutdown_kernel(kernel_id))
            self.fill_if_needed(delay=0, notebook_name=name)
        self._drawn_with = {k: v for k, v in self._drawn_with.items() if k in waiting}

    async def start_kernel(self, **kwargs) -> str:
        if kwargs.get("env", {}).get(ENV_VARIABLE.VOILA_PREHEAT) == "True":  # a page made ready: waits for room, never refused
            while len(self._kernels) + self._starting >= self.max_kernels:
                await asyncio.sleep(1)
        elif len(self._kernels) + self._starting >= self.max_kernels:
            self.log.warning("Dashboard busy: %d kernels alive (at most %d); a visitor got the busy page",
                             len(self._kernels) + self._starting, self.max_kernels)
            raise HTTPError(503)
        self._starting += 1
        try:
            return await super().start_kernel(**kwargs)
        finally:
            self._starting -= 1

    def _drawn_pages(self, notebook_name: str) -> int:
        """Ready pages already drawn: only those are given to visitors. A page taken while still drawing is drawn on
        for the visitor by Voilà, and now and then stops at its first cell for good; a visitor who comes before any is
        drawn gets a kernel of their own, drawn as the page is sent."""
        return sum(_drawn(task) for task in self._pools.get(notebook_name, []))

    def _taken_now(self, take):
        """Voilà's `get_rendered_notebook`, given a drawn page first, after which the kernel a visitor took from the
        pool counts as used now: it was idle while it waited (culling skips it there), and its page has yet to
        connect."""
        async def taken(*args, **kwargs):
            pool = self._pools.get(kwargs.get("notebook_name"), [])
            drawn = next((task for task in pool if _drawn(task)), None)
            if drawn is not None:  # Voilà gives the first in its pool
                pool.remove(drawn)
                pool.insert(0, drawn)
            rendered = await take(*args, **kwargs)
            self._taken[rendered[2]] = datetime.now(timezone.utc)
            return rendered
        return taken

    def _logged_when_drawn(self, initialize):
        """Voilà's `_initialize` (start a ready kernel, then draw its page), noting when the drawing started and
        logging when the page is drawn."""
        async def initialized(*args, **kwargs):
            content = await initialize(*args, **kwargs)
            content["started"] = time.monotonic()

            def drawn(task):
                if _succeeded(task) and content["kernel_id"] in self._kernels:
                    self.log.info("Dashboard: ready page of kernel %s drawn in %.1f s", content["kernel_id"],
                                  time.monotonic() - content["started"])
            content["task"].add_done_callback(drawn)
            return content
        return initialized

    async def cull_kernel_if_idle(self, kernel_id: str) -> None:
        """Jupyter server's culling (dead kernels, and idle ones no page is connected to), then idle connected ones.
        A kernel a visitor took from the pool is spared for `TAKEN_SECONDS` (at least the idle timeout): it waited
        idle, and its page connects only once the rest of it is sent."""
        taken = self._taken.get(kernel_id)
        if taken is not None:
            if datetime.now(timezone.utc) - taken < timedelta(seconds=max(TAKEN_SECONDS, self.cull_idle_timeout)):
                return
            del self._taken[kernel_id]
            kernel = self._kernels.get(kernel_id)
            if kernel is not None:
                kernel.last_activity = max(kernel.last_activity, taken)
        await super().cull_kernel_if_idle(kernel_id)
        kernel = self._kernels.get(kernel_id)
        if kernel is None or self.cull_connected_timeout <= 0 or not hasattr(kernel, "last_activity"):
            return
        idle = datetime.now(timezone.utc) - kernel.last_activity
        if kernel.execution_state != "busy" and idle > timedelta(seconds=self.cull_connected_timeout):
            self.log.warning("Culling kernel %s: a page is connected but it was unused for %d seconds",
                             kernel_id, idle.total_seconds())
            await ensure_async(self.shutdown_kernel(kernel_id))


class PatientShellChannel(AsyncZMQSocketChannel):
    """The shell channel Voilà draws a page through, which waits for a reply without a deadline: it looks again
    every few seconds, and after a long silence asks the kernel for its info. A cell's reply now and then never came
    to a page being drawn, its output complete (the kernel idle), and the page stopped there for good."""

    async def get_msg(self, timeout: float | None = None) -> dict:
        if timeout is not None:
            return await super().get_msg(timeout)
        silent = 0
        while True:
            try:
                return await super().get_msg(SHELL_LOOK_SECONDS)
            except Empty:
                silent += SHELL_LOOK_SECONDS
                if silent % SHELL_NUDGE_SECONDS == 0:  # the reply to this one is not waited for: skipped as others are
                    self.send(self.session.msg("kernel_info_request"))


class DashboardKernelClient(AsyncKernelClient):
    """The kernel client Voilà draws a page with (`--AsyncKernelManager.client_class`)."""

    shell_channel_class = Type(PatientShellChannel)


def _drawn(task: asyncio.Task) -> bool:
    """Whether a task of Voilà's pool has started its kernel and drawn its page without error — a cell's error
    (a kernel that died and restarted half-way, say) shows the dashboard's error message: such a page is not given."""
    return _succeeded(task) and _succeeded(task.result()["task"]) and not _shows_an_error(task)


def _shows_an_error(task: asyncio.Task) -> bool:
    renderer = task.result().get("renderer")
    return any(ERROR_MARK in chunk for chunk in getattr(renderer, "rendered_cache", []))


def _succeeded(task: asyncio.Task) -> bool:
    return task.done() and not task.cancelled() and task.exception() is None


def _written_last():
    """What the store the pages are drawn from (LIANHU_DB) holds now; None for the demo city."""
    from .store import Store, aggregates

    db = os.environ.get("LIANHU_DB")
    if not db:
        return None
    if _stores.get(db) is None:
        _stores[db] = Store(db, create=False)
    return aggregates.written_last(_stores[db])


_stores: dict = {}  # opened once by the server


class DashboardConnection(ZMQChannelsWebsocketConnection):
    """The websocket between a page and its kernel, never carrying a traceback or the kernel's stderr."""

    def handle_outgoing_message(self, stream, outgoing_msg: list) -> None:
        if getattr(self.channels.get(stream) if isinstance(stream, str) else stream, "channel", None) == "iopub":
            _, parts = self.session.feed_identities(outgoing_msg)
            if self.session.unpack(parts[1])["msg_type"] == "stream":
                content = self.session.unpack(parts[4])
                if content.get("name") == "stderr":
                    self.log.info("Kernel %s stderr (not sent to the browser):\n%s", self.kernel_id,
                                  content.get("text", ""))
                    return
        super().handle_outgoing_message(stream, outgoing_msg)

    def _on_error(self, channel, msg, msg_list) -> None:
        """An error's traceback replaced by the message, logged here (Jupyter server looks for the message on the
        wrong object)."""
        if self.multi_kernel_manager.allow_tracebacks or channel != "iopub":
            return
        msg["header"] = self.get_part("header", msg["header"], msg_list)
        if msg["header"]["msg_type"] != "error":
            return
        msg["content"] = self.get_part("content", msg["content"], msg_list)
        shown = self.multi_kernel_manager.traceback_replacement_message
        self.log.warning("Kernel %s error (the browser got only the short message):\n%s", self.kernel_id,
                         ANSI.sub("", "\n".join(msg["content"].get("traceback") or [str(msg["content"].get("evalue"))])))
        msg["content"].update(ename="Error", evalue=shown, traceback=[shown])
        if self.subprotocol == "v1.kernel.websocket.jupyter.org":
            msg_list[3] = self.session.pack(msg["content"])


def set_xsrf_cookie(request_handler, notebook, cwd) -> None:
    """Voilà's prelaunch hook: the page gets the _xsrf cookie that its `beforeunload` beacon sends back, so that
    closing or reloading a tab shuts its kernel down at once (without it Voilà refuses the beacon with 403:
    voila-dashboards/voila#1458, and only culling reclaims the kernel)."""
    request_handler.xsrf_token  # tornado sets the cookie when the token is first read
