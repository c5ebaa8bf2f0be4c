"""防返贫监测 — early warning: which households are at risk and why, by the policy's `warnings` rules — income
under k× the line, income down against the previous roster or below this year's plan, a shock (a cause in the
roster newly given, or a word in a diary note), no visit for N days, a plan measure overdue — each with its risk
level (the highest of its reasons) and the cadre and work team responsible. A later visit clears a warning
(`Store.save_warnings`); `must_visit_sheets` are the lists per cadre and per team."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from .classify import classify_households
from .policy import RISK_LEVELS, Policy
from .rosters import Rosters
from .schema import HOUSEHOLD, VISIT

WARNING_COLUMNS = ["household_id", "village_code", "county_code", "level", "reasons_zh", "reasons_en", "cadre_id"]


def household_warnings(rosters: Rosters, policy: Policy, as_of: dt.date, records: pd.DataFrame, pairs: pd.DataFrame,
                       previous: Rosters | None = None, plans: pd.DataFrame | None = None) -> pd.DataFrame:
    """The households at risk on `as_of` (WARNING_COLUMNS): `records` the work records up to then, `pairs` the open
    pairings, `previous` last year's roster, `plans` the current plans."""
    rules, levels = policy.warnings, policy.warnings["levels"]
    households = classify_households(rosters.households, policy).set_index("household_id")
    income = households["income_per_capita_yuan"]
    found: list[pd.DataFrame] = []

    def flag(ids, rule: str, zh, en) -> None:
        ids = pd.Index(ids)
        zh = pd.Series(zh, index=ids) if not isinstance(zh, pd.Series) else zh
        en = pd.Series(en, index=ids) if not isinstance(en, pd.Series) else en
        found.append(pd.DataFrame({"household_id": ids, "level": levels[rule], "zh": zh.reindex(ids).to_numpy(),
                                   "en": en.reindex(ids).to_numpy()}))

    edge = rules["near_line_times"] * policy.low_income_line_yuan
    near = households.index[~households["is_poor"] & (income < edge)]
    flag(near, "near_line", income[near].map(lambda v: f"人均纯收入 {v:,.0f} 元，低于低收入线的 {rules['near_line_times']:g} 倍"
                                                      f"（{edge:,.0f} 元）"),
         income[near].map(lambda v: f"income {v:,.0f} under {rules['near_line_times']:g}× the line ({edge:,.0f})"))
    if previous is not None:
        before = previous.households.set_index("household_id")["income_per_capita_yuan"].reindex(income.index)
        down = income.index[before.notna() & (income < before * (1 - rules["income_drop_share"]))]
        flag(down, "income_drop", pd.Series([f"人均纯收入由 {before[h]:,.0f} 降到 {income[h]:,.0f} 元" for h in down], index=down),
             pd.Series([f"income down from {before[h]:,.0f} to {income[h]:,.0f}" for h in down], index=down))
        cause = previous.households.set_index("household_id")["poverty_cause"].reindex(income.index)
        shocked = income.index[households["poverty_cause"].isin(rules["shock_causes"])
                               & (households["poverty_cause"] != cause).to_numpy()]
        flag(shocked, "shock", households.loc[shocked, "poverty_cause"].map(lambda c: f"名册新填致贫原因：{c}"),
             households.loc[shocked, "poverty_cause"].map(lambda c: f"a new cause in the roster: {c}"))
    if plans is not None and len(plans):
        target = plans[(plans["subject_kind"] == HOUSEHOLD) & (plans["year"] == as_of.year - 1)] \
            .groupby("subject_id")["income_target_yuan"].max().dropna()
        below = target.index[target.index.isin(income.index)]
        below = below[income[below].to_numpy() < target[below].to_numpy() * (1 - rules["income_drop_share"])]
        flag(below, "income_drop", pd.Series([f"人均纯收入 {income[h]:,.0f} 元，低于规划目标 {target[h]:,.0f} 元" for h in below],
                                             index=below),
             pd.Series([f"income {income[h]:,.0f} below the plan's {target[h]:,.0f}" for h in below], index=below))
        late = plans[(plans["subject_kind"] == HOUSEHOLD) & (plans["status"] != "已完成") & plans["subject_id"].isin(income.index)
                     & ((plans["year"] < as_of.year) | ((plans["year"] == as_of.year) & (as_of >= dt.date(as_of.year, 12, 31))))]
        late = late.groupby("subject_id")["measure"].agg(lambda m: "；".join(map(str, m))[:120])
        flag(late.index, "plan_overdue", late.map(lambda m: f"规划措施逾期未完成：{m}"), late.map(lambda m: f"plan overdue: {m}"))
    mine = records[(records["target_kind"] == HOUSEHOLD) & (pd.to_datetime(records["date"]).dt.date <= as_of)]
    words = "|".join(map(re.escape, rules["shock_words"]))
    if words and "note" in mine:
        noted = mine[mine["note"].fillna("").str.contains(words)].sort_values("date").drop_duplicates("target_id", keep="last")
        noted = noted[noted["target_id"].isin(income.index)].set_index("target_id")
        flag(noted.index, "shock", pd.Series([f"工作记录 {pd.Timestamp(d):%Y-%m-%d}：{str(n)[:40]}" for d, n in
                                              zip(noted["date"], noted["note"])], index=noted.index),
             pd.Series([f"diary of {pd.Timestamp(d):%Y-%m-%d}: {str(n)[:40]}" for d, n in zip(noted["date"], noted["note"])],
                       index=noted.index))
    visited = mine[mine["kind"] == VISIT].groupby("target_id")["date"].max()
    since = pd.Timestamp(as_of - dt.timedelta(days=rules["no_visit_days"]))
    paired = pd.Index(pairs["household_id"].unique()).intersection(income.index)
    last = visited.reindex(paired)
    quiet = paired[last.isna().to_numpy() | (pd.to_datetime(last) < since).to_numpy()]
    flag(quiet, "no_visit",
         pd.Series([f"{rules['no_visit_days']} 天内无人走访" + (f"（上次 {pd.Timestamp(last[h]):%Y-%m-%d}）" if pd.notna(last[h])
                                                           else "（从未走访）") for h in quiet], index=quiet),
         pd.Series([f"no visit in {rules['no_visit_days']} days" for h in quiet], index=quiet))
    if not found:
        return pd.DataFrame(columns=WARNING_COLUMNS)
    every = pd.concat(found, ignore_index=True)
    every["rank"] = every["level"].map({level: k for k, level in enumerate(RISK_LEVELS)})
    every = every.sort_values(["household_id", "rank"], kind="stable")
    grouped = every.groupby("household_id", sort=True).agg(level=("level", "first"), reasons_zh=("zh", "；".join),
                                                            reasons_en=("en", "; ".join))
    places = rosters.villages.set_index("village_code")["county_code"]
    grouped["village_code"] = households["village_code"].reindex(grouped.index).to_numpy()
    grouped["county_code"] = grouped["village_code"].map(places)
    grouped["cadre_id"] = pairs.drop_duplicates("household_id").set_index("household_id")["cadre_id"].reindex(grouped.index)
    return grouped.reset_index()[WARNING_COLUMNS]


def must_visit_sheets(warnings: pd.DataFrame, rosters: Rosters, teams: pd.DataFrame, period: str) -> dict[str, dict]:
    """Per county (its code): the must-visit list per cadre (必访名单·按干部) and per work team (按工作队), households by
    their number and head's name (lists for the cadres, kept inside the government), highest risk first."""
    places = rosters.villages.set_index("village_code")
    heads = rosters.households.set_index("household_id")["head_name"]
    cadres = rosters.cadres.set_index("cadre_id")
    units = rosters.units.set_index("unit_id")["unit_name"]
    here = teams[teams["period"] == period]
    members = here.assign(name=here["cadre_id"].map(cadres["name"])).groupby("village_code")["name"] \
        .agg(lambda names: "、".join(sorted(map(str, names.dropna()))))
    rank = {level: k for k, level in enumerate(RISK_LEVELS)}
    shown = warnings.assign(
        rank=warnings["level"].map(rank), head_name=warnings["household_id"].map(heads),
        township_name=warnings["village_code"].map(places["township_name"]),
        village_name=warnings["village_code"].map(places["village_name"]),
        cadre_name=warnings["cadre_id"].map(cadres["name"]),
        unit_name=warnings["cadre_id"].map(cadres["unit_id"]).map(units),
        team=warnings["village_code"].map(members)).sort_values(["rank", "village_code", "household_id"], kind="stable")
    by_cadre = {"cadre_name": "联系干部", "unit_name": "单位", "level": "风险等级", "township_name": "乡镇", "village_name": "村",
                "household_id": "户编号", "head_name": "户主姓名", "reasons_zh": "预警原因"}
    by_team = {"township_name": "乡镇", "village_name": "村", "team": "工作队", "level": "风险等级", "household_id": "户编号",
               "head_name": "户主姓名", "cadre_name": "联系干部", "reasons_zh": "预警原因"}
    sheets = {}
    for county, rows in shown.groupby("county_code", sort=True):
        sheets[county] = {
            "必访名单·按干部": rows.sort_values(["cadre_name", "rank"], kind="stable", na_position="last")[list(by_cadre)]
            .rename(columns=by_cadre).fillna({"联系干部": "（无联系干部）"}),
            "必访名单·按工作队": rows.sort_values(["village_name", "rank"], kind="stable")[list(by_team)].rename(columns=by_team)}
    return sheets


def level_counts(warnings: pd.DataFrame) -> pd.DataFrame:
    """Open warnings per county and level (the dashboard's count by area)."""
    table = warnings.groupby(["county_code", "level"]).size().unstack(fill_value=0)
    return table.reindex(columns=list(RISK_LEVELS), fill_value=0).astype(np.int64)
