"""The pairing control panel, the plan editor and the dashboard, driven as a planner or leader would:
set values, click — and the numbers checked against the store."""

import re

import pytest

from lianhu_tools.widgets.pairing import PairingPanel, pairs_from_text
from lianhu_tools.store import Store

from test_pairing_households import SMALL, rosters_of


@pytest.fixture(scope="module")
def rosters():
    return rosters_of(SMALL, seed=3)


def test_run_follows_the_edited_quotas_and_distance(rosters):
    panel = PairingPanel(rosters)
    assert panel.accept_button.disabled
    panel.quota["一般干部", "poor"].value = 0
    panel.locality.value = "distance"
    panel.max_km.value = 20
    panel.run_button.click()
    pairs = panel.households.pairs
    assert panel.progress.value == 3 and "已证明最优" in panel.message.value
    ranks = pairs[pairs["pool"] == "poor"]["rank"]
    assert len(ranks) and "一般干部" not in set(ranks)
    assert (pairs["distance_km"] <= 20).all()
    assert panel.accept_button.disabled  # no store to accept into


def test_pins_forbids_and_accepting_into_the_store(rosters, tmp_path):
    store = Store(tmp_path / "s.sqlite")
    panel = PairingPanel(rosters, store=store)
    panel.locality.value = "county"
    panel.run_button.click()
    first = panel.households.pairs.iloc[0]
    panel.forbids.value = f"{first.cadre_id}, {first.household_id}"
    panel.run_button.click()
    chosen = panel.households.pairs.set_index("household_id")["cadre_id"]
    assert chosen.get(first.household_id) != first.cadre_id
    panel.status.value = "locked"
    panel.accept_button.click()
    stored = store.current("pairings")
    assert len(stored) == len(panel.households.pairs) and set(stored["status"]) == {"locked"}
    assert panel.accept_button.disabled and "已存入数据库" in panel.message.value


def test_bad_pins_say_why_and_run_nothing(rosters):
    panel = PairingPanel(rosters)
    panel.pins.value = "GB1 H1 extra"
    panel.run_button.click()
    assert panel.households is None and "干部编号, 农户编号" in panel.message.value
    assert pairs_from_text("C1，H1\nC2\tH2\n\n").values.tolist() == [["C1", "H1"], ["C2", "H2"]]


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


def test_plan_editor_edits_saves_a_version_and_refuses_bad_rows(year):
    from lianhu_tools.widgets.plans import PlanEditor

    editor = PlanEditor(year.store, year.rosters)
    village = year.links["village_code"].iloc[0]
    row = year.rosters.villages.set_index("village_code").loc[village]
    editor.county.value, editor.township.value, editor.village.value = row["county_code"], row["township_code"], village
    assert editor.subject() == ("村", village) and "措施" in editor.table.value.splitlines()[0]
    before = len(year.store.plans(history=True))
    lines = editor.table.value.splitlines()
    editor.table.value = "\n".join(lines + [f"村,{village},2026,强化培训,举办电商培训,,,,,60,"])
    editor.save_button.click()
    assert "已保存" in editor.message.value
    assert "举办电商培训" in set(year.store.plans().query("subject_id == @village")["measure"])
    editor.table.value = "\n".join(lines + [f"村,{village},2031,强化培训,太远的计划,,,,,,"])
    editor.save_button.click()
    assert "未保存" in editor.message.value and "联系期" in editor.message.value
    assert len(year.store.plans(history=True)) == before + len(lines)  # one version saved, the bad one not


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
    from lianhu_tools.store import Store

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
    page = board.write_html(tmp_path / "看板.html").read_text(encoding="utf-8")
    counties = year.rosters.villages.drop_duplicates("county_code")
    assert page.count("<section") == 1 + len(counties) and (tmp_path / "plotly.min.js").exists()
    assert all(f"area-{code}" in page for code in counties["county_code"]) and "cdn" not in page.lower()
    personal = year.rosters.households[["id_number", "phone"]].stack().dropna()
    assert len(personal) and not any(value in page for value in personal)
    assert board.county.value == ""  # the widget is left as it was


def test_villages_sharing_a_name_stay_apart_in_the_charts(year):
    import dataclasses

    from lianhu_tools.widgets.dashboard import Dashboard

    villages = year.rosters.villages.copy()
    township = villages["township_code"].iloc[0]
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
    assert [list(t.x) for t in panels[:2]] == [list(t.x) for t in board.figures["coverage"].data]
    assert all(t.legend is None for f in board.figures.values() for t in f.data)  # the separate figures stay as they were


def test_the_panel_keeps_the_city_policy_and_shows_the_fixes(rosters, tmp_path):
    """The panel runs on the city's own policy (not the defaults) and gives the library's pairing."""
    from lianhu_tools.pairing.households import match_households
    from lianhu_tools.policy import load_policy

    path = tmp_path / "policy.yaml"
    path.write_text("poverty_lines_yuan: {absolute: 900, low_income: 2300}\nleadership_link: false\n", encoding="utf-8")
    policy = load_policy(path)
    panel = PairingPanel(rosters, policy)
    panel.locality.value = "distance"
    panel.max_km.value = 15
    panel.run_button.click()
    own = match_households(rosters, load_policy(path, overrides={"max_km": 15}), locality="distance")
    assert panel.households.pairs.equals(own.pairs)
    leaders = set(rosters.cadres.loc[rosters.cadres["is_leadership"], "cadre_id"])
    assert not leaders & set(panel.households.pairs["cadre_id"])
    assert {"reason_zh", "fix_zh"} <= set(panel.households.uncovered) and len(panel.households.uncovered)
    assert "各级均已证明最优" in panel.message.value


def test_the_panel_passes_a_planner_rule(rosters):
    from lianhu_tools.pairing.rules import at_most_villages_per_cadre

    panel = PairingPanel(rosters, rules=[at_most_villages_per_cadre(1)])
    panel.locality.value = "county"
    panel.quota["县处级", "poor"].value = 3
    panel.run_button.click()
    poor = panel.households.pairs[panel.households.pairs["pool"] == "poor"]
    assert poor.groupby("cadre_id")["village_code"].nunique().max() == 1
    assert panel.households.reports["poor"].mip


def test_policy_compare_panel(rosters):
    from lianhu_tools.widgets.pairing import PolicyComparePanel
    from lianhu_tools.policy import load_policy

    policies = {"默认": load_policy(), "近": load_policy(overrides={"max_km": 10}), "远": load_policy(overrides={"max_km": 40})}
    panel = PolicyComparePanel(rosters, policies)
    panel.chosen.value = ("近", "远")
    panel.run_button.click()
    table = panel.comparison.table.set_index("policy")
    assert list(table.index) == ["近", "远"] and "已比较 2 个政策" in panel.message.value
    assert table.loc["近", "absolute_covered"] <= table.loc["远", "absolute_covered"]
    assert len(panel.comparison.figure().data) == 2 * 4  # two policies, four panels


def test_locked_pairings_stay_through_a_second_run_and_accept(rosters, tmp_path):
    store = Store(tmp_path / "s.sqlite")
    panel = PairingPanel(rosters, store=store)
    panel.locality.value = "county"
    panel.run_button.click()
    panel.status.value = "locked"
    panel.accept_button.click()
    locked = store.current("pairings")[["cadre_id", "household_id"]]
    panel.max_km.value = 15  # a new proposal under a shorter limit
    panel.status.value = "confirmed"
    panel.run_button.click()
    panel.accept_button.click()
    after = store.current("pairings")
    kept = locked.merge(after, on=["cadre_id", "household_id"])
    assert len(kept) == len(locked) and set(kept["status"]) == {"locked"}  # none ended
