"""Serving the workbench to a city's network (`lianhu hub`): JupyterHub with NativeAuthenticator, one process and
working folder per person under the hub's data folder (`SimpleLocalProcessSpawner`: the office runs everything under
one service account), idle servers culled (jupyterhub-idle-culler). A person's role is their JupyterHub group
(`roles.ROLES`): leaders get only the Voilà dashboard, everyone else JupyterLab (in Chinese) on the notebooks.

- `settings`: what `lianhu hub` was told, checked at once (a store URL with a password is refused);
- `accounts`: accounts and roles written into the hub's database (`lianhu hub add-user`);
- `proxy`: JupyterHub's proxy (npm configurable-http-proxy) installed into the project;
- `spawn`: the hub's configuration and what each server is started with (read by the hub only);
- `server`: what a leader's server allows (read by that server only).
"""

from .settings import HubSettings, hub_database_url

__all__ = ["HubSettings", "hub_database_url"]
