"""Cadres → households (联户): who links whom, within quotas and locality, optimally, with reasons.

Steps: classify households and give each cadre its slots → keep locked and pinned pairs → group
cadres and households that are interchangeable (same place, same rules) → allowed arcs by locality
→ solve (`transport`) → hand the group flows out to individual cadres and households → explain
every poor household left uncovered.

Poor households and party-member households use separate slots, so they are two independent
problems ("pools"): poor households are covered first (absolute-poor before low-income), party-member
households fill the party slots; then the total distance is the least possible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .. import geo
from ..classify import ABSOLUTE_POOR, LOW_INCOME, classify_households
from ..parallel import run_all
from ..policy import Policy, default_policy
from ..rosters import Rosters
from .transport import SolveReport, TransportProblem, TransportSolution, solve_transport

POOLS = ("poor", "party")
PARALLEL_FROM_HOUSEHOLDS = 20_000
CLASS_VALUE = {ABSOLUTE_POOR: 2.0, LOW_INCOME: 1.0}  # see transport: exact lexicographic weights
PARTY_HOUSEHOLD = "党员小康建设户"
STATUS_PROPOSED, STATUS_CONFIRMED, STATUS_LOCKED = "proposed", "confirmed", "locked"
PAIR_COLUMNS = ["cadre_id", "cadre_name", "unit_id", "rank", "household_id", "village_code", "county_code",
                "household_class", "pool", "distance_km", "status", "reason"]


class PairingInputError(ValueError):
    """Pins, locks or forbids that cannot be honoured; `problems` lists each in words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("；".join(problems[:10]) + (f"…（共{len(problems)}条）" if len(problems) > 10 else ""))


@dataclass
class HouseholdPairing:
    pairs: pd.DataFrame  # PAIR_COLUMNS
    uncovered: pd.DataFrame  # poor and party households left without a cadre, each with its reason
    shortages: pd.DataFrame  # by county and pool: households, slots that can reach them, short by
    ended: pd.DataFrame  # earlier pairings that end now, with the reason
    reports: dict[str, SolveReport] = field(default_factory=dict)
    locality: str = ""
    problems: dict[str, TransportProblem] = field(default_factory=dict)  # the solved instances (bench, checks)
    solutions: dict[str, TransportSolution] = field(default_factory=dict)


def match_households(rosters: Rosters, policy: Policy | None = None, links: pd.DataFrame | None = None,
                     locality: str | None = None, max_km: float | None = None,
                     existing: pd.DataFrame | None = None, pins: pd.DataFrame | None = None,
                     forbids: pd.DataFrame | None = None, solver: str = "auto") -> HouseholdPairing:
    """Propose the optimal cadre → household pairing.

    links: unit_id, village_code (from `match_villages`), needed for the `unit_villages` locality.
    existing: earlier pairings (cadre_id, household_id) kept for the 3-year term; a pair ends when its
      household left the pools (e.g. left poverty) or its cadre left the roster — then colleagues of
      the same unit are preferred for the household.
    pins: pairs the planner requires; forbids: pairs the planner rules out.
    """
    policy = policy or default_policy()
    locality = resolve_locality(locality or policy.locality, links)
    max_km = policy.max_km if max_km is None else max_km
    households = _households(rosters, policy)
    cadres = _cadres(rosters, policy)
    fixed, ended, preferred_unit = _fixed_pairs(households, cadres, existing, pins)
    forbidden = _pairs(forbids)

    jobs = []
    for pool in POOLS:
        members = households[households["pool"] == pool].copy()
        members = members[~members["household_id"].isin(fixed["household_id"])]
        members["preferred_unit"] = members["household_id"].map(preferred_unit)
        slots = cadres[f"{pool}_slots"] - cadres["cadre_id"].map(
            fixed[fixed["pool"] == pool]["cadre_id"].value_counts()).fillna(0).astype(int)
        pool_cadres = cadres.assign(slots=slots.clip(lower=0))
        jobs.append((pool, members, pool_cadres, locality, max_km, links, forbidden, solver))
    # the two pools are independent problems: on a big city, solve them at once on two cores
    results = run_all(_solve_pool, jobs, parallel=len(households) >= PARALLEL_FROM_HOUSEHOLDS)
    pairs, uncovered, shortages, reports, problems, solutions = [fixed], [], [], {}, {}, {}
    for pool, result in zip(POOLS, results):
        pairs.append(result["pairs"])
        uncovered.append(result["uncovered"])
        shortages.append(result["shortages"])
        reports[pool], problems[pool], solutions[pool] = result["report"], result["problem"], result["solution"]
    return HouseholdPairing(pd.concat(pairs, ignore_index=True)[PAIR_COLUMNS],
                            pd.concat(uncovered, ignore_index=True), pd.concat(shortages, ignore_index=True),
                            ended, reports, locality, problems, solutions)


def resolve_locality(locality: str, links: pd.DataFrame | None) -> str:
    if locality == "auto":
        return "unit_villages" if links is not None else "distance"
    if locality == "unit_villages" and links is None:
        raise PairingInputError(["“unit_villages” 需要联村结果（--links）/ the unit_villages rule needs the unit→village links"])
    return locality


# ---------------------------------------------------------------- inputs

def _households(rosters: Rosters, policy: Policy) -> pd.DataFrame:
    """Households with their class, pool and county."""
    households = classify_households(rosters.households, policy)
    households["county_code"] = households["village_code"].map(rosters.villages.set_index("village_code")["county_code"])
    households["household_class"] = households["household_class"].astype(str)
    households["pool"] = np.where(households["is_poor"], "poor",
                                  np.where(households["is_party_household_candidate"], "party", ""))
    households.loc[households["pool"] == "party", "household_class"] = PARTY_HOUSEHOLD
    return households


def _cadres(rosters: Rosters, policy: Policy) -> pd.DataFrame:
    """Cadres with their slots per pool and their county (their unit's, else the nearest village's)."""
    cadres = rosters.cadres.copy()
    quotas = pd.DataFrame(policy.quotas).T
    for pool, column in (("poor", "poor"), ("party", "party")):
        slots = cadres["rank"].map(quotas[column]).fillna(0).astype(int)
        if not policy.settings["retired_cadres_link"]:
            slots[cadres["is_retired"]] = 0
        if not policy.settings["leadership_link"]:
            slots[cadres["is_leadership"]] = 0
        cadres[f"{pool}_slots"] = slots
    unit_county = cadres["unit_id"].map(rosters.units.set_index("unit_id")["county_code"])
    villages = rosters.villages
    nearest, _ = geo.nearest(cadres["lat"], cadres["lon"], villages["lat"], villages["lon"])
    cadres["county_code"] = unit_county.fillna(pd.Series(villages["county_code"].to_numpy()[nearest], index=cadres.index))
    return cadres


def _pairs(frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None or frame.empty:
        return pd.DataFrame({"cadre_id": pd.Series(dtype=str), "household_id": pd.Series(dtype=str)})
    return frame[["cadre_id", "household_id"]].astype(str).drop_duplicates()


def _fixed_pairs(households: pd.DataFrame, cadres: pd.DataFrame, existing: pd.DataFrame | None,
                 pins: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Locked (kept from the earlier term) and pinned pairs; the earlier pairs that end, and why."""
    kept = _pairs(existing).assign(status=STATUS_LOCKED, reason="三年联系期内保持不变 / kept for the 3-year term")
    pinned = _pairs(pins).assign(status=STATUS_CONFIRMED, reason="规划人员指定 / pinned by the planner")
    candidates = pd.concat([pinned, kept], ignore_index=True).drop_duplicates(["cadre_id", "household_id"])
    in_pool = households[households["pool"] != ""].set_index("household_id")
    known_cadres = set(cadres["cadre_id"])
    cadre_left = ~candidates["cadre_id"].isin(known_cadres)
    household_left = ~candidates["household_id"].isin(in_pool.index)
    problems = [f"指定的结对（{c}, {h}）无法保留：" + ("干部不在名册" if cl else "农户不在贫困户或党员户之列")
                for c, h, cl, hl, st in zip(candidates["cadre_id"], candidates["household_id"], cadre_left,
                                            household_left, candidates["status"])
                if st == STATUS_CONFIRMED and (cl or hl)]
    twice = candidates[~(cadre_left | household_left)].duplicated("household_id", keep=False)
    problems += [f"农户 {h} 被指定或保留给了两名干部" for h in
                 candidates[~(cadre_left | household_left)][twice]["household_id"].unique()]
    if problems:
        raise PairingInputError(problems)

    ended = candidates[(cadre_left | household_left) & (candidates["status"] == STATUS_LOCKED)].copy()
    ended["reason"] = np.where(~ended["cadre_id"].isin(known_cadres), "干部已不在名册（调离或退出）/ cadre left",
                               "农户已不在贫困户和党员户之列（如已脱贫）/ household left the pools (e.g. out of poverty)")
    ended = ended.drop(columns="status")
    # a household whose cadre left goes to a colleague of the same unit first, if it is still in a pool
    orphaned = ended[~ended["cadre_id"].isin(known_cadres) & ended["household_id"].isin(in_pool.index)]
    preferred_unit = pd.Series(dtype=str)
    if existing is not None and "unit_id" in existing:
        previous_unit = existing.drop_duplicates("household_id").set_index("household_id")["unit_id"]
        preferred_unit = pd.Series(orphaned["household_id"].map(previous_unit).to_numpy(), index=orphaned["household_id"])

    fixed = candidates[~(cadre_left | household_left)]
    fixed = fixed.merge(cadres[["cadre_id", "name", "unit_id", "rank", "lat", "lon"]], on="cadre_id")
    fixed = fixed.merge(in_pool[["village_code", "county_code", "household_class", "pool", "lat", "lon"]],
                        left_on="household_id", right_index=True, suffixes=("", "_h"))
    fixed["distance_km"] = geo.haversine_km(fixed["lat"], fixed["lon"], fixed["lat_h"], fixed["lon_h"]).round(3)
    return fixed.rename(columns={"name": "cadre_name"})[PAIR_COLUMNS], ended, preferred_unit.dropna()


# ---------------------------------------------------------------- one pool

def _solve_pool(pool: str, households: pd.DataFrame, cadres: pd.DataFrame, locality: str, max_km: float,
                links: pd.DataFrame | None, forbidden: pd.DataFrame, solver: str) -> dict:
    cadres = cadres[cadres["slots"] > 0]
    singles_c = set(forbidden["cadre_id"])
    singles_h = set(forbidden["household_id"])
    locality_key = {"unit_villages": "unit_id", "county": "county_code", "distance": None}[locality]

    c_key = [locality_key] if locality_key else []
    cadres = cadres.assign(single=np.where(cadres["cadre_id"].isin(singles_c), cadres["cadre_id"], ""))
    by_unit = households["preferred_unit"].notna().any() and locality_key != "unit_id"  # same-unit takeover needs units
    c_cols = [*c_key, "lat", "lon", "single"] + (["unit_id"] if by_unit else [])
    cadres["group"] = cadres.groupby(c_cols, sort=True, dropna=False).ngroup()
    c_groups = cadres.groupby("group").agg(slots=("slots", "sum"), lat=("lat", "first"), lon=("lon", "first"),
                                           unit_id=("unit_id", "first"), county_code=("county_code", "first"))

    households = households.assign(single=np.where(households["household_id"].isin(singles_h), households["household_id"], ""),
                                   value=households["household_class"].map(CLASS_VALUE).fillna(1.0))
    h_cols = ["value", "village_code", "county_code", "lat", "lon", "single", "preferred_unit"]
    households["group"] = households.groupby(h_cols, sort=True, dropna=False).ngroup()
    h_groups = households.groupby("group").agg(
        members=("household_id", "size"), value=("value", "first"), village_code=("village_code", "first"),
        county_code=("county_code", "first"), lat=("lat", "first"), lon=("lon", "first"),
        preferred_unit=("preferred_unit", "first"))

    arcs = _allowed_arcs(c_groups, h_groups, locality, max_km, links)
    arcs = _drop_forbidden(arcs, cadres, households, forbidden)
    bonus = (c_groups["unit_id"].to_numpy()[arcs["c"]] == h_groups["preferred_unit"].to_numpy()[arcs["h"]])
    problem = TransportProblem(
        capacity=c_groups["slots"].to_numpy(), demand=h_groups["members"].to_numpy(), value=h_groups["value"].to_numpy(),
        arc_supply=arcs["c"].to_numpy(), arc_demand=arcs["h"].to_numpy(), arc_km=arcs["km"].to_numpy(),
        arc_bonus=bonus.astype(float) if bonus.any() else None)
    solution = solve_transport(problem, solver)
    pairs = _hand_out(solution, problem, cadres, households, pool, bonus)
    uncovered = _uncovered(households, pairs, c_groups, h_groups, problem, solution, locality, max_km, links)
    shortages = _shortages(pool, households, pairs, c_groups, arcs, problem)
    return {"pairs": pairs, "uncovered": uncovered, "shortages": shortages, "report": solution.report,
            "problem": problem, "solution": solution}


def _allowed_arcs(c_groups: pd.DataFrame, h_groups: pd.DataFrame, locality: str, max_km: float,
                  links: pd.DataFrame | None) -> pd.DataFrame:
    c = c_groups.reset_index().rename(columns={"group": "c"})
    h = h_groups.reset_index().rename(columns={"group": "h"})
    if locality == "distance":
        i, j, km = geo.pairs_within(c["lat"], c["lon"], h["lat"], h["lon"], max_km)
        return pd.DataFrame({"c": c["c"].to_numpy()[i], "h": h["h"].to_numpy()[j], "km": km})
    if locality == "unit_villages":
        joined = c[["c", "unit_id", "lat", "lon"]].merge(links[["unit_id", "village_code"]], on="unit_id").merge(
            h[["h", "village_code", "lat", "lon"]], on="village_code", suffixes=("", "_h"))
    else:
        joined = c[["c", "county_code", "lat", "lon"]].merge(h[["h", "county_code", "lat", "lon"]], on="county_code",
                                                             suffixes=("", "_h"))
    km = geo.haversine_km(joined["lat"], joined["lon"], joined["lat_h"], joined["lon_h"])
    return pd.DataFrame({"c": joined["c"].to_numpy(), "h": joined["h"].to_numpy(), "km": km})


def _drop_forbidden(arcs: pd.DataFrame, cadres: pd.DataFrame, households: pd.DataFrame,
                    forbidden: pd.DataFrame) -> pd.DataFrame:
    if forbidden.empty:
        return arcs
    c_of = cadres.set_index("cadre_id")["group"]
    h_of = households.set_index("household_id")["group"]
    banned = pd.DataFrame({"c": forbidden["cadre_id"].map(c_of), "h": forbidden["household_id"].map(h_of)}).dropna()
    keys = arcs["c"].to_numpy() * (len(h_of) + 1) + arcs["h"].to_numpy()
    banned_keys = banned["c"].to_numpy(np.int64) * (len(h_of) + 1) + banned["h"].to_numpy(np.int64)
    return arcs[~np.isin(keys, banned_keys)].reset_index(drop=True)


def _hand_out(solution, problem: TransportProblem, cadres: pd.DataFrame, households: pd.DataFrame, pool: str,
              bonus: np.ndarray) -> pd.DataFrame:
    """Individual pairs from group flows: each cadre's slots taken in turn (everyone's first slot first)."""
    arc = np.repeat(solution.arc, solution.flow)
    c_group, h_group = problem.arc_supply[arc], problem.arc_demand[arc]

    slots = cadres.loc[cadres.index.repeat(cadres["slots"]), ["cadre_id", "group"]]
    slots["turn"] = slots.groupby("cadre_id").cumcount()
    slots = slots.sort_values(["group", "turn", "cadre_id"], kind="stable")
    slots["k"] = slots.groupby("group").cumcount()
    members = households.sort_values(["group", "household_id"], kind="stable")
    members = members.assign(k=members.groupby("group").cumcount())

    flows = pd.DataFrame({"group_c": c_group, "group_h": h_group, "km": problem.arc_km[arc], "bonus": bonus[arc]})
    flows["kc"] = flows.groupby("group_c").cumcount()
    flows["kh"] = flows.groupby("group_h").cumcount()
    flows = flows.merge(slots.rename(columns={"group": "group_c", "k": "kc"}), on=["group_c", "kc"])
    flows = flows.merge(members[["group", "k", "household_id", "village_code", "county_code", "household_class"]]
                        .rename(columns={"group": "group_h", "k": "kh"}), on=["group_h", "kh"])
    flows = flows.merge(cadres[["cadre_id", "name", "unit_id", "rank"]], on="cadre_id")
    flows["reason"] = np.where(flows["bonus"], "原联系干部已离开，由同单位干部接替 / a colleague of the same unit takes over",
                               "优化方案 / optimal proposal")
    return flows.rename(columns={"name": "cadre_name", "km": "distance_km"}).assign(
        pool=pool, status=STATUS_PROPOSED, distance_km=lambda f: f["distance_km"].round(3))[PAIR_COLUMNS]


def _uncovered(households, pairs, c_groups, h_groups, problem, solution, locality, max_km, links) -> pd.DataFrame:
    left = households[~households["household_id"].isin(pairs["household_id"])]
    if left.empty:
        return pd.DataFrame(columns=["household_id", "village_code", "county_code", "household_class", "reason_zh",
                                     "reason_en", "nearest_cadre_km", "nearest_free_cadre_km"])
    used = np.bincount(problem.arc_supply[solution.arc], weights=solution.flow, minlength=len(c_groups))
    free = c_groups[(c_groups["slots"].to_numpy() - used) > 0]
    _, nearest_km = geo.nearest(left["lat"], left["lon"], c_groups["lat"], c_groups["lon"])
    _, free_km = geo.nearest(left["lat"], left["lon"], free["lat"], free["lon"])
    reachable = np.zeros(len(h_groups), dtype=bool)
    reachable[problem.arc_demand] = True
    has_arc = reachable[left["group"].to_numpy()]
    linked = set(links["village_code"]) if links is not None else set()
    zh, en = [], []
    for arc_exists, village, near, free_near in zip(has_arc, left["village_code"], nearest_km, free_km):
        free_text = f"最近的有空余名额的干部在 {free_near:.1f} km 外" if np.isfinite(free_near) else "全部干部名额已满"
        free_en = f"nearest cadre with a free slot is {free_near:.1f} km away" if np.isfinite(free_near) else "every slot is taken"
        if arc_exists:
            zh.append(f"可联系的干部名额已用完；{free_text}")
            en.append(f"the cadres allowed to link it have no slot left; {free_en}")
        elif locality == "unit_villages" and village not in linked:
            zh.append("所在村没有单位联系，本单位联村范围内无干部可联")
            en.append("its village is linked by no unit")
        elif locality == "unit_villages":
            zh.append("联系本村的单位没有尚有名额的干部")
            en.append("the unit linking its village has no cadre with a slot")
        elif locality == "county":
            zh.append("本县区没有尚有名额的干部")
            en.append("no cadre with a slot in its county")
        else:
            zh.append(f"{max_km:g} km 内没有干部：最近的干部在 {near:.1f} km 外")
            en.append(f"no cadre within {max_km:g} km: the nearest is {near:.1f} km away")
    return pd.DataFrame({"household_id": left["household_id"].to_numpy(), "village_code": left["village_code"].to_numpy(),
                         "county_code": left["county_code"].to_numpy(), "household_class": left["household_class"].to_numpy(),
                         "reason_zh": zh, "reason_en": en, "nearest_cadre_km": np.round(nearest_km, 1),
                         "nearest_free_cadre_km": np.round(free_km, 1)})


def _shortages(pool, households, pairs, c_groups, arcs, problem) -> pd.DataFrame:
    """By county: households of the pool, slots of the cadres allowed to reach them, and the gap."""
    county_of_h = households.groupby("group")["county_code"].first()
    reach = pd.DataFrame({"c": arcs["c"], "county_code": arcs["h"].map(county_of_h)}).drop_duplicates()
    reach["slots"] = reach["c"].map(c_groups["slots"])
    slots = reach.groupby("county_code")["slots"].sum()
    total = households.groupby("county_code").size()
    covered = pairs.groupby("county_code").size()
    frame = pd.DataFrame({"households": total, "covered": covered, "reachable_slots": slots}).fillna(0).astype(int)
    frame["uncovered"] = frame["households"] - frame["covered"]
    frame["short_by"] = (frame["households"] - frame["reachable_slots"]).clip(lower=0)
    return frame.reset_index(names="county_code").assign(pool=pool)
