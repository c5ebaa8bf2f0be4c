"""Voilà 0.5's handler of its templates' static files (/voila/templates/<name>/static/<file>) answers any other
URL under /voila/templates/ with a traceback in the log and HTTP 500; `not_found_for_other_urls` makes those a
plain 404. Called by both dashboard servers' configurations (app/config/voila.py, hub/server.py)."""

from __future__ import annotations

from tornado.web import HTTPError
from voila.static_file_handler import TemplateStaticFileHandler

_VOILA_PARSE_URL_PATH = TemplateStaticFileHandler.parse_url_path


def _parse_url_path(self, path: str) -> str:
    parts = path.split("/", 2)
    if len(parts) != 3 or parts[1] != "static" or not parts[0] or not parts[2]:
        raise HTTPError(404)
    return _VOILA_PARSE_URL_PATH(self, path)


def not_found_for_other_urls() -> None:
    TemplateStaticFileHandler.parse_url_path = _parse_url_path
