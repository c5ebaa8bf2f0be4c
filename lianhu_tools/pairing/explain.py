"""Why a household is left uncovered, and the cheapest change that would cover it.

Read from the optimal pairing's residual network (`prices`), not by re-solving per household:
- a household group that a cadre with a free slot may serve is left only by a planner's rule or an
  unproven solve (else there would be an augmenting path) — the reason says which;
- a group whose allowed cadres are all full: one more slot at the nearest of them from which no
  household of a higher class is waiting covers one more of its class;
- a group no cadre may serve is blocked by a rule: its village is linked by no unit, the cadres
  allowed are beyond the distance limit, forbidden, or have no slot of the kind; the fix names the
  unit to link, the limit (km) that reaches the nearest cadre with a free slot, or the rank's quota.
The marginal value of slots by county and rank is the maximum flow their extra slots can push
through the residual network to the households left short. Villages: `explain_villages`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .. import geo
from ..schema import RANKS
from .prices import Residual
from .problem import TransportProblem

POOL_ZH = {"poor": "贫困户", "party": "党员户"}
POOL_EN = {"poor": "poor-household", "party": "party-member-household"}

HOUSEHOLD_REASONS = {  # code: (中文, English); {limit} is the distance limit, {km} the nearest candidate
    "cadres_full": ("可联系它的干部（{limit:g} km 内）名额已用满", "every cadre allowed to link it (within {limit:g} km) is full"),
    "village_unlinked": ("所在村没有单位联系，按“本单位所联系的村”规则没有干部可联",
                         "its village is linked by no unit, so under the unit-village rule no cadre may link it"),
    "linking_unit_out_of_reach": ("联系本村的单位在 {limit:g} km 内没有可联的干部（最近的在 {km:.1f} km 外）",
                                  "the unit linking its village has no cadre within {limit:g} km (the nearest is {km:.1f} km away)"),
    "linking_unit_no_cadre": ("联系本村的单位没有尚有此类名额的干部", "the unit linking its village has no cadre with a slot of this kind"),
    "county_out_of_reach": ("本县区在 {limit:g} km 内没有可联的干部（最近的在 {km:.1f} km 外）",
                            "no cadre of its county within {limit:g} km (the nearest is {km:.1f} km away)"),
    "no_cadre_in_county": ("本县区没有尚有此类名额的干部", "no cadre of its county has a slot of this kind"),
    "out_of_reach": ("{limit:g} km 内没有可联的干部（最近的在 {km:.1f} km 外）",
                     "no cadre within {limit:g} km (the nearest is {km:.1f} km away)"),
    "no_cadre": ("没有尚有此类名额的干部", "no cadre has a slot of this kind"),
    "forbidden": ("可联系它的干部均被规划人员禁止", "every cadre allowed to link it is forbidden by the planner"),
    "planner_rule": ("规划人员的规则（{rules}）使尚有名额的干部不能联系它", "the planner's rules ({rules}) keep cadres with free slots from it"),
    "not_proven": ("求解未证明最优：尚有名额的干部本可联系它", "the solve is not proven optimal: a cadre with a free slot could link it"),
}
FIXES = {  # kind: (中文, English) — each says what it is sure to cover
    "slot": ("给{unit}的{rank}增加 1 个{pool}名额（{km:.1f} km），可多覆盖 1 户{cls}",
             "one more {pool_en} slot for a cadre ({rank}) of {unit} ({km:.1f} km) covers one more {cls_en} household"),
    "slot_first": ("给{unit}的{rank}增加 1 个{pool}名额（{km:.1f} km）：该名额会先覆盖更优先的{higher}",
                   "one more {pool_en} slot for a cadre ({rank}) of {unit} ({km:.1f} km) first covers a higher-priority household "
                   "({higher_en})"),
    "link": ("将本村交由{unit}联系（其有空余名额的干部在 {km:.1f} km），至少多覆盖 1 户",
             "link its village to {unit} (its cadre with a free slot is {km:.1f} km away): at least one more covered"),
    "limit": ("将距离上限提高到 {fix_km:.1f} km，{unit}有空余名额的干部即可联系本户，至少多覆盖 1 户",
              "raise the limit to {fix_km:.1f} km: a cadre of {unit} with a free slot can link it (at least one more covered)"),
    "link_more": ("将本村交由{unit}联系并提高其联村上限（其有空余名额的干部在 {km:.1f} km），至少多覆盖 1 户",
                  "link its village to {unit}, raising its village maximum (its cadre with a free slot is {km:.1f} km away): "
                  "at least one more covered"),
    "quota": ("{rank}现在没有{pool}名额：政策给{rank} 1 个{pool}名额后，{unit}的{rank}（{km:.1f} km）即可联系本户，至少多覆盖 1 户",
              "the rank {rank} has no {pool_en} slot: with one in the policy, a cadre ({rank}) of {unit} ({km:.1f} km) "
              "can link it (at least one more covered)"),
    "link_limit": ("将本村交由{unit}联系，并将距离上限提高到 {fix_km:.1f} km，至少多覆盖 1 户",
                   "link its village to {unit} and raise the limit to {fix_km:.1f} km: at least one more covered"),
    "slot_limit": ("将距离上限提高到 {fix_km:.1f} km，并给{unit}的{rank}增加 1 个{pool}名额，至少多覆盖 1 户",
                   "raise the limit to {fix_km:.1f} km and give a cadre ({rank}) of {unit} one more {pool_en} slot: "
                   "at least one more covered"),
    "unforbid": ("取消规划人员禁止的结对", "lift the planner's forbids"),
    "relax": ("放宽规划人员的规则（{rules}）", "relax the planner's rules ({rules})"),
    "time": ("提高求解时间上限（time_limit_s）后重新结对", "pair again with a longer time limit (time_limit_s)"),
    "none": ("须增加可联户的干部", "more cadres who may link households are needed"),
}
REASON_SHORT = {  # for the county tables
    "cadres_full": "名额已满", "village_unlinked": "村无单位联系", "linking_unit_out_of_reach": "联村单位干部超出距离",
    "linking_unit_no_cadre": "联村单位无此类名额", "county_out_of_reach": "本县区干部超出距离", "no_cadre_in_county": "本县区无此类名额",
    "out_of_reach": "超出距离", "no_cadre": "无此类名额", "forbidden": "被禁止", "planner_rule": "规划人员规则",
    "not_proven": "未证明最优",
}
UNCOVERED_COLUMNS = ["household_id", "village_code", "county_code", "household_class", "pool", "reason_code",
                     "reason_zh", "reason_en", "fix_kind", "fix_zh", "fix_en", "fix_unit_id", "fix_rank", "fix_km",
                     "nearest_free_cadre_km"]


@dataclass
class PoolInstance:
    """One pool as a transport problem, with the groups it was built from."""

    pool: str  # "poor" or "party"
    problem: TransportProblem
    households: pd.DataFrame  # the pool's households left to pair, with their demand group
    cadres: pd.DataFrame  # cadres whose rank has slots in this pool, with their supply group
    cadre_groups: pd.DataFrame  # per supply group (index = group): slots, lat, lon, unit_id, county_code
    household_groups: pd.DataFrame  # per demand group (index = group): members, value, village_code, county_code, lat, lon
    bonus: np.ndarray  # per arc: a colleague of the household's earlier unit
    forbidden_only: np.ndarray  # per demand group: every allowed arc forbidden by the planner
    banned: frozenset  # (supply group, demand group) pairs the planner forbade
    rule_arcs: pd.DataFrame | None  # one row per arc, for the planner's rules


@dataclass(frozen=True)
class PairingSetting:
    """What every pool shares: where cadres may link households, and the names explanations use."""

    locality: str
    max_km: float
    links: pd.DataFrame | None
    units: pd.DataFrame  # unit_id, unit_name, unit_level, county_code
    townships: pd.Series  # village_code → township_code
    units_with_room: set  # units that may link one more village (unit_villages)


@dataclass
class HouseholdPool:
    """One pool's solved instance, as the explanations read it."""

    instance: PoolInstance
    setting: PairingSetting
    arc_flow: np.ndarray
    idle: pd.DataFrame  # cadres without a slot in this pool by their rank's quota: cadre_id, unit_id, rank, county_code, lat, lon
    rules: tuple[str, ...] = ()  # the planner's rules (their names) the pairing kept
    proven: bool = True  # every level proven optimal

    @cached_property
    def residual(self) -> Residual:
        """The residual network of the pool's pairing (built once)."""
        return Residual(self.instance.problem, self.arc_flow)

    @property
    def exact(self) -> bool:
        """The residual network tells the whole truth: no planner rule, and a proven optimum."""
        return not self.rules and self.proven


def uncovered_households(pool: HouseholdPool, paired: set) -> pd.DataFrame:
    """Each household of the pool left without a cadre, with the binding reason and the cheapest fix."""
    left = pool.instance.households[~pool.instance.households["household_id"].isin(paired)]
    if left.empty:
        return pd.DataFrame(columns=UNCOVERED_COLUMNS)
    groups = np.unique(left["group"].to_numpy())
    why = _group_reasons(pool, groups).set_index("group")
    frame = left[["household_id", "village_code", "county_code", "household_class", "group"]].join(why, on="group")
    return frame.assign(pool=pool.instance.pool)[UNCOVERED_COLUMNS].reset_index(drop=True)


@dataclass
class _Candidate:
    """For each demand group: the nearest supply group (or idle cadre) found, and its distance."""

    index: np.ndarray  # into the candidates (-1: none)
    km: np.ndarray

    @property
    def found(self) -> np.ndarray:
        return self.index >= 0


def _group_reasons(pool: HouseholdPool, groups: np.ndarray) -> pd.DataFrame:
    """Reasons and fixes for the demand groups left short, all at once, the first that applies:
    a cadre with a free slot may link it (only a planner's rule or an unproven solve leaves it), the
    cadres allowed are full, the planner forbade them, or a locality rule or the limit blocks it."""
    residual = pool.residual
    h = pool.instance.household_groups.loc[groups]
    supply = pool.instance.cadre_groups.assign(free=residual.free)
    verdict = _Verdict(len(groups), _group_labels(pool).reindex(supply.index))
    free = supply["free"].to_numpy() > 0
    _, free_km = geo.nearest(h["lat"], h["lon"], supply["lat"].to_numpy()[free], supply["lon"].to_numpy()[free])

    free_next = np.zeros(residual.n_d, dtype=bool)  # a supply group with a free slot may serve it
    free_next[pool.instance.problem.arc_demand[free[pool.instance.problem.arc_supply]]] = True
    if pool.rules:
        verdict.settle(free_next[groups], "planner_rule", "relax")
    elif not pool.proven:
        verdict.settle(free_next[groups], "not_proven", "time")
    adjacent = nearest_full_arc(pool.instance.problem, residual, groups)
    has_arc = adjacent["supply"].notna().to_numpy()
    verdict.settle_at(has_arc & ~adjacent["first"].to_numpy(bool), "cadres_full", "slot", adjacent["supply"], adjacent["km"])
    verdict.settle_at(has_arc, "cadres_full", "slot_first", adjacent["supply"], adjacent["km"])
    verdict.settle(pool.instance.forbidden_only[groups], "forbidden", "unforbid")

    keys, idle_keys, unit_keys = _locality_keys(pool, h, supply)
    far, nobody = {"unit_villages": ("linking_unit_out_of_reach", "linking_unit_no_cadre"),
                   "county": ("county_out_of_reach", "no_cadre_in_county"), "distance": ("out_of_reach", "no_cadre")}[pool.setting.locality]
    position = {g: k for k, g in enumerate(groups)}
    banned = {(c, position[g]) for c, g in pool.instance.banned if g in position}
    if pool.setting.locality == "unit_villages":
        unlinked = ~h["village_code"].isin(set(pool.setting.links["village_code"].astype(str))).to_numpy()
        may_link = _county_keys(pool, h, supply)  # county units link their own county's villages only
        roomy = free & supply["unit_id"].isin(pool.setting.units_with_room).to_numpy()
        link = _nearest(h, supply, may_link[0], np.where(roomy, may_link[1], None).astype(object), banned)
        crowded = _nearest(h, supply, may_link[0], np.where(free, may_link[1], None).astype(object), banned)
        near = link.found & (link.km <= pool.setting.max_km)
        verdict.settle_at(unlinked & near, "village_unlinked", "link", link.index, link.km)
        verdict.settle_at(unlinked & link.found, "village_unlinked", "link_limit", link.index, link.km)
        verdict.settle_at(unlinked & crowded.found, "village_unlinked", "link_more", crowded.index, crowded.km)
        verdict.settle(unlinked, "village_unlinked", "none")
    spare = _nearest(h, supply, keys, np.where(free, unit_keys, None).astype(object), banned)
    verdict.settle_at(spare.found, far, "limit", spare.index, spare.km)
    anyone = _nearest(h, supply, keys, unit_keys, banned)
    verdict.settle_at(anyone.found, far, "slot_limit", anyone.index, anyone.km)
    idle = _nearest(h, pool.idle, keys, idle_keys)
    verdict.settle_idle(idle.found & (idle.km <= pool.setting.max_km), nobody, pool.idle, idle)
    verdict.settle(np.ones(len(groups), dtype=bool), nobody, "none")

    classes = pool.instance.problem.value_labels
    value = h["value"].to_numpy()
    higher = {v: [classes[u] for u in sorted(classes, reverse=True) if u > v] for v in np.unique(value)}
    rows = [_reason(code, limit=pool.setting.max_km, km=km, rules="、".join(pool.rules))
            | _fix(kind, pool, unit, rank, km, classes.get(v, ("", "")), (higher.get(v) or [("", "")])[0])
            for code, kind, unit, rank, km, v in zip(verdict.code, verdict.kind, verdict.unit, verdict.rank, verdict.km, value)]
    frame = pd.DataFrame(rows)
    frame["group"] = groups
    frame["nearest_free_cadre_km"] = np.where(np.isfinite(free_km), np.round(free_km, 1), np.nan)
    return frame


class _Verdict:
    """Per demand group: the reason and fix found so far; the first that applies wins."""

    def __init__(self, n: int, label: pd.DataFrame):
        self.label = label  # per supply group: the unit and rank a fix names
        self.code = np.full(n, "", dtype=object)
        self.kind = np.full(n, "none", dtype=object)
        self.unit = np.full(n, None, dtype=object)
        self.rank = np.full(n, None, dtype=object)
        self.km = np.full(n, np.nan)

    def settle(self, mask: np.ndarray, code: str, kind: str) -> np.ndarray:
        mask = np.asarray(mask, dtype=bool) & (self.code == "")
        self.code[mask], self.kind[mask] = code, kind
        return mask

    def settle_at(self, mask: np.ndarray, code: str, kind: str, supply, km) -> None:
        """Settle naming a supply group (its unit and rank) and a distance."""
        mask = self.settle(mask, code, kind)
        at = np.asarray(pd.Series(supply).fillna(-1), dtype=np.int64)[mask]
        self.unit[mask] = self.label["unit_id"].to_numpy()[at]
        self.rank[mask] = self.label["rank"].to_numpy()[at]
        self.km[mask] = np.asarray(km, dtype=float)[mask]

    def settle_idle(self, mask: np.ndarray, code: str, idle: pd.DataFrame, found: _Candidate) -> None:
        """Settle naming a cadre whose rank has no slot in this pool: the rank's quota is the fix."""
        mask = self.settle(mask, code, "quota")
        self.unit[mask] = idle["unit_id"].to_numpy()[found.index[mask]]
        self.rank[mask] = idle["rank"].to_numpy()[found.index[mask]]
        self.km[mask] = found.km[mask]


def _locality_keys(pool: HouseholdPool, h: pd.DataFrame, supply: pd.DataFrame):
    """Which candidates each demand group may have under the locality: matching keys (a village's
    linking units, the county, or anyone)."""
    if pool.setting.locality == "unit_villages":
        linking = pool.setting.links.astype({"unit_id": str, "village_code": str}).groupby("village_code")["unit_id"].agg(frozenset)
        keys = h["village_code"].map(linking).to_numpy(dtype=object)
        return keys, pool.idle["unit_id"].to_numpy(dtype=object), supply["unit_id"].to_numpy(dtype=object)
    if pool.setting.locality == "county":
        return (h["county_code"].to_numpy(dtype=object), pool.idle["county_code"].to_numpy(dtype=object),
                supply["county_code"].to_numpy(dtype=object))
    return (np.zeros(len(h), dtype=object), np.zeros(len(pool.idle), dtype=object), np.zeros(len(supply), dtype=object))


def _nearest(h: pd.DataFrame, candidates: pd.DataFrame, point_keys: np.ndarray, candidate_keys: np.ndarray,
             banned: set = frozenset()) -> _Candidate:
    """For each demand group, the nearest candidate with a key it allows (its key, or one of a set
    of keys; None or NaN: allows or offers nothing), never a (candidate, group position) in `banned`."""
    found = _nearest_allowed(h, candidates, point_keys, candidate_keys)
    for point in sorted({p for c, p in banned if found.index[p] == c}):  # few: forbidden pairs are singled out
        allowed = [c for c in range(len(candidates)) if (c, point) not in banned and _allows(point_keys[point], candidate_keys[c])]
        km = geo.haversine_km(h["lat"].iloc[point], h["lon"].iloc[point], candidates["lat"].to_numpy()[allowed],
                              candidates["lon"].to_numpy()[allowed])
        found.index[point], found.km[point] = (allowed[int(np.argmin(km))], float(np.min(km))) if allowed else (-1, np.inf)
    return found


def _allows(point_key, candidate_key) -> bool:
    if candidate_key is None or (isinstance(candidate_key, float) and np.isnan(candidate_key)):
        return False
    if isinstance(point_key, frozenset):
        return candidate_key in point_key
    return not (isinstance(point_key, float) and np.isnan(point_key)) and point_key == candidate_key


def _county_keys(pool: HouseholdPool, h: pd.DataFrame, supply: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Keys by which a village may be linked: a county-level unit its own county's, the others any."""
    units = pool.setting.units.set_index("unit_id")
    level = supply["unit_id"].map(units["unit_level"])
    unit_key = np.where(level == "县", supply["unit_id"].map(units["county_code"]), "*").astype(object)
    point_key = np.array([frozenset({county, "*"}) for county in h["county_code"]], dtype=object)
    return point_key, unit_key


def _nearest_allowed(h: pd.DataFrame, candidates: pd.DataFrame, point_keys: np.ndarray, candidate_keys: np.ndarray) -> _Candidate:
    index, km = np.full(len(h), -1), np.full(len(h), np.inf)
    if not len(candidates) or not len(h):
        return _Candidate(index, km)
    points = pd.DataFrame({"point": np.arange(len(h)), "key": point_keys}).explode("key").dropna()
    owners = pd.DataFrame({"candidate": np.arange(len(candidates)), "key": candidate_keys}).dropna()
    sizes = points["key"].value_counts().mul(owners["key"].value_counts(), fill_value=0)
    lat, lon = h["lat"].to_numpy(), h["lon"].to_numpy()
    c_lat, c_lon = candidates["lat"].to_numpy(), candidates["lon"].to_numpy()
    if sizes.sum() <= 5_000_000:  # every allowed (group, candidate) at once
        pairs = points.merge(owners, on="key")
        pairs["km"] = geo.haversine_km(lat[pairs["point"]], lon[pairs["point"]], c_lat[pairs["candidate"]], c_lon[pairs["candidate"]])
        best = pairs.sort_values("km", kind="stable").drop_duplicates("point")
        index[best["point"]], km[best["point"]] = best["candidate"], best["km"]
        return _Candidate(index, km)
    offered = owners.groupby("key")["candidate"].agg(np.asarray)
    for key, wanted in points.groupby("key")["point"]:  # few keys, many candidates: a search tree per key
        if key not in offered.index:
            continue
        members, wanted = offered[key], wanted.to_numpy()
        near, near_km = geo.nearest(lat[wanted], lon[wanted], c_lat[members], c_lon[members])
        better = near_km < km[wanted]
        index[wanted[better]], km[wanted[better]] = members[near[better]], near_km[better]
    return _Candidate(index, km)


def nearest_full_arc(problem: TransportProblem, residual: Residual, groups: np.ndarray) -> pd.DataFrame:
    """For each demand group with allowed arcs: the nearest supply group allowed to serve it from
    which no group of a higher class left short can be reached (one more slot there covers one more
    of this class); else the nearest, marked `first` (its new slot goes to a higher class first)."""
    value = np.asarray(problem.value)
    reaches_higher = {v: residual.leading_to(residual.missing_mask(value > v))[:residual.n_s] for v in np.unique(value[groups])}
    chosen = np.flatnonzero(np.isin(problem.arc_demand, groups))
    arcs = pd.DataFrame({"demand": problem.arc_demand[chosen], "supply": problem.arc_supply[chosen], "km": problem.arc_km[chosen]})
    first = np.zeros(len(arcs), dtype=bool)
    for v, reaches in reaches_higher.items():
        of_class = value[arcs["demand"].to_numpy()] == v
        first[of_class] = reaches[arcs["supply"].to_numpy()[of_class]]
    arcs["first"] = first
    best = arcs.sort_values(["demand", "first", "km"], kind="stable").drop_duplicates("demand").set_index("demand")
    return best.reindex(groups)


def _group_labels(pool: HouseholdPool) -> pd.DataFrame:
    """Each supply group's unit and rank as a fix names them: its most common (unit, rank)."""
    counts = pool.instance.cadres.groupby(["group", "unit_id", "rank"], observed=True).size().rename("n").reset_index()
    counts = counts.sort_values(["group", "n"], ascending=[True, False], kind="stable").drop_duplicates("group")
    return counts.set_index("group")[["unit_id", "rank"]]


def texts(table: dict, code: str, **values) -> tuple[str, str]:
    """The Chinese and English texts of `code` in `table`, filled in."""
    zh, en = table[code]
    return zh.format(**values), en.format(**values)


def _reason(code: str, **values) -> dict:
    zh, en = texts(HOUSEHOLD_REASONS, code, **values)
    return {"reason_code": code, "reason_zh": zh, "reason_en": en}


def _fix(kind: str, pool: HouseholdPool, unit_id=None, rank=None, km: float = np.nan, cls=("", ""),
         higher=("", "")) -> dict:
    fix_km = round_up_km(km)
    names = pool.setting.units.set_index("unit_id")["unit_name"]
    unit = f"{names.get(unit_id, unit_id)}（{unit_id}）" if unit_id is not None else ""
    rank_label = "" if rank is None else rank if str(rank).endswith("干部") else f"{rank}干部"
    values = {"unit": unit, "rank": rank_label, "km": km, "fix_km": fix_km, "pool": POOL_ZH[pool.instance.pool],
              "pool_en": POOL_EN[pool.instance.pool], "cls": cls[0], "cls_en": cls[1], "higher": higher[0], "higher_en": higher[1],
              "rules": "、".join(pool.rules)}
    zh, en = texts(FIXES, kind, **values)
    return {"fix_kind": kind, "fix_zh": zh, "fix_en": en, "fix_unit_id": unit_id,
            "fix_rank": rank, "fix_km": round_up_km(km) if kind in ("limit", "link_limit", "slot_limit") else np.nan}


def round_up_km(km: float) -> float:
    """A distance limit that reaches `km`: rounded up to the next 0.1 km."""
    return float(np.ceil(km * 10) / 10) if np.isfinite(km) else np.nan


def marginal_slots(pool: HouseholdPool) -> pd.DataFrame:
    """One more slot for every cadre of a rank in a county: how many more of the pool's households
    would be covered — the maximum flow of those slots through the residual network: exact for a
    proven pairing without planner rules (`exact` column; with rules, an upper estimate)."""
    residual = pool.residual
    relevant = residual.leading_to_missing() if (residual.missing > 0).any() else np.zeros(residual.n_s + residual.n_d, bool)
    rows = []
    for (county, rank), cadres in pool.instance.cadres.groupby(["county_code", "rank"], sort=True, observed=True):
        extra = np.bincount(cadres["group"].to_numpy(), minlength=residual.n_s)
        covered = residual.extra_coverage(extra, relevant) if relevant[:residual.n_s][extra > 0].any() else 0
        rows.append((county, pool.instance.pool, rank, len(cadres), covered))
    frame = pd.DataFrame(rows, columns=["county_code", "pool", "rank", "cadres", "extra_covered"]).assign(exact=pool.exact)
    frame["rank"] = pd.Categorical(frame["rank"], RANKS, ordered=True)
    return frame.sort_values(["county_code", "rank"]).assign(rank=lambda f: f["rank"].astype(str)).reset_index(drop=True)


def shortages_by_county(pool: str, listed: pd.DataFrame, pairs: pd.DataFrame, uncovered: pd.DataFrame) -> pd.DataFrame:
    """By county: the pool's households, how many are covered, how many not and why — the same
    households as the uncovered list."""
    total = listed.groupby("county_code").size()
    covered = pairs.groupby("county_code").size()
    short = uncovered.groupby("county_code").size()
    frame = pd.DataFrame({"households": total, "covered": covered, "uncovered": short}).fillna(0).astype(int)
    why = (uncovered.groupby(["county_code", "reason_code"]).size().rename("n").reset_index()
           .assign(text=lambda f: f["reason_code"].map(REASON_SHORT) + " " + f["n"].astype(str)))
    frame["reasons"] = why.groupby("county_code")["text"].agg("；".join).reindex(frame.index).fillna("")
    return frame.reset_index(names="county_code").assign(pool=pool)[["county_code", "pool", "households", "covered",
                                                                      "uncovered", "reasons"]]
