"""Pages of figures that people are sent (USB, e-mail) and open alone: one HTML file holding plotly.js once, inline,
and each figure as JSON, drawn by a small script at the width of its container (a grid cell) — when the page has
loaded, when a hidden section is shown (`lianhuDraw()`), and again whenever that width changes. Nothing is
fetched: no CDN, no file beside the page. The static dashboard, the pairing map and the policy comparison are
written here."""

from __future__ import annotations

import html
import json
from functools import cache
from pathlib import Path
from typing import Callable

import plotly.graph_objects as go
import plotly.io as pio

from ..tables import atomic_write
from .theme import PAGE_FONT

# Charts in a dashboard's grid: no toolbar but the image button, shown on hover above the title (see `theme`).
CHART_CONFIG = {"responsive": True, "displaylogo": False, "modeBarButtons": [["toImage"]],
                "toImageButtonOptions": {"scale": 2}}
# A figure alone on its page (a map, a comparison): zoom and pan too.
FIGURE_CONFIG = {"responsive": True, "displaylogo": False, "scrollZoom": True,
                 "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"], "toImageButtonOptions": {"scale": 2}}

# Draws each chart not drawn yet that is displayed, at its container's width; hidden ones wait for lianhuDraw().
DRAW_SCRIPT = """
function lianhuDraw() {
  for (const div of document.querySelectorAll('div.lianhu-chart')) {
    if (div.dataset.drawn || !div.offsetParent) continue;
    const figure = JSON.parse(div.nextElementSibling.textContent);
    div.dataset.drawn = 'yes';
    Plotly.newPlot(div, figure.data, figure.layout, JSON.parse(div.dataset.config));
    new ResizeObserver(() => { if (div.offsetParent) Plotly.Plots.resize(div); }).observe(div);
  }
}
document.addEventListener('DOMContentLoaded', lianhuDraw);
"""
BASE_CSS = f"body{{font-family:{PAGE_FONT};margin:2em}} div.lianhu-chart{{width:100%;min-width:0}}"


@cache
def plotly_js() -> str:
    """The plotly.js library this package's plotly ships (about 4.8 MB), as the page carries it."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def chart(figure: go.Figure, config: dict | None = None, height: str | None = None) -> str:
    """A placeholder for `figure` and, right after it, the figure as JSON, drawn by the page's script (no ids: the
    same figures give the same page). `height`: a CSS height when the figure sets none (it then fills it)."""
    height = f"{figure.layout.height}px" if figure.layout.height else height or "450px"
    data = pio.to_json(figure, validate=False).replace("</", "<\\/")  # nothing in it can end the script element
    settings = html.escape(json.dumps(config or CHART_CONFIG))
    return (f"<div class='lianhu-chart' style='height:{height}' data-config='{settings}'></div>"
            f"<script type='application/json'>{data}</script>")


def page(title: str, body: str, css: str = "") -> str:
    """A whole page: `body` (holding `chart`s) under `title`, plotly.js inline once, the drawing script."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<style>{BASE_CSS}{css}</style>
<script>{plotly_js()}</script>
<script>{DRAW_SCRIPT}</script>
</head>
<body>{body}</body></html>"""


def figure_page(figure: go.Figure, title: str) -> str:
    """One figure on a page of its own, as tall as the window when the figure sets no height."""
    return page(title, chart(figure, FIGURE_CONFIG, height="max(480px, calc(100vh - 4em))"), "body{margin:1em}")


def write_page(path: str | Path, text: str, check: Callable[[Path], None] | None = None) -> Path:
    """Write a page (from `page`) atomically; `check(file)` runs first on the page without plotly.js (the
    library's code, not data) and may refuse it by raising."""
    path = Path(path)
    with atomic_write(path) as tmp:
        if check:
            tmp.write_text(text.replace(plotly_js(), ""), encoding="utf-8")
            check(tmp)
        tmp.write_text(text, encoding="utf-8")
    return path


def write_figure_page(figure: go.Figure, path: str | Path, title: str | None = None) -> Path:
    """`figure` as a page that works alone (see `figure_page`); its title, the figure's when not given."""
    return write_page(path, figure_page(figure, title or figure.layout.title.text or Path(path).stem))
