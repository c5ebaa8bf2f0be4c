"""Generated cities go through the real writers and loaders clean, in every format."""

import pandas as pd
import pytest

from lianhu_tools.errors import RosterError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lianhu_tools.demo import CitySize, generate_city
from lianhu_tools.demo.geography import region_capacity
from lianhu_tools.outlines import county_outline
from lianhu_tools.tables import write_rosters, write_workbook
from lianhu_tools.rosters import ALL_TABLES, load_rosters, validate_paths

sizes = st.builds(
    CitySize, counties=st.integers(1, 3), townships=st.integers(1, 6), villages=st.integers(1, 20),
    units=st.integers(1, 10), cadres=st.integers(1, 60), households=st.integers(1, 80))


def assert_same_tables(got, expected):
    for name in ALL_TABLES:
        pd.testing.assert_frame_equal(got[name], expected[name], check_dtype=False, check_exact=False, rtol=1e-9)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=sizes, seed=st.integers(0, 2**32 - 1))
def test_generated_cities_validate_clean(tmp_path_factory, size, seed):
    city = generate_city(size, seed=seed)
    folder = tmp_path_factory.mktemp("city")
    write_rosters(city.tables(), folder, "csv", encoding="gb18030")
    assert validate_paths(folder) == []
    rosters = load_rosters(folder)
    expected = {n: t.assign(**_fallback_locations(city, n)) for n, t in city.tables().items()}
    assert_same_tables(rosters.tables(), expected)


def _fallback_locations(city, name):
    """What the loader fills in: households at their village, cadres at their unit, when blank."""
    parent = {"households": (city.villages, "village_code"), "cadres": (city.units, "unit_id")}.get(name)
    if parent is None:
        return {}
    frame, (base, key) = city.tables()[name], parent
    located = base.set_index(key)
    return {axis: frame[axis].fillna(frame[key].map(located[axis])) for axis in ("lat", "lon")}


@pytest.mark.parametrize("file_format, header", [("xlsx", "zh"), ("csv", "zh_hant"), ("csv", "en")])
def test_same_rosters_from_csv_and_excel_load_identically(tmp_path, file_format, header):
    city = generate_city("tiny", seed=7)
    reference = load_rosters(write_rosters(city.tables(), tmp_path / "ref", "csv")).tables()
    got = load_rosters(write_rosters(city.tables(), tmp_path / "x", file_format, header=header)).tables()
    for name in ALL_TABLES:
        pd.testing.assert_frame_equal(got[name], reference[name])
    workbook = load_rosters(write_workbook(city.tables(), tmp_path / "all.xlsx", header=header)).tables()
    for name in ALL_TABLES:
        pd.testing.assert_frame_equal(workbook[name], reference[name])


def test_every_planted_problem_is_listed_at_its_place_and_nothing_else(tmp_path):
    from pathlib import Path

    from lianhu_tools.demo.broken import write_broken_rosters

    planted = write_broken_rosters(tmp_path)
    found = [p for p in validate_paths(tmp_path) if p.severity == "error"]
    assert {(Path(p.file).name, p.sheet, p.row, p.column, p.code) for p in found} == \
        {(p.file, p.sheet, p.row, p.column, p.code) for p in planted}
    assert len(found) == len(planted) == 25
    with pytest.raises(RosterError) as caught:
        load_rosters(tmp_path)
    assert len(caught.value.problems) == 25


@pytest.mark.parametrize("seed", [3, 2012, 90210])
def test_demo_villages_lie_inside_their_real_county_outlines_across_the_province(seed):
    counties = region_capacity("甘肃省")
    city = generate_city(CitySize(counties=counties, townships=3 * counties, villages=12 * counties, units=counties,
                                  cadres=counties, households=counties, region="甘肃省"), seed=seed)
    for (code, name), villages in city.villages.groupby(["county_code", "county_name"]):
        outline = county_outline(code, name)
        assert outline is not None and (outline.km_outside(villages["lat"], villages["lon"]) == 0).all(), name
    assert city.villages["county_code"].nunique() == counties
