"""One place for how figures look: fonts, colours (grades best first, household classes, series), a light
plotly template, and the bar charts and panel layout every dashboard and report figure is drawn with."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..schema import HOUSEHOLD_CLASSES

FONT = "Noto Sans CJK SC, Microsoft YaHei, SimHei, sans-serif"
PAGE_FONT = '"Noto Sans CJK SC","Microsoft YaHei",SimHei,sans-serif'  # the same, for the CSS of static pages
GRADE_COLORS = ["#2a9d8f", "#8ab17d", "#e9c46a", "#e76f51", "#9d0208"]  # best grade first
PALETTE = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#457b9d"]
CLASS_COLORS = dict(zip(HOUSEHOLD_CLASSES, ("#c0392b", "#e67e22", "#7f8c8d")))
# A small template in place of plotly's default (whose 8 KB every chart would carry): half the drawing time.
TEMPLATE = go.layout.Template(layout=dict(
    font=dict(family=FONT, color="#2a3f5f"), paper_bgcolor="white", plot_bgcolor="#E5ECF6", title_x=0.05,
    xaxis=dict(gridcolor="white", zerolinecolor="white", automargin=True),
    yaxis=dict(gridcolor="white", zerolinecolor="white", automargin=True)))


def grade_colours(grades: list[str]) -> dict[str, str]:
    """Each grade's colour, `grades` best first."""
    return dict(zip(grades, GRADE_COLORS))


def chart_layout(title: str, **more) -> dict:
    """One chart's layout: the title below the strip where the toolbar (modebar) shows on hover, the legend in a
    row under the title (a legend at the side would take a narrow grid cell's width), no value written on a bar
    where it does not fit."""
    return dict(title=dict(text=title, x=0, xref="paper", y=1, yref="container", yanchor="top", pad_t=30),
                template=TEMPLATE, height=370, margin=dict(l=50, r=20, t=86, b=40),
                legend=dict(orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom"),
                uniformtext=dict(mode="hide", minsize=9), **more)


def bars(table: pd.DataFrame, x: str, y: str, title: str, series: str | None, colors: dict[str, str],
          values: str = "%{y:,.0f}", stacked: bool = False, **layout) -> go.Figure:
    """Bars of `y` by `x` with their values written on them: one series per value of `series`, in the order met
    and in its colour (`colors`), side by side or `stacked` (through each bar's base, so that `combined` keeps
    one bar mode). Plain plotly: ten times quicker than plotly.express, which counts when a leader changes a
    filter. No rows: the chart says so."""
    if table.empty:
        return go.Figure(layout=chart_layout(title, xaxis_visible=False, yaxis_visible=False, annotations=[dict(
            text="暂无数据 / no data", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font_size=16)]))
    if sum(len(str(label)) for label in table[x].unique()) > 36:  # 17 townships: slanted, clear of each other
        layout.setdefault("xaxis_tickangle", -45)
    groups = table.groupby(series, sort=False) if series else [(y, table)]
    below = pd.Series(0.0, index=table[x].unique())  # the stack under each bar so far
    traces = []
    for k, (name, group) in enumerate(groups):
        traces.append(go.Bar(x=group[x], y=group[y], name=str(name), marker_color=colors.get(name, PALETTE[k % len(PALETTE)]),
                           texttemplate=values,
                           textposition="inside" if stacked else "auto", cliponaxis=False, showlegend=bool(series),
                           base=below[group[x]].to_numpy() if stacked else None, offsetgroup="stack" if stacked else None))
        below[group[x].to_numpy()] += group[y].to_numpy() if stacked else 0
    return go.Figure(traces, layout=chart_layout(title, barmode="group", xaxis_title=x, yaxis_title=y, legend_title=series or "",
                                          showlegend=bool(series), **layout))


def combined(figures: dict[str, go.Figure]) -> go.Figure:
    """The charts as panels of one figure, two rows of three, each with its own legend: the browser redraws one
    plot instead of five, in half the time."""
    charts = list(figures.values())
    combined = make_subplots(rows=2, cols=3, subplot_titles=[c.layout.title.text for c in charts],
                             horizontal_spacing=0.07, vertical_spacing=0.24)
    combined.update_annotations(yshift=24)  # the panel titles, above each panel's legend
    for k, chart in enumerate(charts):
        row, col, legend = k // 3 + 1, k % 3 + 1, f"legend{k + 1 if k else ''}"
        combined.add_traces([trace.to_plotly_json() | {"legend": legend} for trace in chart.data], rows=row, cols=col)
        axes = {"x": chart.layout.xaxis, "y": chart.layout.yaxis}
        combined.update_xaxes(title_text=axes["x"].title.text, visible=axes["x"].visible, row=row, col=col,
                              categoryorder=axes["x"].categoryorder, categoryarray=axes["x"].categoryarray)
        combined.update_yaxes(title_text=axes["y"].title.text, visible=axes["y"].visible, range=axes["y"].range,
                              type=axes["y"].type, dtick=axes["y"].dtick, row=row, col=col)
        subplot = combined.get_subplot(row, col)
        x0, x1 = subplot.xaxis.domain
        y0, y1 = subplot.yaxis.domain
        if axes["y"].scaleanchor:  # a map: true proportions, its colour bar under it
            combined.update_yaxes(scaleanchor=subplot.xaxis.plotly_name.replace("axis", ""),
                                  scaleratio=axes["y"].scaleratio, row=row, col=col)
            combined.update_traces(selector=lambda t: "marker" in t and t.marker.showscale,
                                   marker_colorbar=dict(orientation="h", x=(x0 + x1) / 2, xanchor="center", y=y0,
                                                        yanchor="top", len=0.6 * (x1 - x0), thickness=8,
                                                        title_side="top"),
                                   row=row, col=col)
        for note in chart.layout.annotations:  # a note on the panel at its middle; a map's labels where they are
            if note.xref == "paper":
                combined.add_annotation(note.to_plotly_json() | {"x": (x0 + x1) / 2, "y": (y0 + y1) / 2})
            else:
                combined.add_annotation(note.to_plotly_json(), row=row, col=col)
        combined.update_layout({legend: dict(x=x0, y=y1, xanchor="left", yanchor="bottom", orientation="h",
                                             title_text=chart.layout.legend.title.text, font_size=11)})
    return combined.update_layout(template=TEMPLATE, height=800, barmode="group", margin=dict(l=50, r=20, t=90, b=40),
                                  font_size=12, uniformtext=dict(mode="hide", minsize=9))


def county_order(villages: pd.DataFrame) -> list[str]:
    """The order counties are shown in: 市直 (the city's own units) first, then the counties as the village roster
    lists them — the dashboard's grade chart and the published page."""
    return ["市直", *villages.drop_duplicates("county_code")["county_name"]]
