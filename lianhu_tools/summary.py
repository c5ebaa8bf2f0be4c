"""Roster summaries by county: what a planner checks before pairing."""

from __future__ import annotations

import pandas as pd

from .classify import classify_households
from .policy import Policy
from .rosters import Rosters
from .schema import HOUSEHOLD_CLASSES, RANKS

CITY_LEVEL = "市直及以上"  # units not tied to one county: city, provincial and central units

SUMMARY_LABELS = {
    "county_code": "县区代码", "county_name": "县区", "townships": "乡镇", "villages": "村", "poor_villages": "贫困村",
    "households": "农户", **{c: c for c in HOUSEHOLD_CLASSES}, "party_household_candidates": "党员小康建设户(可联)",
    "units": "单位", "cadres": "干部", **{r: r for r in RANKS},
}


def county_summary(rosters: Rosters, policy: Policy | None = None, chinese: bool = False) -> pd.DataFrame:
    """One row per county plus a city-level row for units and cadres, and a total row (全市)."""
    villages = rosters.villages
    households = classify_households(rosters.households, policy).merge(
        villages[["village_code", "county_code"]], on="village_code", how="left")
    unit_county = rosters.units.set_index("unit_id")["county_code"].fillna(CITY_LEVEL)
    cadres = rosters.cadres.assign(county_code=rosters.cadres["unit_id"].map(unit_county))

    rows = villages.groupby("county_code").agg(
        county_name=("county_name", "first"), townships=("township_code", "nunique"),
        villages=("village_code", "size"), poor_villages=("is_poor_village", "sum"))
    rows["households"] = households.groupby("county_code").size()
    classes = pd.crosstab(households["county_code"], households["household_class"]).reindex(columns=HOUSEHOLD_CLASSES)
    rows = rows.join(classes, how="outer")
    rows["party_household_candidates"] = households.groupby("county_code")["is_party_household_candidate"].sum()
    rows = rows.reindex(rows.index.union(unit_county.unique()))
    rows["units"] = unit_county.value_counts()
    rows["cadres"] = cadres.groupby("county_code").size()
    rows = rows.join(pd.crosstab(cadres["county_code"], cadres["rank"]).reindex(columns=list(RANKS)))
    rows.loc[CITY_LEVEL, "county_name"] = CITY_LEVEL
    numbers = rows.columns.drop("county_name")
    rows[numbers] = rows[numbers].fillna(0).astype(int)
    total = rows[numbers].sum()
    rows.loc["全市"] = {"county_name": "全市", **total}
    if CITY_LEVEL not in set(unit_county):
        rows = rows.drop(index=CITY_LEVEL)
    rows = rows.reset_index(names="county_code")
    rows.loc[rows["county_code"].isin([CITY_LEVEL, "全市"]), "county_code"] = ""
    return rows.rename(columns=SUMMARY_LABELS) if chinese else rows
