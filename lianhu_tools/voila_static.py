"""Voilà 0.5's handler of its templates' static files (/voila/templates/<name>/static/<file>) answers any other
URL under /voila/templates/ with a traceback in the log and HTTP 500; `not_found_for_other_urls` makes those a
plain 404. Called by both dashboard servers' configurations (app/config/voila.py, hub/server.py)."""

from __future__ import annotations

import os

from tornado.web import HTTPError
from voila.static_file_handler import TemplateStaticFileHandler

_VOILA_PARSE_URL_PATH = TemplateStaticFileHandler.parse_url_path


def _parse_url_path(self, path: str) -> str:
    """<template>/static/<file>, as it is once dot segments are resolved (as Voilà resolves them); else 404."""
    if "\x00" in path:
        raise HTTPError(404)
    for shape in (path, os.path.normpath(path)):
        parts = shape.split("/", 2)
        if len(parts) != 3 or parts[1] != "static" or parts[0] in ("", ".", "..") or parts[2] in ("", ".", ".."):
            raise HTTPError(404)
    return _VOILA_PARSE_URL_PATH(self, path)


def not_found_for_other_urls() -> None:
    TemplateStaticFileHandler.parse_url_path = _parse_url_path
