"""Records rolled up (四级建档): outcome statistics by level of the four-level archives (city, county, township,
village, by the village code's digits) or by actor — visits counted, days and each outcome summed."""

from __future__ import annotations

import pandas as pd

from .rosters import Rosters
from .schema import OUTCOMES, UNIT, VISIT

LEVELS = {"city": 4, "county": 6, "township": 9, "village": 12}  # digits of the village code


def rollup(records: pd.DataFrame, by: str = "county", rosters: Rosters | None = None) -> pd.DataFrame:
    """Outcome statistics by level (city, county, township, village) or by actor (unit, cadre —
    cadres include work-team members): visits, days in the villages, the sum of each kind of outcome."""
    if by in LEVELS:
        villages = records["village_code"].astype("category")  # slice each distinct code once
        prefixes = villages.cat.categories.str[:LEVELS[by]].to_numpy(dtype=object)
        key = pd.Series(prefixes[villages.cat.codes.to_numpy()], index=records.index, name=f"{by}_code")
    elif by in ("unit", "cadre"):
        records = records[(records["actor_kind"] == UNIT) == (by == "unit")]
        key = records["actor_id"].rename(f"{by}_id")
    else:
        raise ValueError(f"by must be one of {[*LEVELS, 'unit', 'cadre']}")
    table = _totals(records, key)
    if rosters is not None and by == "county":
        names = rosters.villages.drop_duplicates("county_code").set_index("county_code")["county_name"]
        table.insert(1, "county_name", table["county_code"].map(names))
    return table


def _totals(records: pd.DataFrame, key: pd.Series) -> pd.DataFrame:
    """One grouping by (key, kind): visits counted, days and quantities summed."""
    frame = pd.DataFrame({"key": key.to_numpy(), "kind": records["kind"].to_numpy(),
                          "quantity": records["quantity"].to_numpy(dtype=float), "days": records["days"].to_numpy(dtype=float)})
    grouped = frame.groupby(["key", "kind"], sort=False).agg(n=("kind", "size"), quantity=("quantity", "sum"), days=("days", "sum"))
    quantity = grouped["quantity"].unstack(fill_value=0)
    table = pd.DataFrame({"visits": grouped["n"].unstack(fill_value=0).get(VISIT, 0),
                          "days": grouped["days"].groupby(level="key").sum()}, index=quantity.index)
    for kind, (column, _) in OUTCOMES.items():
        if kind != VISIT:
            table[column] = quantity[kind] if kind in quantity else 0.0
    table = table.sort_index().rename_axis(key.name).reset_index()
    table["visits"] = table["visits"].astype(int)
    return table
