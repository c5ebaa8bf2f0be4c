"""The leadership dashboard: one period, one area (city → county → township → village), the headline
numbers, five charts — coverage, outcomes against the previous period, plan progress, work-team
staffing, assessment grades — and the rankings of the cadres and units working there.

Everything shown comes from the store; plotly charts with Chinese labels, no tile servers or CDN.
The same widget runs in JupyterLab and, code hidden, under Voilà (`make dashboard`); `write_html`
saves it as one static page (the city and each county) for those who only get files.
"""

from __future__ import annotations

import html
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import ipywidgets as w
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from IPython.display import display

from . import io
from .archives import OUTCOMES, rollup
from .assessment import SUBJECTS, period_label, results
from .classify import classify_households
from .plans import progress
from .policy import Policy, default_policy, load_policy
from .rosters import Rosters
from .schema import TABLES

GRADE_COLORS = ["#2a9d8f", "#8ab17d", "#e9c46a", "#e76f51", "#9d0208"]  # best grade first
PALETTE = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#457b9d"]
FONT = "Noto Sans CJK SC, Microsoft YaHei, SimHei, sans-serif"
RECORD_COLUMNS = ["period", "village_code", "actor_kind", "actor_id", "kind", "quantity", "days"]
RANKING_COLUMNS = {"rank_city": "全市排名", "rank_county": "县区内排名", "name": "名称", "unit_name": "单位",
                   "county_name": "县区", "total": "总分", "grade": "等次"}
GRID_CSS = "display:grid;grid-template-columns:repeat(auto-fit,minmax(32em,1fr));gap:0.5em"
# A small template in place of plotly's default (whose 8 KB every chart would carry): half the drawing time.
TEMPLATE = go.layout.Template(layout=dict(
    font=dict(family=FONT, color="#2a3f5f"), paper_bgcolor="white", plot_bgcolor="#E5ECF6", title_x=0.05,
    xaxis=dict(gridcolor="white", zerolinecolor="white", automargin=True),
    yaxis=dict(gridcolor="white", zerolinecolor="white", automargin=True)))


def previous_period(period: str) -> str:
    """2025H2 → 2025H1, 2025H1 → 2024H2, 2025 → 2024."""
    year = int(period[:4])
    if period.endswith("H2"):
        return f"{year}H1"
    return f"{year - 1}H2" if period.endswith("H1") else str(year - 1)


def chronological(period: str) -> tuple[str, str]:
    """Sort key: 2025H1, 2025H2, then the year 2025."""
    return period[:4], period[4:] or "H9"


def team_term(period: str) -> str:
    """The work-team term shown for a period: itself, or a year's second half."""
    return period if "H" in period else f"{period}H2"


@dataclass
class View:
    """What the dashboard shows for one area and period."""

    headline: str
    figures: dict[str, go.Figure] = field(default_factory=dict)
    rankings: str = ""


class Dashboard:
    """Filters (period, county, township, village) and what they show; `figures` holds the charts last drawn."""

    def __init__(self, store, rosters: Rosters | None = None, assessments: dict[str, int] | None = None,
                 policy: Policy | None = None):
        self.store = store
        self.rosters = rosters if rosters is not None else store.rosters()
        self.policy = policy or default_policy()
        if assessments is None:  # the latest run of each period
            runs = store.assessments()
            assessments = dict(zip(runs["period"], runs["assessment_id"]))
        self.assessments = assessments
        villages = self.rosters.villages
        self.names = {**dict(zip(villages["county_code"], villages["county_name"])),
                      **dict(zip(villages["township_code"], villages["township_name"])),
                      **dict(zip(villages["village_code"], villages["village_name"]))}
        self.labels = _labels(villages)
        self.households = _placed(classify_households(self.rosters.households, self.policy))
        self.villages = _placed(villages)
        located = self.households[["household_id", "village_code"]]
        self.pairs = _placed(store.current("pairings").merge(located, on="household_id", how="left"))
        self.links, self.teams = _placed(store.current("links")), _placed(store.teams())
        plans = store.plans()
        self.village_plans = plans[plans["subject_kind"] == "村"] if len(plans) else plans
        self._records: dict[str, pd.DataFrame] = {}  # year → its records, read once
        self._progress: dict[int, pd.DataFrame] = {}  # year → every village plan's progress
        self._results: dict[int, dict] = {}
        self._grade_order: dict[str, list[str]] = {}

        periods = store.periods()
        periods = sorted(set(periods) | {p[:4] for p in periods} | set(self.assessments), reverse=True)
        assessed = sorted(self.assessments, key=chronological)
        default = assessed[-1] if assessed else periods[0] if periods else None  # the latest assessed, or recorded
        self.period = w.Dropdown(options=[(period_label(p), p) for p in periods], value=default, description="期别")
        counties = villages.drop_duplicates("county_code")
        self.county = w.Dropdown(options=[("全市", "")] + list(zip(counties["county_name"], counties["county_code"])),
                                 description="县区")
        self.township = w.Dropdown(options=[("全部", "")], description="乡镇")
        self.village = w.Dropdown(options=[("全部", "")], description="村")
        self.headline = w.HTML()
        self.chart = w.Output()  # the charts, drawn as one figure (`_combined`)
        self.rankings = w.HTML()
        self.figures: dict[str, go.Figure] = {}
        self.combined: go.Figure | None = None  # the figures as panels of one plot, as drawn
        self.seconds = 0.0
        self._busy = False
        for control in (self.period, self.county, self.township, self.village):
            control.observe(self._changed, "value")
        self.render()

    def _changed(self, change) -> None:
        """A filter changed: offer the parts of the area chosen (none for the whole city), then redraw once."""
        if self._busy:
            return
        self._busy = True
        try:
            if change.owner is self.county:
                self.township.options = self._parts_of(self.county.value, "township")
            if change.owner in (self.county, self.township):
                self.village.options = self._parts_of(self.township.value, "village")
        finally:
            self._busy = False
        self.render()

    def _parts_of(self, parent: str, level: str) -> list[tuple[str, str]]:
        rows = self.rosters.villages.drop_duplicates(f"{level}_code")
        rows = rows[rows[f"{level}_code"].str.startswith(parent)] if parent else rows.iloc[:0]
        return [("全部", "")] + list(zip(rows[f"{level}_name"], rows[f"{level}_code"]))

    def area(self) -> tuple[str, int]:
        """The selected area's code prefix and the code digits of its parts (county 6, township 9, village 12)."""
        for control, digits in ((self.village, 12), (self.township, 12), (self.county, 9)):
            if control.value:
                return control.value, digits
        return "", 6

    def render(self) -> None:
        """Draw the selected area and period."""
        started = time.perf_counter()
        view = self.view(*self.area(), self.period.value)
        self.figures = view.figures
        self.headline.value, self.rankings.value = view.headline, view.rankings
        self.combined = _combined(view.figures) if view.figures else None
        if _in_kernel():  # elsewhere (tests) an Output would only print the figure's text
            self.chart.clear_output(wait=True)
            if self.combined:
                with self.chart:
                    self.combined.show(renderer="plotly_mimetype")  # JupyterLab and Voilà draw it
        self.seconds = time.perf_counter() - started

    def view(self, prefix: str, digits: int, period: str | None) -> View:
        """The headline, charts and rankings of the area with code `prefix` (parts of `digits` digits) in `period`."""
        if period is None:
            return View("<h3>尚无工作记录和考核 / no work records or assessments yet</h3>"
                        "<p>导入工作记录（lianhu archive import）后，这里显示各项进度。</p>")
        now, before = (self._within(self.records(p), prefix) for p in (period, previous_period(period)))
        poor = self._within(self.households, prefix).query("is_poor").sort_values("village_code")
        villages = self._within(self.villages, prefix).sort_values("village_code")
        term = self._within(self.teams, prefix).query("period == @team_term(@period)")
        totals = _totals(now)
        poor_linked = poor["household_id"].isin(self.pairs["household_id"])
        villages_linked = villages["village_code"].isin(self.links["village_code"])
        poor_villages = villages["is_poor_village"].fillna(False).astype(bool)
        headline = (
            f"<h3>{html.escape(self.names.get(prefix, '全市'))} · {period_label(period)}</h3>"
            f"<p style='font-size:1.25em;line-height:1.8'>贫困户已联系 <b class='covered'>{poor_linked.sum():,}</b>"
            f" / {len(poor):,} 户 · 贫困村已联系 <b class='villages'>{(villages_linked & poor_villages).sum():,}</b>"
            f" / {poor_villages.sum():,} 个（联系村共 {villages_linked.sum():,} 个）"
            f"<span style='color:#888;font-size:0.8em'>（当前结对）</span><br>"
            f"工作队员 <b class='members'>{term['cadre_id'].nunique():,}</b> 名（{period_label(team_term(period))}）· "
            f"工作记录 <b class='records'>{len(now):,}</b> 条 · 帮扶资金 <b>{totals.get('funds_yuan', 0):,.0f}</b> 元 · "
            f"办实事 <b>{totals.get('practical_things', 0):,.0f}</b> 件 · 培训群众 <b>{totals.get('people_trained', 0):,.0f}</b> 人次</p>")
        subjects = self._subjects(prefix, term)
        figures = {"coverage": self._coverage(poor, poor_linked, villages, villages_linked, poor_villages, digits),
                   "outcomes": self._outcomes(now, before, period),
                   "plans": self._plans(prefix, digits, period),
                   "staffing": self._staffing(prefix, digits, period, term),
                   "grades": self._grades(period, subjects)}
        return View(headline, figures, self._rankings(prefix, period, subjects))

    def records(self, period: str) -> pd.DataFrame:
        """The period's activity records (a year's are read from the store once)."""
        year = period[:4]
        if year not in self._records:
            self._records[year] = _placed(self.store.activities(year, RECORD_COLUMNS))
        records = self._records[year]
        return records if len(period) == 4 else records[records["period"] == period]

    def results(self, period: str) -> dict[str, pd.DataFrame] | None:
        """The period's assessment results (read once), and its grades best first in `_grade_order`."""
        assessment = self.assessments.get(period)
        if assessment is not None and assessment not in self._results:
            stored = self.store.assessment(assessment)
            cutoffs = stored["indicators"]["grades"]
            self._grade_order[period] = sorted(cutoffs, key=lambda grade: -cutoffs[grade])
            self._results[assessment] = results(self.store, assessment, stored=stored)
        return self._results.get(assessment)

    @staticmethod
    def _within(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
        """The rows of an area (a code prefix), through the categories of `_placed` frames: fast on a city's records."""
        if not prefix:
            return frame
        inside = np.flatnonzero(frame["place"].cat.categories.str.startswith(prefix))
        return frame[np.isin(frame["place"].cat.codes.to_numpy(), inside)]

    def _parts(self, codes: pd.Series, digits: int) -> pd.Series:
        """The labels of the parts (county, township or village) these codes lie in."""
        parts = codes.str[:digits]
        return parts.map(self.labels[digits]).fillna(parts)

    def _subjects(self, prefix: str, term: pd.DataFrame) -> tuple[set, set] | None:
        """The cadres and units working in the area — pairing its households, serving on its teams this term,
        linking its villages, or (for a county) belonging to it; None for the whole city."""
        if not prefix:
            return None
        pairs, links = self._within(self.pairs, prefix), self._within(self.links, prefix)
        units = set(links["unit_id"]) | set(pairs["unit_id"].dropna())
        cadres = set(pairs["cadre_id"]) | set(term["cadre_id"])
        if len(prefix) == 6:
            own = set(self.rosters.units.loc[self.rosters.units["county_code"] == prefix, "unit_id"])
            units |= own
            cadres |= set(self.rosters.cadres.loc[self.rosters.cadres["unit_id"].isin(own), "cadre_id"])
        return cadres, units

    def _coverage(self, poor, poor_linked, villages, villages_linked, poor_villages, digits: int) -> go.Figure:
        """Shares of poor households and of poor villages linked (current pairings), per part of the area."""
        rates = pd.concat([
            pd.DataFrame({"地区": self._parts(poor["village_code"], digits), "指标": "贫困户联系率", "linked": poor_linked}),
            pd.DataFrame({"地区": self._parts(villages.loc[poor_villages, "village_code"], digits), "指标": "贫困村联系率",
                          "linked": villages_linked[poor_villages]})])
        rates = rates.groupby(["地区", "指标"], sort=False)["linked"].mean().mul(100).round(1).reset_index(name="比例 %")
        return _bars(rates, "地区", "比例 %", "覆盖情况（当前结对）：贫困户与贫困村的联系率", "指标",
                     {"贫困户联系率": "#2a9d8f", "贫困村联系率": "#e9c46a"}, "%{y:.0f}%", yaxis_range=[0, 110])

    def _outcomes(self, now: pd.DataFrame, before: pd.DataFrame, period: str) -> go.Figure:
        rows = []
        earlier = period_label(previous_period(period)) + ("" if len(before) else "（无记录）")
        for label, frame in ((period_label(period), now), (earlier, before)):
            totals = _totals(frame)
            rows += [{"期别": label, "项目": name, "数量": float(totals.get(column, 0))}
                     for kind, (column, name) in OUTCOMES.items() if kind not in ("资金", "培训人次", "发放资料")]
        table = pd.DataFrame(rows) if len(now) or len(before) else pd.DataFrame()
        return _bars(table, "项目", "数量", "工作成效（与上期比较；对数刻度）", "期别",
                     {period_label(period): "#264653", earlier: "#a8dadc"},
                     yaxis_type="log", yaxis_dtick=1)  # visits run to thousands, new party members to tens

    def _plans(self, prefix: str, digits: int, period: str) -> go.Figure:
        year = int(period[:4])
        if year not in self._progress:
            self._progress[year] = (progress(self.village_plans, year) if len(self.village_plans) else
                                    pd.DataFrame(columns=["subject_id", "measures", "completed"]))
        done = self._progress[year]
        done = done[done["subject_id"].str.startswith(prefix)].sort_values("subject_id")
        done = done.assign(地区=self._parts(done["subject_id"], digits)).groupby("地区", sort=False)[["measures", "completed"]].sum()
        done["完成率 %"] = (100 * done["completed"] / done["measures"].where(done["measures"] > 0)).round(1)
        return _bars(done.reset_index(), "地区", "完成率 %", f"村级规划措施完成率（{year}年，对照年度目标）", None, {"完成率 %": "#457b9d"},
                     "%{y:.0f}%", yaxis_range=[0, 110])

    def _staffing(self, prefix: str, digits: int, period: str, term: pd.DataFrame) -> go.Figure:
        """Work-team members needed (the policy's minimum per linked village) against those assigned, for the term."""
        links = self._within(self.links, prefix).merge(self.rosters.units[["unit_id", "unit_kind"]], on="unit_id") \
            .sort_values("village_code")
        minimum = {kind: size["min"] for kind, size in self.policy.team_size.items()}
        needed = links.assign(人数=links["unit_kind"].map(minimum).fillna(0), 地区=self._parts(links["village_code"], digits))
        assigned = term.sort_values("village_code").assign(人数=1, 地区=lambda t: self._parts(t["village_code"], digits))
        staffing = pd.concat([needed.groupby("地区", sort=False)["人数"].sum().reset_index().assign(项目="应派"),
                              assigned.groupby("地区", sort=False)["人数"].sum().reset_index().assign(项目="实派")])
        return _bars(staffing, "地区", "人数", f"工作队派驻（{period_label(team_term(period))}，应派按当前联村）", "项目",
                     {"应派": "#adb5bd", "实派": "#f4a261"})

    def _grades(self, period: str, subjects: tuple[set, set] | None) -> go.Figure:
        tables = self.results(period)
        if tables is None:
            return _bars(pd.DataFrame(), "县区", "人数", f"{period_label(period)}尚未考核", None, {})
        cadres = tables["cadre"]
        if subjects is not None:
            cadres = cadres[cadres["subject_id"].isin(subjects[0])]
        grades = self._grade_order[period]  # best first, as the indicator system names them
        counts = cadres.groupby(["county_name", "grade"]).size().reset_index(name="人数")
        counts = counts.rename(columns={"county_name": "县区", "grade": "等次"}) \
            .sort_values("等次", key=lambda g: g.map({grade: k for k, grade in enumerate(grades)}).fillna(len(grades)), kind="stable")
        counties = ["市直"] + list(self.labels[6].values())
        where = "全市" if subjects is None else "在本区域工作的"
        return _bars(counts, "县区", "人数", f"{SUBJECTS['cadre']}考核等次（{where}，按所属县区）", "等次",
                     dict(zip(grades, GRADE_COLORS)), stacked=True, xaxis_categoryorder="array",
                     xaxis_categoryarray=counties + sorted(set(counts["县区"]) - set(counties)))

    def _rankings(self, prefix: str, period: str, subjects: tuple[set, set] | None, top: int = 10) -> str:
        """The first ten cadres and units of the city, or of those working in the area (published fields only)."""
        tables = self.results(period)
        if tables is None:
            return ""
        where = "全市" if subjects is None else f"在{self.names.get(prefix, prefix)}工作的"
        parts = []
        for k, kind in enumerate(("cadre", "unit")):
            table = tables.get(kind, pd.DataFrame(columns=["subject_id"]))
            if subjects is not None:
                table = table[table["subject_id"].isin(subjects[k])]
            columns = [c for c in RANKING_COLUMNS if c in table and not (kind == "unit" and c == "unit_name")]
            shown = table[columns].head(top).rename(columns=RANKING_COLUMNS)
            body = (shown.to_html(index=False, border=0, classes="ranking", float_format="{:.1f}".format)
                    if len(shown) else "<p>暂无考核对象</p>")
            parts.append(f"<div style='flex:1;min-width:24em'><h4>{SUBJECTS[kind]}排名前{top}（{html.escape(where)}）</h4>{body}</div>")
        style = ("<style>table.ranking{border-collapse:collapse;font-size:0.9em}"
                 "table.ranking td,table.ranking th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}</style>")
        return style + f"<div style='display:flex;gap:2em;flex-wrap:wrap'>{''.join(parts)}</div>"

    def describe(self) -> str:
        """Where the numbers come from: the rosters, the periods with records, the assessments."""
        sizes = "，".join(f"{TABLES[name].zh} {len(table):,}" for name, table in self.rosters.tables().items())
        halves = [period_label(p) for _, p in sorted(self.period.options, key=lambda o: o[1]) if "H" in p] or ["无"]
        assessed = "、".join(period_label(p) for p in sorted(self.assessments, key=chronological)) or "尚无"
        return f"数据来源 / data: 名册（{sizes}）；工作记录 {'、'.join(halves)}；考核 {assessed}"

    def widget(self) -> w.Widget:
        return w.VBox([w.HBox([self.period, self.county]), w.HBox([self.township, self.village]),
                       self.headline, self.chart, self.rankings])

    def _ipython_display_(self) -> None:
        display(self.widget())

    def write_html(self, path: str | Path) -> Path:
        """The dashboard of the period chosen as one static page that works offline (plotly.min.js beside it):
        the city and each county, chosen from a list. Checked for household personal data before it lands."""
        from .report import check_no_personal_data, write_plotly_js

        path, period = Path(path), self.period.value
        sections = []
        for name, code in self.county.options:
            view = self.view(code, 9 if code else 6, period)
            charts = "".join(f"<div>{f.to_html(full_html=False, include_plotlyjs=False)}</div>" for f in view.figures.values())
            hidden = "" if code == "" else " hidden"
            sections.append(f"<section id='area-{code or 'city'}'{hidden}>{view.headline}"
                            f"<div style='{GRID_CSS}'>{charts}</div>{view.rankings}</section>")
        options = "".join(f"<option value='area-{code or 'city'}'>{html.escape(name)}</option>" for name, code in self.county.options)
        page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>联村联户领导看板 · {period_label(period) if period else ''}</title>
<script src="plotly.min.js"></script>
<style>body{{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em}}</style></head>
<body><h1>联村联户领导看板 · Leadership dashboard</h1>
<p>地区 / area: <select id="area" onchange="for (const s of document.querySelectorAll('section')) s.hidden = s.id !== this.value;
window.dispatchEvent(new Event('resize'))">{options}</select></p>
{''.join(sections)}</body></html>"""
        path.parent.mkdir(parents=True, exist_ok=True)
        with io.atomic_write(path) as tmp:
            tmp.write_text(page, encoding="utf-8")
            check_no_personal_data([tmp], self.rosters)
        write_plotly_js(path.parent)
        return path


def _labels(villages: pd.DataFrame) -> dict[int, dict[str, str]]:
    """Per code length (6, 9, 12), each area's label: its name, with its code when another area of the same
    parent has that name too (villages may)."""
    labels = {}
    for digits, level, parent in ((6, "county", None), (9, "township", "county"), (12, "village", "township")):
        rows = villages.drop_duplicates(f"{level}_code")
        names = rows[f"{level}_name"]
        shared = rows.duplicated([f"{parent}_code", f"{level}_name"] if parent else [f"{level}_name"], keep=False)
        labels[digits] = dict(zip(rows[f"{level}_code"], names.where(~shared, names + "（" + rows[f"{level}_code"] + "）")))
    return labels


def _totals(records: pd.DataFrame) -> pd.Series:
    return rollup(records, "city").sum(numeric_only=True) if len(records) else pd.Series(dtype=float)


def _layout(title: str, **more) -> dict:
    return dict(title=title, template=TEMPLATE, height=340, margin=dict(l=50, r=20, t=50, b=40),
                uniformtext=dict(mode="hide", minsize=9), **more)  # no value written where it does not fit


def _bars(table: pd.DataFrame, x: str, y: str, title: str, series: str | None, colors: dict[str, str],
          values: str = "%{y:,.0f}", stacked: bool = False, **layout) -> go.Figure:
    """Bars of `y` by `x` with their values written on them: one series per value of `series`, in the order met
    and in its colour (`colors`), side by side or `stacked` (through each bar's base, so that `_combined` keeps
    one bar mode). Plain plotly: ten times quicker than plotly.express, which counts when a leader changes a
    filter. No rows: the chart says so."""
    if table.empty:
        return go.Figure(layout=_layout(title, xaxis_visible=False, yaxis_visible=False, annotations=[dict(
            text="暂无数据 / no data", showarrow=False, xref="paper", yref="paper", x=0.5, y=0.5, font_size=16)]))
    groups = table.groupby(series, sort=False) if series else [(y, table)]
    below = pd.Series(0.0, index=table[x].unique())  # the stack under each bar so far
    bars = []
    for k, (name, group) in enumerate(groups):
        bars.append(go.Bar(x=group[x], y=group[y], name=str(name), marker_color=colors.get(name, PALETTE[k % len(PALETTE)]),
                           texttemplate=values,
                           textposition="inside" if stacked else "auto", cliponaxis=False, showlegend=bool(series),
                           base=below[group[x]].to_numpy() if stacked else None, offsetgroup="stack" if stacked else None))
        below[group[x].to_numpy()] += group[y].to_numpy() if stacked else 0
    return go.Figure(bars, layout=_layout(title, barmode="group", xaxis_title=x, yaxis_title=y, legend_title=series or "",
                                          showlegend=bool(series), **layout))


def _combined(figures: dict[str, go.Figure]) -> go.Figure:
    """The charts as panels of one figure, two rows of three, each with its own legend: the browser redraws one
    plot instead of five, in half the time."""
    from plotly.subplots import make_subplots

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
        for note in chart.layout.annotations:
            combined.add_annotation(note.to_plotly_json() | {"x": (x0 + x1) / 2, "y": (y0 + y1) / 2})
        combined.update_layout({legend: dict(x=x0, y=y1, xanchor="left", yanchor="bottom", orientation="h",
                                             title_text=chart.layout.legend.title.text, font_size=11)})
    return combined.update_layout(template=TEMPLATE, height=800, barmode="group", margin=dict(l=50, r=20, t=90, b=40),
                                  font_size=12, uniformtext=dict(mode="hide", minsize=9))


def _placed(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its village codes also as categories, for `Dashboard._within`."""
    return frame.assign(place=frame["village_code"].astype("category"))


def _in_kernel() -> bool:
    from IPython import get_ipython

    return getattr(get_ipython(), "kernel", None) is not None


def open_dashboard(db: str | None = None, size: str = "small") -> Dashboard:
    """The dashboard on a store (`db`, else the LIANHU_DB variable that `lianhu dashboard` sets), with the
    policy file of LIANHU_POLICY if set; on a demo city of `size` when there is no store."""
    from .store import Store

    db = db or os.environ.get("LIANHU_DB")
    if not db:
        return demo_dashboard(size)
    policy = load_policy(os.environ["LIANHU_POLICY"]) if os.environ.get("LIANHU_POLICY") else None
    return Dashboard(Store(db, create=False), policy=policy)


def demo_dashboard(size: str = "small") -> Dashboard:
    """The dashboard on a demo city's first year, with its mid-year and year-end assessments."""
    from .assessment import run_assessment
    from .pipeline import start_demo_year

    year = start_demo_year(size)
    for period in ("2025H1", "2025"):
        run_assessment(year.store, period, year.rosters, year.teams)
    return Dashboard(year.store, year.rosters)
