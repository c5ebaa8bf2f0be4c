"""Great-circle distances and the search for places within a distance of each other."""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0088  # mean earth radius (IUGG)


def haversine_km(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle distance in km, element-wise (arrays broadcast)."""
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _unit_vectors(lat, lon) -> np.ndarray:
    lat, lon = np.radians(np.asarray(lat, dtype=float)), np.radians(np.asarray(lon, dtype=float))
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _chord(km: float) -> float:
    """Straight-line distance through the sphere, as a fraction of the radius, for a great-circle km."""
    return 2 * np.sin(min(km / EARTH_RADIUS_KM, np.pi) / 2)


def pairs_within(lat_a, lon_a, lat_b, lon_b, max_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (i, j) with point i of A and point j of B at most `max_km` apart, and their distance."""
    from scipy.spatial import cKDTree  # scipy on first use only: a dashboard kernel never searches

    tree_a, tree_b = cKDTree(_unit_vectors(lat_a, lon_a)), cKDTree(_unit_vectors(lat_b, lon_b))
    # a little slack on the chord; the exact great-circle test follows
    found = tree_a.sparse_distance_matrix(tree_b, _chord(max_km) * (1 + 1e-9) + 1e-12, output_type="coo_matrix")
    i, j = found.row.astype(np.int64), found.col.astype(np.int64)
    km = 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(found.data / 2, 0, 1))  # the chord's great circle (= haversine)
    keep = km <= max_km
    return i[keep], j[keep], km[keep]


def nearest(lat_from, lon_from, lat_to, lon_to) -> tuple[np.ndarray, np.ndarray]:
    """For each point of `from`, the index of the nearest point of `to` and its distance in km."""
    if len(np.atleast_1d(lat_to)) == 0:
        n = len(np.atleast_1d(lat_from))
        return np.full(n, -1), np.full(n, np.inf)
    from scipy.spatial import cKDTree

    _, j = cKDTree(_unit_vectors(lat_to, lon_to)).query(_unit_vectors(lat_from, lon_from))
    return j, haversine_km(lat_from, lon_from, np.asarray(lat_to)[j], np.asarray(lon_to)[j])
