"""The rosters and pairings as figures: households by county and class, the pairing map, policies compared."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..schema import HOUSEHOLD_CLASSES
from .maps import county_labels, county_outlines, outline_traces
from .theme import CLASS_COLORS, FONT, PALETTE


def households_by_county(summary: pd.DataFrame) -> go.Figure:
    """Stacked bars of household classes per county, from `county_summary(...)` (English columns)."""
    counties = summary[summary["villages"] > 0]
    counties = counties[counties["county_name"] != "全市"]
    fig = go.Figure([go.Bar(name=c, x=counties["county_name"], y=counties[c], marker_color=CLASS_COLORS[c])
                     for c in HOUSEHOLD_CLASSES])
    fig.update_layout(barmode="stack", title="各县区名册农户（按类别）/ Listed households by class",
                      xaxis_title="县区 county", yaxis_title="户 households", font_family=FONT,
                      legend_title="类别 class", template="plotly_white")
    return fig


def pairing_map(villages: pd.DataFrame, units: pd.DataFrame, links: pd.DataFrame, pairs: pd.DataFrame | None = None,
                households: pd.DataFrame | None = None) -> go.Figure:
    """Villages, units and their links over the real county outlines, named, on plain longitude/latitude axes
    at true proportions (no tile server, works offline).

    Linked villages are filled, unlinked target villages hollow; a line joins each unit to its villages;
    with `pairs` and `households`, thin lines join cadres' offices to their households' places."""
    village_at = villages.set_index("village_code")[["lon", "lat"]]
    unit_at = units.set_index("unit_id")[["lon", "lat"]]
    outlines = county_outlines(villages)
    fig = go.Figure(outline_traces(outlines))
    if pairs is not None and households is not None and len(pairs):
        home = households.set_index("household_id")[["lon", "lat"]]
        fig.add_trace(_segments(pairs["unit_id"].map(unit_at["lon"]), pairs["unit_id"].map(unit_at["lat"]),
                                pairs["household_id"].map(home["lon"]), pairs["household_id"].map(home["lat"]),
                                "干部—农户 cadre–household", "rgba(120,120,120,0.25)"))
    fig.add_trace(_segments(links["unit_id"].map(unit_at["lon"]), links["unit_id"].map(unit_at["lat"]),
                            links["village_code"].map(village_at["lon"]), links["village_code"].map(village_at["lat"]),
                            "单位—村 unit–village", "rgba(31,119,180,0.6)"))
    linked = villages["village_code"].isin(links["village_code"])
    for mask, name, symbol, colour in (
            (linked, "已联系的村 linked village", "circle", "#c0392b"),
            (~linked & villages["is_poor_village"], "未联系的贫困村 unlinked poor village", "circle-open", "#c0392b"),
            (~linked & ~villages["is_poor_village"], "其他村 other village", "circle", "#bbbbbb")):
        fig.add_trace(go.Scattergl(x=villages.loc[mask, "lon"], y=villages.loc[mask, "lat"], mode="markers", name=name,
                                   marker={"symbol": symbol, "size": 6, "color": colour},
                                   text=villages.loc[mask, "village_name"], hoverinfo="text"))
    fig.add_trace(go.Scattergl(x=units["lon"], y=units["lat"], mode="markers", name="单位 unit",
                               marker={"symbol": "square", "size": 7, "color": "#1f77b4"}, text=units["unit_name"],
                               hoverinfo="text"))
    fig.update_layout(annotations=county_labels(outlines, dict(zip(villages["county_code"], villages["county_name"]))))
    fig.update_layout(title="联村联户结对图 / pairing map", font_family=FONT, template="plotly_white",
                      xaxis_title="经度 longitude", yaxis_title="纬度 latitude", legend={"orientation": "h"})
    fig.update_yaxes(scaleanchor="x", scaleratio=1 / np.cos(np.radians(villages["lat"].mean() if len(villages) else 35)))
    return fig


def _segments(x0, y0, x1, y1, name: str, colour: str) -> go.Scattergl:
    """Line segments as one trace, separated by gaps."""
    xs = [v for a, b in zip(x0, x1) for v in (a, b, None)]
    ys = [v for a, b in zip(y0, y1) for v in (a, b, None)]
    return go.Scattergl(x=xs, y=ys, mode="lines", name=name, line={"width": 1, "color": colour}, hoverinfo="skip")


def policy_comparison(table: pd.DataFrame) -> go.Figure:
    """`compare_policies`' table as four panels — coverage, distance, churn, shortfalls — one bar per policy in
    each group of bars."""
    panels = [("覆盖 / covered", [("absolute_covered", "绝对贫困户"), ("low_income_covered", "低收入户"), ("party_covered", "党员户")]),
              ("距离 km / distance", [("mean_km", "平均"), ("p95_km", "95%")]),
              ("须调整的现有结对 / current pairings changed", [("changed_pairings", "结对")]),
              ("缺口 / shortfalls", [("villages_unlinked", "未联系村"), ("units_below_minimum", "未达下限单位"),
                                    ("team_shortfall", "工作队缺员")])]
    fig = make_subplots(rows=2, cols=2, subplot_titles=[title for title, _ in panels], vertical_spacing=0.16)
    for k, (policy, row) in enumerate(table.set_index("policy").iterrows()):
        for p, (_, measures) in enumerate(panels):
            fig.add_trace(go.Bar(name=str(policy), x=[label for _, label in measures], y=[row[m] for m, _ in measures],
                                 marker_color=PALETTE[k % len(PALETTE)], legendgroup=str(policy), showlegend=p == 0),
                          row=p // 2 + 1, col=p % 2 + 1)
    fig.update_layout(barmode="group", title="政策比较 / policies compared", font_family=FONT, template="plotly_white",
                      legend_title="政策 policy", height=640)
    return fig
