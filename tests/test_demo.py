"""The demo-city generator: determinism, the roster schema, codes, ID numbers, sizes and shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianhu_tools.demo import PRESETS, CitySize, DemoCity, generate_city
from lianhu_tools.demo.geography import GANSU_PREFECTURES
from lianhu_tools.schema import CHINA_LAT, CHINA_LON, TABLES, UNIT_KINDS, UNIT_LEVELS

ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
TIANSHUI = {"620502": "秦州区", "620503": "麦积区", "620521": "清水县", "620522": "秦安县", "620523": "甘谷县",
            "620524": "武山县", "620525": "张家川回族自治县"}
KINDS_DTYPE = {"int": "int64", "float": "float64", "lat": "float64", "lon": "float64", "bool": "bool"}


@pytest.fixture(scope="module")
def tiny() -> DemoCity:
    return generate_city("tiny", seed=0)


@pytest.fixture(scope="module")
def city() -> DemoCity:
    return generate_city("city", seed=0)


MID = CitySize(counties=5, townships=40, villages=300, units=150, cadres=3_000, households=4_000)
PROVINCE_MID = CitySize(counties=87, townships=300, villages=1_500, units=1_500, cadres=6_000, households=8_000,
                        region="甘肃省")


# ---------------------------------------------------------------- checks every city must pass

def check_city(city: DemoCity, size: CitySize) -> None:
    """Every invariant the loader and the planner rely on."""
    check_schema(city)
    check_sizes(city, size)
    check_keys(city)
    check_codes(city)
    check_id_numbers(city.households)
    check_values(city)
    check_geography(city)


def check_schema(city: DemoCity) -> None:
    for name, table in TABLES.items():
        frame = getattr(city, name)
        assert list(frame.columns) == table.columns, name
        for f in table.fields:
            column = frame[f.name]
            if f.kind in KINDS_DTYPE:
                assert str(column.dtype) == KINDS_DTYPE[f.kind], (name, f.name, column.dtype)
            else:
                assert pd.api.types.is_string_dtype(column.dtype), (name, f.name, column.dtype)
                assert column.dropna().map(type).eq(str).all(), (name, f.name)
            if f.required:
                assert column.notna().all(), (name, f.name)
            if f.allowed:
                assert column.dropna().isin(list(f.allowed)).all(), (name, f.name)


def check_sizes(city: DemoCity, size: CitySize) -> None:
    assert len(city.villages) == size.villages
    assert len(city.households) == size.households
    assert len(city.units) == size.units
    assert len(city.cadres) == size.cadres
    assert city.villages["county_code"].nunique() <= size.counties
    assert city.villages["township_code"].nunique() == min(size.townships, size.villages)
    assert city.villages["is_poor_village"].sum() == round(size.poor_village_share * size.villages)


def check_keys(city: DemoCity) -> None:
    for name, table in TABLES.items():
        assert getattr(city, name)[table.primary_key].is_unique, name
    assert city.households["id_number"].is_unique
    assert city.units["unit_name"].is_unique
    assert city.households["village_code"].isin(city.villages["village_code"]).all()
    assert city.cadres["unit_id"].isin(city.units["unit_id"]).all()
    assert city.units["unit_id"].str.fullmatch(r"DW\d{10}").all()
    assert city.cadres["cadre_id"].str.fullmatch(r"GB\d+").all()


def check_codes(city: DemoCity) -> None:
    v = city.villages
    assert v["village_code"].str.fullmatch(r"\d{12}").all()
    assert (v["township_code"] == v["village_code"].str[:9]).all()
    assert (v["county_code"] == v["village_code"].str[:6]).all()
    assert v.groupby("township_code")["township_name"].nunique().eq(1).all()
    assert v.drop_duplicates("township_code").groupby("county_code")["township_name"].apply(
        lambda names: names.is_unique).all()
    h = city.households
    assert (h["household_id"].str[:12] == h["village_code"]).all()
    assert h["household_id"].str.fullmatch(r"\d{16}").all()
    u = city.units
    county_units = u["unit_level"] == "县"
    assert u.loc[county_units, "county_code"].str.fullmatch(r"\d{6}").all()
    assert u.loc[~county_units, "county_code"].isna().all()
    assert (u.loc[county_units, "unit_id"].str[2:8] == u.loc[county_units, "county_code"]).all()


def check_id_numbers(households: pd.DataFrame) -> None:
    ids = households["id_number"]
    assert ids.str.fullmatch(r"\d{17}[\dX]").all()
    assert (ids.str[:6] == households["village_code"].str[:6]).all()
    born = pd.to_datetime(ids.str[6:14], format="%Y%m%d", errors="coerce")
    assert born.notna().all()
    assert born.dt.year.between(1940, 1995).all()
    if len(ids):
        digits = np.array([list(map(int, s[:17])) for s in ids])
        expected = np.array(list("10X98765432"))[(digits @ ID_WEIGHTS) % 11]
        assert (ids.str[17].to_numpy() == expected).all()


def check_values(city: DemoCity) -> None:
    v, h, u, c = city.villages, city.households, city.units, city.cadres
    listed = h["village_code"].value_counts().reindex(v["village_code"], fill_value=0)
    assert (listed.to_numpy() <= v["households"].to_numpy()).all()
    ratio = v["population"] / v["households"]
    assert ratio.between(3.49, 4.51).all()
    assert h["members"].between(1, 8).all()
    income = h["income_per_capita_yuan"]
    assert (income >= 0).all() and (income % 1 == 0).all()
    assert h.loc[income < 1067, "poverty_cause"].notna().all()
    assert h.loc[income >= 1067, "poverty_cause"].isna().all()
    for phones in (h["phone"], c["phone"]):
        assert phones.dropna().str.fullmatch(r"1[3-9]\d{9}").all()
    headcount = c["unit_id"].value_counts().reindex(u["unit_id"], fill_value=0)
    assert (headcount.to_numpy() == u["headcount"].to_numpy()).all()
    if len(c) >= len(u):
        assert (u["headcount"] >= 1).all()


def check_geography(city: DemoCity) -> None:
    frames = (city.villages, city.units, city.households, city.cadres)
    for frame in frames:
        located = frame.dropna(subset=["lat", "lon"])
        assert (frame["lat"].isna() == frame["lon"].isna()).all()
        assert located["lat"].between(*CHINA_LAT).all() and located["lon"].between(*CHINA_LON).all()
    village = city.villages.set_index("village_code")
    h = city.households.dropna(subset=["lat"])
    assert (km(h["lat"], h["lon"], h["village_code"].map(village["lat"]), h["village_code"].map(village["lon"]))
            < 1.5).all()
    c = city.cadres.dropna(subset=["lat"])
    unit = city.units.set_index("unit_id")
    assert (c["lat"].to_numpy() == c["unit_id"].map(unit["lat"]).to_numpy()).all()


def km(lat1, lon1, lat2, lon2) -> np.ndarray:
    lat1, lon1, lat2, lon2 = (np.radians(np.asarray(x, dtype=float)) for x in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(a))


def assert_same_city(a: DemoCity, b: DemoCity) -> None:
    assert a.name == b.name
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))


# ---------------------------------------------------------------- presets

def test_tiny_preset_is_as_documented(tiny):
    check_city(tiny, PRESETS["tiny"])
    assert tiny.name == "天水市"
    assert {n: len(f) for n, f in tiny.tables().items()} == {"villages": 6, "households": 30, "units": 4, "cadres": 12}
    assert tiny.villages["county_code"].nunique() == 2
    assert tiny.villages["township_code"].nunique() == 3
    assert tiny.villages["is_poor_village"].sum() == 5
    assert dict(zip(tiny.villages["county_code"], tiny.villages["county_name"])) == {
        "620502": "秦州区", "620503": "麦积区"}
    assert sorted(tiny.units["unit_name"]) == sorted(["中共天水市委", "天水市人民政府", "中共秦州区委", "中共麦积区委"])
    assert set(tiny.units["unit_kind"]) == {"四大班子"}


def test_city_preset_models_tianshui(city):
    check_city(city, PRESETS["city"])
    v = city.villages
    assert city.name == "天水市"
    assert dict(zip(v["county_code"], v["county_name"])) == TIANSHUI
    assert v["township_code"].nunique() == 120
    assert v["is_poor_village"].mean() == pytest.approx(0.85, abs=0.001)
    names = set(city.units["unit_name"])
    for leadership in ("中共天水市委", "天水市人大常委会", "天水市人民政府", "政协天水市委员会",
                       "中共秦安县委", "秦安县人大常委会", "秦安县人民政府", "政协秦安县委员会"):
        assert leadership in names
    assert city.units["unit_kind"].eq("四大班子").sum() == 32  # city + 7 counties


def test_city_preset_shares(city):
    h, c, u = city.households, city.cadres, city.units
    income = h["income_per_capita_yuan"]
    assert 0.25 <= (income < 785).mean() <= 0.35
    assert 0.35 <= ((income >= 785) & (income < 1067)).mean() <= 0.45
    assert h["is_party_member"].mean() == pytest.approx(0.12, abs=0.01)
    assert (income[h["is_party_member"]] >= 1067).mean() > 0.9
    poor_village = h["village_code"].map(city.villages.set_index("village_code")["is_poor_village"])
    assert poor_village[income < 1067].mean() > 0.9
    causes = h["poverty_cause"].value_counts(normalize=True)
    assert set(causes.index[:3]) == {"因病", "缺资金", "缺技术"}
    assert h["lat"].notna().mean() == pytest.approx(0.03, abs=0.01)
    assert h["phone"].notna().mean() == pytest.approx(0.6, abs=0.02)

    ranks = c["rank"].value_counts(normalize=True)
    assert ranks["地厅级"] == pytest.approx(0.003, abs=0.002)
    assert ranks["县处级"] == pytest.approx(0.07, abs=0.01)
    assert ranks["乡科级"] == pytest.approx(0.30, abs=0.02)
    assert c["is_leadership"].mean() == pytest.approx(0.10, abs=0.02)
    assert c.loc[c["is_leadership"], "rank"].ne("一般干部").mean() > 0.5
    assert c["is_retired"].mean() == pytest.approx(0.03, abs=0.01)
    assert c["phone"].notna().mean() == pytest.approx(0.8, abs=0.02)
    assert c["lat"].notna().mean() < 0.1
    based = u["unit_level"].isin(["中央", "省"]).mean()
    assert 0.015 <= based <= 0.04
    assert set(u["unit_kind"]) == set(UNIT_KINDS)
    senior = c.merge(u, on="unit_id").assign(senior=lambda f: f["rank"].isin(["地厅级", "县处级"]))
    by_kind = senior.groupby(senior["unit_kind"] == "四大班子")["senior"].mean()
    assert by_kind[True] > 2 * by_kind[False]


def test_city_geography_is_clustered(city):
    v = city.villages
    seats = {"620502": (34.58, 105.72), "620525": (34.99, 106.21)}
    for code, (lat, lon) in seats.items():
        mine = v[v["county_code"] == code]
        assert (km(mine["lat"], mine["lon"], lat, lon) < 25 + 6 + 0.5).all()
    centre = v.groupby("township_code")[["lat", "lon"]].transform("mean")
    spread = km(v["lat"], v["lon"], centre["lat"], centre["lon"])
    assert (spread < 12.5).all()
    units = city.units
    city_units = units[units["unit_level"] == "市"]
    assert (km(city_units["lat"], city_units["lon"], 34.58, 105.72) < 2).all()


def test_province_shaped_city():
    city = generate_city(PROVINCE_MID, seed=2)
    check_city(city, PROVINCE_MID)
    assert city.name == "甘肃省"
    prefectures = {p.code for p in GANSU_PREFECTURES}
    assert set(city.villages["county_code"].str[:4]) == prefectures
    units = city.units
    assert {"中共甘肃省委", "甘肃省人民政府", "中共临夏州委", "中共天水市委"} <= set(units["unit_name"])
    assert set(units["unit_level"]) == set(UNIT_LEVELS)
    assert units.loc[units["unit_level"] == "市", "unit_id"].str[2:8].str.endswith("00").all()


# ---------------------------------------------------------------- determinism

def test_same_seed_same_city():
    assert_same_city(generate_city(MID, seed=7), generate_city(MID, seed=7))
    assert_same_city(generate_city("tiny"), generate_city("tiny", seed=0))


def test_different_seed_different_city():
    a, b = generate_city(MID, seed=1), generate_city(MID, seed=2)
    for name in TABLES:
        assert not getattr(a, name).equals(getattr(b, name)), name


small_sizes = st.builds(
    CitySize,
    counties=st.integers(1, 3), townships=st.integers(1, 6), villages=st.integers(1, 20),
    units=st.integers(1, 10), cadres=st.integers(0, 60), households=st.integers(0, 80),
    poor_village_share=st.floats(0, 1),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=small_sizes, seed=st.integers(0, 2**32 - 1))
def test_any_small_size_is_valid_and_reproducible(size, seed):
    city = generate_city(size, seed=seed)
    check_city(city, size)
    assert_same_city(city, generate_city(size, seed=seed))


@pytest.mark.parametrize("bad", [
    dict(counties=0), dict(counties=8), dict(villages=0), dict(households=-1), dict(poor_village_share=1.5),
    dict(region="北京市"),
])
def test_impossible_sizes_are_refused(bad):
    base = dict(counties=2, townships=3, villages=6, units=4, cadres=12, households=30)
    with pytest.raises(ValueError):
        CitySize(**(base | bad))


def test_unknown_preset_is_refused():
    with pytest.raises(ValueError):
        generate_city("metropolis")


# ---------------------------------------------------------------- the project's loader accepts it

@pytest.mark.parametrize("size", ["tiny", MID])
def test_rosters_load_cleanly(size, tmp_path):
    from lianhu_tools.tables import write_rosters
    from lianhu_tools.rosters import load_rosters, validate_paths

    city = generate_city(size, seed=4)
    write_rosters(city.tables(), tmp_path, "csv")
    assert validate_paths([tmp_path]) == []
    loaded = load_rosters([tmp_path])
    for name, table in TABLES.items():
        frame, back = getattr(city, name), getattr(loaded, name)
        assert len(back) == len(frame)
        key = table.primary_key
        assert back[key].tolist() == frame[key].tolist()
    assert loaded.households["id_number"].tolist() == city.households["id_number"].tolist()
    assert loaded.households["phone"].fillna("").tolist() == city.households["phone"].fillna("").tolist()
