"""JupyterHub's configuration for `lianhu hub` (which starts `jupyterhub -f` this file): the settings it was given
are read from the environment (LIANHU_HUB_SETTINGS, never holding a password), see lianhu_tools/hub/spawn.py."""

from lianhu_tools.hub.settings import HubSettings
from lianhu_tools.hub.spawn import configure

configure(get_config(), HubSettings.from_environment())  # noqa: F821 (traitlets provides get_config)
