"""Policy what-if: the same rosters paired under several policies, side by side.

For each policy: units → villages, cadres → households (the policy's locality) and the first
work-team term; then what a planner weighs — poor households covered (absolute / low income),
party households, distances, each rank's workload, how many current pairings would change, units
below their minimum and the work-team shortfall.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..classify import ABSOLUTE_POOR, LOW_INCOME
from ..policy import Policy
from ..rosters import Rosters
from ..schema import RANKS
from .households import LOCALITY_ZH, PARTY_HOUSEHOLD, HouseholdPairing, match_households
from .problem import PairingOptions
from .rotation import rotate_teams
from .villages import VillageLinks, match_villages

COMPARE_LABELS = {
    "policy": "政策", "locality": "联户范围", "max_km": "距离上限(km)", "villages_linked": "已联系村", "villages_unlinked": "未联系村",
    "units_below_minimum": "未达下限单位", "absolute_listed": "绝对贫困户", "absolute_covered": "绝对贫困户已覆盖",
    "low_income_listed": "低收入户", "low_income_covered": "低收入户已覆盖", "party_listed": "党员户",
    "party_covered": "党员户已覆盖", "mean_km": "平均距离(km)", "p95_km": "95%距离(km)",
    "changed_pairings": "须调整的现有结对", "team_shortfall": "工作队缺员(首期)",
} | {f"per_cadre_{rank}": f"{rank}人均联户" for rank in RANKS} | {f"max_per_cadre_{rank}": f"{rank}最多联户" for rank in RANKS}


@dataclass
class PolicyRun:
    """One policy's proposal."""

    name: str
    policy: Policy
    villages: VillageLinks
    households: HouseholdPairing
    team_shortfall: int


@dataclass
class PolicyComparison:
    runs: list[PolicyRun] = field(default_factory=list)
    table: pd.DataFrame = field(default_factory=pd.DataFrame)  # one row per policy, COMPARE_LABELS columns


def compare_policies(rosters: Rosters, policies: dict[str, Policy], current: pd.DataFrame | None = None,
                     first_period: str = "2025H1", options: PairingOptions | None = None) -> PolicyComparison:
    """Pair the rosters under each policy; `current` (cadre_id, household_id: the stored pairings)
    says how many of today's pairings each policy would change."""
    runs = []
    for name, policy in policies.items():
        villages = match_villages(rosters, policy, options=options)
        households = match_households(rosters, policy, links=villages.links, options=options)
        shortages = rotate_teams(rosters, villages.links, first_period, 1, policy).shortages
        runs.append(PolicyRun(name, policy, villages, households, int((shortages["needed"] - shortages["assigned"]).sum())))
    return PolicyComparison(runs, pd.DataFrame([_row(run, rosters, current) for run in runs]))


def _row(run: PolicyRun, rosters: Rosters, current: pd.DataFrame | None) -> dict:
    pairs, uncovered = run.households.pairs, run.households.uncovered
    listed = pd.concat([pairs["household_class"], uncovered["household_class"]]).value_counts()
    covered = pairs["household_class"].value_counts()
    km = pairs["distance_km"]
    row = {"policy": run.name, "locality": f"{LOCALITY_ZH[run.households.locality]} ({run.households.locality})",
           "max_km": run.households.max_km,
           "villages_linked": len(run.villages.links), "villages_unlinked": len(run.villages.unlinked),
           "units_below_minimum": len(run.villages.short_units)}
    for key, cls in (("absolute", ABSOLUTE_POOR), ("low_income", LOW_INCOME), ("party", PARTY_HOUSEHOLD)):
        row[f"{key}_listed"], row[f"{key}_covered"] = int(listed.get(cls, 0)), int(covered.get(cls, 0))
    row["mean_km"] = round(float(km.mean()), 2) if len(km) else np.nan
    row["p95_km"] = round(float(km.quantile(0.95)), 2) if len(km) else np.nan
    per_cadre = pairs.groupby("cadre_id").size().reindex(rosters.cadres["cadre_id"]).fillna(0)
    by_rank = per_cadre.groupby(rosters.cadres.set_index("cadre_id")["rank"])
    for rank in RANKS:
        row[f"per_cadre_{rank}"] = round(float(by_rank.mean().get(rank, np.nan)), 2)
        row[f"max_per_cadre_{rank}"] = int(by_rank.max().get(rank, 0))
    if current is not None and len(current):
        proposed = set(zip(pairs["cadre_id"], pairs["household_id"]))
        row["changed_pairings"] = sum((c, h) not in proposed for c, h in zip(current["cadre_id"], current["household_id"]))
    else:
        row["changed_pairings"] = np.nan
    row["team_shortfall"] = run.team_shortfall
    return row
