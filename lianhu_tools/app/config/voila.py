"""Voilà's configuration file for `lianhu dashboard` (serve.py points --Voila.config_file_paths here): what its
command line cannot say, a function."""

from lianhu_tools.kernels import set_xsrf_cookie

c = get_config()  # noqa: F821 (traitlets provides it to a configuration file)
c.VoilaConfiguration.prelaunch_hook = set_xsrf_cookie
