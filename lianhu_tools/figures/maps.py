"""Maps leaders read, offline: the real county outlines (`outlines`) with their names, coverage as a
choropleth (each county filled by its share of poor households linked), and villages coloured the same way
inside one county. Plain longitude/latitude axes at true proportions: no tile server, no CDN."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from ..outlines import Outline, county_outline
from .theme import GRADE_COLORS, chart_layout

COVERAGE_SCALE = [[0.0, GRADE_COLORS[-1]], [0.5, GRADE_COLORS[2]], [1.0, GRADE_COLORS[0]]]  # none linked → all
NO_POOR = "#d9d9d9"  # an area without poor households
OUTLINE = "#6c757d"


def county_outlines(villages: pd.DataFrame) -> dict[str, Outline | None]:
    """The real outline of each county of the village roster, by code (None where the map data has none)."""
    counties = villages.drop_duplicates("county_code")
    return {code: county_outline(code, name) for code, name in zip(counties["county_code"], counties["county_name"])}


def outline_traces(outlines: dict[str, Outline | None], names: dict[str, str], labels: bool = True) -> list[go.Scatter]:
    """The outlines as one line trace, and each county's name at a point inside it."""
    known = {code: o for code, o in outlines.items() if o is not None}
    x, y = _rings(known.values())
    traces = [go.Scatter(x=x, y=y, mode="lines", line={"color": OUTLINE, "width": 1}, hoverinfo="skip",
                         showlegend=False, name="县界 county outlines")]
    if labels and known:
        at = [o.label_point() for o in known.values()]
        traces.append(go.Scatter(x=[p[0] for p in at], y=[p[1] for p in at], mode="text", hoverinfo="skip",
                                 text=[names.get(code, o.name) for code, o in known.items()], showlegend=False,
                                 textfont={"size": 12, "color": "#343a40"}, name="县区 counties"))
    return traces


def coverage_choropleth(counties: pd.DataFrame, outlines: dict[str, Outline | None], title: str) -> go.Figure:
    """Each county filled by its share of poor households linked: `counties` has county_code, name, linked, poor."""
    traces, labels = [], []
    for row in counties.itertuples(index=False):
        outline = outlines.get(row.county_code)
        if outline is None:
            continue
        rate = 100 * row.linked / row.poor if row.poor else None
        x, y = _rings([outline])
        words = (f"{row.name}：贫困户联系率 {rate:.0f}%（{row.linked:,} / {row.poor:,} 户）" if rate is not None
                 else f"{row.name}：无贫困户")
        traces.append(go.Scatter(x=x, y=y, mode="lines", fill="toself", fillcolor=_colour(rate), hoveron="fills",
                                 line={"color": "white", "width": 1.5}, text=words, hoverinfo="text", showlegend=False,
                                 name=row.name))
        lon, lat = outline.label_point()
        labels.append((lon, lat, f"{row.name}<br>{rate:.0f}%" if rate is not None else row.name))
    if labels:
        traces.append(go.Scatter(x=[p[0] for p in labels], y=[p[1] for p in labels], text=[p[2] for p in labels],
                                 mode="text", hoverinfo="skip", showlegend=False, textfont={"size": 11, "color": "#212529"}))
    return _map(traces + [_scale()], title, [c for o in outlines.values() if o is not None for c in o.rings()])


def village_coverage(villages: pd.DataFrame, outline: Outline | None, title: str, townships: pd.DataFrame | None = None
                     ) -> go.Figure:
    """Villages as dots coloured by their share of poor households linked (grey: none poor), over their county's
    outline, with township names where their villages lie: `villages` has lon, lat, name, linked, poor."""
    traces = outline_traces({"": outline}, {}, labels=False) if outline is not None else []
    rate = (100 * villages["linked"] / villages["poor"]).where(villages["poor"] > 0)
    words = [f"{name}：贫困户 {poor:,} 户，已联系 {linked:,} 户" if poor else f"{name}：无贫困户"
             for name, poor, linked in zip(villages["name"], villages["poor"], villages["linked"])]
    traces.append(go.Scatter(x=villages["lon"], y=villages["lat"], mode="markers", text=words, hoverinfo="text",
                             showlegend=False, marker={"size": 8, "color": [_colour(r) for r in rate],
                                                        "line": {"color": "white", "width": 0.5}}))
    if townships is not None and len(townships):
        traces.append(go.Scatter(x=townships["lon"], y=townships["lat"], text=townships["name"], mode="text",
                                 hoverinfo="skip", showlegend=False, textfont={"size": 10, "color": "#495057"}))
    rings = outline.rings() if outline is not None else [villages[["lon", "lat"]].to_numpy()]
    return _map(traces + [_scale()], title, rings)


def _map(traces: list, title: str, rings: list[np.ndarray]) -> go.Figure:
    """Equal distances east and north at the map's latitude; no axes, no grid."""
    figure = go.Figure(traces, layout=chart_layout(title, showlegend=False, plot_bgcolor="white"))
    lat = float(np.mean([r[:, 1].mean() for r in rings])) if rings else 35.0
    figure.update_xaxes(visible=False)
    figure.update_yaxes(visible=False, scaleanchor="x", scaleratio=1 / np.cos(np.radians(lat)))
    return figure


def _scale() -> go.Scatter:
    """The colour bar alone (a trace with no points)."""
    return go.Scatter(x=[None], y=[None], mode="markers", hoverinfo="skip", showlegend=False, marker={
        "colorscale": COVERAGE_SCALE, "cmin": 0, "cmax": 100, "color": [0], "showscale": True,
        "colorbar": {"title": {"text": "联系率%", "side": "top", "font": {"size": 11}}, "thickness": 10, "len": 0.8}})


def _colour(rate: float | None) -> str:
    return NO_POOR if rate is None or pd.isna(rate) else sample_colorscale(COVERAGE_SCALE, [rate / 100])[0]


def _rings(outlines) -> tuple[list, list]:
    """Every ring of the outlines as one path, rings separated by gaps."""
    x, y = [], []
    for outline in outlines:
        for ring in outline.rings():
            x += ring[:, 0].round(5).tolist() + [None]
            y += ring[:, 1].round(5).tolist() + [None]
    return x, y
