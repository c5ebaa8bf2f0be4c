"""The pairing control panel, driven as a planner would: set values, click."""

import pytest

from lianhu_tools.panels import PairingPanel, pairs_from_text
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
    from lianhu_tools.pipeline import start_demo_year

    return start_demo_year("tiny", tmp_path_factory.mktemp("year"))


def test_plan_editor_edits_saves_a_version_and_refuses_bad_rows(year):
    from lianhu_tools.panels import PlanEditor

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


def test_dashboard_filters_change_the_numbers_and_charts(year):
    from lianhu_tools.assessment import run_assessment
    from lianhu_tools.dashboard import Dashboard, previous_period

    assessments = {p: run_assessment(year.store, p, year.rosters, year.teams) for p in ("2025H1", "2025")}
    board = Dashboard(year.store, year.rosters, assessments)
    board.period.value = "2025"
    city_headline = board.headline.value
    counties = set(year.rosters.villages["county_name"])
    assert {x for t in board.figures["coverage"].data for x in t.x} <= counties
    assert "全市" in city_headline and board.figures["grades"].data
    county = board.county.options[1][1]
    board.county.value = county
    assert board.headline.value != city_headline and board.county.options[1][0] in board.headline.value
    townships = set(year.rosters.villages.query("county_code == @county")["township_name"])
    assert {x for t in board.figures["coverage"].data for x in t.x} <= townships  # drilled down a level
    board.township.value = board.township.options[1][1]
    assert board.seconds > 0 and board.figures["plans"].layout.title.text.startswith("村级规划")
    assert [previous_period(p) for p in ("2025H2", "2025H1", "2025")] == ["2025H1", "2024H2", "2024"]
