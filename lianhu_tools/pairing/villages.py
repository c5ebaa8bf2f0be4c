"""Units → villages (联村): every target village linked by one unit, each unit within its bounds.

Priorities: link as many target villages as possible, poor villages first; then meet every unit's
minimum; then the least total distance. A unit takes at most the policy's maximum for its kind and
no more villages than its headcount can staff with the minimum work team; a county-level unit links
villages of its own county only; every link is within the distance limit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import geo
from ..policy import Policy, default_policy
from ..rosters import Rosters
from .transport import SolveReport, TransportProblem, TransportSolution, solve_transport

LINK_COLUMNS = ["unit_id", "unit_name", "unit_kind", "village_code", "village_name", "county_code", "distance_km",
                "status", "reason"]


@dataclass
class VillageLinks:
    links: pd.DataFrame  # LINK_COLUMNS
    unlinked: pd.DataFrame  # target villages without a unit, with the reason
    short_units: pd.DataFrame  # units below their minimum, with the reason
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
                         "staffable": staffable.astype(int)}, index=units.index)


def match_villages(rosters: Rosters, policy: Policy | None = None, targets: str = "poor", max_km: float | None = None,
                   solver: str = "auto") -> VillageLinks:
    policy = policy or default_policy()
    max_km = policy.max_km if max_km is None else max_km
    units = rosters.units.reset_index(drop=True)
    villages = rosters.villages
    villages = (villages[villages["is_poor_village"]] if targets == "poor" else villages).reset_index(drop=True)
    bounds = unit_bounds(units, policy)

    i, j, km = geo.pairs_within(units["lat"], units["lon"], villages["lat"], villages["lon"], max_km)
    own_county = (units["unit_level"].to_numpy()[i] != "县") | (
        units["county_code"].to_numpy()[i] == villages["county_code"].to_numpy()[j])
    i, j, km = i[own_county], j[own_county], km[own_county]
    problem = TransportProblem(
        capacity=bounds["maximum"].to_numpy(), demand=np.ones(len(villages), dtype=np.int64),
        value=np.where(villages["is_poor_village"], 2.0, 1.0), arc_supply=i, arc_demand=j, arc_km=km,
        minimum=np.minimum(bounds["minimum"], bounds["maximum"]).to_numpy())
    solution = solve_transport(problem, solver)

    u, v = problem.arc_supply[solution.arc], problem.arc_demand[solution.arc]
    links = pd.DataFrame({
        "unit_id": units["unit_id"].to_numpy()[u], "unit_name": units["unit_name"].to_numpy()[u],
        "unit_kind": units["unit_kind"].to_numpy()[u], "village_code": villages["village_code"].to_numpy()[v],
        "village_name": villages["village_name"].to_numpy()[v], "county_code": villages["county_code"].to_numpy()[v],
        "distance_km": np.round(problem.arc_km[solution.arc], 3), "status": "proposed",
        "reason": "优化方案 / optimal proposal"})[LINK_COLUMNS]
    used = np.bincount(u, minlength=len(units))
    return VillageLinks(links, _unlinked(villages, units, problem, used, v, max_km),
                        _short_units(units, bounds, problem, used, solution.shortfall, max_km), solution.report,
                        problem, solution)


def _unlinked(villages, units, problem, used, linked, max_km) -> pd.DataFrame:
    left = np.setdiff1d(np.arange(len(villages)), linked)
    free = units[used < problem.capacity]
    _, near_km = geo.nearest(villages["lat"].to_numpy()[left], villages["lon"].to_numpy()[left], units["lat"], units["lon"])
    _, free_km = geo.nearest(villages["lat"].to_numpy()[left], villages["lon"].to_numpy()[left], free["lat"], free["lon"])
    reachable = np.isin(left, problem.arc_demand)
    zh = [f"{max_km:g} km 内的单位名额已满；最近的尚有名额的单位在 {f:.1f} km 外" if r else
          f"{max_km:g} km 内没有可联系的单位：最近的单位在 {n:.1f} km 外"
          for r, n, f in zip(reachable, near_km, free_km)]
    en = [f"units within {max_km:g} km are full; the nearest with room is {f:.1f} km away" if r else
          f"no unit within {max_km:g} km: the nearest is {n:.1f} km away" for r, n, f in zip(reachable, near_km, free_km)]
    return pd.DataFrame({"village_code": villages["village_code"].to_numpy()[left],
                         "village_name": villages["village_name"].to_numpy()[left],
                         "county_code": villages["county_code"].to_numpy()[left], "reason_zh": zh, "reason_en": en})


def _short_units(units, bounds, problem, used, shortfall, max_km) -> pd.DataFrame:
    below = np.flatnonzero((used < bounds["minimum"].to_numpy()))
    has_arc = np.isin(below, problem.arc_supply)
    staff = bounds["staffable"].to_numpy()[below] < bounds["minimum"].to_numpy()[below]
    zh = np.where(staff, "干部人数不足以按最低工作队人数派驻", np.where(
        has_arc, f"{max_km:g} km 内可联系的村已由其他单位联系", f"{max_km:g} km 内没有目标村"))
    en = np.where(staff, "too few cadres to staff a village with the minimum team", np.where(
        has_arc, f"the target villages within {max_km:g} km are linked by other units", f"no target village within {max_km:g} km"))
    return pd.DataFrame({"unit_id": units["unit_id"].to_numpy()[below], "unit_name": units["unit_name"].to_numpy()[below],
                         "linked": used[below], "minimum": bounds["minimum"].to_numpy()[below],
                         "reason_zh": zh, "reason_en": en})
