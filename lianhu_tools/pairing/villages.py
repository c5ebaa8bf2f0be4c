"""Units → villages (联村): every target village linked by one unit, each unit within its bounds.

Priorities: meet every unit's minimum first; then link as many target villages as possible, poor
villages first; then the least total distance. A unit takes at most the policy's maximum for its kind
and no more villages than its headcount can staff with the minimum work team; a county-level unit
links villages of its own county only; every link is within the distance limit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from .. import geo
from ..errors import PairingInputError
from ..policy import Policy, check_max_km, default_policy
from ..rosters import Rosters
from .explain_villages import may_link, short_units, unlinked_villages
from .problem import PairingOptions, SolveReport, TransportProblem, TransportSolution
from .solve import Rule, check_engine, solve_transport

LINK_COLUMNS = ["unit_id", "unit_name", "unit_kind", "village_code", "village_name", "county_code", "distance_km",
                "status", "reason"]
TARGETS = ("poor", "all")


@dataclass
class VillageLinks:
    links: pd.DataFrame  # LINK_COLUMNS
    unlinked: pd.DataFrame  # target villages without a unit: reason and cheapest fix
    short_units: pd.DataFrame  # units below their minimum: reason and fix
    report: SolveReport
    problem: TransportProblem | None = None  # the solved instance (bench, checks)
    solution: TransportSolution | None = None


def unit_bounds(units: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Each unit's minimum and maximum villages: the policy's, capped by what its headcount can staff."""
    bounds = pd.DataFrame(policy.villages_per_unit).T
    team_min = units["unit_kind"].map(pd.DataFrame(policy.team_size).T["min"]).clip(lower=1)
    staffable = units["headcount"] // team_min
    maximum = np.minimum(units["unit_kind"].map(bounds["max"]), staffable).astype(int)
    return pd.DataFrame({"minimum": units["unit_kind"].map(bounds["min"]).astype(int), "maximum": maximum,
                         "staffable": staffable.astype(int), "policy_maximum": units["unit_kind"].map(bounds["max"]).astype(int)},
                        index=units.index)


def match_villages(rosters: Rosters, policy: Policy | None = None, targets: str = "poor", max_km: float | None = None,
                   options: PairingOptions | None = None, rules: Sequence[Rule] = ()) -> VillageLinks:
    """Propose the optimal unit → village links.

    targets: "poor" (the poor villages) or "all" villages (poor ones first).
    max_km: the distance limit from a unit's office to a village (default: the policy's).
    options: the engine and its limits; rules: the planner's own PuLP rules (see `pairing.model`),
      which see one row per allowed (unit, village) with unit_id, unit_name, unit_kind, unit_level,
      village_code, village_name, township_code, county_code, is_poor_village and distance_km.
    """
    policy = policy or default_policy()
    options = options or PairingOptions()
    check_engine(options, rules)
    if targets not in TARGETS:
        raise PairingInputError.said(*[f"targets 须为 poor 或 all / targets must be poor or all, not {targets!r}"])
    max_km = check_max_km(policy.max_km if max_km is None else max_km)
    units = rosters.units.reset_index(drop=True)
    villages = rosters.villages
    villages = (villages[villages["is_poor_village"]] if targets == "poor" else villages).reset_index(drop=True)
    bounds = unit_bounds(units, policy)
    team_min = pd.DataFrame(policy.team_size).T["min"]

    i, j, km = geo.pairs_within(units["lat"], units["lon"], villages["lat"], villages["lon"], max_km)
    allowed = may_link(units["unit_level"].to_numpy()[i], units["county_code"].to_numpy()[i], villages["county_code"].to_numpy()[j])
    i, j, km = i[allowed], j[allowed], km[allowed]
    problem = TransportProblem(
        capacity=bounds["maximum"].to_numpy(), demand=np.ones(len(villages), dtype=np.int64),
        value=np.where(villages["is_poor_village"], 2.0, 1.0), arc_supply=i, arc_demand=j, arc_km=km,
        minimum=np.minimum(bounds["minimum"], bounds["maximum"]).to_numpy(),
        value_labels={2.0: ("贫困村", "poor village"), 1.0: ("非贫困村", "other village")})
    arcs = _arc_table(units, villages, i, j) if rules else None
    solution = solve_transport(problem, options, rules, arcs, pool="villages")

    u, v = problem.arc_supply[solution.arc], problem.arc_demand[solution.arc]
    links = pd.DataFrame({
        "unit_id": units["unit_id"].to_numpy()[u], "unit_name": units["unit_name"].to_numpy()[u],
        "unit_kind": units["unit_kind"].to_numpy()[u], "village_code": villages["village_code"].to_numpy()[v],
        "village_name": villages["village_name"].to_numpy()[v], "county_code": villages["county_code"].to_numpy()[v],
        "distance_km": np.round(problem.arc_km[solution.arc], 3), "status": "proposed",
        "reason": "优化方案 / optimal proposal"})[LINK_COLUMNS]
    arc_flow = solution.arc_flows(len(km))
    used = np.bincount(u, minlength=len(units))
    return VillageLinks(links, unlinked_villages(villages, units, bounds, problem, arc_flow, max_km, team_min),
                        short_units(units, bounds, problem, used, villages, max_km, team_min), solution.report,
                        problem, solution)


def _arc_table(units: pd.DataFrame, villages: pd.DataFrame, i: np.ndarray, j: np.ndarray) -> pd.DataFrame:
    """One row per allowed (unit, village), for the planner's rules."""
    unit_columns = ["unit_id", "unit_name", "unit_kind", "unit_level"]
    village_columns = ["village_code", "village_name", "township_code", "county_code", "is_poor_village"]
    return pd.concat([units[unit_columns].iloc[i].reset_index(drop=True),
                      villages[village_columns].iloc[j].reset_index(drop=True)], axis=1)
