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


def outline_traces(outlines: dict[str, Outline | None]) -> list[go.Scatter]:
    """The outlines as one line trace."""
    x, y = _rings(o for o in outlines.values() if o is not None)
    return [go.Scatter(x=x, y=y, mode="lines", line={"color": OUTLINE, "width": 1}, hoverinfo="skip", showlegend=False,
                       name="县界 county outlines")]


def labels(points: list[tuple[float, float, str]], size: int | None = None) -> list[dict]:
    """Names on the map as annotations, above every trace (WebGL markers included), on a light backing; fewer
    and smaller as they crowd, none beyond 40 (the hover still names each place)."""
    size = size or (12 if len(points) <= 12 else 9)
    return [dict(x=lon, y=lat, text=text, showarrow=False, font={"size": size, "color": "#212529"},
                 bgcolor="rgba(255,255,255,0.65)", borderpad=1) for lon, lat, text in points] if len(points) <= 40 else []


def county_labels(outlines: dict[str, Outline | None], names: dict[str, str]) -> list[dict]:
    """Each county's name at a point inside it."""
    return labels([(*o.label_point(), names.get(code, o.name)) for code, o in outlines.items() if o is not None])


def coverage_choropleth(counties: pd.DataFrame, outlines: dict[str, Outline | None], title: str) -> go.Figure:
    """Each county filled by its share of poor households linked: `counties` has county_code, name, linked, poor."""
    traces, named = [], []
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
        named.append((lon, lat, f"{row.name}<br>{rate:.0f}%" if rate is not None else row.name))
    figure = _map(traces + [_scale()], title, [c for o in outlines.values() if o is not None for c in o.rings()])
    return figure.update_layout(annotations=labels(named, 11))


def village_coverage(villages: pd.DataFrame, outline: Outline | None, title: str, townships: pd.DataFrame | None = None,
                     zoom: bool = False) -> go.Figure:
    """Villages as dots coloured by their share of poor households linked (grey: none poor), over their county's
    outline, with township names where their villages lie (`townships`: name, lon, lat); `zoom`: the map framed
    on the villages, each named. `villages` has lon, lat, name, linked, poor."""
    traces = outline_traces({"": outline}) if outline is not None else []
    rate = (100 * villages["linked"] / villages["poor"]).where(villages["poor"] > 0)
    words = [f"{name}：贫困户 {poor:,} 户，已联系 {linked:,} 户" if poor else f"{name}：无贫困户"
             for name, poor, linked in zip(villages["name"], villages["poor"], villages["linked"])]
    traces.append(go.Scatter(x=villages["lon"], y=villages["lat"], mode="markers", text=words, hoverinfo="text",
                             showlegend=False, marker={"size": 9, "color": [_colour(r) for r in rate],
                                                        "line": {"color": "white", "width": 0.5}}))
    rings = outline.rings() if outline is not None else [villages[["lon", "lat"]].to_numpy()]
    figure = _map(traces + [_scale()], title, rings if len(rings) and len(rings[0]) else [np.array([[104.0, 35.0]])])
    if townships is not None and len(townships):
        figure.update_layout(annotations=labels(list(zip(townships["lon"], townships["lat"], townships["name"])), 10))
    if zoom and len(villages):
        pad = 0.03  # about 3 km around the villages
        figure.update_xaxes(range=[villages["lon"].min() - pad, villages["lon"].max() + pad])
        figure.update_yaxes(range=[villages["lat"].min() - pad, villages["lat"].max() + pad])
        figure.update_layout(annotations=labels([(x, y + 0.006, n) for x, y, n in
                                                 zip(villages["lon"], villages["lat"], villages["name"])], 9))
    return figure


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
