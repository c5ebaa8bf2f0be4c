"""The leadership dashboard: one period, one area (city → county → township), the headline numbers
and four charts — coverage, outcomes against the previous period, plan progress, assessment grades.

Everything shown comes from the store; plotly charts with Chinese labels, no tile servers or CDN.
The same widget runs in JupyterLab and, code hidden, under Voilà (`make dashboard`).
"""

from __future__ import annotations

import time

import ipywidgets as w
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from IPython.display import display

from .archives import OUTCOMES, rollup
from .assessment import SUBJECTS, period_label, results
from .classify import classify_households
from .plans import progress
from .rosters import Rosters

GRADES = ["优秀", "良好", "一般", "较差"]
FONT = "Noto Sans CJK SC, Microsoft YaHei, SimHei, sans-serif"


def previous_period(period: str) -> str:
    """2025H2 → 2025H1, 2025H1 → 2024H2, 2025 → 2024."""
    year = int(period[:4])
    if period.endswith("H2"):
        return f"{year}H1"
    return f"{year - 1}H2" if period.endswith("H1") else str(year - 1)


class Dashboard:
    """Filters (period, county, township) and what they show; `figures` holds the charts last drawn."""

    def __init__(self, store, rosters: Rosters, assessments: dict[str, int] | None = None):
        self.store, self.rosters = store, rosters
        self.assessments = assessments or {}  # period → assessment number
        villages = rosters.villages
        counties = villages.drop_duplicates("county_code")
        periods = sorted(set(store.activities(columns=["period"])["period"]) | set(self.assessments), reverse=True)
        self.period = w.Dropdown(options=[(period_label(p), p) for p in periods], description="期别")
        self.county = w.Dropdown(options=[("全市", "")] + list(zip(counties["county_name"], counties["county_code"])),
                                 description="县区")
        self.township = w.Dropdown(options=[("全部", "")], description="乡镇")
        self.headline = w.HTML()
        self.charts = w.Output()
        self.figures: dict[str, go.Figure] = {}
        self.seconds = 0.0
        self.households = classify_households(rosters.households)
        self.county.observe(lambda _: self._townships(), "value")
        for control in (self.period, self.township):
            control.observe(lambda _: self.render(), "value")
        self._townships()

    def _townships(self) -> None:
        rows = self.rosters.villages[self.rosters.villages["county_code"] == self.county.value].drop_duplicates("township_code")
        self.township.options = [("全部", "")] + list(zip(rows["township_name"], rows["township_code"]))
        self.render()

    def area(self) -> tuple[str, int]:
        """The selected area's code prefix and the level of its parts (county 6, township 9, village 12 digits)."""
        if self.township.value:
            return self.township.value, 12
        if self.county.value:
            return self.county.value, 9
        return "", 6

    def render(self) -> None:
        started = time.perf_counter()
        prefix, part_digits = self.area()
        period = self.period.value
        if period is None:
            return
        names = self._names()
        records = self.store.activities(period[:4], ["period", "village_code", "actor_kind", "actor_id", "kind", "quantity", "days"])
        records = records[records["village_code"].str.startswith(prefix)]
        now = records[records["period"].str.startswith(period)]
        before = self.store.activities(previous_period(period), ["period", "village_code", "actor_kind", "actor_id", "kind",
                                                                  "quantity", "days"])
        before = before[before["village_code"].str.startswith(prefix)]
        pairs = self.store.current("pairings")
        self.figures = {"coverage": self._coverage(prefix, part_digits, names, pairs), "outcomes": self._outcomes(now, before, period),
                        "plans": self._plans(prefix, part_digits, period, names), "grades": self._grades(prefix, period)}
        covered = pairs["household_id"].isin(self.households.loc[self.households["village_code"].str.startswith(prefix)
                                                                 & self.households["is_poor"], "household_id"]).sum()
        poor = int((self.households["village_code"].str.startswith(prefix) & self.households["is_poor"]).sum())
        totals = rollup(now, "city").sum(numeric_only=True) if len(now) else pd.Series(dtype=float)
        self.headline.value = (
            f"<h3>{names.get(prefix, '全市')} · {period_label(period)}</h3>"
            f"<p style='font-size:1.3em'>贫困户已联系 <b id='covered'>{covered:,}</b> / {poor:,} 户 · "
            f"工作记录 <b id='records'>{len(now):,}</b> 条 · 帮扶资金 <b>{totals.get('funds_yuan', 0):,.0f}</b> 元 · "
            f"办实事 <b>{totals.get('practical_things', 0):,.0f}</b> 件</p>")
        self.charts.clear_output(wait=True)
        with self.charts:
            for figure in self.figures.values():
                figure.update_layout(font_family=FONT, height=360, margin=dict(l=40, r=20, t=50, b=40))
                display(figure)
        self.seconds = time.perf_counter() - started

    def _names(self) -> dict[str, str]:
        villages = self.rosters.villages
        return {**dict(zip(villages["county_code"], villages["county_name"])),
                **dict(zip(villages["township_code"], villages["township_name"])),
                **dict(zip(villages["village_code"], villages["village_name"]))}

    def _coverage(self, prefix: str, digits: int, names: dict, pairs: pd.DataFrame) -> go.Figure:
        poor = self.households[self.households["is_poor"] & self.households["village_code"].str.startswith(prefix)]
        linked = poor["household_id"].isin(pairs["household_id"])
        table = poor.assign(part=poor["village_code"].str[:digits], 状态=linked.map({True: "已联系", False: "未联系"}))
        counts = table.groupby(["part", "状态"]).size().reset_index(name="户数")
        counts["地区"] = counts["part"].map(names).fillna(counts["part"])
        return px.bar(counts, x="地区", y="户数", color="状态", title="贫困户联系情况",
                      color_discrete_map={"已联系": "#2a9d8f", "未联系": "#e76f51"})

    def _outcomes(self, now: pd.DataFrame, before: pd.DataFrame, period: str) -> go.Figure:
        rows = []
        for label, frame in ((period_label(period), now), (period_label(previous_period(period)), before)):
            totals = rollup(frame, "city").sum(numeric_only=True) if len(frame) else pd.Series(dtype=float)
            rows += [{"期别": label, "项目": name, "数量": float(totals.get(column, 0))}
                     for kind, (column, name) in OUTCOMES.items() if kind not in ("资金", "培训人次", "发放资料")]
        return px.bar(pd.DataFrame(rows), x="项目", y="数量", color="期别", barmode="group", title="工作成效（与上期比较）")

    def _plans(self, prefix: str, digits: int, period: str, names: dict) -> go.Figure:
        plans = self.store.plans()
        villages = plans[(plans["subject_kind"] == "村") & plans["subject_id"].str.startswith(prefix)] if len(plans) else plans
        done = progress(villages, int(period[:4])) if len(villages) else pd.DataFrame(columns=["subject_id", "measures", "completed"])
        done = done.assign(part=done["subject_id"].str[:digits]).groupby("part")[["measures", "completed"]].sum().reset_index()
        done["完成率 %"] = (100 * done["completed"] / done["measures"].where(done["measures"] > 0)).round(1)
        done["地区"] = done["part"].map(names).fillna(done["part"])
        return px.bar(done, x="地区", y="完成率 %", title=f"村级规划措施完成率（{period[:4]}年）", range_y=[0, 100])

    def _grades(self, prefix: str, period: str) -> go.Figure:
        assessment = self.assessments.get(period)
        if assessment is None:
            return go.Figure(layout={"title": "本期尚未考核"})
        cadres = results(self.store, assessment)["cadre"]
        county_names = self.rosters.villages.drop_duplicates("county_code").set_index("county_code")["county_name"]
        if prefix:
            cadres = cadres[cadres["county_name"] == county_names.get(prefix[:6], "")]
        counts = cadres.groupby(["county_name", "grade"]).size().reset_index(name="人数")
        return px.bar(counts, x="county_name", y="人数", color="grade", title=f"{SUBJECTS['cadre']}考核等次",
                      category_orders={"grade": GRADES}, labels={"county_name": "县区", "grade": "等次"})

    def widget(self) -> w.Widget:
        return w.VBox([w.HBox([self.period, self.county, self.township]), self.headline, self.charts])

    def _ipython_display_(self) -> None:
        display(self.widget())


def demo_dashboard(size: str = "small") -> Dashboard:
    """The dashboard on a demo city's first year, with its mid-year and year-end assessments."""
    from .assessment import run_assessment
    from .pipeline import start_demo_year

    year = start_demo_year(size)
    assessments = {period: run_assessment(year.store, period, year.rosters, year.teams) for period in ("2025H1", "2025")}
    return Dashboard(year.store, year.rosters, assessments)
