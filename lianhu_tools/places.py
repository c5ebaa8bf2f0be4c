"""Whether the rosters' places lie where their codes say, against the real county outlines (`outlines`): a
village outside the county its code names is an error; a county unit outside its county, a city unit far from
every county, a household far from its village are warnings. Each says the distance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .geo import haversine_km
from .outlines import county_containing, county_outline
from .tables import Part, Report, locate

TOLERANCE_KM = 3.0  # AMap's outlines are GCJ-02, a few hundred metres off a GPS; a village committee by the border
FAR_FROM_CITY_KM = 30.0  # a city unit's office beyond every county of the rosters by more than this
FAR_FROM_VILLAGE_KM = 10.0  # a household's place from its village committee


def check_places(frames: dict[str, pd.DataFrame], parts: list[Part], report: Report) -> None:
    if "villages" not in frames:
        return
    villages = frames["villages"]
    placed = villages[villages["village_code"].notna() & villages["lat"].notna() & villages["lon"].notna()]
    outlines = _outlines(placed, parts, report)
    _villages(placed, outlines, parts, report)
    if "units" in frames:
        _units(frames["units"], outlines, parts, report)
    if "households" in frames:
        _households(frames["households"], villages, parts, report)


def _outlines(villages: pd.DataFrame, parts: list[Part], report: Report) -> dict:
    """The outline of each county the village codes name; a warning, on its first village, for a county the
    map data does not have (its villages are not checked)."""
    county = villages["village_code"].str[:6]
    names = villages["county_name"].where(villages["county_name"].notna(), "")
    outlines = {code: county_outline(code, name) for code, name in dict(zip(county, names)).items()}
    unknown = villages[county.map(lambda code: outlines[code] is None)]
    unknown = unknown[~unknown["village_code"].str[:6].duplicated()]
    located = locate(unknown, parts)
    report.located(located, parts, "village_code", "county_outline_unknown",
                   [f"地图数据中没有县区代码 {c[:6]} 的边界，未核对本县区各村的位置" for c in located["village_code"]],
                   [f"the map data has no outline for county code {c[:6]}: its villages' places were not checked"
                    for c in located["village_code"]], "warning")
    return outlines


def _villages(villages: pd.DataFrame, outlines: dict, parts: list[Part], report: Report) -> None:
    county = villages["village_code"].str[:6]
    km = pd.Series(0.0, index=villages.index)
    for code, rows in villages.groupby(county):
        if outlines[code] is not None:
            km[rows.index] = outlines[code].km_outside(rows["lat"], rows["lon"])
    located = locate(villages[km > TOLERANCE_KM], parts)
    lying = [_lies_in(lat, lon, code[:2]) for lat, lon, code in zip(located["lat"], located["lon"], located["village_code"])]
    report.located(located, parts, "lat", "village_outside_county", [
        f"村的位置（纬度 {lat:.4f}，经度 {lon:.4f}）在村代码所指的{outlines[code[:6]].name}（{code[:6]}）界外约 "
        f"{km[i]:,.1f} 公里{f'，落在{where[0]}境内' if where else ''}：请核对经纬度或村代码"
        for i, lat, lon, code, where in zip(located.index, located["lat"], located["lon"], located["village_code"], lying)], [
        f"the village's place ({lat:.4f}°N, {lon:.4f}°E) lies about {km[i]:,.1f} km outside {outlines[code[:6]].name} "
        f"({code[:6]}), the county its code names{f', in {where[1]}' if where else ''}: check the coordinates or the code"
        for i, lat, lon, code, where in zip(located.index, located["lat"], located["lon"], located["village_code"], lying)])


def _lies_in(lat: float, lon: float, province: str) -> tuple[str, str] | None:
    found = county_containing(lat, lon, province)
    return (f"{found.name}（{found.code}）", f"{found.name} ({found.code})") if found else None


def _units(units: pd.DataFrame, outlines: dict, parts: list[Part], report: Report) -> None:
    """County units against their county's outline; city units against all the rosters' counties."""
    known = {code: o for code, o in outlines.items() if o is not None}
    if not known:
        return
    placed = units[units["lat"].notna() & units["lon"].notna()]
    own = placed["county_code"].map(lambda code: known.get(code) if isinstance(code, str) else None)
    km = pd.Series(np.nan, index=placed.index)
    for i in placed.index[own.notna()]:
        km[i] = own[i].km_outside([placed.at[i, "lat"]], [placed.at[i, "lon"]])[0]
    located = locate(placed[km > TOLERANCE_KM], parts)
    report.located(located, parts, "lat", "unit_outside_county",
                   [f"县级单位驻地在所属{known[c].name}（{c}）界外约 {km[i]:,.1f} 公里：请核对经纬度或县区代码"
                    for i, c in zip(located.index, located["county_code"])],
                   [f"the county unit's office lies about {km[i]:,.1f} km outside its county {c}: check the coordinates"
                    for i, c in zip(located.index, located["county_code"])], "warning")
    city = placed[own.isna() & placed["county_code"].isna()]
    nearest = np.min([o.km_outside(city["lat"], city["lon"]) for o in known.values()], axis=0) if len(city) else []
    far = city[np.asarray(nearest) > FAR_FROM_CITY_KM]
    located = locate(far, parts)
    distance = pd.Series(nearest, index=city.index)
    report.located(located, parts, "lat", "unit_far_from_city",
                   [f"单位驻地距名册中各县区都在 {distance[i]:,.0f} 公里以上：请核对经纬度" for i in located.index],
                   [f"the unit's office is more than {distance[i]:,.0f} km from every county of the rosters: check "
                    "the coordinates" for i in located.index], "warning")


def _households(households: pd.DataFrame, villages: pd.DataFrame, parts: list[Part], report: Report) -> None:
    """Households with their own coordinates far from their village's committee."""
    committee = villages.dropna(subset=["village_code", "lat", "lon"]).drop_duplicates("village_code").set_index("village_code")
    own = households[households["lat"].notna() & households["lon"].notna() & households["village_code"].isin(committee.index)]
    km = pd.Series(haversine_km(own["lat"], own["lon"], own["village_code"].map(committee["lat"]),
                                own["village_code"].map(committee["lon"])), index=own.index)
    located = locate(own[km > FAR_FROM_VILLAGE_KM], parts)
    typical = km.groupby(own["village_code"]).median()
    report.located(located, parts, "lat", "household_far_from_village",
                   [f"住址距所在村村委会 {km[i]:,.1f} 公里（同村农户中位数 {typical[v]:,.1f} 公里）：请核对经纬度"
                    for i, v in zip(located.index, located["village_code"])],
                   [f"the household lives {km[i]:,.1f} km from its village committee (its village's median "
                    f"{typical[v]:,.1f} km): check the coordinates" for i, v in zip(located.index, located["village_code"])],
                   "warning")
