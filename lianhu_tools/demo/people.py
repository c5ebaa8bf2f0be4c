"""Synthetic personal data, vectorised: names, citizen ID numbers, mobile numbers, nearby places."""

from __future__ import annotations

import numpy as np

from ..schema import ID_NUMBER_CHECK, ID_NUMBER_WEIGHTS
from . import text
from .names import GIVEN_FEMALE, GIVEN_MALE, SURNAMES

ID_WEIGHTS = np.array(ID_NUMBER_WEIGHTS, dtype=np.int64)
ID_CHECK = text.chars(ID_NUMBER_CHECK)
KM_PER_DEGREE = 111.2

_SURNAMES = text.chars("".join(SURNAMES))
_SURNAME_P = np.array(list(SURNAMES.values())) / sum(SURNAMES.values())
_GIVEN = {True: text.chars(GIVEN_MALE), False: text.chars(GIVEN_FEMALE)}


def person_names(rng: np.random.Generator, male: np.ndarray, two_char_share: float = 0.7) -> np.ndarray:
    """Chinese names: a weighted surname and one or two given-name characters fitting the sex."""
    n = len(male)
    surname = rng.choice(_SURNAMES, size=n, p=_SURNAME_P)
    given = np.empty((n, 2), dtype=np.uint32)
    for is_male in (True, False):
        rows = male == is_male
        given[rows] = rng.choice(_GIVEN[is_male], size=(int(rows.sum()), 2))
    one_char = rng.random(n) >= two_char_share
    given[one_char, 1] = text.NOTHING  # trailing NUL: the name ends after one character
    return text.strings(text.column(surname), given)


def id_check_chars(first17: np.ndarray) -> np.ndarray:
    """GB 11643 check characters (code points) for an (n, 17) matrix of digit values."""
    return ID_CHECK[(first17.astype(np.int64) @ ID_WEIGHTS) % 11]


def id_numbers(county_codes: np.ndarray, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
    """18-character citizen ID numbers, unique for distinct people of the input.

    Area = the county code, then the birth date, a 3-digit sequence whose last digit is odd for men,
    and the check character. The sequence numbers people born on the same day in the same county
    apart: the k-th such person of a sex gets 2·((37k + d) mod 499) + sex, an injective map of k
    (499 is prime) shifted by a per-day offset d so sequences do not all start at 000.
    """
    county_codes = np.asarray(county_codes, dtype="<U6")
    day = birth.astype("datetime64[D]").astype(np.int64)
    area = np.unique(county_codes, return_inverse=True)[1].reshape(-1)
    k = _rank_within(area, day, male)
    if len(k) and k.max() >= 499:
        raise ValueError("more than 499 people of one sex born on one day in one county")
    offset = (day * 7919 + area * 104729) % 499
    sequence = 2 * ((37 * k + offset) % 499) + male.astype(np.int64)

    year = birth.astype("datetime64[Y]").astype(np.int64) + 1970
    month = birth.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (birth.astype("datetime64[D]") - birth.astype("datetime64[M]")).astype(np.int64) + 1
    first17 = np.hstack([
        text.code_points(county_codes) - text.ZERO,
        text.digit_matrix(year, 4), text.digit_matrix(month, 2), text.digit_matrix(dom, 2),
        text.digit_matrix(sequence, 3),
    ]).astype(np.uint32)
    return text.strings(first17 + text.ZERO, text.column(id_check_chars(first17)))


def _rank_within(*keys: np.ndarray) -> np.ndarray:
    """0, 1, 2, … within each group of equal keys, in input order (a vectorised groupby cumcount)."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort(keys[::-1])
    sorted_keys = [np.asarray(k)[order] for k in keys]
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = np.any([k[1:] != k[:-1] for k in sorted_keys], axis=0)
    start = np.maximum.accumulate(np.where(new_group, np.arange(n), 0))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n) - start
    return rank


def birth_dates(rng: np.random.Generator, n: int, first_year: int, last_year: int) -> np.ndarray:
    """Uniform dates from 1 January of `first_year` to 31 December of `last_year`."""
    start = np.datetime64(f"{first_year}-01-01")
    days = (np.datetime64(f"{last_year + 1}-01-01") - start).astype(np.int64)
    return start + rng.integers(0, days, size=n).astype("timedelta64[D]")


def mobile_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """11-digit mainland mobile numbers: 1, a second digit 3–9, nine digits."""
    second = rng.choice(np.array([3, 5, 8, 7, 9]), size=n, p=[0.35, 0.3, 0.25, 0.05, 0.05])
    rest = rng.integers(0, 10 ** 9, size=n)
    return text.strings(text.constant("1", n), text.digits(second, 1), text.digits(rest, 9))


def optional(values: np.ndarray, filled: np.ndarray) -> np.ndarray:
    """Object array with None where `filled` is false."""
    out = np.full(len(values), None, dtype=object)
    out[filled] = values[filled]
    return out


def scatter(rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, max_km: float | np.ndarray,
            min_km: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Points uniformly spread over rings of min_km..max_km around each centre (equal-area disc)."""
    n = len(lat)
    radius = np.sqrt(rng.uniform(min_km ** 2, np.asarray(max_km, dtype=float) ** 2, size=n))
    angle = rng.uniform(0.0, 2 * np.pi, size=n)
    dlat = radius * np.cos(angle) / KM_PER_DEGREE
    dlon = radius * np.sin(angle) / (KM_PER_DEGREE * np.cos(np.radians(lat)))
    return np.round(lat + dlat, 6), np.round(lon + dlon, 6)


def scatter_inside(rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, max_km: float, min_km: float,
                   outlines: list) -> tuple[np.ndarray, np.ndarray]:
    """`scatter`, each point drawn again until it lies inside its outline (`outlines[i]` for centre i, an
    `outlines.Outline` or None); after 50 draws, a point still outside takes its centre's place."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    out_lat, out_lon = scatter(rng, lat, lon, max_km, min_km)
    groups = [(o, np.array([p is o for p in outlines])) for o in {id(o): o for o in outlines if o is not None}.values()]
    for _ in range(50):
        outside = np.zeros(len(lat), dtype=bool)
        for outline, rows in groups:
            outside[rows] = outline.km_outside(out_lat[rows], out_lon[rows]) > 0
        if not outside.any():
            return out_lat, out_lon
        out_lat[outside], out_lon[outside] = scatter(rng, lat[outside], lon[outside], max_km, min_km)
    return np.where(outside, lat, out_lat), np.where(outside, lon, out_lon)
