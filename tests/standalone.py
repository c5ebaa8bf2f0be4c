"""What a page that works alone holds, checked on its text (tests/test_browser.py opens such pages alone)."""

from __future__ import annotations

import re
from pathlib import Path

from lianhu_tools.figures.pages import plotly_js

REFERENCE = re.compile(r"""<script[^>]*\ssrc\s*=|\s(?:src|href)\s*=|url\(|@import|https?://""", re.IGNORECASE)


def assert_works_alone(path: Path) -> str:
    """plotly.js inline exactly once and, outside it, nothing that points elsewhere (no script or link, no URL);
    nothing beside the page either. The page's text without the library."""
    text = Path(path).read_text(encoding="utf-8")
    assert text.count(plotly_js()) == 1
    rest = text.replace(plotly_js(), "")
    assert REFERENCE.findall(rest) == [] and "Plotly.newPlot" in rest
    assert not (Path(path).parent / "plotly.min.js").exists()
    return rest
