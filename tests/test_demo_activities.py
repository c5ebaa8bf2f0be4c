"""Demo work records: canonical values, records that follow the pairings, exact sizes, county work diaries."""

import numpy as np
import pandas as pd
import pytest
from test_pairing_households import rosters_of

from lianhu_tools.demo.activities import generate_activities, write_activity_workbooks
from lianhu_tools.tables import read_grids
from lianhu_tools.pairing.households import match_households
from lianhu_tools.pairing.rotation import rotate_teams
from lianhu_tools.pairing.villages import match_villages
from lianhu_tools.schema import ACTIVITIES, ACTIVITY_KINDS, ACTORS, TARGETS, TASKS


@pytest.fixture(scope="module")
def city():
    """The small preset paired: rosters, links, pairs and two half-year teams of 2025."""
    rosters = rosters_of("small", seed=1)
    links = match_villages(rosters).links
    pairs = match_households(rosters, links=links).pairs
    teams = rotate_teams(rosters, links, "2025H1", 3).schedule  # 2026H1 lies outside the year
    return rosters, links, pairs, teams


@pytest.fixture(scope="module")
def records(city):
    _, links, pairs, teams = city
    return generate_activities(links, pairs, teams, year=2025, seed=3)


def test_columns_and_canonical_values(records):
    assert list(records.columns) == ACTIVITIES.columns
    for column, allowed in (("actor_kind", ACTORS), ("target_kind", TARGETS), ("task", TASKS),
                            ("kind", ACTIVITY_KINDS)):
        assert set(records[column]) <= set(allowed), column
    assert set(records["actor_kind"]) == set(ACTORS)
    assert records["record_id"].is_unique
    assert records["record_id"].str.fullmatch(r"R2025-\d{7}").all()
    assert records["date"].dtype == "datetime64[ns]"
    assert (records["date"] == records["date"].dt.normalize()).all()
    assert records["date"].dt.year.eq(2025).all()
    assert (records["quantity"] >= 0).all()
    assert records["note"].notna().mean() > 0.7 and records["note"].isna().any()


def test_records_follow_the_pairings(records, city):
    _, links, pairs, teams = city
    visits = records[records["actor_kind"] == "干部"]
    assert (visits["target_kind"] == "户").all() and (visits["kind"] == "走访").all()
    assert (visits["actor_id"] == visits["target_id"].map(pairs.set_index("household_id")["cadre_id"])).all()
    assert set(visits["target_id"]) <= set(pairs["household_id"])
    assert 0.95 < visits["target_id"].nunique() / pairs["household_id"].nunique() < 1  # a few never visited

    units = records[records["actor_kind"] == "单位"]
    linked = set(zip(links["unit_id"], links["village_code"]))
    assert (units["target_kind"] == "村").all()
    assert all(pair in linked for pair in zip(units["actor_id"], units["target_id"]))

    members = records[records["actor_kind"] == "工作队员"]
    period = "2025H" + np.where(members["date"].dt.month <= 6, "1", "2")
    served = set(zip(teams["period"], teams["cadre_id"], teams["village_code"]))
    assert len(members) and all(t in served for t in zip(period, members["actor_id"], members["target_id"]))


def test_a_realistic_year(records):
    visits = records[records["kind"] == "走访"]
    assert visits["days"].notna().all() and records.loc[records["kind"] != "走访", "days"].isna().all()
    per_household = visits[visits["actor_kind"] == "干部"].groupby("target_id")["days"].agg(["size", "sum"])
    assert per_household["size"].between(1, 7).all()  # some cadres do less than planned (EFFORT)
    short = (per_household["size"] < 4) | (per_household["sum"] < 10)
    assert 0.05 < short.mean() < 0.4  # the assessment has something to find
    funds = records[records["kind"] == "资金"]
    assert funds["quantity"].between(5_000, 200_000).all() and (funds["task"] == "资金扶持").all()
    units = records[records["actor_kind"] == "单位"].groupby(["actor_id", "target_id", "kind"]).size().unstack()
    assert (units["培训班"].fillna(0) == units["培训人次"].fillna(0)).all()  # one head count per class
    assert units["走访"].between(1, 10).all() and (units["争取项目"].fillna(0) <= 2).all()


@pytest.mark.parametrize("rows", [0, 1, 997, 20_000])
def test_exact_number_of_rows(city, rows):
    _, links, pairs, teams = city
    scaled = generate_activities(links, pairs, teams, seed=1, rows=rows)
    assert len(scaled) == rows and list(scaled.columns) == ACTIVITIES.columns
    assert scaled["record_id"].is_unique
    assert set(scaled["target_id"]) <= set(pairs["household_id"]) | set(links["village_code"])


def test_deterministic_for_a_seed(city):
    _, links, pairs, teams = city
    first = generate_activities(links, pairs, teams, seed=7)
    pd.testing.assert_frame_equal(first, generate_activities(links, pairs, teams, seed=7))
    assert not first.equals(generate_activities(links, pairs, teams, seed=8))


def test_bad_inputs():
    links = pd.DataFrame({"unit_id": ["U1"], "village_code": ["620502101201"]})
    pairs = pd.DataFrame({"cadre_id": ["C1"], "household_id": ["H1"]})
    with pytest.raises(ValueError, match="village_code"):
        generate_activities(links[["unit_id"]], pairs)
    with pytest.raises(ValueError, match="2025H1"):
        generate_activities(links, pairs, pd.DataFrame({"period": ["2025Q1"], "village_code": ["620502101201"],
                                                         "cadre_id": ["C1"]}))
    with pytest.raises(ValueError, match="rows"):
        generate_activities(links, pairs, rows=-1)
    assert generate_activities(links.iloc[:0], pairs.iloc[:0]).empty


def test_county_work_diaries(records, city, tmp_path):
    rosters = city[0]
    paths = write_activity_workbooks(records, rosters.villages, tmp_path, households=rosters.households)
    assert [p.name for p in paths] == [f"{c}_工作记录.xlsx" for c in sorted(rosters.villages["county_code"].unique())]
    county_of = rosters.households.set_index("household_id")["village_code"].str[:6]
    read = []
    for path in paths:
        title = pd.read_excel(path, sheet_name="工作记录", header=None, nrows=1, engine="calamine").iloc[0, 0]
        assert title.endswith("2025年联村联户工作记录")
        back = pd.read_excel(path, sheet_name="工作记录", header=1, dtype=str, engine="calamine")
        assert list(back.columns) == [f.zh for f in ACTIVITIES.fields]
        county = back["对象编号"].map(county_of).fillna(back["对象编号"].str[:6])
        assert (county == path.name[:6]).all()
        read.append(back)
        grid = read_grids(path)[0]  # the ID columns are text cells, never numbers
        ids = [i for i, f in enumerate(ACTIVITIES.fields) if f.kind == "id"]
        assert not grid.numeric.iloc[2:, ids].to_numpy().any()
    back = pd.concat(read)
    assert len(back) == len(records) and set(back["记录编号"]) == set(records["record_id"])
    dates = pd.read_excel(paths[0], sheet_name="工作记录", header=1, engine="calamine")["日期"]
    assert dates.dtype.kind == "M"  # real Excel dates


def test_diary_date_format(records, city, tmp_path):
    import openpyxl

    rosters = city[0]
    path = write_activity_workbooks(records.head(5), rosters.villages, tmp_path, households=rosters.households)[0]
    cell = openpyxl.load_workbook(path)["工作记录"]["B3"]
    assert cell.is_date and cell.number_format.lower() == "yyyy-mm-dd"


def test_household_records_need_households(records, city, tmp_path):
    with pytest.raises(ValueError, match="households"):
        write_activity_workbooks(records, city[0].villages, tmp_path)


@pytest.mark.parametrize("seed", [2012, 7])
def test_a_demo_year_spreads_like_a_real_one(seed, tmp_path):
    """The small demo's year-end: every grade given, some cadres below target, and rank 1 not shared by many
    (the tie-break leaves few ties at the top). The tiny demo's five assessed cadres are too few to spread."""
    from lianhu_tools.assessment import results
    from lianhu_tools.demo.pipeline import start_demo_year

    year = start_demo_year("small", tmp_path, seed=seed, assess=("2025",))
    cadres = results(year.store, year.assessments["2025"])["cadre"]
    grades = cadres["grade"].value_counts()
    assert set(grades.index) == {"优秀", "良好", "一般", "较差"}, grades
    assert 0.5 < grades["优秀"] / len(cadres) < 0.95 and grades["较差"] / len(cadres) < 0.15
    assert (cadres["visits_measured"] < 4).mean() > 0.05  # some below the target of 4 visits per household
    assert (cadres["rank_city"] == 1).mean() < 0.05
