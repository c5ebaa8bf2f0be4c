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
    links = pd.read_excel(tmp_path / "联村结果.xlsx", sheet_name="联村", engine="calamine", dtype=str)
    pairs = pd.read_excel(tmp_path / "联户结果.xlsx", sheet_name="联户", engine="calamine", dtype=str)
    assert len(links) and set(pairs["村代码"]) <= set(links["村代码"])  # households lie in linked villages
    teams = pd.read_excel(tmp_path / "工作队轮换.xlsx", engine="calamine", dtype=str)
    assert teams["期别"].nunique() == 6
    html = (tmp_path / "结对图.html").read_text(encoding="utf-8")
    assert "cdn.plot.ly" not in html and (tmp_path / "plotly.min.js").exists()
    assert any("make lab" in line for line in lines)
