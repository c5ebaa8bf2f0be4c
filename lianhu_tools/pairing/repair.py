"""Re-pairing after a year's approved changes, with the least disruption: every stored pairing that still keeps
the rules is kept, and only what changed is paired — households newly identified, households whose cadre left
(a colleague of the same unit first), cadres with slots freed — optimally (coverage, then same-unit takeovers,
then distance: `households`). The 调整名单 lists, county by county, each pairing that ends or begins and why."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..policy import Policy
from .households import HouseholdPairing, match_households
from .output import write_tables
from .problem import PairingOptions

ADJUSTMENT_COLUMNS = {"county_name": "县区", "township_name": "乡镇", "village_name": "村", "household_id": "户编号",
                      "head_name": "户主姓名", "change": "变动", "old_cadre": "原联系干部", "old_unit": "原单位",
                      "new_cadre": "新联系干部", "new_unit": "新单位", "reason": "原因"}


@dataclass
class Repairing:
    result: HouseholdPairing  # the whole proposal: kept pairs (locked) and new ones (proposed)
    kept: int
    adjustments: pd.DataFrame  # one row per pairing that ends or begins (ADJUSTMENT_COLUMNS, English names)


def repair_households(store, policy: Policy, options: PairingOptions | None = None) -> Repairing:
    """The re-pairing of the store's city: its roster as it counts, its links, its open pairings kept where still
    valid; households left by a cadre who is gone go first to a colleague of the unit they were paired through."""
    rosters, links = store.rosters(), store.current("links")
    stored = store.current("pairings")
    gone = store.pairings_of_departed(set(rosters.cadres["cadre_id"]), set(stored["household_id"]))
    existing = pd.concat([stored[["cadre_id", "household_id", "unit_id"]], gone], ignore_index=True)
    result = match_households(rosters, policy, links=links[["unit_id", "village_code"]], existing=existing, options=options)
    kept = result.pairs[result.pairs["status"] == "locked"]
    approved = store.pairings_ended_by_approval()
    approved = approved[~approved["household_id"].isin(stored["household_id"])]
    return Repairing(result, len(kept), adjustments(result, stored, gone, approved, store.rosters_with_former(),
                                                    store.cadre_names()))


def adjustments(result: HouseholdPairing, stored: pd.DataFrame, gone: pd.DataFrame, approved: pd.DataFrame, rosters,
                names: pd.Series) -> pd.DataFrame:
    """Each pairing that ends — stored ones the proposal ends, and those the approved exits and removals ended
    (`approved`) — and each it begins: who, where, from whom to whom (`rosters` and `names`: those who left too),
    and why."""
    units = rosters.units.set_index("unit_id")["unit_name"]
    ending = result.ended[result.ended["household_id"].isin(stored["household_id"])
                          & ~result.ended["household_id"].isin(gone["household_id"])]
    before = pd.concat([stored, gone, approved]).drop_duplicates("household_id", keep="last").set_index("household_id")
    new = result.pairs[result.pairs["status"] == "proposed"]
    rows = pd.concat([
        pd.DataFrame({"household_id": ending["household_id"], "change": "结束 / ends", "reason": ending["reason"]}),
        pd.DataFrame({"household_id": approved["household_id"], "change": "结束 / ends", "reason": approved["reason"]}),
        pd.DataFrame({"household_id": new["household_id"], "new_cadre_id": new["cadre_id"], "new_unit_id": new["unit_id"],
                      "change": ["接替 / taken over" if h in before.index else "新结对 / new" for h in new["household_id"]],
                      "reason": new["reason"]})], ignore_index=True)
    rows["old_cadre_id"] = rows["household_id"].map(before["cadre_id"])
    rows["old_unit_id"] = rows["household_id"].map(before["unit_id"])
    households = rosters.households.set_index("household_id")
    places = rosters.villages.set_index("village_code")
    village = rows["household_id"].map(households["village_code"])
    shown = rows.assign(
        head_name=rows["household_id"].map(households["head_name"]),
        county_code=village.map(places["county_code"]), county_name=village.map(places["county_name"]),
        township_name=village.map(places["township_name"]), village_name=village.map(places["village_name"]),
        old_cadre=rows["old_cadre_id"].map(names).fillna(rows["old_cadre_id"]), old_unit=rows["old_unit_id"].map(units),
        new_cadre=rows["new_cadre_id"].map(names), new_unit=rows["new_unit_id"].map(units))
    return shown.sort_values(["county_code", "township_name", "village_name", "household_id"], kind="stable") \
        .reset_index(drop=True)


def write_adjustments(adjusted: pd.DataFrame, folder: str | Path) -> list[Path]:
    """One 调整名单 per county (these carry heads' names: they stay inside the government)."""
    written = []
    for (code, name), rows in adjusted.groupby(["county_code", "county_name"], sort=True):
        written += write_tables({"调整名单": rows[list(ADJUSTMENT_COLUMNS)].rename(columns=ADJUSTMENT_COLUMNS)},
                                Path(folder) / f"{code}_{name}_调整名单.xlsx")
    return written
