"""The leadership dashboard, driven as a leader would (filters changed) and checked against the store: its
numbers, charts, rankings and the static page."""

import re

import pandas as pd
import pytest

from lianhu_tools.store import Store
from standalone import assert_works_alone


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from lianhu_tools.demo.pipeline import start_demo_year

    return start_demo_year("tiny", tmp_path_factory.mktemp("year"))


@pytest.fixture(scope="module")
def assessed_year(tmp_path_factory):
    """A small demo city's year with its mid-year and year-end assessments."""
    from lianhu_tools.assessment import run_assessment
    from lianhu_tools.demo.pipeline import start_demo_year

    year = start_demo_year("small", tmp_path_factory.mktemp("assessed"))
    for period in ("2025H1", "2025"):
        run_assessment(year.store, period, year.rosters)
    return year


def headline_numbers(board) -> dict[str, str]:
    return dict(re.findall(r"<b class='(\w+)'>([^<]*)</b>", board.headline.value))


def expected_numbers(year, prefix: str, period: str) -> dict[str, str]:
    """The headline computed independently, from the demo year's own tables."""
    from lianhu_tools.classify import classify_households

    households = classify_households(year.rosters.households)
    poor = households[households["is_poor"] & households["village_code"].str.startswith(prefix)]
    villages = year.rosters.villages[year.rosters.villages["village_code"].str.startswith(prefix)]
    poor_villages = villages[villages["is_poor_village"].astype(bool)]
    term = period if "H" in period else period + "H2"
    members = year.teams[(year.teams["period"] == term) & year.teams["village_code"].str.startswith(prefix)]
    records = year.store.activities(period)
    return {"covered": f"{poor['household_id'].isin(year.pairs['household_id']).sum():,}",
            "villages": f"{poor_villages['village_code'].isin(year.links['village_code']).sum():,}",
            "members": f"{members['cadre_id'].nunique():,}",
            "records": f"{records['village_code'].str.startswith(prefix).sum():,}"}


def test_dashboard_filters_change_the_numbers_and_charts(assessed_year):
    from lianhu_tools.periods import previous_period
    from lianhu_tools.widgets.dashboard import Dashboard

    year = assessed_year
    board = Dashboard(year.store)  # rosters, assessments and teams from the store
    assert board.period.value == "2025" and board.figures["grades"].data  # the latest year-end assessment
    assert headline_numbers(board) == expected_numbers(year, "", "2025")
    city_headline = board.headline.value
    counties = set(year.rosters.villages["county_name"])
    assert {x for t in board.figures["coverage"].data for x in t.x} == counties
    assert "全市" in city_headline and "排名" in board.rankings.value
    county = board.county.options[1][1]
    board.county.value = county
    in_county = year.rosters.villages.query("county_code == @county")
    assert headline_numbers(board) == expected_numbers(year, county, "2025") and board.county.options[1][0] in board.headline.value
    assert {x for t in board.figures["coverage"].data for x in t.x} == set(in_county["township_name"])  # a level down
    board.period.value = "2025H1"
    assert headline_numbers(board) == expected_numbers(year, county, "2025H1")
    board.township.value = board.township.options[1][1]
    assert headline_numbers(board) == expected_numbers(year, board.township.value, "2025H1")
    assert {x for t in board.figures["coverage"].data for x in t.x} <= set(in_county["village_name"])
    board.village.value = board.village.options[1][1]
    assert headline_numbers(board) == expected_numbers(year, board.village.value, "2025H1")
    assert board.village.options[1][0] in board.headline.value and board.seconds > 0
    assert board.figures["plans"].layout.title.text.startswith("村级规划")
    assert board.figures["staffing"].data[0].name == "应派"
    board.county.value = ""  # back to the city: the lower levels are emptied
    assert board.township.options == (("全部", ""),) and board.village.options == (("全部", ""),)
    assert headline_numbers(board) == expected_numbers(year, "", "2025H1")
    assert [previous_period(p) for p in ("2025H2", "2025H1", "2025")] == ["2025H1", "2024H2", "2024"]


def test_rankings_in_a_county_include_city_cadres_working_there(assessed_year):
    from lianhu_tools.widgets.dashboard import Dashboard

    board = Dashboard(assessed_year.store)
    county = board.county.options[1][1]
    cadres, units = board.data._subjects(county, board.data.within(board.data.teams, county).query("period == '2025H2'"))
    pairs = assessed_year.pairs
    working = set(pairs.loc[pairs["village_code"].str.startswith(county), "cadre_id"])
    assert working and working <= cadres
    city_units = set(assessed_year.rosters.units.loc[assessed_year.rosters.units["county_code"].isna(), "unit_id"])
    assert units & city_units  # city units linking the county's villages are ranked there too
    board.county.value = county
    shown = board.data.results("2025")["cadre"].query("subject_id in @cadres")["name"].head(3)
    assert all(name in board.rankings.value for name in shown)


def test_the_top_ten_follow_the_published_ranking_and_mark_shared_ranks(assessed_year):
    """The dashboard's top ten are the published ranking's first ten (assessment.rank), 并列 beside a shared rank."""
    from lianhu_tools.assessment import results
    from lianhu_tools.figures.dashboard import DashboardData

    data = DashboardData(assessed_year.store)
    html = data.view("", 6, "2025").rankings
    cadres = html[:html.index("单位排名前10")]
    rows = [cells for row in re.findall(r"<tr[^>]*>(.*?)</tr>", cadres, re.S) if (cells := re.findall(r"<td>([^<]*)</td>", row))]
    published = results(assessed_year.store, data.assessments["2025"])["cadre"].head(10)
    assert [row[0] for row in rows] == [str(r) for r in published["rank_city"]]
    assert [row[1] for row in rows] == published["tied_city"].map({True: "并列", False: ""}).tolist()
    assert [row[3] for row in rows] == published["name"].tolist()
    assert (published["rank_city"] == 1).sum() < 10  # no mass tie at the top to hide the order in


def test_dashboard_before_any_assessment_and_with_its_own_policy(year):
    from lianhu_tools.classify import classify_households
    from lianhu_tools.widgets.dashboard import Dashboard
    from lianhu_tools.policy import load_policy

    board = Dashboard(year.store, assessments={})
    assert board.period.value == "2025H2"  # the latest half-year with records
    assert board.figures["grades"].layout.title.text.endswith("尚未考核") and board.rankings.value == ""
    policy = load_policy(overrides={"poverty_lines_yuan": {"absolute": 1196, "low_income": 2300}})
    richer = classify_households(year.rosters.households, policy)
    poor = richer[richer["is_poor"]]
    board = Dashboard(year.store, assessments={}, policy=policy)
    assert f" / {len(poor):,} 户" in board.headline.value


def test_dashboard_of_a_store_without_records(tmp_path, year):
    from lianhu_tools.widgets.dashboard import Dashboard

    store = Store(tmp_path / "lianhu.sqlite")
    store.save_rosters(year.rosters)
    board = Dashboard(store)
    assert board.period.value is None and "尚无工作记录" in board.headline.value and board.figures == {}
    page = board.write_html(tmp_path / "看板.html").read_text(encoding="utf-8")
    assert "尚无工作记录" in page


def test_static_dashboard_has_every_county_and_no_personal_data(assessed_year, tmp_path):
    from lianhu_tools.widgets.dashboard import Dashboard

    year = assessed_year
    board = Dashboard(year.store)
    page = assert_works_alone(board.write_html(tmp_path / "看板.html"))
    counties = year.rosters.villages.drop_duplicates("county_code")
    assert page.count("<section") == 1 + len(counties) and page.count("class='lianhu-chart'") == len(board.figures) * (1 + len(counties))
    assert all(f"area-{code}" in page for code in counties["county_code"])
    personal = year.rosters.households[["id_number", "phone"]].stack().dropna()
    assert len(personal) and not any(value in page for value in personal)
    assert board.county.value == ""  # the widget is left as it was


def test_villages_sharing_a_name_stay_apart_in_the_charts(year):
    import dataclasses

    from lianhu_tools.widgets.dashboard import Dashboard

    villages = year.rosters.villages.copy()
    township = villages["township_code"].value_counts().index[0]  # one with two villages or more
    twins = villages.index[villages["township_code"] == township][:2]
    villages.loc[twins, "village_name"] = "安岭村"  # two villages of one township, one name
    board = Dashboard(year.store, dataclasses.replace(year.rosters, villages=villages))
    board.county.value, board.township.value = township[:6], township
    for chart in ("coverage", "staffing"):
        shown = {x for trace in board.figures[chart].data for x in trace.x}
        assert not {"安岭村"} & shown and all(f"安岭村（{villages.loc[t, 'village_code']}）" in board.data.labels[12].values() for t in twins)
        assert all(x.startswith("安岭村（") for x in shown if "安岭村" in x)  # the same label in every series


def test_grades_as_the_city_names_them_and_charts_as_panels_of_one_plot(year):
    from lianhu_tools.assessment import load_indicators, run_assessment
    from lianhu_tools.figures.theme import GRADE_COLORS
    from lianhu_tools.widgets.dashboard import Dashboard

    system = load_indicators()
    system["grades"] = {"优秀": 90, "称职": 75, "基本称职": 60, "不称职": 0}  # a city's own grade names
    run_assessment(year.store, "2025", year.rosters, system)
    board = Dashboard(year.store)
    grades = board.figures["grades"].data
    assert [t.name for t in grades] == [g for g in system["grades"] if g in {t.name for t in grades}]
    assert all(t.marker.color == GRADE_COLORS[list(system["grades"]).index(t.name)] for t in grades)  # colour by grade
    panels = board.combined.data
    assert len(panels) == sum(len(f.data) for f in board.figures.values())
    after_map = len(board.figures["map"].data)
    assert [list(t.x) for t in panels[after_map:after_map + 2]] == [list(t.x) for t in board.figures["coverage"].data]
    assert all(t.legend is None for f in board.figures.values() for t in f.data)  # the separate figures stay as they were


def test_a_redraw_that_fails_says_so_briefly_and_logs_the_detail_on_the_server(tmp_path, capfd):
    import sqlite3

    from lianhu_tools.demo.pipeline import start_demo_year
    from lianhu_tools.errors import DASHBOARD_ERROR_MESSAGE
    from lianhu_tools.widgets.dashboard import Dashboard

    year = start_demo_year("tiny", tmp_path / "year", assess=("2025H1", "2025"))
    board = Dashboard(year.store)
    assert board.period.value == "2025" and board.figures
    with sqlite3.connect(year.folder / "lianhu.sqlite") as db:  # the store changed under the open page
        db.execute("DROP TABLE assessment_results")
    capfd.readouterr()
    board.period.value = "2025H1"  # its assessment's results are read now, and cannot be
    assert DASHBOARD_ERROR_MESSAGE in board.headline.value and "dashboard-error" in board.headline.value
    assert board.figures == {} and board.combined is None and board.rankings.value == ""
    logged = capfd.readouterr().err  # the process's own stderr: in a kernel, the server's log
    assert "dashboard redraw failed" in logged and "Traceback" in logged and "assessment_results" in logged
    board.period.value = "2025"  # read before: drawn again
    assert headline_numbers(board) and DASHBOARD_ERROR_MESSAGE not in board.headline.value


def test_the_served_page_says_the_same_short_message():
    from lianhu_tools.errors import DASHBOARD_ERROR_MESSAGE
    from lianhu_tools.serve import APP

    template = (APP / "voila" / "templates" / "lianhu" / "index.html.j2").read_text(encoding="utf-8")
    assert DASHBOARD_ERROR_MESSAGE in template


def test_the_map_fills_each_county_by_its_coverage_and_shows_a_countys_villages(assessed_year):
    from lianhu_tools.classify import classify_households
    from lianhu_tools.figures.dashboard import DashboardData
    from lianhu_tools.figures.maps import COVERAGE_SCALE, _colour
    from lianhu_tools.outlines import county_outline

    data = DashboardData(assessed_year.store)
    poor = classify_households(assessed_year.rosters.households).query("is_poor")
    linked = poor["household_id"].isin(assessed_year.pairs["household_id"])
    city = data.view("", 6, "2025").figures["map"]
    filled = {t.name: t for t in city.data if t.fill == "toself"}
    counties = assessed_year.rosters.villages.drop_duplicates("county_code")
    assert sorted(filled) == sorted(counties["county_name"])
    for code, name in zip(counties["county_code"], counties["county_name"]):
        mine = poor["village_code"].str.startswith(code)
        rate = 100 * linked[mine].sum() / mine.sum()
        assert filled[name].fillcolor == _colour(rate) and f"{rate:.0f}%（{linked[mine].sum():,} / {mine.sum():,} 户）" in filled[name].text
        assert f"{name}<br>{rate:.0f}%" in {a.text for a in city.layout.annotations}
        ring = county_outline(code, name).rings()[0]
        assert [round(v, 5) for v in ring[:3, 0]] == list(filled[name].x[:3])  # the real outline, not a box
    assert city.layout.yaxis.scaleanchor == "x" and COVERAGE_SCALE[0][1] != COVERAGE_SCALE[-1][1]

    code, name = counties["county_code"].iloc[0], counties["county_name"].iloc[0]
    county = data.view(code, 9, "2025").figures["map"]
    dots = next(t for t in county.data if t.mode == "markers" and t.x[0] is not None)
    assert len(dots.x) == assessed_year.rosters.villages["village_code"].str.startswith(code).sum()
    townships = assessed_year.rosters.villages.query("county_code == @code")["township_name"]
    assert {a.text for a in county.layout.annotations} == set(townships)
    township = assessed_year.rosters.villages.query("county_code == @code")["township_code"].iloc[0]
    framed = data.view(township, 12, "2025").figures["map"]  # a township: framed on its villages, each named
    in_township = assessed_year.rosters.villages.query("township_code == @township")
    assert framed.layout.xaxis.range[0] < in_township["lon"].min() and framed.layout.xaxis.range[1] > in_township["lon"].max()
    assert {a.text for a in framed.layout.annotations} == set(in_township["village_name"])


def test_the_map_panel_keeps_true_proportions_in_the_combined_plot(year):
    from lianhu_tools.figures.dashboard import DashboardData
    from lianhu_tools.figures.theme import combined

    figure = combined(DashboardData(year.store).view("", 6, "2025").figures)
    assert figure.layout.yaxis.scaleanchor == "x" and figure.layout.yaxis.scaleratio > 1.2
    bar = next(t for t in figure.data if "marker" in t and t.marker.showscale)
    x0, x1 = figure.layout.xaxis.domain
    assert bar.marker.colorbar.orientation == "h" and x0 < bar.marker.colorbar.x < x1  # under its panel, clear of the next


def test_a_store_dashboard_draws_without_personal_data_and_still_checks_its_page_against_it(assessed_year, tmp_path,
                                                                                             monkeypatch):
    from lianhu_tools.errors import PersonalDataLeak
    from lianhu_tools.figures.dashboard import DashboardData
    from lianhu_tools.report import write_dashboard_page

    data = DashboardData(assessed_year.store)
    assert not {"id_number", "phone", "head_name"} & set(data.rosters.households.columns)  # what a leader may read
    number = assessed_year.rosters.households["id_number"].dropna().iloc[0]
    monkeypatch.setattr(data, "page", lambda period: f"<html><body><p>{number}</p></body></html>")
    with pytest.raises(PersonalDataLeak):
        write_dashboard_page(data, None, tmp_path / "看板.html")
    assert not (tmp_path / "看板.html").exists()


def test_the_dashboard_holds_the_databases_counts_and_reads_them_again_after_a_write(assessed_year, store_url):
    """On both engines: no household and no record is read one by one — the database counts them per village —
    and a page left open shows records imported since at its next change."""
    from lianhu_tools.widgets.dashboard import Dashboard
    from store_copy import copy_store

    store = copy_store(assessed_year.store, store_url)
    board = Dashboard(store)
    assert headline_numbers(board) == expected_numbers(assessed_year, "", "2025")
    assert board.data.rosters.households.empty and list(board.data.rosters.cadres) == ["cadre_id", "unit_id"]
    villages = len(assessed_year.rosters.villages)
    assert len(board.data.records("2025")) <= 2 * villages * 12 < len(store.activities("2025")) / 2

    more = store.activities("2025H2").drop(columns=["id", "import_id", "fingerprint"]).head(40)
    more = more.assign(record_id="NEW-" + more["record_id"].astype(str), days=more["days"] + 0.5)
    store.add_activities(more, "补录.xlsx")
    county = board.data.counties[1][1]
    board.county.value = county  # the next change reads the store again
    board.county.value = ""
    shown = int(headline_numbers(board)["records"].replace(",", ""))
    assert shown == len(store.activities("2025")) == len(assessed_year.store.activities("2025")) + 40


def test_results_kept_with_an_assessment_are_its_ranking_and_follow_its_adjustments(assessed_year, store_url):
    from lianhu_tools.assessment import results
    from lianhu_tools.store.tables import RESULT_COLUMNS
    from store_copy import copy_store

    store = copy_store(assessed_year.store, store_url)
    run = int(store.assessments()["assessment_id"].iloc[-1])

    def same(kept, ranked):
        for kind, table in ranked.items():
            pd.testing.assert_frame_equal(kept[kind], table.reindex(columns=RESULT_COLUMNS), check_dtype=False)

    same(store.assessment_results(run), results(store, run))
    last = results(store, run)["cadre"].iloc[-1]
    store.adjust(run, "cadre", last["subject_id"], 30, "表彰 / commended")
    kept = store.assessment_results(run)
    same(kept, results(store, run))
    moved = kept["cadre"].set_index("subject_id").loc[last["subject_id"]]
    assert moved["total"] == min(100, last["total"] + 30) and moved["rank_city"] < last["rank_city"]
    assert store.integrity_problems() == []
    with store.engine.begin() as conn:  # results lost (by hand): the store's check says so
        conn.exec_driver_sql(f"DELETE FROM assessment_results WHERE assessment_id = {run}")
    assert any("assessments without their results kept: 1" in p for p in store.integrity_problems())


def test_every_write_is_told_to_the_dashboard_a_team_saved_again_too(assessed_year, store_url):
    """SQLite gives a deleted row's number to the next row: a team saved again may keep every row number, and the
    dashboard must still see it (meta's `written`, which every write changes)."""
    from lianhu_tools.store import aggregates
    from store_copy import copy_store

    store = copy_store(assessed_year.store, store_url)
    teams = store.teams()
    term = teams[teams["period"] == teams["period"].max()]
    again = term[term["unit_id"] == term["unit_id"].iloc[-1]].drop(columns="id")
    before = aggregates.written_last(store)
    store.save_teams(again.assign(cadre_id=again["cadre_id"].iloc[0]))
    assert aggregates.written_last(store) != before
