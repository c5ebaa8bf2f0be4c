"""What a planner reads after a pairing run: coverage, quota fill, distances."""

from __future__ import annotations

import pandas as pd

from .households import HouseholdPairing


def coverage_by_county(result: HouseholdPairing) -> pd.DataFrame:
    """Households of each class per county: listed in the pools, covered, share covered."""
    listed = pd.concat([result.pairs[["county_code", "household_class"]],
                        result.uncovered[["county_code", "household_class"]]])
    table = listed.value_counts().rename("households").to_frame()
    table["covered"] = result.pairs[["county_code", "household_class"]].value_counts()
    table = table.fillna(0).astype(int).sort_index().reset_index()
    table["covered_share"] = (table["covered"] / table["households"]).round(3)
    return table


def quota_fill_by_rank(result: HouseholdPairing, cadres: pd.DataFrame, quotas: dict) -> pd.DataFrame:
    """Slots per rank (by the policy's quotas) and how many are filled."""
    slots = cadres["rank"].map({rank: q["party"] + q["poor"] for rank, q in quotas.items()}).groupby(cadres["rank"]).sum()
    filled = result.pairs.groupby("rank").size()
    table = pd.DataFrame({"cadres": cadres.groupby("rank").size(), "slots": slots, "filled": filled}).fillna(0).astype(int)
    table["filled_share"] = (table["filled"] / table["slots"].where(table["slots"] > 0)).round(3)
    return table.reset_index(names="rank")


def distance_stats(pairs: pd.DataFrame) -> pd.Series:
    """Distance from cadre to household, km."""
    km = pairs["distance_km"]
    return pd.Series({"pairs": len(km), "mean_km": km.mean(), "median_km": km.median(), "p90_km": km.quantile(0.9),
                      "max_km": km.max(), "total_km": km.sum()}).round(2)


def cadres_in_several_villages(result: HouseholdPairing, pool: str = "poor") -> int:
    """Cadres whose households of `pool` lie in more than one village."""
    pairs = result.pairs[result.pairs["pool"] == pool]
    return int((pairs.groupby("cadre_id")["village_code"].nunique() > 1).sum())
