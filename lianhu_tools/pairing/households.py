"""Cadres → households (联户): who links whom, within quotas, locality and distance, optimally, with reasons.

Steps: check the limits → classify households and give each cadre its slots → keep locked and pinned
pairs → group cadres and households that are interchangeable (same place, same rules) → allowed
arcs by locality and distance → solve (`solve`) → hand the group flows out to individual cadres and
households → explain every household left uncovered, with the cheapest fix.

Poor households and party-member households use separate slots, so they are two independent
problems ("pools"): poor households are covered first (absolute-poor before low-income), party-member
households fill the party slots; then the total distance is the least possible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from .. import geo
from ..classify import ABSOLUTE_POOR, LOW_INCOME, classify_households
from ..errors import PairingInputError
from ..policy import Policy, check_max_km, default_policy
from ..rosters import Rosters
from .explain import (
    POOL_ZH,
    HouseholdPool,
    PairingSetting,
    PoolInstance,
    marginal_slots,
    shortages_by_county,
    uncovered_households,
)
from .problem import PairingOptions, SolveReport, TransportProblem, TransportSolution, check_links
from .solve import Rule, check_engine, solve_transport
from .villages import unit_bounds

POOLS = ("poor", "party")
CLASS_VALUE = {ABSOLUTE_POOR: 2.0, LOW_INCOME: 1.0}  # covered in this order
PARTY_HOUSEHOLD = "党员小康建设户"
LOCALITY_ZH = {"unit_villages": "本单位所联系的村", "distance": "距离上限内", "county": "同一县区"}
LOCALITIES = tuple(LOCALITY_ZH)
STATUS_PROPOSED, STATUS_CONFIRMED, STATUS_LOCKED = "proposed", "confirmed", "locked"
PAIR_COLUMNS = ["cadre_id", "cadre_name", "unit_id", "rank", "household_id", "village_code", "county_code",
                "household_class", "pool", "distance_km", "status", "reason"]
RULE_COLUMNS = ["cadre_id", "cadre_name", "unit_id", "rank", "cadre_county_code", "slots", "village_code",
                "township_code", "county_code", "household_class", "households"]


@dataclass
class HouseholdPairing:
    pairs: pd.DataFrame  # PAIR_COLUMNS
    uncovered: pd.DataFrame  # poor and party households left without a cadre: binding reason and cheapest fix
    shortages: pd.DataFrame  # by county and pool: households, covered, uncovered, and why
    ended: pd.DataFrame  # earlier pairings that end now, with the reason
    marginal: pd.DataFrame = field(default_factory=pd.DataFrame)  # by county, pool, rank: one more slot each → covered more
    reports: dict[str, SolveReport] = field(default_factory=dict)
    locality: str = ""
    max_km: float = 0.0
    problems: dict[str, TransportProblem] = field(default_factory=dict)  # the solved instances (bench, checks)
    solutions: dict[str, TransportSolution] = field(default_factory=dict)


def match_households(rosters: Rosters, policy: Policy | None = None, links: pd.DataFrame | None = None,
                     locality: str | None = None, max_km: float | None = None,
                     existing: pd.DataFrame | None = None, pins: pd.DataFrame | None = None,
                     forbids: pd.DataFrame | None = None, options: PairingOptions | None = None,
                     rules: Sequence[Rule] = ()) -> HouseholdPairing:
    """Propose the optimal cadre → household pairing.

    links: unit_id, village_code (from `match_villages`), needed for the `unit_villages` locality.
    locality: "unit_villages", "distance" or "county" (default: the policy's); the distance limit
      `max_km` (default: the policy's) applies under every locality.
    existing: earlier pairings (cadre_id, household_id[, unit_id]) kept for the 3-year term; a pair
      ends when its household left the pools (e.g. left poverty) or its cadre left the roster — then
      colleagues of the same unit are preferred for the household.
    pins: pairs the planner requires; forbids: pairs the planner rules out.
    options: the engine and its limits; rules: the planner's own PuLP rules (see `pairing.model`),
      applied to each pool; they see one row per allowed (cadre, household group) with RULE_COLUMNS.
    """
    policy = policy or default_policy()
    options = options or PairingOptions()
    check_engine(options, rules)
    max_km = check_max_km(policy.max_km if max_km is None else max_km)
    locality = resolve_locality(locality or policy.locality, links)
    if links is not None:
        check_links(links, rosters)
    households = pooled_households(rosters, policy)
    cadres = cadres_with_slots(rosters, policy)
    fixed, ended, preferred_unit = _fixed_pairs(households, cadres, existing, pins)
    fixed, ended, preferred_unit = _still_valid(fixed, ended, preferred_unit, cadres, locality, links, existing)
    forbidden = _known_forbids(_pairs(forbids), cadres, households)
    _check_pins(fixed, cadres, locality, max_km, links, forbidden)
    setting = PairingSetting(locality, max_km, links, rosters.units[["unit_id", "unit_name", "unit_level", "county_code"]],
                             rosters.villages.set_index("village_code")["township_code"],
                             _units_with_room(rosters, policy, links) if locality == "unit_villages" else set())

    pairs, uncovered, shortages, marginal, reports, problems, solutions = [fixed], [], [], [], {}, {}, {}
    for pool in POOLS:
        listed = households[households["pool"] == pool]
        members = listed[~listed["household_id"].isin(fixed["household_id"])].copy()
        members["preferred_unit"] = members["household_id"].map(preferred_unit)
        kept_here = fixed[fixed["pool"] == pool]
        taken = cadres["cadre_id"].map(kept_here["cadre_id"].value_counts()).fillna(0).astype(int)
        # cadres whose rank has slots here, with what is left of them (none may take more than the pool has)
        remaining = (cadres[f"{pool}_slots"] - taken).clip(lower=0, upper=len(members))
        pool_cadres = cadres.assign(slots=remaining)[cadres[f"{pool}_slots"] > 0]
        instance = _instance(pool, members, pool_cadres, setting, forbidden, individual=bool(rules))
        solution = solve_transport(instance.problem, options, rules, instance.rule_arcs, kept_here, pool)
        explained = HouseholdPool(instance, setting, solution.arc_flows(len(instance.problem.arc_km)),
                                  _idle(cadres, pool, policy), tuple(getattr(rule, "__name__", "rule") for rule in rules),
                                  solution.report.proven_optimal)
        pool_pairs = _hand_out(solution, instance.problem, instance.cadres, instance.households, pool, instance.bonus)
        left = uncovered_households(explained, set(pool_pairs["household_id"]))
        pairs.append(pool_pairs)
        uncovered.append(left)
        shortages.append(shortages_by_county(pool, listed, pd.concat([kept_here, pool_pairs]), left))
        marginal.append(marginal_slots(explained))
        reports[pool], problems[pool], solutions[pool] = solution.report, instance.problem, solution
    return HouseholdPairing(pd.concat(pairs, ignore_index=True)[PAIR_COLUMNS], pd.concat(uncovered, ignore_index=True),
                            pd.concat(shortages, ignore_index=True), ended, pd.concat(marginal, ignore_index=True),
                            reports, locality, max_km, problems, solutions)


def resolve_locality(locality: str, links: pd.DataFrame | None) -> str:
    """The locality that applies: "auto" is unit_villages with links, else distance."""
    if locality == "auto":
        return "unit_villages" if links is not None else "distance"
    if locality not in LOCALITIES:
        raise PairingInputError.said(*[f"联户范围须为 {' / '.join(LOCALITIES)} / locality must be one of {', '.join(LOCALITIES)}, "
                                 f"not {locality!r}"])
    if locality == "unit_villages" and links is None:
        raise PairingInputError.said(*["“unit_villages” 需要联村结果（--links）/ the unit_villages rule needs the unit→village links"])
    return locality


# ---------------------------------------------------------------- inputs

def pooled_households(rosters: Rosters, policy: Policy) -> pd.DataFrame:
    """Households with their class, pool and county."""
    households = classify_households(rosters.households, policy).reset_index(drop=True)
    households["county_code"] = households["village_code"].map(rosters.villages.set_index("village_code")["county_code"])
    households["household_class"] = households["household_class"].astype(str)
    households["pool"] = np.where(households["is_poor"], "poor",
                                  np.where(households["is_party_household_candidate"], "party", ""))
    households.loc[households["pool"] == "party", "household_class"] = PARTY_HOUSEHOLD
    return households


def cadres_with_slots(rosters: Rosters, policy: Policy) -> pd.DataFrame:
    """Cadres with their slots per pool and their county (their unit's, else the nearest village's)."""
    cadres = rosters.cadres.reset_index(drop=True)
    quotas = pd.DataFrame(policy.quotas).T
    for pool in POOLS:
        slots = cadres["rank"].map(quotas[pool]).fillna(0).astype(np.int64)
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


def _idle(cadres: pd.DataFrame, pool: str, policy: Policy) -> pd.DataFrame:
    """Cadres who may link households but whose rank has no slot in this pool."""
    quota = cadres["rank"].map(pd.DataFrame(policy.quotas).T[pool]).fillna(0)
    allowed = pd.Series(True, index=cadres.index)
    if not policy.settings["retired_cadres_link"]:
        allowed &= ~cadres["is_retired"]
    if not policy.settings["leadership_link"]:
        allowed &= ~cadres["is_leadership"]
    return cadres.loc[(quota == 0) & allowed, ["cadre_id", "unit_id", "rank", "county_code", "lat", "lon"]]


def _units_with_room(rosters: Rosters, policy: Policy, links: pd.DataFrame) -> set:
    """Units that link fewer villages than they may."""
    bounds = unit_bounds(rosters.units, policy).set_axis(rosters.units["unit_id"])
    linked = links["unit_id"].astype(str).value_counts().reindex(bounds.index).fillna(0)
    return set(bounds.index[linked < bounds["maximum"]])


def _pairs(frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None or frame.empty:
        return pd.DataFrame({"cadre_id": pd.Series(dtype=str), "household_id": pd.Series(dtype=str)})
    return frame[["cadre_id", "household_id"]].astype(str).drop_duplicates()


def _check_pins(fixed: pd.DataFrame, cadres: pd.DataFrame, locality: str, max_km: float, links: pd.DataFrame | None,
                forbidden: pd.DataFrame) -> None:
    """A pinned pair keeps every rule a proposal keeps: within the limit and the locality, not also
    forbidden, and its cadre within quota (with the pairs kept for the term)."""
    pinned = fixed[fixed["status"] == STATUS_CONFIRMED]
    if pinned.empty:
        return
    problems = []
    county = cadres.set_index("cadre_id")["county_code"]
    allowed = set(zip(links["unit_id"].astype(str), links["village_code"].astype(str))) if links is not None else set()
    banned = set(zip(forbidden["cadre_id"], forbidden["household_id"]))
    for row in pinned.itertuples():
        pair = f"指定的结对（{row.cadre_id}, {row.household_id}）/ pinned pair"
        if row.distance_km > max_km:
            problems.append(f"{pair}: {row.distance_km:.1f} km 超过距离上限 {max_km:g} km / beyond the limit")
        if locality == "unit_villages" and (row.unit_id, row.village_code) not in allowed:
            problems.append(f"{pair}: 农户所在村不是本单位所联系的村 / the village is not one its unit links")
        if locality == "county" and county.get(row.cadre_id) != row.county_code:
            problems.append(f"{pair}: 农户不在干部所在县区 / the household is outside the cadre's county")
        if (row.cadre_id, row.household_id) in banned:
            problems.append(f"{pair}: 同时被禁止 / also forbidden")
    slots, with_pins = cadres.set_index("cadre_id"), set(pinned["cadre_id"])
    for (cadre, pool), count in fixed.groupby(["cadre_id", "pool"]).size().items():
        if cadre in with_pins and count > slots.loc[cadre, f"{pool}_slots"]:
            problems.append(f"干部 {cadre} 的{POOL_ZH[pool]}名额为 {slots.loc[cadre, f'{pool}_slots']}，指定和保留的结对有 {count} 对 / "
                            f"cadre {cadre} has {slots.loc[cadre, f'{pool}_slots']} {pool} slots but {count} pinned or kept pairs")
    if problems:
        raise PairingInputError.said(*problems)


def _known_forbids(forbidden: pd.DataFrame, cadres: pd.DataFrame, households: pd.DataFrame) -> pd.DataFrame:
    """Forbidden pairs name cadres and households of the rosters (a typo would silently forbid nothing)."""
    if forbidden.empty:
        return forbidden
    cadre_ids, household_ids = set(cadres["cadre_id"]), set(households["household_id"])
    problems = [f"禁止的结对（{c}, {h}）：" + ("干部不在名册 / cadre not on the roster" if c not in cadre_ids
                                        else "农户不在名册 / household not on the roster")
                for c, h in zip(forbidden["cadre_id"], forbidden["household_id"]) if c not in cadre_ids or h not in household_ids]
    if problems:
        raise PairingInputError.said(*problems)
    return forbidden


def _fixed_pairs(households: pd.DataFrame, cadres: pd.DataFrame, existing: pd.DataFrame | None,
                 pins: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """Locked (kept from the earlier term) and pinned pairs; the earlier pairs that end, and why."""
    kept = _pairs(existing).assign(status=STATUS_LOCKED, reason="三年联系期内保持不变 / kept for the 3-year term")
    pinned = _pairs(pins).assign(status=STATUS_CONFIRMED, reason="规划人员指定 / pinned by the planner")
    candidates = pd.concat([pinned, kept], ignore_index=True).drop_duplicates(["cadre_id", "household_id"])
    if candidates.empty:
        return pd.DataFrame(columns=PAIR_COLUMNS), candidates.drop(columns="status"), pd.Series(dtype=str)
    in_pool = households[households["pool"] != ""].set_index("household_id")
    known_cadres = set(cadres["cadre_id"])
    cadre_left = ~candidates["cadre_id"].isin(known_cadres)
    household_left = ~candidates["household_id"].isin(in_pool.index)
    problems = [f"指定的结对（{c}, {h}）无法保留：" + ("干部不在名册 / cadre not on the roster" if cl else
                                                 "农户不在贫困户或党员户之列 / household in neither pool")
                for c, h, cl, hl, st in zip(candidates["cadre_id"], candidates["household_id"], cadre_left,
                                            household_left, candidates["status"])
                if st == STATUS_CONFIRMED and (cl or hl)]
    twice = candidates[~(cadre_left | household_left)].duplicated("household_id", keep=False)
    problems += [f"农户 {h} 被指定或保留给了两名干部 / household {h} is pinned or kept for two cadres" for h in
                 candidates[~(cadre_left | household_left)][twice]["household_id"].unique()]
    if problems:
        raise PairingInputError.said(*problems)

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


def _still_valid(fixed: pd.DataFrame, ended: pd.DataFrame, preferred_unit: pd.Series, cadres: pd.DataFrame, locality: str,
                 links: pd.DataFrame | None, existing: pd.DataFrame | None) -> tuple:
    """The kept pairs that still keep the rules the roster sets; the others end, with why: the household no longer in
    the cadre's unit's villages (or county: the cadre moved), or past the cadre's slots (a rank that links fewer: the
    highest class, then the nearest, are kept). A shorter distance limit, the planner's what-if, ends none (locked for
    the term). A colleague of the pair's unit is preferred for the household."""
    kept = fixed[fixed["status"] == STATUS_LOCKED]
    if kept.empty:
        return fixed, ended, preferred_unit
    why = pd.Series("", index=kept.index)
    if locality == "unit_villages":
        allowed = set(zip(links["unit_id"].astype(str), links["village_code"].astype(str)))
        outside = [(u, v) not in allowed for u, v in zip(kept["unit_id"], kept["village_code"])]
        why[outside] = "农户所在村已不是干部单位所联系的村 / the village is no longer one the cadre's unit links"
    elif locality == "county":
        county = kept["cadre_id"].map(cadres.set_index("cadre_id")["county_code"])
        why[(county != kept["county_code"]) & (why == "")] = "农户已不在干部所在县区 / the household is outside the cadre's county"
    valid = kept[why == ""].assign(order=lambda f: f["household_class"].map(CLASS_VALUE).fillna(0))
    valid = valid.sort_values(["cadre_id", "pool", "order", "distance_km", "household_id"], ascending=[True, True, False, True, True])
    slots = cadres.set_index("cadre_id")
    room = [slots.at[c, f"{pool}_slots"] for c, pool in zip(valid["cadre_id"], valid["pool"])]
    over = valid.groupby(["cadre_id", "pool"]).cumcount().to_numpy() >= np.array(room, dtype=int)
    why[valid.index[over]] = "干部名额减少（职级变化）/ the cadre's slots fell (a change of rank)"
    ending = kept[why != ""]
    if ending.empty:
        return fixed, ended, preferred_unit
    ended = pd.concat([ended, ending[["cadre_id", "household_id"]].assign(reason=why[ending.index].to_numpy())],
                      ignore_index=True)
    if existing is not None and "unit_id" in existing:
        unit = existing.drop_duplicates("household_id").set_index("household_id")["unit_id"]
        preferred_unit = pd.concat([preferred_unit, ending["household_id"].map(unit).set_axis(ending["household_id"]).dropna()])
    return fixed.drop(index=ending.index), ended, preferred_unit


# ---------------------------------------------------------------- one pool

def _instance(pool: str, households: pd.DataFrame, cadres: pd.DataFrame, setting: PairingSetting, forbidden: pd.DataFrame,
              individual: bool) -> PoolInstance:
    """The pool's transport problem: interchangeable cadres and households grouped (every cadre its
    own group when the planner's rules may tell cadres apart). Cadres whose slots are all taken by
    kept pairs stay, as groups without slots: households they could link are told so."""
    locality_key = {"unit_villages": "unit_id", "county": "county_code", "distance": None}[setting.locality]
    single = cadres["cadre_id"].isin(set(forbidden["cadre_id"])) | individual
    cadres = cadres.assign(single=np.where(single, cadres["cadre_id"], ""))
    by_unit = households["preferred_unit"].notna().any() and locality_key != "unit_id"  # same-unit takeover needs units
    c_cols = [c for c in (locality_key, "lat", "lon", "single") if c] + (["unit_id"] if by_unit else [])
    cadres["group"] = cadres.groupby(c_cols, sort=True, dropna=False).ngroup()
    c_groups = cadres.groupby("group").agg(slots=("slots", "sum"), lat=("lat", "first"), lon=("lon", "first"),
                                           unit_id=("unit_id", "first"), county_code=("county_code", "first"))

    households = households.assign(
        single=np.where(households["household_id"].isin(set(forbidden["household_id"])), households["household_id"], ""),
        value=households["household_class"].map(CLASS_VALUE).fillna(1.0))
    h_cols = ["value", "village_code", "county_code", "lat", "lon", "single", "preferred_unit"]
    households["group"] = households.groupby(h_cols, sort=True, dropna=False).ngroup()
    h_groups = households.groupby("group").agg(
        members=("household_id", "size"), value=("value", "first"), village_code=("village_code", "first"),
        county_code=("county_code", "first"), lat=("lat", "first"), lon=("lon", "first"),
        preferred_unit=("preferred_unit", "first"), household_class=("household_class", "first"))

    arcs = _allowed_arcs(c_groups, h_groups, setting.locality, setting.max_km, setting.links)
    banned = _banned_groups(cadres, households, forbidden)
    kept = ~pd.MultiIndex.from_arrays([arcs["c"], arcs["h"]]).isin(list(banned)) if banned else np.ones(len(arcs), bool)
    forbidden_only = np.zeros(len(h_groups), dtype=bool)
    forbidden_only[arcs["h"].to_numpy()[~kept]] = True
    forbidden_only[arcs["h"].to_numpy()[kept]] = False
    arcs = arcs[kept].reset_index(drop=True)
    bonus = c_groups["unit_id"].to_numpy()[arcs["c"]] == h_groups["preferred_unit"].to_numpy()[arcs["h"]]
    labels = ({2.0: (ABSOLUTE_POOR, "absolute poor"), 1.0: (LOW_INCOME, "low income")} if pool == "poor"
              else {1.0: (PARTY_HOUSEHOLD, "party-member")})
    problem = TransportProblem(
        capacity=c_groups["slots"].to_numpy(np.int64), demand=h_groups["members"].to_numpy(np.int64),
        value=h_groups["value"].to_numpy(), arc_supply=arcs["c"].to_numpy(), arc_demand=arcs["h"].to_numpy(),
        arc_km=arcs["km"].to_numpy(), arc_bonus=bonus.astype(float) if bonus.any() else None, value_labels=labels)
    rule_arcs = _rule_arcs(arcs, cadres, c_groups, h_groups, setting.townships) if individual else None
    return PoolInstance(pool, problem, households, cadres, c_groups, h_groups, bonus, forbidden_only, banned, rule_arcs)


def _allowed_arcs(c_groups: pd.DataFrame, h_groups: pd.DataFrame, locality: str, max_km: float,
                  links: pd.DataFrame | None) -> pd.DataFrame:
    """Every (cadre group, household group) the locality allows within `max_km`."""
    c = c_groups.reset_index().rename(columns={"group": "c"})
    h = h_groups.reset_index().rename(columns={"group": "h"})
    if locality == "distance":
        i, j, km = geo.pairs_within(c["lat"], c["lon"], h["lat"], h["lon"], max_km)
        return pd.DataFrame({"c": c["c"].to_numpy()[i], "h": h["h"].to_numpy()[j], "km": km})
    if locality == "unit_villages":
        joined = c[["c", "unit_id", "lat", "lon"]].merge(links[["unit_id", "village_code"]].astype(str), on="unit_id").merge(
            h[["h", "village_code", "lat", "lon"]], on="village_code", suffixes=("", "_h"))
    else:
        joined = c[["c", "county_code", "lat", "lon"]].merge(h[["h", "county_code", "lat", "lon"]], on="county_code",
                                                             suffixes=("", "_h"))
    km = geo.haversine_km(joined["lat"], joined["lon"], joined["lat_h"], joined["lon_h"])
    within = km <= max_km
    return pd.DataFrame({"c": joined["c"].to_numpy()[within], "h": joined["h"].to_numpy()[within], "km": km[within]})


def _banned_groups(cadres: pd.DataFrame, households: pd.DataFrame, forbidden: pd.DataFrame) -> frozenset:
    """The forbidden pairs as (cadre group, household group): both sides are groups of their own."""
    c_of = cadres.set_index("cadre_id")["group"]
    h_of = households.set_index("household_id")["group"]
    pairs = pd.DataFrame({"c": forbidden["cadre_id"].map(c_of), "h": forbidden["household_id"].map(h_of)}).dropna()
    return frozenset(zip(pairs["c"].astype(int), pairs["h"].astype(int)))


def _rule_arcs(arcs: pd.DataFrame, cadres: pd.DataFrame, c_groups: pd.DataFrame, h_groups: pd.DataFrame,
               townships: pd.Series) -> pd.DataFrame:
    """One row per allowed arc, described for the planner's rules (each cadre is its own group here)."""
    cadre = cadres.drop_duplicates("group").set_index("group")
    table = pd.DataFrame({
        "cadre_id": cadre["cadre_id"].reindex(arcs["c"]).to_numpy(), "cadre_name": cadre["name"].reindex(arcs["c"]).to_numpy(),
        "unit_id": cadre["unit_id"].reindex(arcs["c"]).to_numpy(), "rank": cadre["rank"].reindex(arcs["c"]).to_numpy(),
        "cadre_county_code": cadre["county_code"].reindex(arcs["c"]).to_numpy(),
        "slots": c_groups["slots"].reindex(arcs["c"]).to_numpy(),
        "village_code": h_groups["village_code"].reindex(arcs["h"]).to_numpy(),
        "county_code": h_groups["county_code"].reindex(arcs["h"]).to_numpy(),
        "household_class": h_groups["household_class"].reindex(arcs["h"]).to_numpy(),
        "households": h_groups["members"].reindex(arcs["h"]).to_numpy()})
    table["township_code"] = table["village_code"].map(townships)
    return table[RULE_COLUMNS]


def _hand_out(solution: TransportSolution, problem: TransportProblem, cadres: pd.DataFrame, households: pd.DataFrame,
              pool: str, bonus: np.ndarray) -> pd.DataFrame:
    """Individual pairs from group flows: each cadre's slots taken in turn (everyone's first slot first)."""
    arc = np.repeat(solution.arc, solution.flow)
    c_group, h_group = problem.arc_supply[arc], problem.arc_demand[arc]

    taken = pd.Series(c_group).value_counts()
    used = cadres[cadres["group"].isin(taken.index)]
    slots = used.loc[used.index.repeat(used["slots"].clip(upper=used["group"].map(taken))), ["cadre_id", "group"]]
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
