"""Assessment (考核): mid-year and year-end scores of cadres, units and work-team members.

The indicator system is data (`data/indicators.yaml`, or the planner's copy): each indicator has its
points, the measure it is computed from and the target for full points; deductions take points per
occurrence; grades have cut-offs. A run freezes what it was computed from (pairings, links, teams)
in the store with its scores, so later edits never change a published result; manual adjustments
need a reason and are audited (`Store.adjust`). Rankings: city-wide and within each county.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import re

import numpy as np
import pandas as pd
import yaml

from .policy import Policy, default_policy
from .rosters import Rosters

SUBJECTS = {"cadre": "干部", "unit": "单位", "team_member": "工作队员"}
ACTIVITY_COLUMNS = ["period", "actor_kind", "actor_id", "target_kind", "target_id", "village_code", "kind", "quantity", "days"]


def load_indicators(path: str | Path | None = None) -> dict:
    """The indicator system: the planner's file, else the default; every problem in it listed at once."""
    text = Path(path).read_text(encoding="utf-8") if path else \
        resources.files("lianhu_tools").joinpath("data/indicators.yaml").read_text(encoding="utf-8")
    system = yaml.safe_load(text)
    problems = []
    for subject in SUBJECTS:
        for item in system.get(subject, {}).get("indicators", []):
            if item.get("measure") not in MEASURES[subject]:
                problems.append(f"{subject}.{item.get('id')}: 未知的计算方法 measure “{item.get('measure')}”，可用：{', '.join(MEASURES[subject])}")
            if not isinstance(item.get("points"), (int, float)) or not isinstance(item.get("target"), (int, float)) or item["target"] <= 0:
                problems.append(f"{subject}.{item.get('id')}: points 和 target 须为数字（target > 0）")
        for item in system.get(subject, {}).get("deductions", []) or []:
            if item.get("measure") not in MEASURES[subject] or not isinstance(item.get("points_each"), (int, float)):
                problems.append(f"{subject}.{item.get('id')}: 扣分项须有已知的 measure 和数字 points_each")
    if not isinstance(system.get("grades"), dict) or not system["grades"]:
        problems.append("grades: 须给出等次及其最低分，如 {优秀: 90, 良好: 80, 一般: 70, 较差: 0}")
    if problems:
        raise ValueError("指标体系有误 / indicator system problems:\n" + "\n".join(problems))
    return system


@dataclass
class Inputs:
    """What one assessment is computed from, for one period (2025H1 or 2025)."""

    period: str
    records: pd.DataFrame  # activity records of the period
    pairs: pd.DataFrame  # cadre_id, household_id (frozen)
    links: pd.DataFrame  # unit_id, village_code (frozen)
    teams: pd.DataFrame  # period, unit_id, village_code, cadre_id (frozen)
    rosters: Rosters
    policy: Policy
    plans: pd.DataFrame | None = None  # current plans (subject_kind, subject_id, year, status, income_target_yuan)

    @property
    def share_of_year(self) -> float:
        return 0.5 if "H" in self.period else 1.0

    def visits(self, actor_kind: str, by: list[str]) -> pd.DataFrame:
        """Visits and days of one kind of actor, per actor and target."""
        done = self.records[(self.records["actor_kind"] == actor_kind) & (self.records["kind"] == "走访")]
        return done.groupby(["actor_id", "target_id"]).agg(visits=("kind", "size"), days=("days", "sum")).rename_axis(by)


# ---------------------------------------------------------------- measures: one value per subject

def _per_household(inputs: Inputs, column: str) -> pd.Series:
    done = inputs.visits("干部", ["cadre_id", "household_id"])[column]
    linked = inputs.pairs.set_index(["cadre_id", "household_id"]).index
    per_pair = done.reindex(linked, fill_value=0)
    return per_pair.groupby(level="cadre_id").mean()


def _households_not_visited(inputs: Inputs) -> pd.Series:
    done = inputs.visits("干部", ["cadre_id", "household_id"])["visits"]
    per_pair = done.reindex(inputs.pairs.set_index(["cadre_id", "household_id"]).index, fill_value=0)
    return (per_pair == 0).groupby(level="cadre_id").sum()


def _quota_fill(inputs: Inputs) -> pd.Series:
    quotas = pd.DataFrame(inputs.policy.quotas).T
    slots = inputs.rosters.cadres.set_index("cadre_id")["rank"].map(quotas["poor"] + quotas["party"])
    linked = inputs.pairs.groupby("cadre_id").size()
    return (linked / slots.reindex(linked.index)).clip(upper=1).fillna(0.0)  # a cadre no longer on the roster: 0


def _unit_per_village(inputs: Inputs, kinds: tuple[str, ...], column: str) -> pd.Series:
    done = inputs.records[(inputs.records["actor_kind"] == "单位") & inputs.records["kind"].isin(kinds)]
    per = done.groupby(["actor_id", "village_code"])[column].agg("size" if column == "kind" else "sum")
    per_link = per.reindex(pd.MultiIndex.from_frame(inputs.links[["unit_id", "village_code"]]), fill_value=0)
    return per_link.groupby(level="unit_id").mean()


def _villages_without_records(inputs: Inputs) -> pd.Series:
    worked = set(zip(inputs.records.loc[inputs.records["actor_kind"] == "单位", "actor_id"],
                     inputs.records.loc[inputs.records["actor_kind"] == "单位", "village_code"]))
    silent = [(u, v) not in worked for u, v in zip(inputs.links["unit_id"], inputs.links["village_code"])]
    return pd.Series(silent, index=inputs.links["unit_id"]).groupby(level=0).sum()


def _team(inputs: Inputs, column: str) -> pd.Series:
    terms = inputs.teams[inputs.teams["period"].str.startswith(inputs.period)]
    done = inputs.records[inputs.records["actor_kind"] == "工作队员"]
    per = done.groupby(["actor_id", "period", "village_code"])[column].agg("size" if column == "kind" else "sum")
    per_term = per.reindex(pd.MultiIndex.from_frame(terms[["cadre_id", "period", "village_code"]]), fill_value=0)
    return per_term.groupby(level="cadre_id").mean()


def _plan_rows(inputs: Inputs, subject_kind: str) -> pd.DataFrame:
    plans = inputs.plans if inputs.plans is not None else pd.DataFrame(columns=["subject_kind", "subject_id", "year"])
    return plans[(plans["subject_kind"] == subject_kind) & (plans["year"] == int(inputs.period[:4]))]


def _plan_completion(inputs: Inputs, owner: str) -> pd.Series:
    """Share of this year's planned measures completed, over the subjects a cadre or unit is linked with."""
    kind, pairs, key = (("户", inputs.pairs, "household_id") if owner == "cadre_id" else
                        ("村", inputs.links, "village_code"))
    done = (_plan_rows(inputs, kind).assign(done=lambda p: p["status"] == "已完成")
            .groupby("subject_id")["done"].agg(["sum", "size"]))
    linked = pairs[[owner, key]].merge(done, left_on=key, right_index=True)
    totals = linked.groupby(owner)[["sum", "size"]].sum()
    return (totals["sum"] / totals["size"]).rename_axis(None)


def _income_against_target(inputs: Inputs) -> pd.Series:
    """A cadre's households: per-capita income now (rosters) over this year's target, on average (capped at 1)."""
    target = _plan_rows(inputs, "户").groupby("subject_id")["income_target_yuan"].max()
    income = inputs.rosters.households.set_index("household_id")["income_per_capita_yuan"]
    pairs = inputs.pairs.assign(ratio=(inputs.pairs["household_id"].map(income) / inputs.pairs["household_id"].map(target)))
    return pairs.dropna(subset=["ratio"]).assign(ratio=lambda p: p["ratio"].clip(upper=1)).groupby("cadre_id")["ratio"].mean()


MEASURES = {
    "cadre": {"visits_per_household": lambda i: _per_household(i, "visits"),
              "days_per_household": lambda i: _per_household(i, "days"),
              "quota_fill": _quota_fill, "households_not_visited": _households_not_visited,
              "plan_completion": lambda i: _plan_completion(i, "cadre_id"), "income_against_target": _income_against_target},
    "unit": {"unit_visits_per_village": lambda i: _unit_per_village(i, ("走访",), "kind"),
             "unit_days_per_village": lambda i: _unit_per_village(i, ("走访",), "days"),
             "practical_things_per_village": lambda i: _unit_per_village(i, ("办实事",), "quantity"),
             "funds_per_village": lambda i: _unit_per_village(i, ("资金",), "quantity"),
             "villages_without_records": _villages_without_records,
             "plan_completion": lambda i: _plan_completion(i, "unit_id")},
    "team_member": {"team_days": lambda i: _team(i, "days"), "team_records": lambda i: _team(i, "kind")},
}


def subjects(inputs: Inputs, kind: str) -> pd.Index:
    """Who is assessed: cadres with linked households, units with linked villages, members serving in the period."""
    if kind == "cadre":
        ids = inputs.pairs["cadre_id"]
    elif kind == "unit":
        ids = inputs.links["unit_id"]
    else:
        ids = inputs.teams.loc[inputs.teams["period"].str.startswith(inputs.period), "cadre_id"]
    return pd.Index(sorted(set(ids)), name="subject_id")


def score(inputs: Inputs, system: dict) -> pd.DataFrame:
    """Long table: subject_kind, subject_id, indicator, value, points (deductions negative)."""
    rows = []
    for kind in SUBJECTS:
        who = subjects(inputs, kind)
        spec = system.get(kind, {})
        for item in spec.get("indicators", []):
            value = MEASURES[kind][item["measure"]](inputs).reindex(who, fill_value=0).astype(float)
            target = item["target"] * (inputs.share_of_year if item.get("yearly", True) else 1.0)
            points = item["points"] * np.minimum(value / target, 1.0)
            rows.append(pd.DataFrame({"subject_kind": kind, "subject_id": who, "indicator": item["id"],
                                      "value": value.to_numpy(), "points": points.to_numpy()}))
        for item in spec.get("deductions", []) or []:
            count = MEASURES[kind][item["measure"]](inputs).reindex(who, fill_value=0).astype(float)
            rows.append(pd.DataFrame({"subject_kind": kind, "subject_id": who, "indicator": item["id"],
                                      "value": count.to_numpy(), "points": -item["points_each"] * count.to_numpy()}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["subject_kind", "subject_id", "indicator", "value", "points"])


PERIOD = re.compile(r"^\d{4}(H[12])?$")


def check_period(period: str) -> str:
    """2025, 2025H1 or 2025H2 (h accepted); anything else is refused."""
    period = str(period).strip().upper()
    if not PERIOD.match(period):
        raise ValueError(f"期别须为年份（年终，如 2025）或半年（年中，如 2025H1）：“{period}” / "
                         f"period must be a year (2025) or a half year (2025H1, 2025H2)")
    return period


def period_label(period: str) -> str:
    """2025 → 2025年, 2025H1 → 2025年上半年."""
    return f"{period[:4]}年" + {"H1": "上半年", "H2": "下半年"}.get(period[4:], "")


def run_assessment(store, period: str, rosters: Rosters, teams: pd.DataFrame | None = None,
                   system: dict | None = None, policy: Policy | None = None, records: pd.DataFrame | None = None) -> int:
    """Score everyone for `period` on the store's current pairings and the period's records (read from
    the store unless given); freeze the inputs with the scores in the store. Returns its number."""
    period = check_period(period)
    system = system or load_indicators()
    pairs = store.current("pairings")[["cadre_id", "household_id", "pool"]]
    links = store.current("links")[["unit_id", "village_code"]]
    teams = (teams if teams is not None else pd.DataFrame(columns=["period", "unit_id", "village_code", "cadre_id"]))
    teams = teams[["period", "unit_id", "village_code", "cadre_id"]]
    records = store.activities(period, ACTIVITY_COLUMNS) if records is None else records
    if records.empty:
        raise ValueError(f"{period} 没有任何工作记录，不能考核（先导入工作日志）/ no work records for {period}: import them first")
    inputs = Inputs(period, records, pairs, links, teams, rosters, policy or default_policy(), store.plans())
    scores = score(inputs, system)
    frozen = {name: frame.to_dict("list") for name, frame in (("pairs", pairs), ("links", links), ("teams", teams))}
    frozen["subjects"] = pd.concat([_describe(pd.DataFrame({"subject_id": subjects(inputs, kind)}), kind, rosters)
                                    .assign(subject_kind=kind) for kind in SUBJECTS], ignore_index=True).to_dict("list")
    return store.save_assessment(period, system, frozen, scores)


def results(store, assessment_id: int, rosters: Rosters | None = None, stored: dict | None = None) -> dict[str, pd.DataFrame]:
    """Per kind of subject: indicator points, deductions, adjustments, total, grade and ranks (city, county),
    from the stored scores and the names, units and counties frozen with them — what gets published.
    `stored`: the assessment as `store.assessment` returned it, when the caller has read it already."""
    stored = stored or store.assessment(assessment_id)
    described = pd.DataFrame(stored["frozen"]["subjects"])
    system, scores, adjusted = stored["indicators"], stored["scores"], stored["adjustments"]
    cutoffs = sorted(system["grades"].items(), key=lambda item: -item[1])
    tables = {}
    for kind in SUBJECTS:
        mine = scores[scores["subject_kind"] == kind]
        if mine.empty:
            continue
        table = mine.pivot_table(index="subject_id", columns="indicator", values="points", aggfunc="sum")
        table = table[[i["id"] for i in system[kind]["indicators"] + (system[kind].get("deductions") or [])]]
        table["adjustment"] = adjusted[adjusted["subject_kind"] == kind].groupby("subject_id")["points"].sum() \
            .reindex(table.index, fill_value=0.0)
        table["total"] = table.sum(axis=1).clip(lower=0).round(1)
        table["grade"] = [next(g for g, low in cutoffs if total >= low) for total in table["total"]]
        names = described[described["subject_kind"] == kind].drop(columns="subject_kind")
        table = names.merge(table.reset_index(), on="subject_id", how="right")
        table["rank_city"] = table["total"].rank(ascending=False, method="min").astype(int)
        table["rank_county"] = table.groupby("county_name")["total"].rank(ascending=False, method="min").astype(int)
        tables[kind] = table.sort_values(["rank_city", "subject_id"]).reset_index(drop=True)
    return tables


def _describe(table: pd.DataFrame, kind: str, rosters: Rosters) -> pd.DataFrame:
    """Names, units and counties of the subjects (cadres and units are what gets published)."""
    units = rosters.units.set_index("unit_id")
    county_names = rosters.villages.drop_duplicates("county_code").set_index("county_code")["county_name"]
    unit_county = units["county_code"].map(county_names).fillna("市直")
    if kind == "unit":
        unit_id = table["subject_id"]
        name = unit_id.map(units["unit_name"])
    else:
        cadres = rosters.cadres.set_index("cadre_id")
        unit_id = table["subject_id"].map(cadres["unit_id"])
        name = table["subject_id"].map(cadres["name"])
    gone = "（已不在名册）"  # paired earlier, since left the rosters
    table.insert(1, "name", name.fillna(gone).to_numpy())
    table.insert(2, "unit_name", unit_id.map(units["unit_name"]).fillna(gone).to_numpy())
    table.insert(3, "county_name", unit_id.map(unit_county).fillna(gone).to_numpy())
    return table
