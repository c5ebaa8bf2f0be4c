"""Why a target village is left without a unit, or a unit below its minimum, and what would change it.

A village that units may link is left only when all of them are at their limit: the fix names the
nearest one and the limit that binds it (its kind's maximum, its staff, or both). A village no unit
may link is out of reach (the fix: the distance limit that reaches a unit with room) or every unit is
full. A unit below its minimum is short of staff, has no target village in reach, or the villages in
reach are needed by units at their own minimum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import geo
from .explain import nearest_full_arc, round_up_km, texts
from .prices import Residual
from .problem import TransportProblem

VILLAGE_REASONS = {
    "units_full": ("可联系它的单位（{limit:g} km 内）均已达联村上限", "every unit allowed to link it (within {limit:g} km) is at its limit"),
    "out_of_reach": ("{limit:g} km 内没有尚可联村的单位（最近的在 {km:.1f} km 外）",
                     "no unit with room within {limit:g} km (the nearest is {km:.1f} km away)"),
    "no_unit": ("没有尚可联村的单位（各单位均已达上限或干部不足）", "no unit has room (all at their limits or short of staff)"),
}
VILLAGE_FIXES = {
    "policy_max": ("{unit}多联 1 个村（{unit_kind}的联村上限提高到 {more}）",
                   "{unit} links one more village ({unit_kind} maximum raised to {more})"),
    "policy_max_staff": ("{unit}多联 1 个村：{unit_kind}的联村上限提高到 {more}，并再有 {cadres} 名可派干部（{km:.1f} km）",
                         "{unit} links one more village: {unit_kind} maximum raised to {more} and {cadres} more cadres ({km:.1f} km)"),
    "staff": ("{unit}再有 {cadres} 名可派干部即可多派一个工作队（{km:.1f} km）",
              "{unit} needs {cadres} more cadres to staff one more team ({km:.1f} km)"),
    "limit": ("将距离上限提高到 {fix_km:.1f} km（{unit}尚可联村）", "raise the limit to {fix_km:.1f} km ({unit} has room)"),
    "none": ("须增加联村单位或提高联村上限", "more units, or higher limits, are needed"),
}
SHORT_UNIT_FIXES = {
    "staff": ("再增加 {more} 名干部", "{more} more cadres"),
    "limit": ("最近的可联目标村在 {fix_km:.1f} km：只有提高距离上限才可能多联（其他单位也可能需要这些村）",
              "the nearest target village it may link is {fix_km:.1f} km away: only a longer limit can bring more "
              "(other units may need those villages too)"),
}
SHORT_UNIT_REASONS = {
    "staff": ("干部人数 {headcount} 人，按每村至少 {team} 人只能派 {staffable} 个工作队",
              "{headcount} cadres staff only {staffable} teams of {team}"),
    "no_village_in_reach": ("{limit:g} km 内没有目标村（最近的在 {km:.1f} km 外）",
                            "no target village within {limit:g} km (the nearest is {km:.1f} km away)"),
    "villages_taken": ("{limit:g} km 内的目标村均由其他单位联系，且这些单位也须达到各自的下限",
                       "the target villages within {limit:g} km are linked by units that need them for their own minimum"),
    "no_village_allowed": ("没有允许它联系的目标村（县级单位只联本县区的村）",
                           "no target village it may link (county units link their own county's only)"),
}


def unlinked_villages(villages: pd.DataFrame, units: pd.DataFrame, bounds: pd.DataFrame, problem: TransportProblem,
                      arc_flow: np.ndarray, max_km: float, team_min: pd.Series) -> pd.DataFrame:
    """Each target village left without a unit: the binding reason and the cheapest fix."""
    residual = Residual(problem, arc_flow)
    left = np.flatnonzero(residual.missing > 0)
    columns = ["village_code", "village_name", "county_code", "reason_code", "reason_zh", "reason_en", "fix_kind",
               "fix_zh", "fix_en", "fix_unit_id", "fix_km"]
    if not len(left):
        return pd.DataFrame(columns=columns)
    adjacent = nearest_full_arc(problem, residual, left).dropna(subset=["supply"])
    rows = []
    for village in left:
        where = villages.iloc[village]
        base = {"village_code": where["village_code"], "village_name": where["village_name"], "county_code": where["county_code"]}
        if village in adjacent.index:
            unit, km = int(adjacent.loc[village, "supply"]), float(adjacent.loc[village, "km"])
            rows.append(base | _village_reason("units_full", limit=max_km) | _unit_fix(units, bounds, unit, km, team_min))
            continue
        room = (residual.free > 0) & may_link(units["unit_level"], units["county_code"], where["county_code"])
        if not room.any():
            rows.append(base | _village_reason("no_unit") | _named_fix("none"))
            continue
        km = geo.haversine_km(where["lat"], where["lon"], units["lat"].to_numpy()[room], units["lon"].to_numpy()[room])
        unit = np.flatnonzero(room)[int(np.argmin(km))]
        rows.append(base | _village_reason("out_of_reach", limit=max_km, km=float(km.min()))
                    | _named_fix("limit", unit=_unit_name(units, unit), km=float(km.min()), unit_id=units["unit_id"].iloc[unit]))
    return pd.DataFrame(rows, columns=columns)


def may_link(unit_level, unit_county, village_county) -> np.ndarray:
    """Whether units may link villages (element-wise): a county-level unit only its own county's."""
    return (np.asarray(unit_level) != "县") | (np.asarray(unit_county) == np.asarray(village_county))


def _unit_fix(units: pd.DataFrame, bounds: pd.DataFrame, unit: int, km: float, team_min: pd.Series) -> dict:
    """What lets a full unit take one more village: a higher maximum for its kind, more staff, or both."""
    kind, maximum = units["unit_kind"].iloc[unit], int(bounds["maximum"].iloc[unit])
    team = int(max(team_min[kind], 1))
    values = {"unit": _unit_name(units, unit), "unit_kind": kind, "more": maximum + 1, "km": km,
              "cadres": max(team * (maximum + 1) - int(units["headcount"].iloc[unit]), 1), "unit_id": units["unit_id"].iloc[unit]}
    staff_binds = bounds["staffable"].iloc[unit] <= bounds["policy_maximum"].iloc[unit]
    policy_binds = bounds["policy_maximum"].iloc[unit] <= bounds["staffable"].iloc[unit]
    return _named_fix("policy_max_staff" if staff_binds and policy_binds else "staff" if staff_binds else "policy_max", **values)


def _unit_name(units: pd.DataFrame, unit: int) -> str:
    return f"{units['unit_name'].iloc[unit]}（{units['unit_id'].iloc[unit]}）"


def _village_reason(code: str, **values) -> dict:
    zh, en = texts(VILLAGE_REASONS, code, **values)
    return {"reason_code": code, "reason_zh": zh, "reason_en": en}


def _named_fix(kind: str, unit_id=None, km: float = np.nan, **values) -> dict:
    zh, en = texts(VILLAGE_FIXES, kind, **values, km=km, fix_km=round_up_km(km))
    return {"fix_kind": kind, "fix_zh": zh, "fix_en": en, "fix_unit_id": unit_id,
            "fix_km": round_up_km(km) if kind == "limit" else np.nan}


def short_units(units: pd.DataFrame, bounds: pd.DataFrame, problem: TransportProblem, used: np.ndarray,
                villages: pd.DataFrame, max_km: float, team_min: pd.Series) -> pd.DataFrame:
    """Units below their minimum, with the binding reason and, where a longer reach helps, the limit."""
    below = np.flatnonzero(used < bounds["minimum"].to_numpy())
    has_arc = np.isin(below, problem.arc_supply)
    village_county = villages["county_code"].to_numpy()
    in_county = pd.Series(np.arange(len(villages))).groupby(village_county).agg(np.asarray)
    everywhere = np.arange(len(villages))
    rows = []
    for unit, arc in zip(below, has_arc):
        kind = units["unit_kind"].iloc[unit]
        base = {"unit_id": units["unit_id"].iloc[unit], "unit_name": units["unit_name"].iloc[unit], "linked": int(used[unit]),
                "minimum": int(bounds["minimum"].iloc[unit])}
        fix = {"fix_zh": "", "fix_en": "", "fix_km": np.nan}
        if bounds["staffable"].iloc[unit] < bounds["minimum"].iloc[unit]:
            team = int(max(team_min[kind], 1))
            code, values = "staff", {"headcount": int(units["headcount"].iloc[unit]), "team": team,
                                     "staffable": int(bounds["staffable"].iloc[unit])}
            more = team * int(bounds["minimum"].iloc[unit]) - int(units["headcount"].iloc[unit])
            fix = dict(zip(("fix_zh", "fix_en"), texts(SHORT_UNIT_FIXES, "staff", more=more))) | {"fix_km": np.nan}
        else:
            county_unit = units["unit_level"].iloc[unit] == "县"
            allowed = in_county.get(units["county_code"].iloc[unit], np.zeros(0, dtype=int)) if county_unit else everywhere
            km = geo.haversine_km(units["lat"].iloc[unit], units["lon"].iloc[unit], villages["lat"].to_numpy()[allowed],
                                  villages["lon"].to_numpy()[allowed])
            beyond = km[km > max_km]
            code = "villages_taken" if arc else "no_village_in_reach" if len(beyond) else "no_village_allowed"
            values = {"limit": max_km, "km": float(beyond.min()) if len(beyond) else np.nan}
            if len(beyond):  # a longer limit is the only way to more villages; others may still need them
                fix_km = round_up_km(float(beyond.min()))
                fix = dict(zip(("fix_zh", "fix_en"), texts(SHORT_UNIT_FIXES, "limit", fix_km=fix_km))) | {"fix_km": fix_km}
        zh, en = texts(SHORT_UNIT_REASONS, code, **values)
        rows.append(base | {"reason_code": code, "reason_zh": zh, "reason_en": en} | fix)
    return pd.DataFrame(rows, columns=["unit_id", "unit_name", "linked", "minimum", "reason_code", "reason_zh", "reason_en",
                                       "fix_zh", "fix_en", "fix_km"])
