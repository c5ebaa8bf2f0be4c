"""Units that link villages (四大班子, departments, institutions, enterprises) and their cadres."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, count, islice

import numpy as np
import pandas as pd

from . import geography, names, text
from .geography import County, Prefecture
from .people import mobile_numbers, optional, person_names, scatter

DEPARTMENT_WEIGHT = {"省": 3.0, "市": 2.0, "县": 1.0}  # departments of a jurisdiction, relative
KIND_SHARES = {"党群部门": 0.18, "政府部门": 0.37, "事业单位": 0.38, "国有企业": 0.07}  # after the 四大班子
UNIT_KM = 1.8  # units lie this close to their jurisdiction's seat

# Cadres: unit sizes and ranks.
UNIT_SIZE_SIGMA = 0.6
UNIT_SIZE_BY_KIND = {"四大班子": 2.0, "党群部门": 0.8, "政府部门": 1.0, "事业单位": 1.6, "国有企业": 1.2}
RANK_SHARES = {"地厅级": 0.003, "县处级": 0.07, "乡科级": 0.30}  # the rest are 一般干部
# Relative chance of each senior rank by kind of unit: leadership bodies above county level are the most senior.
RANK_WEIGHTS = {  # (地厅级, 县处级, 乡科级)
    "upper_leadership": (12.0, 6.0, 1.3),
    "upper": (1.0, 2.0, 1.2),
    "county_leadership": (0.0, 4.0, 1.5),
    "county": (0.0, 0.4, 0.9),
}
LEADERSHIP_CHANCE = {"地厅级": 0.9, "县处级": 0.6, "乡科级": 0.12, "一般干部": 0.03}
RETIRED_SHARE = 0.03
FEMALE_CADRE_SHARE = 0.35
LOCATED_CADRE_SHARE = 0.05  # cadres whose coordinates are filled in (their unit's); blanks mean the same
CADRE_PHONE_SHARE = 0.80


@dataclass(frozen=True)
class Jurisdiction:
    """A level of government whose units take part: the province, a prefecture city or a county."""

    code: str  # 6 digits, also the head of its units' IDs: 620000, 620500, 620522
    prefix: str  # as its unit names begin: 甘肃省, 天水市, 秦安县
    short: str  # 天水, for units such as 国家统计局天水调查队
    level: str  # 省, 市 or 县
    lat: float
    lon: float
    townships: tuple[str, ...] = ()  # a county's township names, for its schools and health centres


# ---------------------------------------------------------------- units

def generate_units(rng: np.random.Generator, region: str, counties: list[tuple[Prefecture, County]],
                   townships: pd.DataFrame,
                   total: int, based_share: float) -> pd.DataFrame:
    """`total` units: first the 四大班子 of every jurisdiction, then central and provincial units based
    in the cities, then departments spread over the jurisdictions by their level."""
    jurisdictions = _jurisdictions(region, counties, townships)
    leadership = _leadership_units(jurisdictions)[:total]
    rest = total - len(leadership)
    based_pools = [_based_pool(j) for j in jurisdictions]
    weights = np.array([DEPARTMENT_WEIGHT[j.level] for j in jurisdictions])
    wanted_based = _proportional(round(based_share * rest), weights * np.array([bool(p) for p in based_pools]))
    based_counts = np.minimum(wanted_based, [len(p) for p in based_pools])
    department_counts = _proportional(rest - based_counts.sum(), weights)

    rows = list(leadership)
    for j, jurisdiction in enumerate(jurisdictions):
        rows += [(j, name, level, kind) for name, level, kind in based_pools[j][:based_counts[j]]]
        rows += [(j, name, jurisdiction.level, kind)
                 for name, kind in islice(_department_pool(jurisdiction), department_counts[j])]
    units = pd.DataFrame(rows, columns=["jurisdiction", "unit_name", "unit_level", "unit_kind"])
    units = units.sort_values("jurisdiction", kind="stable", ignore_index=True)
    _check_unique(units["unit_name"])

    home = units["jurisdiction"].to_numpy()
    code = np.array([j.code for j in jurisdictions], dtype="<U6")[home]
    lat, lon = scatter(rng, np.array([j.lat for j in jurisdictions])[home],
                       np.array([j.lon for j in jurisdictions])[home], UNIT_KM)
    sequence = units.groupby("jurisdiction").cumcount().to_numpy() + 1
    return units.assign(
        unit_id=text.strings(text.constant("DW", len(units)), text.code_points(code, 6), text.digits(sequence, 4)),
        headcount=0, lat=lat, lon=lon,
        county_code=optional(code, units["unit_level"].eq("县").to_numpy()),
    )


def _jurisdictions(region: str, counties: list[tuple[Prefecture, County]],
                   townships: pd.DataFrame) -> list[Jurisdiction]:
    """The province (for a province demo), then each prefecture city followed by its governed counties."""
    place = geography.REGIONS[region]
    out = []
    if isinstance(place, geography.Province):
        out.append(Jurisdiction(place.code + "0000", place.prefix, place.prefix, "省", place.lat, place.lon))
    township_names = townships.groupby("county_code", sort=False)["township_name"].agg(tuple)
    for prefecture in dict.fromkeys(p for p, _ in counties):
        out.append(Jurisdiction(prefecture.code + "00", prefecture.prefix, prefecture.short, "市",
                                prefecture.lat, prefecture.lon))
        out += [Jurisdiction(c.code, c.name, c.name, "县", c.lat, c.lon, township_names.get(c.code, ()))
                for p, c in counties if p == prefecture and c.governed]
    return out


def _leadership_units(jurisdictions: list[Jurisdiction]) -> list[tuple]:
    """The 四大班子, body by body (all party committees first), so that a small demo has some of each level."""
    return [(j, body.format(p=jurisdiction.prefix), jurisdiction.level, "四大班子")
            for body in names.LEADERSHIP for j, jurisdiction in enumerate(jurisdictions)]


def _based_pool(jurisdiction: Jurisdiction) -> list[tuple[str, str, str]]:
    """Central and provincial units based in a city (or central ones in the provincial capital)."""
    templates = {"省": names.BASED_IN_PROVINCE, "市": names.BASED_IN_CITY}.get(jurisdiction.level, ())
    return [(t.format(p=jurisdiction.prefix, s=jurisdiction.short), level, kind) for t, level, kind in templates]


def _department_pool(j: Jurisdiction) -> Iterator[tuple[str, str]]:
    """Endless (name, kind) of a jurisdiction's departments, most prominent first, kinds interleaved."""
    if j.level == "省":
        lists = {"党群部门": names.PROVINCE_PARTY_DEPARTMENTS, "政府部门": names.PROVINCE_GOVERNMENT_DEPARTMENTS,
                 "事业单位": names.PROVINCE_INSTITUTIONS, "国有企业": names.PROVINCE_ENTERPRISES}
        numbered = names.PROVINCE_NUMBERED
    elif j.level == "市":
        lists = {"党群部门": names.PARTY_DEPARTMENTS,
                 "政府部门": names.GOVERNMENT_DEPARTMENTS + names.CITY_GOVERNMENT_DEPARTMENTS,
                 "事业单位": names.INSTITUTIONS + names.CITY_INSTITUTIONS, "国有企业": names.CITY_ENTERPRISES}
        numbered = names.NUMBERED_SCHOOLS
    else:
        lists = {"党群部门": names.PARTY_DEPARTMENTS,
                 "政府部门": names.GOVERNMENT_DEPARTMENTS + names.COUNTY_GOVERNMENT_DEPARTMENTS,
                 "事业单位": names.INSTITUTIONS, "国有企业": names.COUNTY_ENTERPRISES}
        numbered = names.NUMBERED_SCHOOLS
    streams = {kind: (template.format(p=j.prefix) for template in templates) for kind, templates in lists.items()}
    if j.level == "县":  # a central school and a health centre in every township
        streams["事业单位"] = chain(streams["事业单位"], (
            template.format(p=j.prefix, t=township)
            for township in j.townships for template in names.TOWNSHIP_INSTITUTIONS))
    streams["事业单位"] = chain(streams["事业单位"], (  # then 第三中学, 第三小学, 第四中学, … without end
        template.format(p=j.prefix, n=chinese_number(n)) for n in count(3) for template in numbered))
    return _interleave(streams, KIND_SHARES)


def _interleave(streams: dict[str, Iterator[str]], shares: dict[str, float]) -> Iterator[tuple[str, str]]:
    """Take from each stream in turn so that the kinds keep close to `shares` (smooth weighted round robin);
    a stream that runs out drops out."""
    taken = dict.fromkeys(streams, 0)
    live = dict(streams)
    while live:
        kind = min(live, key=lambda k: (taken[k] + 1) / shares[k])
        name = next(live[kind], None)
        if name is None:
            del live[kind]
            continue
        taken[kind] += 1
        yield name, kind


def chinese_number(n: int) -> str:
    """一 … 九十九 as in 第三十二中学; larger numbers in digits."""
    digit = "〇一二三四五六七八九"
    if not 1 <= n <= 99:
        return str(n)
    tens, ones = divmod(n, 10)
    return ("" if tens == 0 else ("十" if tens == 1 else digit[tens] + "十")) + (digit[ones] if ones else "")


def _proportional(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers summing to `total` in proportion to `weights` (largest remainders; ties to the first)."""
    weights = np.asarray(weights, dtype=float)
    if total <= 0 or weights.sum() == 0:
        return np.zeros(len(weights), dtype=np.int64)
    exact = total * weights / weights.sum()
    counts = np.floor(exact).astype(np.int64)
    remainder_order = np.argsort(-(exact - counts), kind="stable")
    counts[remainder_order[:total - counts.sum()]] += 1
    return counts


def _check_unique(unit_names: pd.Series) -> None:
    duplicated = unit_names[unit_names.duplicated()]
    if len(duplicated):
        raise AssertionError(f"generated duplicate unit names: {list(duplicated[:5])}")


# ---------------------------------------------------------------- cadres

WRITTEN_RANKS = {  # how the rosters of a real city write each band
    "地厅级": ("正厅级", "副厅级", "一级巡视员", "二级巡视员"),
    "县处级": ("正处级", "副处级", "正县级", "副县级", "一级调研员", "二级调研员", "三级调研员", "四级调研员"),
    "乡科级": ("正科级", "副科级", "一级主任科员", "二级主任科员", "三级主任科员", "四级主任科员"),
    "一般干部": ("科员", "一级科员", "二级科员", "办事员"),
}


def written_ranks(rng: np.random.Generator, bands: pd.Series) -> np.ndarray:
    """Each cadre's band written as a real roster writes it (副处级, 二级调研员, 科员 …)."""
    return np.array([WRITTEN_RANKS[band][k % len(WRITTEN_RANKS[band])]
                     for band, k in zip(bands, rng.integers(0, 840, len(bands)))], dtype=object)


def generate_cadres(rng: np.random.Generator, units: pd.DataFrame, total: int,
                    rank_shares: dict[str, float] = RANK_SHARES) -> tuple[pd.DataFrame, np.ndarray]:
    """`total` cadres spread over the units (every unit gets one if there are enough); returns the
    roster and each unit's headcount."""
    headcount = _unit_sizes(rng, units, total)
    unit = np.repeat(np.arange(len(units)), headcount)
    rank = _ranks(rng, units, unit, rank_shares)
    female = rng.random(total) < FEMALE_CADRE_SHARE
    located = rng.random(total) < LOCATED_CADRE_SHARE
    cadres = pd.DataFrame({
        "cadre_id": text.strings(text.constant("GB", total), text.digits(np.arange(1, total + 1), 8)),
        "name": person_names(rng, ~female),
        "unit_id": units["unit_id"].to_numpy()[unit],
        "rank": rank,
        "is_leadership": rng.random(total) < pd.Series(rank).map(LEADERSHIP_CHANCE).to_numpy(float),
        "is_retired": rng.random(total) < RETIRED_SHARE,
        "lat": np.where(located, units["lat"].to_numpy()[unit], np.nan),
        "lon": np.where(located, units["lon"].to_numpy()[unit], np.nan),
        "phone": optional(mobile_numbers(rng, total), rng.random(total) < CADRE_PHONE_SHARE),
    })
    return cadres, headcount


def _unit_sizes(rng: np.random.Generator, units: pd.DataFrame, total: int) -> np.ndarray:
    """Cadres per unit: one each (the first units, if too few cadres), the rest by a log-normal unit size."""
    n = len(units)
    if total <= n:
        return (np.arange(n) < total).astype(np.int64)
    size = rng.lognormal(0.0, UNIT_SIZE_SIGMA, size=n) * units["unit_kind"].map(UNIT_SIZE_BY_KIND).to_numpy(float)
    return 1 + rng.multinomial(total - n, size / size.sum())


def _ranks(rng: np.random.Generator, units: pd.DataFrame, unit: np.ndarray,
           shares: dict[str, float]) -> np.ndarray:
    """Exactly round(share × cadres) of each senior rank (the rest 一般干部), placed by weighted draw:
    more senior in leadership bodies and above county level."""
    upper = np.where(units["unit_level"].eq("县"), "county", "upper")
    category = pd.Series(upper) + np.where(units["unit_kind"].eq("四大班子"), "_leadership", "")
    weights = np.array(category.map(RANK_WEIGHTS).tolist(), dtype=float).reshape(-1, 3)[unit]
    counts = _largest_remainder(np.array([*shares.values(), 1 - sum(shares.values())]) * len(unit))
    rank = np.full(len(unit), "一般干部", dtype=object)
    free = np.ones(len(unit), dtype=bool)
    for k, name in enumerate(shares):  # most senior first; Efraimidis–Spirakis weighted sampling
        keys = np.where(free, np.log(rng.random(len(unit))) / np.maximum(weights[:, k], 1e-9), -np.inf)
        chosen = np.argsort(-keys, kind="stable")[:counts[k]]
        rank[chosen] = name
        free[chosen] = False
    return rank


def _largest_remainder(quotas: np.ndarray) -> np.ndarray:
    """Whole numbers that sum to round(sum(quotas)), each within 1 of its quota."""
    counts = np.floor(quotas).astype(np.int64)
    missing = int(round(quotas.sum())) - counts.sum()
    counts[np.argsort(-(quotas - counts), kind="stable")[:missing]] += 1
    return counts
