"""A deterministic synthetic city (or province) with all four rosters, at any size.

    city = generate_city("city", seed=1)      # For notebooks and quick runs: two counties of 天水市 with enough cadres to staff their villages.
    "small": CitySize(counties=2, townships=6, villages=30, units=16, cadres=600, households=700),
    # 天水市 at its 2012 scale
    city.villages, city.households, city.units, city.cadres

Everything is drawn from one `numpy.random.default_rng(seed)`, split into one stream per roster, so
the same size and seed always give identical frames. Counties, their codes and seats are real (see
`geography`) and its villages lie inside their real outlines (`outlines`); townships, villages, people and
coordinates are synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import TABLES
from . import geography, text
from .households import generate_households
from .names import PLACE_FIRST, SURNAMES, TOWNSHIP_SECOND, VILLAGE_SECOND
from ..outlines import county_outline
from .people import scatter_inside
from .units import RANK_SHARES, generate_cadres, generate_units, written_ranks

TOWNSHIP_CODE_FIRST = 100  # township part of a code: 100, 101, … (统计用区划代码 style)
VILLAGE_CODE_FIRST = 200  # village part: 200, 201, … (村民委员会 range)
MAX_TOWNSHIPS_PER_COUNTY = 999 - TOWNSHIP_CODE_FIRST + 1
MAX_VILLAGES_PER_TOWNSHIP = 999 - VILLAGE_CODE_FIRST + 1

TOWNSHIP_KM = 25.0  # townships lie within this distance of their county seat
VILLAGE_KM = 6.0  # villages within this distance of their township
VILLAGE_HOUSEHOLDS = (150, 600)  # total households of a village, uniform
PEOPLE_PER_HOUSEHOLD = (3.5, 4.5)
_SURNAME_SHARES = np.array(list(SURNAMES.values())) / sum(SURNAMES.values())


@dataclass(frozen=True)
class CitySize:
    """How big a demo to make. `region` names the real place it is modelled on (a Gansu prefecture or
    甘肃省); its first `counties` county-level divisions are used."""

    counties: int
    townships: int
    villages: int
    units: int
    cadres: int
    households: int
    poor_village_share: float = 0.85
    party_household_share: float = 0.12
    based_unit_share: float = 0.03  # central and provincial units based in the city
    region: str = "天水市"
    rank_shares: tuple[float, float, float] = tuple(RANK_SHARES.values())  # 地厅级, 县处级, 乡科级

    def __post_init__(self):
        if self.region not in geography.REGIONS:
            raise ValueError(f"unknown region {self.region!r}; choose from {', '.join(geography.REGIONS)}")
        for name in ("counties", "townships", "villages", "units"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.cadres < 0 or self.households < 0:
            raise ValueError("cadres and households cannot be negative")
        if self.counties > geography.region_capacity(self.region):
            raise ValueError(f"{self.region} has only {geography.region_capacity(self.region)} "
                             f"county-level divisions, {self.counties} requested")
        # Generous limits that leave room for uneven spreads within the code ranges.
        if self.townships > 300 * self.counties or self.villages > 300 * self.townships:
            raise ValueError("at most 300 townships per county and 300 villages per township")
        if self.households > 2000 * self.villages:
            raise ValueError("at most 2,000 listed households per village")
        for name in ("poor_village_share", "party_household_share", "based_unit_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        if len(self.rank_shares) != 3 or min(self.rank_shares) < 0 or sum(self.rank_shares) > 1:
            raise ValueError("rank_shares: three shares (地厅级, 县处级, 乡科级), each ≥ 0, summing to ≤ 1")


PRESETS: dict[str, CitySize] = {
    # Hand-checkable: 秦州区 and 麦积区 of 天水市; 2 counties, 3 townships, 6 villages (5 of them poor),
    # 4 units (中共天水市委, 中共秦州区委, 中共麦积区委, 天水市人民政府), 12 cadres, 30 households.
    # Its 12 cadres hold every rank: 1 地厅级, 2 县处级, 3 乡科级, 6 一般干部.
    "tiny": CitySize(counties=2, townships=3, villages=6, units=4, cadres=12, households=30,
                     rank_shares=(1 / 12, 2 / 12, 3 / 12)),
    # For notebooks and quick runs: two counties of 天水市 with enough cadres to staff their villages.
    "small": CitySize(counties=2, townships=6, villages=30, units=16, cadres=600, households=700),
    # 天水市 at its 2012 scale: its 7 real county-level divisions, 120 townships, 1,620 villages
    # (85% poor), 1,218 units, 40,265 cadres, 55,000 candidate households.
    "city": CitySize(counties=7, townships=120, villages=1_620, units=1_218, cadres=40_265, households=55_000),
    # Gansu-like: all 14 prefectures and their 87 county-level divisions, 1,230 townships,
    # 15,000 villages, 14,000 units, 408,000 cadres, 1,000,000 candidate households.
    "province": CitySize(counties=87, townships=1_230, villages=15_000, units=14_000, cadres=408_000,
                         households=1_000_000, region="甘肃省"),
}


@dataclass
class DemoCity:
    """The four rosters of a generated city, with canonical columns (see `schema.TABLES`)."""

    villages: pd.DataFrame
    households: pd.DataFrame
    units: pd.DataFrame
    cadres: pd.DataFrame
    name: str

    def tables(self) -> dict[str, pd.DataFrame]:
        """The rosters by table name, e.g. for `tables.write_rosters`."""
        return {name: getattr(self, name) for name in TABLES}


def generate_city(size: str | CitySize = "tiny", seed: int = 0) -> DemoCity:
    """Generate a demo city: a preset name ("tiny", "city", "province") or a `CitySize`."""
    if isinstance(size, str):
        if size not in PRESETS:
            raise ValueError(f"unknown preset {size!r}; choose from {', '.join(PRESETS)}")
        size = PRESETS[size]
    place_rng, household_rng, unit_rng, cadre_rng = np.random.default_rng(seed).spawn(4)
    counties = geography.select_counties(size.region, size.counties)

    townships = generate_townships(place_rng, counties, size.townships)
    villages = generate_villages(place_rng, townships, size.villages, size.poor_village_share)
    households = generate_households(household_rng, villages, size.households, size.party_household_share)
    villages = size_villages(place_rng, villages, households["village_code"])

    units = generate_units(unit_rng, size.region, counties, townships, size.units, size.based_unit_share)
    cadres, headcount = generate_cadres(cadre_rng, units, size.cadres, dict(zip(RANK_SHARES, size.rank_shares)))
    units["headcount"] = headcount
    return DemoCity(villages=_canonical(villages, "villages"), households=_canonical(households, "households"),
                    units=_canonical(units, "units"), cadres=_canonical(cadres, "cadres"), name=size.region)


# ---------------------------------------------------------------- townships and villages

def spread(rng: np.random.Generator, total: int, weights: np.ndarray) -> np.ndarray:
    """Split `total` items over len(weights) bins: one each first (the first bins if too few), the rest
    at random in proportion to the weights."""
    bins = len(weights)
    if total <= bins:
        return (np.arange(bins) < total).astype(np.int64)
    return 1 + rng.multinomial(total - bins, weights / weights.sum())


def generate_townships(rng: np.random.Generator, counties: list[tuple[geography.Prefecture, geography.County]],
                       total: int) -> pd.DataFrame:
    """Townships per county, named uniquely within their county and scattered around its seat, inside its real
    outline."""
    weights = np.array([c.weight for _, c in counties]) * rng.uniform(0.7, 1.3, size=len(counties))
    per_county = spread(rng, total, weights)
    if per_county.max() > MAX_TOWNSHIPS_PER_COUNTY:
        raise ValueError(f"more than {MAX_TOWNSHIPS_PER_COUNTY} townships in one county")
    frames = []
    for (prefecture, county), n in zip(counties, per_county):
        if n == 0:
            continue
        lat, lon = scatter_inside(rng, np.full(n, county.lat), np.full(n, county.lon), TOWNSHIP_KM, 1.0,
                                  [county_outline(county.code, county.name)] * n)
        frames.append(pd.DataFrame({
            "county_code": county.code, "county_name": county.name,
            "township_code": [f"{county.code}{TOWNSHIP_CODE_FIRST + k}" for k in range(n)],
            "township_name": township_names(rng, n), "lat": lat, "lon": lon,
        }))
    return pd.concat(frames, ignore_index=True)


def township_names(rng: np.random.Generator, n: int) -> list[str]:
    """`n` distinct names such as 兴川镇, 杨坪乡 (about 60% towns)."""
    first, second = _unique_chars(PLACE_FIRST), _unique_chars(TOWNSHIP_SECOND)
    pairs = rng.choice(len(first) * len(second), size=n, replace=False)
    suffix = np.where(rng.random(n) < 0.6, "镇", "乡")
    return [first[p // len(second)] + second[p % len(second)] + s for p, s in zip(pairs, suffix)]


def generate_villages(rng: np.random.Generator, townships: pd.DataFrame, total: int,
                      poor_share: float) -> pd.DataFrame:
    """Villages spread over townships, coded township + 200…, within a few km of their township and inside their
    county's real outline."""
    per_township = spread(rng, total, rng.gamma(4.0, 1.0, size=len(townships)))
    if per_township.max() > MAX_VILLAGES_PER_TOWNSHIP:
        raise ValueError(f"more than {MAX_VILLAGES_PER_TOWNSHIP} villages in one township")
    parent = townships.loc[np.repeat(townships.index, per_township)].reset_index(drop=True)
    number = VILLAGE_CODE_FIRST + _rank_in_runs(per_township)
    outline = {code: county_outline(code, name) for code, name in zip(parent["county_code"], parent["county_name"])}
    lat, lon = scatter_inside(rng, parent["lat"].to_numpy(), parent["lon"].to_numpy(), VILLAGE_KM, 0.3,
                              [outline[code] for code in parent["county_code"]])
    poor = np.zeros(total, dtype=bool)
    poor[rng.permutation(total)[:round(poor_share * total)]] = True
    return pd.DataFrame({
        "village_code": text.strings(text.code_points(parent["township_code"], 9), text.digits(number, 3)),
        "village_name": village_names(rng, total),
        "township_code": parent["township_code"], "township_name": parent["township_name"],
        "county_code": parent["county_code"], "county_name": parent["county_name"],
        "lat": lat, "lon": lon, "is_poor_village": poor,
    })


def village_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """Names such as 柳湾村 or, for about a third, 王家岘村 (names repeat across a city, as they do)."""
    family = rng.random(n) < 0.35
    place = rng.choice(text.chars(_unique_chars(PLACE_FIRST)), size=n)
    surname = rng.choice(text.chars("".join(SURNAMES)), size=n, p=_SURNAME_SHARES)
    first = np.where(family, surname, place)
    second = rng.choice(text.chars(_unique_chars(VILLAGE_SECOND)), size=n)
    jia, cun = text.chars("家")[0], text.chars("村")[0]
    return text.strings(text.column(first),
                        text.column(np.where(family, jia, second)),
                        text.column(np.where(family, second, cun)),
                        text.column(np.where(family, cun, text.NOTHING)))


def size_villages(rng: np.random.Generator, villages: pd.DataFrame, listed_villages: pd.Series) -> pd.DataFrame:
    """Total households and population; never fewer households than the roster lists for the village."""
    listed = listed_villages.value_counts().reindex(villages["village_code"], fill_value=0).to_numpy()
    households = np.maximum(rng.integers(VILLAGE_HOUSEHOLDS[0], VILLAGE_HOUSEHOLDS[1] + 1, size=len(villages)),
                            listed)
    population = np.round(households * rng.uniform(*PEOPLE_PER_HOUSEHOLD, size=len(villages)))
    return villages.assign(households=households.astype(np.int64), population=population.astype(np.int64))


def _rank_in_runs(run_lengths: np.ndarray) -> np.ndarray:
    """0, 1, …, n-1 for each run of the given lengths, concatenated."""
    starts = np.repeat(np.cumsum(run_lengths) - run_lengths, run_lengths)
    return np.arange(run_lengths.sum()) - starts


def _unique_chars(chars: str) -> str:
    return "".join(dict.fromkeys(chars))


# ---------------------------------------------------------------- canonical frames

_DTYPES = {"code": "str", "id": "str", "text": "str", "category": "str", "id_number": "str", "phone": "str",
           "int": "int64", "float": "float64", "lat": "float64", "lon": "float64", "bool": "bool"}


def _canonical(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Exactly the table's columns, in order, with one dtype per kind."""
    fields = TABLES[table].fields
    return pd.DataFrame({f.name: frame[f.name].to_numpy() for f in fields}).astype(
        {f.name: _DTYPES[f.kind] for f in fields})


def demo_tables(size: str = "tiny", seed: int = 2012) -> dict[str, pd.DataFrame]:
    """The demo city's rosters as tables, ranks as real rosters write them."""
    tables = generate_city(size, seed=seed).tables()
    cadres = tables["cadres"].copy()
    cadres["rank"] = written_ranks(np.random.default_rng(seed), cadres["rank"])
    return tables | {"cadres": cadres}
