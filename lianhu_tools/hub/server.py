"""A leader's own server (started by the hub with app/hub/dashboard_server.py): Jupyter server with only Voilà
on a folder holding only the dashboard notebook — no JupyterLab, no file browser, no terminals, no contents or
sessions API, no kernels started by a visitor — and the dashboard's kernels of `kernels.py` (capped, culled, and
taking from the page only the widgets' messages: no code sent from a browser runs). Read by that server only."""

from __future__ import annotations

import os

from jupyterhub.singleuser.extension import JupyterHubAuthorizer

from ..kernels import set_xsrf_cookie
from ..serve import KernelLimits
from ..voila_static import not_found_for_other_urls

# What a dashboard page needs of Jupyter server's API: its kernel's websocket and model, the kernel specs.
DASHBOARD_ACTIONS = {("execute", "kernels"), ("read", "kernels"), ("read", "kernelspecs")}
OFF = ("jupyterlab", "jupyter_lsp", "jupyter_server_terminals", "notebook_shim", "notebook", "nbclassic")


class DashboardOnly(JupyterHubAuthorizer):
    """JupyterHub's check (the visitor may use this server), and then only DASHBOARD_ACTIONS."""

    def is_authorized(self, handler, user, action, resource) -> bool:
        allowed = (action, resource) in DASHBOARD_ACTIONS and super().is_authorized(handler, user, action, resource)
        if not allowed:
            self.log.warning("Refused %s %s to %s on a dashboard server (%s %s)", action, resource,
                             getattr(user, "username", user), handler.request.method, handler.request.path)
        return allowed


def dashboard_limits(environ=os.environ) -> KernelLimits:
    """The hub's limits for this leader's pages (LIANHU_DASHBOARD_LIMITS: pages, abandoned, idle, interval)."""
    text = environ.get("LIANHU_DASHBOARD_LIMITS")
    return KernelLimits(*map(int, text.split(","))) if text else KernelLimits()


def configure_dashboard_server(c) -> None:
    """Jupyter server's configuration `c` for a leader's server."""
    not_found_for_other_urls()
    c.ServerApp.jpserver_extensions = {name: False for name in OFF} | {"voila.server_extension": True}
    c.ServerApp.terminals_enabled = False
    c.ServerApp.authorizer_class = DashboardOnly
    c.ServerApp.kernel_manager_class = "lianhu_tools.kernels.DashboardKernels"
    c.ServerApp.kernel_websocket_connection_class = "lianhu_tools.kernels.DashboardConnection"
    limits = dashboard_limits()
    c.DashboardKernels.max_kernels = limits.max_kernels
    c.DashboardKernels.cull_idle_timeout = limits.abandoned_seconds
    c.DashboardKernels.cull_connected_timeout = limits.connected_seconds
    c.DashboardKernels.cull_interval = limits.interval_seconds
    c.VoilaConfiguration.template = "lianhu"
    c.VoilaConfiguration.allow_template_override = "NO"
    c.VoilaConfiguration.allow_theme_override = "NO"
    c.VoilaConfiguration.prelaunch_hook = set_xsrf_cookie
