"""Pure functions that return plotly figures (Chinese labels; no network needed to show them)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .schema import HOUSEHOLD_CLASSES

FONT = "Noto Sans CJK SC, Microsoft YaHei, SimHei, sans-serif"
CLASS_COLOURS = dict(zip(HOUSEHOLD_CLASSES, ("#c0392b", "#e67e22", "#7f8c8d")))


def households_by_county(summary: pd.DataFrame) -> go.Figure:
    """Stacked bars of household classes per county, from `county_summary(...)` (English columns)."""
    counties = summary[summary["villages"] > 0]
    counties = counties[counties["county_name"] != "全市"]
    fig = go.Figure([go.Bar(name=c, x=counties["county_name"], y=counties[c], marker_color=CLASS_COLOURS[c])
                     for c in HOUSEHOLD_CLASSES])
    fig.update_layout(barmode="stack", title="各县区名册农户（按类别）/ Listed households by class",
                      xaxis_title="县区 county", yaxis_title="户 households", font_family=FONT,
                      legend_title="类别 class", template="plotly_white")
    return fig
