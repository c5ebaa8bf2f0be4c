"""`make demo`'s job, on the tiny city."""

import pandas as pd

from lianhu_tools.pipeline import run_demo


def test_demo_writes_rosters_summary_template_and_problem_list(tmp_path):
    lines = []
    rosters = run_demo("tiny", out=tmp_path, say=lines.append)
    assert {n: len(t) for n, t in rosters.tables().items()} == {"villages": 6, "households": 30, "units": 4, "cadres": 12}
    assert sorted(p.name for p in (tmp_path / "rosters").iterdir()) == ["农户名册.xlsx", "单位名册.xlsx", "干部名册.xlsx", "村名册.xlsx"]
    summary = pd.read_excel(tmp_path / "名册汇总.xlsx", engine="calamine")
    assert summary.iloc[-1]["县区"] == "全市" and summary.iloc[-1]["农户"] == 30
    problems = pd.read_excel(tmp_path / "问题清单示例.xlsx", engine="calamine")
    assert len(problems) == 25
    assert (tmp_path / "名册模板.xlsx").exists()
    assert any("make lab" in line for line in lines)
