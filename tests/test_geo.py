"""Distances and the spatial search, against hand figures and a brute-force search."""

import numpy as np
import pytest

from lianhu_tools import geo


def test_haversine_by_hand():
    assert geo.haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=0.01)  # one degree on the equator
    assert geo.haversine_km(34.58, 105.72, 34.58, 105.72) == 0
    assert geo.haversine_km(90, 0, -90, 0) == pytest.approx(np.pi * 6371.0088, rel=1e-6)


@pytest.mark.parametrize("max_km", [0.5, 5, 50, 500])
def test_pairs_within_finds_exactly_the_close_pairs(max_km):
    rng = np.random.default_rng(3)
    lat_a, lon_a = rng.uniform(34, 35, 40), rng.uniform(105, 106, 40)
    lat_b, lon_b = rng.uniform(34, 35, 60), rng.uniform(105, 106, 60)
    a, b, km = geo.pairs_within(lat_a, lon_a, lat_b, lon_b, max_km)
    every = geo.haversine_km(lat_a[:, None], lon_a[:, None], lat_b[None, :], lon_b[None, :])
    assert set(zip(a.tolist(), b.tolist())) == set(zip(*np.nonzero(every <= max_km)))
    np.testing.assert_allclose(km, every[a, b], atol=1e-9)


def test_nearest_is_the_brute_force_nearest():
    rng = np.random.default_rng(5)
    lat_from, lon_from = rng.uniform(30, 40, 25), rng.uniform(100, 110, 25)
    lat_to, lon_to = rng.uniform(30, 40, 70), rng.uniform(100, 110, 70)
    index, km = geo.nearest(lat_from, lon_from, lat_to, lon_to)
    every = geo.haversine_km(lat_from[:, None], lon_from[:, None], lat_to[None, :], lon_to[None, :])
    assert index.tolist() == every.argmin(axis=1).tolist()
    np.testing.assert_allclose(km, every.min(axis=1), atol=1e-9)
