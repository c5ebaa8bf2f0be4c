"""Plans in from office files, checked, versioned; annual plans and progress."""

import pandas as pd
import pytest

from lianhu_tools.cli import main
from lianhu_tools.errors import PlanError
from lianhu_tools.plans import annual_plan, load_plans, progress
from lianhu_tools.store import Store


PLAN = pd.DataFrame({
    "对象类型": ["村", "村", "户", "户", "单位"],
    "对象编号": ["620502101201", "620502101201", "H1", "H1", "U1"],
    "年度": ["2025", "2026", "2025", "2025", "2025"],
    "任务类别": ["增加收入", "强化培训", "增加收入", "资金扶持", "宣传政策"],
    "措施": ["种植花椒200亩", "举办果树修剪培训", "养羊10只", "小额贷款2万元", "宣讲惠农政策"],
    "人均纯收入目标": ["", "", "1,200", "", ""],
    "计划资金": ["50000", "", "", "20000", ""],
    "计划培训人次": ["", "80", "", "", ""],
    "完成情况": ["已完成", "", "进行中", "完成", "计划"],
})


def write(tmp_path, frame, name="规划.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False, encoding="gb18030")
    return path


def test_plans_load_and_give_annual_plans_and_progress(tmp_path, rosters):
    plans = load_plans(write(tmp_path, PLAN), rosters, 2025)
    assert list(plans["status"]) == ["已完成", "计划", "进行中", "已完成", "计划"]  # blank means planned
    assert len(annual_plan(plans, 2025)) == 4
    table = progress(plans, 2025, households=rosters.households).set_index("subject_id")
    assert table.loc["H1", ["measures", "completed", "completed_pct", "funds_planned"]].tolist() == [2, 1, 50.0, 20000.0]
    assert table.loc["H1", ["income_target_yuan", "income_now_yuan"]].tolist() == [1200.0, 700.0]


def test_every_plan_problem_is_listed(tmp_path, rosters):
    broken = PLAN.copy()
    broken.loc[0, "年度"] = "2029"
    broken.loc[1, "对象编号"] = "620502101299"
    broken.loc[2, "人均纯收入目标"] = "很多"
    broken.loc[3, "任务类别"] = "喝酒"
    with pytest.raises(PlanError) as caught:
        load_plans(write(tmp_path, broken), rosters, 2025)
    assert {(p.row, p.column, p.code) for p in caught.value.problems} == {
        (2, "年度", "plan_year_outside_term"), (3, "对象编号", "plan_subject_unknown"),
        (4, "人均纯收入目标", "not_a_number"), (5, "任务类别", "value_not_allowed")}


def test_plan_versions_in_the_store_and_the_command(tmp_path, rosters, capsys):
    db = str(tmp_path / "s.sqlite")
    rosters_dir = str(tmp_path / "rosters")
    assert main(["plan", "import", str(write(tmp_path, PLAN)), "--term-start", "2025", "--rosters", rosters_dir, "--db", db]) == 0
    revised = PLAN[PLAN["对象编号"] == "H1"].assign(完成情况="已完成")
    assert main(["plan", "import", str(write(tmp_path, revised, "修订.csv")), "--term-start", "2025",
                 "--rosters", rosters_dir, "--db", db]) == 0
    store = Store(db)
    current = store.plans()
    assert len(current) == 5 and (current.loc[current["subject_id"] == "H1", "status"] == "已完成").all()
    assert len(store.plans(history=True)) == 7  # the first version of H1's plan is kept
    bad = PLAN.assign(年度="1999")
    assert main(["plan", "import", str(write(tmp_path, bad, "坏.csv")), "--term-start", "2025", "--rosters", rosters_dir,
                 "--db", db]) == 1
    assert len(Store(db).plans(history=True)) == 7


def test_demo_data_writes_diaries_and_plans_that_import(tmp_path, capsys):
    rosters, archives, db = tmp_path / "rosters", tmp_path / "archives", str(tmp_path / "s.sqlite")
    assert main(["demo-data", "--size", "tiny", "--out", str(rosters), "--archives-out", str(archives)]) == 0
    assert main(["archive", "import", str(archives / "工作记录"), "--rosters", str(rosters), "--db", db]) == 0
    assert main(["plan", "import", str(archives / "三年规划.xlsx"), "--term-start", "2025", "--rosters", str(rosters),
                 "--db", db]) == 0
    store = Store(db)
    assert len(store.activities()) > 50 and set(store.plans()["subject_kind"]) == {"村", "户", "单位"}


def test_revising_one_year_keeps_the_other_years(tmp_path, rosters):
    store = Store(tmp_path / "s.sqlite")
    store.save_plans(load_plans(write(tmp_path, PLAN), rosters, 2025), 2025, "v1")
    revision = PLAN.iloc[[0]].assign(措施="种植花椒300亩")  # the village's 2025 measure only
    store.save_plans(load_plans(write(tmp_path, revision, "v2.csv"), rosters, 2025), 2025, "v2")
    village = store.plans().query("subject_id == '620502101201'").sort_values("year")
    assert village["measure"].tolist() == ["种植花椒300亩", "举办果树修剪培训"]
