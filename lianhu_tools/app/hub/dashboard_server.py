"""Jupyter server's configuration for a leader's server (the hub starts it with --config=this file): the dashboard
alone, see lianhu_tools/hub/server.py."""

from lianhu_tools.hub.server import configure_dashboard_server

configure_dashboard_server(get_config())  # noqa: F821 (traitlets provides it to a configuration file)
