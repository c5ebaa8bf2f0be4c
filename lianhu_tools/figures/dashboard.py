"""What the leadership dashboard shows, as data and figures — no widgets: `DashboardData` reads one store
(villages, units and cadres; links, teams, village plans and assessments; households, pairings and records
only as the database counts them per village: `store.aggregates`) and `view` gives, for one area (city →
county → township → village) and period, the headline numbers, five charts — coverage, outcomes against
the previous period, plan progress, work-team staffing, assessment grades — and the rankings of the cadres
and units working there. `page` is the same as one static HTML page (the city and each county).
Plotly charts with Chinese labels; no tile servers or CDN.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go

from ..assessment import SUBJECTS
from ..assessment.indicators import grade_order
from ..periods import chronological, is_half, period_label, previous_period, team_term, within, year_of
from ..plans import progress
from ..policy import RISK_LEVELS, Policy, default_policy
from ..rosters import Rosters
from ..schema import OUTCOMES, TABLES, VILLAGE, VISIT
from ..store import aggregates
from . import pages
from .maps import county_outlines, coverage_choropleth, village_coverage
from .theme import bars, county_order, grade_colours

RANKING_COLUMNS = {"rank_city": "全市排名", "rank_county": "县区内排名", "name": "名称", "unit_name": "单位",
                   "county_name": "县区", "total": "总分", "grade": "等次"}
# The charts' grid: as many columns of at least 32em as the window holds, counted from its width (auto-fill), not
# from the charts drawn so far; a chart never widens its column. Tables scroll inside their box if they must.
PAGE_CSS = ("div.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,32em),1fr));gap:0.5em}"
            "div.charts>*{min-width:0} div.rankings>div{overflow-x:auto}")


@dataclass
class View:
    """What the dashboard shows for one area and period."""

    headline: str
    figures: dict[str, go.Figure] = field(default_factory=dict)
    rankings: str = ""


class DashboardData:
    """One store as the dashboard reads it; each year's record totals and each assessment's results read once."""

    def __init__(self, store, rosters: Rosters | None = None, assessments: dict[str, int] | None = None,
                 policy: Policy | None = None):
        self.store = store
        self._from_store = rosters is None
        # households are counted in the database (`aggregates`), not read; of the cadres only their units are needed
        if rosters is None:
            rosters = store.rosters(personal=False, only={"households": [], "cadres": ["cadre_id", "unit_id"]})
            rosters.cadres = rosters.cadres.astype({"unit_id": "category"})
        self.rosters = rosters
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
        self.outlines = county_outlines(villages)
        self.written = aggregates.written_last(store)  # what the store held when read (`stale`)
        self.links, self.teams = store.current("links"), store.teams()
        counts = aggregates.household_counts(store, self.policy).set_index("village_code")
        self.villages = villages.assign(
            **{c: villages["village_code"].map(counts[c]).fillna(0).astype(int) for c in counts},
            linked=villages["village_code"].isin(self.links["village_code"]),
            is_poor_village=villages["is_poor_village"].fillna(False).astype(bool))
        warned = aggregates.open_warnings(store)
        self.villages = self.villages.assign(**{f"warned_{level}": self.villages["village_code"].map(warned[level]).fillna(0)
                                                .astype(int) for level in RISK_LEVELS})
        self.pairs = aggregates.paired_places(store)  # (village, cadre, unit) of the current pairings
        recorded = store.periods()
        self.periods = sorted(set(recorded) | {str(year_of(p)) for p in recorded} | set(self.assessments), reverse=True)
        assessed = sorted(self.assessments, key=chronological)
        self.default_period = assessed[-1] if assessed else self.periods[0] if self.periods else None
        counties = villages.drop_duplicates("county_code")
        self.counties = [("全市", "")] + list(zip(counties["county_name"], counties["county_code"]))
        self._records: dict[str, pd.DataFrame] = {}  # year → its records' totals per village and kind, read once
        plans = store.plans(subject_kind=VILLAGE)  # kept only as each year's progress: the plans themselves are many
        self._progress = {year: (progress(plans, year) if len(plans) else
                                 pd.DataFrame(columns=["subject_id", "measures", "completed"]))[["subject_id", "measures", "completed"]]
                          for year in {year_of(p) for p in self.periods}}  # year → every village plan's progress
        self._results: dict[int, dict] = {}
        self._grade_order: dict[str, list[str]] = {}

    def full_rosters(self) -> Rosters:
        """The rosters with households' personal data: what a page is checked against before it is published."""
        return self.store.rosters() if self._from_store else self.rosters

    def parts_of(self, parent: str, level: str) -> list[tuple[str, str]]:
        """The townships of a county or the villages of a township, as (label, code), after "全部"."""
        rows = self.rosters.villages.drop_duplicates(f"{level}_code")
        rows = rows[rows[f"{level}_code"].str.startswith(parent)] if parent else rows.iloc[:0]
        return [("全部", "")] + list(zip(rows[f"{level}_name"], rows[f"{level}_code"]))

    def view(self, prefix: str, digits: int, period: str | None) -> View:
        """The headline, charts and rankings of the area with code `prefix` (parts of `digits` digits) in `period`."""
        if period is None:
            return View("<h3>尚无工作记录和考核 / no work records or assessments yet</h3>"
                        "<p>导入工作记录（lianhu archive import）后，这里显示各项进度。</p>")
        now, before = (self.within(self.records(p), prefix) for p in (period, previous_period(period)))
        villages = self.within(self.villages, prefix).sort_values("village_code")
        term = self.within(self.teams, prefix).query("period == @team_term(@period)")
        totals = _totals(now)
        headline = (
            f"<h3>{html.escape(self.names.get(prefix, '全市'))} · {period_label(period)}</h3>"
            f"<p style='font-size:1.25em;line-height:1.8'>贫困户已联系 <b class='covered'>{villages['poor_linked'].sum():,}</b>"
            f" / {villages['poor'].sum():,} 户 · 贫困村已联系 "
            f"<b class='villages'>{(villages['linked'] & villages['is_poor_village']).sum():,}</b>"
            f" / {villages['is_poor_village'].sum():,} 个（联系村共 {villages['linked'].sum():,} 个）"
            f"<span style='color:#888;font-size:0.8em'>（当前结对）</span><br>"
            f"工作队员 <b class='members'>{term['cadre_id'].nunique():,}</b> 名（{period_label(team_term(period))}）· "
            f"工作记录 <b class='records'>{now['records'].sum():,}</b> 条 · 帮扶资金 <b>{totals.get('funds_yuan', 0):,.0f}</b> 元 · "
            f"办实事 <b>{totals.get('practical_things', 0):,.0f}</b> 件 · 培训群众 <b>{totals.get('people_trained', 0):,.0f}</b> 人次"
            f"{_warned(villages)}</p>")
        subjects = self._subjects(prefix, term)
        figures = {"map": self._map(prefix),
                   "coverage": self._coverage(villages, digits),
                   "outcomes": self._outcomes(now, before, period),
                   "plans": self._plans(prefix, digits, period),
                   "staffing": self._staffing(prefix, digits, period, term),
                   "grades": self._grades(period, subjects)}
        return View(headline, figures, self._rankings(prefix, period, subjects))

    def records(self, period: str) -> pd.DataFrame:
        """The period's records as totals per half-year, village and kind (a year's are read from the store once)."""
        year = str(year_of(period))
        if year not in self._records:
            self._records[year] = aggregates.activity_totals(self.store, year)
        records = self._records[year]
        return records[within(records["period"], period)]

    def results(self, period: str) -> dict[str, pd.DataFrame] | None:
        """The period's assessment results (read once), and its grades best first in `_grade_order`."""
        assessment = self.assessments.get(period)
        if assessment is not None and assessment not in self._results:
            self._grade_order[period] = grade_order(aggregates.indicator_system(self.store, assessment))
            self._results[assessment] = {  # what it shows; names of units, counties and grades repeat: categories
                kind: table.astype({c: "category" for c in ("unit_name", "county_name", "grade")})
                for kind, table in self.store.assessment_results(assessment, ("cadre", "unit")).items()}
        return self._results.get(assessment)

    @staticmethod
    def within(frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
        """The rows of an area: those whose village code starts with its code."""
        return frame[frame["village_code"].str.startswith(prefix)] if prefix else frame

    def _parts(self, codes: pd.Series, digits: int) -> pd.Series:
        """The labels of the parts (county, township or village) these codes lie in."""
        parts = codes.str[:digits]
        return parts.map(self.labels[digits]).fillna(parts)

    def _subjects(self, prefix: str, term: pd.DataFrame) -> tuple[set, set] | None:
        """The cadres and units working in the area — pairing its households, serving on its teams this term,
        linking its villages, or (for a county) belonging to it; None for the whole city."""
        if not prefix:
            return None
        pairs, links = self.within(self.pairs, prefix), self.within(self.links, prefix)
        units = set(links["unit_id"]) | set(pairs["unit_id"].dropna())
        cadres = set(pairs["cadre_id"]) | set(term["cadre_id"])
        if len(prefix) == 6:
            own = set(self.rosters.units.loc[self.rosters.units["county_code"] == prefix, "unit_id"])
            units |= own
            cadres |= set(self.rosters.cadres.loc[self.rosters.cadres["unit_id"].isin(own), "cadre_id"])
        return cadres, units

    def _map(self, prefix: str) -> go.Figure:
        """The city's counties filled by their share of poor households linked; in a county, its villages coloured
        the same way (a township or village: its township's villages, over the county)."""
        area = prefix[:9]
        if not area:
            counts = self.villages.groupby(self.villages["village_code"].str[:6])[["poor_linked", "poor"]].sum()
            counties = pd.DataFrame({"county_code": [code for _, code in self.counties[1:]],
                                     "name": [self.labels[6].get(code, name) for name, code in self.counties[1:]]})
            counties["linked"] = counties["county_code"].map(counts["poor_linked"]).fillna(0).astype(int)
            counties["poor"] = counties["county_code"].map(counts["poor"]).fillna(0).astype(int)
            return coverage_choropleth(counties, self.outlines, "贫困户联系率地图（当前结对，按县区）")
        villages = self.within(self.villages, area)
        shown = pd.DataFrame({"lon": villages["lon"], "lat": villages["lat"], "name": villages["village_name"],
                              "linked": villages["poor_linked"], "poor": villages["poor"]})
        townships = villages.groupby("township_name", sort=False)[["lon", "lat"]].mean().reset_index(names="name")
        where = self.names.get(area, area)
        return village_coverage(shown, self.outlines.get(area[:6]), f"{where}各村贫困户联系率（当前结对）",
                                townships if len(area) == 6 else None, zoom=len(area) == 9)

    def _coverage(self, villages: pd.DataFrame, digits: int) -> go.Figure:
        """Shares of poor households and of poor villages linked (current pairings), per part of the area."""
        poor, poor_villages = villages[villages["poor"] > 0], villages[villages["is_poor_village"]]
        rates = pd.concat([
            pd.DataFrame({"地区": self._parts(poor["village_code"], digits), "指标": "贫困户联系率",
                          "linked": poor["poor_linked"], "of": poor["poor"]}),
            pd.DataFrame({"地区": self._parts(poor_villages["village_code"], digits), "指标": "贫困村联系率",
                          "linked": poor_villages["linked"].astype(int), "of": 1})])
        rates = rates.groupby(["地区", "指标"], sort=False)[["linked", "of"]].sum()
        rates = (rates["linked"] / rates["of"]).mul(100).round(1).reset_index(name="比例 %")
        return bars(rates, "地区", "比例 %", "覆盖情况（当前结对）：贫困户与贫困村的联系率", "指标",
                     {"贫困户联系率": "#2a9d8f", "贫困村联系率": "#e9c46a"}, "%{y:.0f}%", yaxis_range=[0, 110])

    def _outcomes(self, now: pd.DataFrame, before: pd.DataFrame, period: str) -> go.Figure:
        rows = []
        earlier = period_label(previous_period(period)) + ("" if len(before) else "（无记录）")
        for label, frame in ((period_label(period), now), (earlier, before)):
            totals = _totals(frame)
            rows += [{"期别": label, "项目": name, "数量": float(totals.get(column, 0))}
                     for kind, (column, name) in OUTCOMES.items() if kind not in ("资金", "培训人次", "发放资料")]
        table = pd.DataFrame(rows) if len(now) or len(before) else pd.DataFrame()
        return bars(table, "项目", "数量", "工作成效（与上期比较；对数刻度）", "期别",
                     {period_label(period): "#264653", earlier: "#a8dadc"},
                     yaxis_type="log", yaxis_dtick=1)  # visits run to thousands, new party members to tens

    def _plans(self, prefix: str, digits: int, period: str) -> go.Figure:
        year = year_of(period)
        done = self._progress[year]
        done = done[done["subject_id"].str.startswith(prefix)].sort_values("subject_id")
        done = done.assign(地区=self._parts(done["subject_id"], digits)).groupby("地区", sort=False)[["measures", "completed"]].sum()
        done["完成率 %"] = (100 * done["completed"] / done["measures"].where(done["measures"] > 0)).round(1)
        return bars(done.reset_index(), "地区", "完成率 %", f"村级规划措施完成率（{year}年，对照年度目标）", None, {"完成率 %": "#457b9d"},
                     "%{y:.0f}%", yaxis_range=[0, 110])

    def _staffing(self, prefix: str, digits: int, period: str, term: pd.DataFrame) -> go.Figure:
        """Work-team members needed (the policy's minimum per linked village) against those assigned, for the term."""
        links = self.within(self.links, prefix).merge(self.rosters.units[["unit_id", "unit_kind"]], on="unit_id") \
            .sort_values("village_code")
        minimum = {kind: size["min"] for kind, size in self.policy.team_size.items()}
        needed = links.assign(人数=links["unit_kind"].map(minimum).fillna(0), 地区=self._parts(links["village_code"], digits))
        assigned = term.sort_values("village_code").assign(人数=1, 地区=lambda t: self._parts(t["village_code"], digits))
        staffing = pd.concat([needed.groupby("地区", sort=False)["人数"].sum().reset_index().assign(项目="应派"),
                              assigned.groupby("地区", sort=False)["人数"].sum().reset_index().assign(项目="实派")])
        return bars(staffing, "地区", "人数", f"工作队派驻（{period_label(team_term(period))}，应派按当前联村）", "项目",
                     {"应派": "#adb5bd", "实派": "#f4a261"})

    def _grades(self, period: str, subjects: tuple[set, set] | None) -> go.Figure:
        tables = self.results(period)
        if tables is None:
            return bars(pd.DataFrame(), "县区", "人数", f"{period_label(period)}尚未考核", None, {})
        cadres = tables["cadre"]
        if subjects is not None:
            cadres = cadres[cadres["subject_id"].isin(subjects[0])]
        grades = self._grade_order[period]  # best first, as the indicator system names them
        counts = cadres[["county_name", "grade"]].astype(object).groupby(["county_name", "grade"]).size().reset_index(name="人数")
        counts = counts.rename(columns={"county_name": "县区", "grade": "等次"}) \
            .sort_values("等次", key=lambda g: g.map({grade: k for k, grade in enumerate(grades)}).fillna(len(grades)), kind="stable")
        counties = county_order(self.rosters.villages)
        where = "全市" if subjects is None else "在本区域工作的"
        return bars(counts, "县区", "人数", f"{SUBJECTS['cadre']}考核等次（{where}，按所属县区）", "等次",
                     grade_colours(grades), stacked=True, xaxis_categoryorder="array",
                     xaxis_categoryarray=counties + sorted(set(counts["县区"]) - set(counties)))

    def _rankings(self, prefix: str, period: str, subjects: tuple[set, set] | None, top: int = 10) -> str:
        """The first ten cadres and units of the city, or of those working in the area (published fields only),
        in the order of the published rankings (assessment.rank: total, then the indicators); a shared rank is
        marked 并列, and those tied with the tenth beyond the ten are counted below the table."""
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
            shown = table[columns].head(top)
            if "tied_city" in table:  # 并列 beside the shared rank
                shown.insert(1, "tied", table["tied_city"].head(top).map({True: "并列", False: ""}))
            body = (shown.rename(columns=RANKING_COLUMNS | {"tied": "并列"})
                    .to_html(index=False, border=0, classes="ranking", float_format="{:.1f}".format)
                    if len(shown) else "<p>暂无考核对象</p>")
            if len(table) > top and "rank_city" in table:
                more = int((table["rank_city"].iloc[top:] == table["rank_city"].iloc[top - 1]).sum())
                body += f"<p style='color:#888'>另有 {more:,} 名与第 {top} 位并列 / {more:,} more tied with the last shown</p>" if more else ""
            parts.append(f"<div style='flex:1;min-width:24em'><h4>{SUBJECTS[kind]}排名前{top}（{html.escape(where)}）</h4>{body}</div>")
        style = ("<style>table.ranking{border-collapse:collapse;font-size:0.9em}"
                 "table.ranking td,table.ranking th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}</style>")
        return style + f"<div class='rankings' style='display:flex;gap:2em;flex-wrap:wrap'>{''.join(parts)}</div>"

    def describe(self) -> str:
        """Where the numbers come from: the rosters, the periods with records, the assessments."""
        counted = {"households": self.villages["households"].sum()} if self._from_store else {}
        sizes = "，".join(f"{TABLES[name].zh} {counted.get(name, len(table)):,}" for name, table in self.rosters.tables().items())
        halves = [period_label(p) for p in sorted(self.periods) if is_half(p)] or ["无"]
        assessed = "、".join(period_label(p) for p in sorted(self.assessments, key=chronological)) or "尚无"
        return f"数据来源 / data: 名册（{sizes}）；工作记录 {'、'.join(halves)}；考核 {assessed}"

    def page(self, period: str | None) -> str:
        """The dashboard of `period` as one static page that works alone (plotly.js inline, nothing fetched): the
        city and each county, chosen from a list; a county's charts are drawn when it is shown."""
        sections = []
        for name, code in self.counties:
            view = self.view(code, 9 if code else 6, period)
            charts = "".join(pages.chart(f) for f in view.figures.values())
            hidden = "" if code == "" else " hidden"
            sections.append(f"<section id='area-{code or 'city'}'{hidden}>{view.headline}"
                            f"<div class='charts'>{charts}</div>{view.rankings}</section>")
        options = "".join(f"<option value='area-{code or 'city'}'>{html.escape(name)}</option>" for name, code in self.counties)
        return pages.page(f"联村联户领导看板 · {period_label(period) if period else ''}", f"""
<h1>联村联户领导看板 · Leadership dashboard</h1>
<p>地区 / area: <select id="area" onchange="for (const s of document.querySelectorAll('section')) s.hidden = s.id !== this.value;
lianhuDraw()">{options}</select></p>
{''.join(sections)}""", PAGE_CSS)


def _warned(villages: pd.DataFrame) -> str:
    """The headline's count of households with an open early warning, by level (nothing when there is none)."""
    counts = {level: int(villages[f"warned_{level}"].sum()) for level in RISK_LEVELS}
    if not sum(counts.values()):
        return ""
    return (f"<br>防返贫监测预警 <b class='warnings'>{sum(counts.values()):,}</b> 户（"
            + " · ".join(f"{level} {count:,}" for level, count in counts.items()) + "，走访后消除）")


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
    """Visits counted, days and each outcome's quantity summed, named as `rollup.rollup` names them."""
    if not len(records):
        return pd.Series(dtype=float)
    kinds = records.groupby("kind")[["records", "quantity"]].sum()
    return pd.Series({"visits": kinds["records"].get(VISIT, 0), "days": records["days"].sum(),
                      **{column: kinds["quantity"].get(kind, 0.0) for kind, (column, _) in OUTCOMES.items() if kind != VISIT}})
