"""`make demo`'s job, on the tiny city."""

import pandas as pd
import pytest

from lianhu_tools.demo.pipeline import run_demo
from standalone import assert_works_alone


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
    assert "联村联户结对图" in assert_works_alone(tmp_path / "结对图.html")
    assert any("make lab" in line for line in lines)
    books = sorted((tmp_path / "各县区联村联户名单").iterdir())
    assert [b.name for b in books] == ["620502_秦州区_联村联户名单.xlsx", "620503_麦积区_联村联户名单.xlsx"]
    sheets = {b.name[:6]: pd.read_excel(b, sheet_name=None, engine="calamine", dtype=str) for b in books}
    assert list(sheets["620502"]) == ["联户名单", "联村名单", "工作队", "未覆盖农户", "加名额测算", "未联系的村"]
    for sheet in sheets.values():  # every uncovered household: the binding reason and the cheapest fix, both languages
        left = sheet["未覆盖农户"]
        assert left[["原因", "最省的改进办法", "Reason", "Cheapest fix"]].notna().all().all()
    assert sum(len(sheet["未覆盖农户"]) for sheet in sheets.values()) > 0  # the tiny city leaves some
    sent = pd.concat([s["联户名单"] for s in sheets.values()])
    assert len(sent) == len(pairs) and set(sent["户编号"]) == set(pairs["户编号"]) and sent["户主姓名"].notna().all()
    assert all(s["联户名单"]["户编号"].str.startswith(county).all() for county, s in sheets.items())  # each county its own
    assert sum(len(s["未覆盖农户"]) for s in sheets.values()) == len(pd.read_excel(tmp_path / "联户结果.xlsx", sheet_name="未覆盖农户", engine="calamine"))
    page = assert_works_alone(tmp_path / "领导看板.html")
    assert page.count("<section") == 3 and "贫困户已联系" in page


def test_the_demo_never_replaces_a_store_it_did_not_make(tmp_path):
    from lianhu_tools.cli import main
    from lianhu_tools.demo.pipeline import NotADemoStore, start_demo_year
    from lianhu_tools.store import Store

    first = start_demo_year("tiny", tmp_path / "demo")
    second = start_demo_year("tiny", tmp_path / "demo", seed=7)  # an earlier demo's store is the demo's to replace
    assert first.store.url.database == second.store.url.database and second.store.noted("origin") == "demo"
    assert not list((tmp_path / "demo").glob(".lianhu-demo-*"))  # nothing half-built left behind

    real = tmp_path / "data"
    city = Store(real / "lianhu.sqlite")  # the city's own store
    city.save_rosters(first.rosters)
    city.engine.dispose()
    kept = (real / "lianhu.sqlite").read_bytes()
    with pytest.raises(NotADemoStore):
        start_demo_year("tiny", real)
    assert main(["demo", "--size", "tiny", "--out", str(real)]) == 2
    assert (real / "lianhu.sqlite").read_bytes() == kept
    assert sorted(p.name for p in real.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["lianhu.sqlite", "rosters"]


def test_a_store_from_before_demos_noted_their_stores_is_recognised_by_its_imports(tmp_path):
    from lianhu_tools.demo.pipeline import _made_by_an_earlier_demo

    demo = [("rosters", f"{tmp_path}/rosters/村名册.xlsx, {tmp_path}/rosters/农户名册.xlsx"),
            ("activities", f"{tmp_path}/工作记录/620502_工作记录.xlsx"), ("plans", f"{tmp_path}/三年规划.xlsx")]
    assert _made_by_an_earlier_demo(demo, tmp_path)
    assert not _made_by_an_earlier_demo(demo + [("activities", f"{tmp_path}/工作记录/late.xlsx")], tmp_path)
    assert not _made_by_an_earlier_demo(demo[:1], tmp_path)  # a city's rosters saved there
    assert not _made_by_an_earlier_demo([("rosters", "/elsewhere/村名册.xlsx")] + demo[1:], tmp_path)


def test_the_demo_store_lands_whole_with_its_assessments_and_clears_abandoned_builds(tmp_path):
    from lianhu_tools.demo.pipeline import BUILDING, start_demo_year

    folder = tmp_path / "demo"
    folder.mkdir()
    abandoned = [folder / f"{BUILDING}999999999.sqlite{suffix}" for suffix in ("", "-wal", "-shm")]
    for path in abandoned:
        path.write_bytes(b"half")
    year = start_demo_year("tiny", folder, assess=("2025H1", "2025"))
    assert set(year.assessments) == {"2025H1", "2025"}
    assert sorted(year.store.assessments()["period"]) == ["2025", "2025H1"]  # in the store that landed
    assert not any(path.exists() for path in abandoned) and not list(folder.glob(f"{BUILDING}*"))
