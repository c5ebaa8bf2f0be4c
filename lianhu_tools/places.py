"""Whether the rosters' places lie where their codes say, against the real county outlines (`outlines`): a
village outside the county its code names is an error; a village far from its township's others, a county unit
outside its county, a city unit far from every county, a household far from its village, and a county code or
name the map data does not know as written are warnings. Each says the distance or the name."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .geo import haversine_km
from .outlines import Outline, county_containing, county_name, county_outline, same_county_name
from .tables import Part, Report, locate

TOLERANCE_KM = 3.0  # AMap's outlines are GCJ-02, a few hundred metres off a GPS; a village committee by the border
FAR_FROM_TOWNSHIP_KM = 15.0  # a village from the middle of its township's villages (and 3 × their median)
FAR_FROM_CITY_KM = 30.0  # a city unit's office beyond every county of the rosters by more than this
FAR_FROM_VILLAGE_KM = 10.0  # a household's place from its village committee


def check_places(frames: dict[str, pd.DataFrame], parts: list[Part], report: Report) -> None:
    if "villages" not in frames:
        return
    villages = frames["villages"]
    placed = villages[villages["village_code"].notna() & villages["lat"].notna() & villages["lon"].notna()]
    outlines = _outlines(placed, parts, report)
    misplaced = _villages(placed, outlines, parts, report) | _far_in_township(placed, parts, report)
    if "units" in frames:
        _units(frames["units"], outlines, parts, report)
    if "households" in frames:
        _households(frames["households"], placed[~placed["village_code"].isin(misplaced)], parts, report)


def _outlines(villages: pd.DataFrame, parts: list[Part], report: Report) -> dict[str, Outline | None]:
    """The outline of each county the village codes name. Warnings, on a county's first village: a code the
    data does not have (found by its name, or not at all: its villages are not checked), a name that is not
    the data's for the code."""
    county = villages["village_code"].str[:6]
    names = villages["county_name"].where(villages["county_name"].notna(), "")
    outlines = {code: county_outline(code, name) for code, name in dict(zip(county, names)).items()}
    first = locate(villages[~county.duplicated()], parts)
    for code, name, row in zip(first["village_code"].str[:6], first["county_name"].fillna(""), range(len(first))):
        one = first.iloc[[row]]
        outline, known = outlines[code], county_name(code)
        if outline is None:
            report.located(one, parts, "village_code", "county_outline_unknown",
                           f"区划数据中没有县区代码 {code}（{name or '未写县区名'}）：代码可能写错，或是新设的县区；本县区各村的位置未核对",
                           f"the map data has no county {code} ({name or 'no name given'}): a mistyped code, or a new "
                           "county; its villages' places were not checked", "warning")
        elif known is None and not name.endswith("市辖区"):
            report.located(one, parts, "village_code", "county_code_not_current",
                           f"县区代码 {code} 不在现行区划数据中，已按县区名“{name}”对照{outline.name}（{outline.code}）的边界核对"
                           "位置：若代码写错，请改正",
                           f"county code {code} is not in the current divisions; places were checked against {name}'s "
                           f"outline ({outline.code}): correct the code if it is mistyped", "warning")
        elif known is not None and name and not same_county_name(name, known):
            report.located(one, parts, "county_name", "county_name_mismatch",
                           f"县区代码 {code} 在区划数据中是“{known}”，名册写作“{name}”：请核对县区代码或名称",
                           f"county code {code} is {known} in the divisions, the roster says {name}: check the code or "
                           "the name", "warning")
    return outlines


def _villages(villages: pd.DataFrame, outlines: dict, parts: list[Part], report: Report) -> set[str]:
    """Villages outside the county their code names (errors); returns their codes."""
    county = villages["village_code"].str[:6]
    km = pd.Series(0.0, index=villages.index)
    for code, rows in villages.groupby(county):
        if outlines[code] is not None:
            km[rows.index] = outlines[code].km_outside(rows["lat"], rows["lon"])
    located = locate(villages[km > TOLERANCE_KM], parts)
    lying = [_lies_in(lat, lon, code[:2]) for lat, lon, code in zip(located["lat"], located["lon"], located["village_code"])]
    rows = list(zip(located.index, located["lat"], located["lon"], located["village_code"], lying))
    report.located(located, parts, "lat", "village_outside_county", [
        f"村的位置（纬度 {lat:.4f}，经度 {lon:.4f}）在村代码所指的{outlines[code[:6]].name}（{code[:6]}）界外约 "
        f"{km[i]:,.1f} 公里{f'，落在{where[0]}境内' if where else ''}：请核对经纬度或村代码" for i, lat, lon, code, where in rows], [
        f"the village's place ({lat:.4f}°N, {lon:.4f}°E) lies about {km[i]:,.1f} km outside {outlines[code[:6]].name} "
        f"({code[:6]}), the county its code names{f', in {where[1]}' if where else ''}: check the coordinates or the code"
        for i, lat, lon, code, where in rows])
    return set(located["village_code"])


def _far_in_township(villages: pd.DataFrame, parts: list[Part], report: Report) -> set[str]:
    """Villages far from the middle of their township's others (a digit lost that stays inside the county): a
    warning with the distance; returns their codes."""
    township = villages["village_code"].str[:9]
    middle = villages.groupby(township)[["lat", "lon"]].transform("median")
    km = pd.Series(haversine_km(villages["lat"], villages["lon"], middle["lat"], middle["lon"]), index=villages.index)
    typical = km.groupby(township).transform("median")
    enough = township.map(township.value_counts()) >= 3
    located = locate(villages[enough & (km > np.maximum(FAR_FROM_TOWNSHIP_KM, 3 * typical))], parts)
    report.located(located, parts, "lat", "village_far_from_township",
                   [f"村的位置距本乡镇各村的中心 {km[i]:,.1f} 公里（本乡镇各村中位数 {typical[i]:,.1f} 公里）：多半是经纬度"
                    "少了或错了一位，请核对" for i in located.index],
                   [f"the village lies {km[i]:,.1f} km from the middle of its township's villages (their median "
                    f"{typical[i]:,.1f} km): a digit lost or wrong in the coordinates?" for i in located.index], "warning")
    return set(located["village_code"])


def _lies_in(lat: float, lon: float, province: str) -> tuple[str, str] | None:
    found = county_containing(lat, lon, province)
    return (f"{found.name}（{found.code}）", f"{found.name} ({found.code})") if found else None


def _units(units: pd.DataFrame, outlines: dict, parts: list[Part], report: Report) -> None:
    """County units against their own county's outline; city units against all the rosters' counties."""
    placed = units[units["lat"].notna() & units["lon"].notna()]
    codes = placed["county_code"].dropna().unique()
    own_outlines = {code: outlines.get(code) or county_outline(code) for code in codes}
    own = placed["county_code"].map(lambda code: own_outlines.get(code) if isinstance(code, str) else None)
    km = pd.Series(np.nan, index=placed.index)
    for i in placed.index[own.notna()]:
        km[i] = own[i].km_outside([placed.at[i, "lat"]], [placed.at[i, "lon"]])[0]
    located = locate(placed[km > TOLERANCE_KM], parts)
    report.located(located, parts, "lat", "unit_outside_county",
                   [f"县级单位驻地在所属{own_outlines[c].name}（{c}）界外约 {km[i]:,.1f} 公里：请核对经纬度或县区代码"
                    for i, c in zip(located.index, located["county_code"])],
                   [f"the county unit's office lies about {km[i]:,.1f} km outside its county {own_outlines[c].name} "
                    f"({c}): check the coordinates" for i, c in zip(located.index, located["county_code"])], "warning")
    known = [o for o in outlines.values() if o is not None]
    city = placed[placed["county_code"].isna()]
    if not known or not len(city):
        return
    nearest = pd.Series(np.min([o.km_outside(city["lat"], city["lon"]) for o in known], axis=0), index=city.index)
    located = locate(city[nearest > FAR_FROM_CITY_KM], parts)
    report.located(located, parts, "lat", "unit_far_from_city",
                   [f"单位驻地距名册中各县区都在 {nearest[i]:,.0f} 公里以上：请核对经纬度" for i in located.index],
                   [f"the unit's office is more than {nearest[i]:,.0f} km from every county of the rosters: check "
                    "the coordinates" for i in located.index], "warning")


def _households(households: pd.DataFrame, villages: pd.DataFrame, parts: list[Part], report: Report) -> None:
    """Households with their own coordinates far from their village's committee (villages already reported as
    misplaced are left out: the village is what is wrong)."""
    committee = villages.drop_duplicates("village_code").set_index("village_code")
    own = households[households["lat"].notna() & households["lon"].notna() & households["village_code"].isin(committee.index)]
    km = pd.Series(haversine_km(own["lat"], own["lon"], own["village_code"].map(committee["lat"]),
                                own["village_code"].map(committee["lon"])), index=own.index)
    located = locate(own[km > FAR_FROM_VILLAGE_KM], parts)
    typical, counted = km.groupby(own["village_code"]).median(), own["village_code"].value_counts()
    others = [f"（同村农户中位数 {typical[v]:,.1f} 公里）" if counted[v] >= 3 else "" for v in located["village_code"]]
    report.located(located, parts, "lat", "household_far_from_village",
                   [f"住址距所在村村委会 {km[i]:,.1f} 公里{o}：请核对经纬度" for i, o in zip(located.index, others)],
                   [f"the household lives {km[i]:,.1f} km from its village committee: check the coordinates"
                    for i in located.index], "warning")
