"""Scores on a hand-computed case; frozen results; adjustments need reasons."""

import pandas as pd
import pytest

from lianhu_tools.assessment import load_indicators, results, run_assessment
from lianhu_tools.errors import IndicatorError, PersonalDataLeak
from lianhu_tools.rosters import load_rosters
from lianhu_tools.store import Store

from conftest import write_csv_rosters

V1, V2 = "620502101201", "620502101202"


def record(actor_kind, actor, target_kind, target, kind, date, quantity=1.0, days=None, village=V1):
    return {"date": pd.Timestamp(date), "actor_kind": actor_kind, "actor_id": actor, "target_kind": target_kind,
            "target_id": target, "task": "宣传政策", "kind": kind, "quantity": quantity, "days": days,
            "period": f"{date[:4]}H{1 if int(date[5:7]) <= 6 else 2}", "village_code": village}


@pytest.fixture
def store(tmp_path):
    rosters = load_rosters(write_csv_rosters(tmp_path / "rosters"))
    store = Store(tmp_path / "s.sqlite")
    store.save_rosters(rosters)
    store.save_pairings(pd.DataFrame({"cadre_id": ["C1", "C2"], "household_id": ["H1", "H2"], "unit_id": ["U1", "U2"]}),
                        2025, "locked", links=pd.DataFrame({"unit_id": ["U1", "U2"], "village_code": [V1, V2]}))
    rows = [record("干部", "C1", "户", "H1", "走访", f"2025-0{m}-10", days=d) for m, d in ((1, 2), (3, 3), (4, 3), (6, 2))]
    rows += [record("干部", "C2", "户", "H2", "走访", "2025-09-01", days=1)]
    rows += [record("单位", "U1", "村", V1, "走访", f"2025-{m:02d}-05", days=d) for m, d in zip(range(1, 7), (5, 5, 5, 5, 10, 10))]
    rows += [record("单位", "U1", "村", V1, "办实事", "2025-05-01", quantity=2),
             record("单位", "U1", "村", V1, "资金", "2025-05-02", quantity=50000)]
    store.add_activities(pd.DataFrame(rows), source="hand")
    return store, rosters


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
    with pytest.raises(ValueError, match="理由"):
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


def test_published_rankings_and_report_carry_no_household_data(store, tmp_path):
    from lianhu_tools.report import check_no_personal_data, publish, seed_report

    store, rosters = store
    assessment = run_assessment(store, "2025", rosters)
    written = publish(store, assessment, rosters, tmp_path / "public")
    assert {p.name for p in written} == {"考核结果_2025.xlsx", "考核结果_2025.html"}
    page = (tmp_path / "public" / "考核结果_2025.html").read_text(encoding="utf-8")
    assert "cdn" not in page.lower() and (tmp_path / "public" / "plotly.min.js").stat().st_size > 1_000_000
    assert "王五" in page and "中共秦州区委" in page  # cadres and units are published
    for household in rosters.households.itertuples():
        for secret in (household.id_number, household.phone, household.head_name):
            assert not isinstance(secret, str) or secret not in page
    text, figures = seed_report(store, "2025")
    assert text[0].startswith("2025年，全市2名领导干部、2个单位0名工作队员，共联系了2个村")
    assert "落实帮扶资金50,000元" in text[1]
    leaked = tmp_path / "leak.html"
    leaked.write_text(f"<table><tr><td>{rosters.households['head_name'].iloc[0]}</td></tr></table>", encoding="utf-8")
    with pytest.raises(PersonalDataLeak, match="personal data"):
        check_no_personal_data([leaked], rosters)


def test_assess_and_report_commands(store, tmp_path, capsys):
    from lianhu_tools.cli import main

    store, rosters = store
    db = str(store.url.database)
    assert main(["assess", "--period", "2025", "--out", str(tmp_path / "pub"), "--db", db]) == 0
    assert (tmp_path / "pub" / "考核结果_2025.html").exists() and "已冻结" in capsys.readouterr().out
    assert main(["report", "--period", "2025", "--out", str(tmp_path / "rep"), "--db", db]) == 0
    assert "共联系了2个村" in (tmp_path / "rep" / "工作报告.txt").read_text(encoding="utf-8")
    broken = tmp_path / "指标.yaml"
    broken.write_text("grades: {}\n", encoding="utf-8")
    assert main(["assess", "--period", "2025", "--out", str(tmp_path / "x"), "--db", db, "--indicators", str(broken)]) == 1


def test_leaked_numbers_are_found_whatever_surrounds_them(store, tmp_path):
    from lianhu_tools.report import check_no_personal_data

    _, rosters = store
    household = rosters.households.iloc[0]
    for text in (f"<p>身份证{household.id_number.lower()}号</p>", f"<td>电话:{household.phone}</td>"):
        leaked = tmp_path / "leak.html"
        leaked.write_text(text, encoding="utf-8")
        with pytest.raises(PersonalDataLeak, match="personal data"):
            check_no_personal_data([leaked], rosters)


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


def test_adjust_command_needs_a_reason_and_republishes(store, tmp_path, capsys):
    from lianhu_tools.cli import main

    store, rosters = store
    db = str(store.url.database)
    assessment = run_assessment(store, "2025", rosters)
    common = ["adjust", "--assessment", str(assessment), "--kind", "cadre", "--points", "10", "--out", str(tmp_path / "p"),
              "--db", db]
    assert main(common + ["--subject", "C2", "--reason", " "]) == 2
    assert main(common + ["--subject", "C9", "--reason", "核实"]) == 2
    assert main(common + ["--subject", "C2", "--reason", "抽查补录走访记录"]) == 0
    assert "53.0" in (tmp_path / "p" / "考核结果_2025.html").read_text(encoding="utf-8")


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
