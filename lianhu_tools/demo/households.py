"""The candidate-household roster: poor households and party-member households (建档立卡 style)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import text
from .people import birth_dates, id_numbers, mobile_numbers, optional, person_names, scatter

# The demo's incomes are shaped around the default lines (absolute 785, low-income 1,067 元): about
# 30% of households fall below 785, 40% between the lines and 30% above.
LOW_INCOME_LINE = 1067
INCOME_MEDIAN = 865.0  # non-party households in poor villages, 元 per person and year
INCOME_SIGMA = 0.23  # of log income
PARTY_INCOME_MEDIAN = 2000.0
PARTY_INCOME_SIGMA = 0.35
RICHER_VILLAGE_FACTOR = 1.35  # incomes in villages that are not poor villages
VILLAGE_EFFECT_SIGMA = 0.08  # shared by a village's households

POOR_VILLAGE_WEIGHT, OTHER_VILLAGE_WEIGHT = 1.0, 0.25  # where listed households live

# Main causes of poverty with rough shares seen in 建档立卡 statistics.
POVERTY_CAUSE_WEIGHTS = {
    "因病": 0.22, "缺资金": 0.20, "缺技术": 0.17, "缺劳力": 0.10, "因残": 0.06, "因学": 0.06, "缺水": 0.05,
    "交通条件落后": 0.04, "因灾": 0.03, "缺土地": 0.03, "自身发展动力不足": 0.02, "因婚": 0.01, "其他": 0.01,
}
MEMBER_SHARES = {1: 0.06, 2: 0.14, 3: 0.20, 4: 0.25, 5: 0.18, 6: 0.10, 7: 0.05, 8: 0.02}
MALE_HEAD_SHARE = 0.88
HEAD_BIRTH_YEARS = (1940, 1995)
LOCATED_SHARE = 0.03  # households with their own coordinates (rare in 建档立卡 records); the rest use the village's
LOCATED_MAX_KM = 1.4
PHONE_SHARE = 0.60
MAX_PER_VILLAGE = 9999


def generate_households(rng: np.random.Generator, villages: pd.DataFrame, total: int,
                        party_share: float) -> pd.DataFrame:
    """`total` households over the villages, mostly in poor villages."""
    village_index = _place_households(rng, villages["is_poor_village"].to_numpy(), total)
    village_codes = villages["village_code"].to_numpy().astype("<U12")[village_index]
    party = rng.random(total) < party_share
    income = _incomes(rng, villages["is_poor_village"].to_numpy(), village_index, party)
    male = rng.random(total) < MALE_HEAD_SHARE
    located = rng.random(total) < LOCATED_SHARE
    lat, lon = scatter(rng, villages["lat"].to_numpy()[village_index], villages["lon"].to_numpy()[village_index],
                       LOCATED_MAX_KM)
    return pd.DataFrame({
        "household_id": text.strings(text.code_points(village_codes, 12), text.digits(_sequence(village_index), 4)),
        "village_code": village_codes,
        "head_name": person_names(rng, male),
        "id_number": id_numbers(village_codes.astype("<U6"), birth_dates(rng, total, *HEAD_BIRTH_YEARS), male),
        "members": rng.choice(np.array(list(MEMBER_SHARES)), size=total, p=list(MEMBER_SHARES.values())),
        "income_per_capita_yuan": income,
        "is_party_member": party,
        "poverty_cause": _poverty_causes(rng, income),
        "lat": np.where(located, lat, np.nan),
        "lon": np.where(located, lon, np.nan),
        "phone": optional(mobile_numbers(rng, total), rng.random(total) < PHONE_SHARE),
    })


def _place_households(rng: np.random.Generator, poor_village: np.ndarray, total: int) -> np.ndarray:
    """The village (row index) of each household, sorted by village."""
    weights = np.where(poor_village, POOR_VILLAGE_WEIGHT, OTHER_VILLAGE_WEIGHT)
    per_village = rng.multinomial(total, weights / weights.sum())
    if per_village.max() > MAX_PER_VILLAGE:
        raise ValueError(f"more than {MAX_PER_VILLAGE} listed households in one village")
    return np.repeat(np.arange(len(poor_village)), per_village)


def _sequence(village_index: np.ndarray) -> np.ndarray:
    """1, 2, 3, … within each village (households come sorted by village)."""
    if not len(village_index):
        return village_index
    first = np.r_[True, village_index[1:] != village_index[:-1]]
    start = np.maximum.accumulate(np.where(first, np.arange(len(village_index)), 0))
    return np.arange(len(village_index)) - start + 1


def _incomes(rng: np.random.Generator, poor_village: np.ndarray, village_index: np.ndarray,
             party: np.ndarray) -> np.ndarray:
    """Per-capita net income, whole 元: log-normal, party households and richer villages higher."""
    village_effect = rng.normal(0.0, VILLAGE_EFFECT_SIGMA, size=len(poor_village))
    village_effect += np.where(poor_village, 0.0, np.log(RICHER_VILLAGE_FACTOR))
    median = np.where(party, PARTY_INCOME_MEDIAN, INCOME_MEDIAN)
    sigma = np.where(party, PARTY_INCOME_SIGMA, INCOME_SIGMA)
    log_income = np.log(median) + sigma * rng.standard_normal(len(party)) + village_effect[village_index]
    return np.round(np.exp(log_income)).astype(np.float64)


def _poverty_causes(rng: np.random.Generator, income: np.ndarray) -> np.ndarray:
    """A main cause for households below the low-income line, None for the others."""
    causes = np.array(list(POVERTY_CAUSE_WEIGHTS), dtype=object)
    weights = np.array(list(POVERTY_CAUSE_WEIGHTS.values()))
    drawn = rng.choice(causes, size=len(income), p=weights / weights.sum())
    return optional(drawn, income < LOW_INCOME_LINE)
