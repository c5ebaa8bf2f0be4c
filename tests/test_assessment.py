"""Scores on a hand-computed case; frozen results; adjustments need reasons."""

import pandas as pd
import pytest

from lianhu_tools.assessment import load_indicators, results, run_assessment
from lianhu_tools.errors import IndicatorError
from lianhu_tools.store import AdjustmentError

from conftest import V1


def test_year_end_scores_by_hand(store):
    store, rosters = store
    tables = results(store, run_assessment(store, "2025", rosters), rosters)
    cadres = tables["cadre"].set_index("subject_id")
    # C1: 4 visits of 4 → 40; 10 days of 10 → 30; 1 of 2 slots (县处级 1 poor + 1 party) → 15
    assert cadres.loc["C1", ["visits", "days", "quota", "unvisited", "total", "grade"]].tolist() == [40, 30, 15, 0, 85, "良好"]
    # C2: 1 visit → 10; 1 day → 3; 1 of 1 slot → 30
    assert cadres.loc["C2", ["visits", "days", "quota", "total", "grade"]].tolist() == [10, 3, 30, 43, "较差"]
    assert cadres.loc["C1", "rank_city"] == 1 and cadres.loc["C2", "rank_city"] == 2
    units = tables["unit"].set_index("subject_id")
    assert units.loc["U1", ["visits", "days", "practical", "funds", "total", "grade"]].tolist() == [30, 30, 20, 20, 100, "优秀"]
    assert units.loc["U2", ["silent_village", "total", "grade"]].tolist() == [-5, 0, "较差"]  # never below 0
    assert units.loc["U2", "name"] == "天水市财政局" and units.loc["U2", "county_name"] == "市直"


def test_mid_year_halves_yearly_targets(store):
    store, rosters = store
    cadres = results(store, run_assessment(store, "2025H1", rosters), rosters)["cadre"].set_index("subject_id")
    assert cadres.loc["C1", ["visits", "days", "quota", "total"]].tolist() == [40, 30, 15, 85]  # 4 of 2, 10 of 5
    assert cadres.loc["C2", ["visits", "unvisited", "total"]].tolist() == [0, -5, 25]  # visited only in H2


def test_results_are_frozen_and_adjustments_need_a_reason(store):
    store, rosters = store
    assessment = run_assessment(store, "2025", rosters)
    before = results(store, assessment, rosters)["cadre"]
    ids = store.current("pairings").query("cadre_id == 'C2'")["id"].tolist()
    store.set_status("pairings", ids, "ended", "农户已脱贫 / household left poverty")
    store.save_pairings(pd.DataFrame({"cadre_id": ["C2"], "household_id": ["H1"]}), 2026)
    pd.testing.assert_frame_equal(results(store, assessment, rosters)["cadre"], before)
    with pytest.raises(AdjustmentError, match="理由"):
        store.adjust(assessment, "cadre", "C2", 10, " ")
    store.adjust(assessment, "cadre", "C2", 10, "抽查补录走访记录")
    after = results(store, assessment, rosters)["cadre"].set_index("subject_id")
    assert after.loc["C2", ["adjustment", "total"]].tolist() == [10, 53]
    assert store.assessment(assessment)["frozen"]["pairs"]["household_id"] == ["H1", "H2"]


def test_a_broken_indicator_file_lists_every_problem(tmp_path):
    path = tmp_path / "指标.yaml"
    path.write_text("cadre:\n  indicators:\n    - {id: a, points: x, measure: nope, target: 0}\n", encoding="utf-8")
    with pytest.raises(IndicatorError) as caught:
        load_indicators(path)
    where = {p.column for p in caught.value.problems}
    assert {"cadre.indicators[1].points", "cadre.indicators[1].measure", "cadre.indicators[1].target",
            "cadre.indicators[1].name", "unit", "team_member", "grades"} <= where
    assert "nope" in str(caught.value)


def test_names_are_frozen_and_a_cadre_who_left_is_still_assessed(store):
    from lianhu_tools.rosters import Rosters

    store, rosters = store
    before = results(store, run_assessment(store, "2025", rosters), rosters)["cadre"]
    moved = rosters.cadres.assign(unit_id=lambda c: c["unit_id"].where(c["cadre_id"] != "C1", "U2"))
    store.save_rosters(Rosters(rosters.villages, rosters.households, rosters.units, moved[moved["cadre_id"] != "C2"]))
    pd.testing.assert_frame_equal(results(store, 1)["cadre"], before)  # assessment 1 as published
    later = results(store, run_assessment(store, "2025", store.rosters()))["cadre"].set_index("subject_id")
    assert later.loc["C2", "name"] == "（已不在名册）" and later.loc["C1", "unit_name"] == "天水市财政局"


def test_periods_are_checked(store, tmp_path, capsys):
    from lianhu_tools.cli import main

    store, _ = store
    db = str(store.url.database)
    assert main(["assess", "--period", "上半年", "--out", str(tmp_path / "a"), "--db", db]) == 2
    assert main(["assess", "--period", "2026", "--out", str(tmp_path / "b"), "--db", db]) == 1
    assert "没有任何工作记录" in capsys.readouterr().err
    assert main(["assess", "--period", "2025h1", "--out", str(tmp_path / "c"), "--db", db]) == 0
    assert (tmp_path / "c" / "考核结果_2025H1.html").exists()
    missing = tmp_path / "none.sqlite"
    assert main(["report", "--period", "2025", "--out", str(tmp_path / "d"), "--db", str(missing)]) == 2
    assert not missing.exists()


def test_plan_measures_score_completion_and_income(store, tmp_path):
    from lianhu_tools.assessment import load_indicators

    store, rosters = store
    store.save_plans(pd.DataFrame({
        "subject_kind": ["户", "户", "村", "村"], "subject_id": ["H1", "H1", V1, V1], "year": [2025] * 4,
        "task": ["增加收入"] * 4, "measure": ["养羊", "种椒", "修路", "培训"], "income_target_yuan": [1400.0, None, None, None],
        "status": ["已完成", "计划", "已完成", "已完成"]}), 2025, "hand")
    system = load_indicators()
    system["cadre"]["indicators"] += [{"id": "plans", "name": "规划完成", "points": 10, "measure": "plan_completion", "target": 1,
                                       "yearly": False},
                                      {"id": "income", "name": "收入达标", "points": 10, "measure": "income_against_target",
                                       "target": 1, "yearly": False}]
    system["unit"]["indicators"] += [{"id": "plans", "name": "规划完成", "points": 10, "measure": "plan_completion", "target": 1,
                                      "yearly": False}]
    tables = results(store, run_assessment(store, "2025", rosters, system=system))
    cadre = tables["cadre"].set_index("subject_id")
    assert cadre.loc["C1", ["plans", "income"]].tolist() == [5.0, 5.0]  # 1 of 2 measures; 700 of 1,400 元
    assert cadre.loc["C2", ["plans", "income"]].tolist() == [0.0, 0.0]  # no plan for H2
    assert tables["unit"].set_index("subject_id").loc["U1", "plans"] == 10.0


@pytest.mark.parametrize("points", [float("nan"), float("inf"), 1e9, -101, True, 1e-300, 0])
def test_an_adjustment_beyond_the_scale_is_refused(store, points):
    store, rosters = store
    assessment = run_assessment(store, "2025", rosters)
    with pytest.raises(AdjustmentError, match="0.1 到 100"):
        store.adjust(assessment, "cadre", "C2", points, "核实")
    store.adjust(assessment, "cadre", "C1", 100, "核实")
    assert results(store, assessment, rosters)["cadre"].set_index("subject_id").loc["C1", "total"] == 100  # out of 100


def test_adjustments_of_one_subject_add_up_to_at_most_100(store):
    store, rosters = store
    assessment = run_assessment(store, "2025", rosters)
    store.adjust(assessment, "cadre", "C1", 60, "核实")
    with pytest.raises(AdjustmentError, match="合计超过"):
        store.adjust(assessment, "cadre", "C1", 50, "再核实")
    store.adjust(assessment, "cadre", "C1", -20, "更正")
    store.adjust(assessment, "cadre", "C1", 60, "再核实")
    assert store.assessment(assessment)["adjustments"]["points"].sum() == 100
