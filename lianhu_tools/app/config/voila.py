"""Voilà's configuration file for `lianhu dashboard` (serve.py points --Voila.config_file_paths here): what its
command line cannot say, a function. Voilà refuses a prelaunch hook with pages kept ready (--preheat_kernel):
there a closed tab's kernel is culled once idle instead of at once."""

import sys

from lianhu_tools.kernels import set_xsrf_cookie
from lianhu_tools.voila_static import not_found_for_other_urls

not_found_for_other_urls()

c = get_config()  # noqa: F821 (traitlets provides it to a configuration file)
if "--preheat_kernel=True" not in sys.argv:
    c.VoilaConfiguration.prelaunch_hook = set_xsrf_cookie
