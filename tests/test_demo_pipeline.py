"""`make demo`'s job, on the tiny city."""

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing

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


def _contents(folder):
    """Every file under `folder` (less SQLite's side files) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(("-wal", "-shm"))}


def _beside(out):
    """What a demo building `out` leaves beside it: its folder being built, the one it replaces."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}-"))


def test_a_demo_replaces_its_folder_whole_and_names_the_files_where_they_land(tmp_path):
    from lianhu_tools.demo.pipeline import DEMO_FOLDER_MARK
    from lianhu_tools.store import Store

    out = tmp_path / "demo"
    run_demo("tiny", out=out, say=lambda _: None)
    (out / "公开发布" / "旧文件.html").write_text("an earlier run's page", encoding="utf-8")
    lines = []
    run_demo("tiny", seed=7, out=out, say=lines.append)
    assert not (out / "公开发布" / "旧文件.html").exists() and (out / DEMO_FOLDER_MARK).exists()
    assert _beside(out) == []
    store = Store(out / "lianhu.sqlite")
    assert store.noted("origin") == "demo"
    with closing(sqlite3.connect(out / "lianhu.sqlite")) as connection:
        sources = [s for (s,) in connection.execute("SELECT source FROM imports")]
        logged = [v for (v,) in connection.execute("SELECT new_value FROM audit_log WHERE action = 'import'")]
    files = [s for s in sources if not s.startswith("审批后的名册")]  # the rest: the roster as approved, step by step
    assert len(files) == 6 and all(s.startswith(str(out / "")) for s in files)  # a year's three; roster, visits, survey
    assert all(".demo-building-" not in text for text in sources + logged + lines)  # nobody sees the folder it was built in
    assert any(str(out / "联村结果.xlsx") in line for line in lines)


def test_a_folder_a_demo_did_not_write_is_never_replaced(tmp_path):
    from lianhu_tools.cli import main
    from lianhu_tools.demo.pipeline import DEMO_FOLDER_MARK, NotADemoStore, check_demo_folder

    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "我的报表.xlsx").write_bytes(b"a planner's own file")
    with pytest.raises(NotADemoStore):
        run_demo("tiny", out=mine, say=lambda _: None)
    assert main(["demo", "--size", "tiny", "--out", str(mine)]) == 2
    assert _contents(mine) == {"我的报表.xlsx": b"a planner's own file"} and _beside(mine) == []

    earlier = tmp_path / "earlier"  # what a demo wrote before it marked its folders: still the demo's
    run_demo("tiny", out=earlier, say=lambda _: None)
    (earlier / DEMO_FOLDER_MARK).unlink()
    shutil.rmtree(earlier / "第二年")  # demos of then had no second year
    check_demo_folder(earlier)
    (earlier / "笔记.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(NotADemoStore):
        check_demo_folder(earlier)
    (tmp_path / "empty").mkdir()
    check_demo_folder(tmp_path / "empty")


def _demo_process(out):
    """The demo as a person starts it from a shell: Ctrl-C interrupts it, whatever this test process carries by then
    (a SIGINT ignored or blocked here would be ignored or blocked in the child too)."""
    def as_from_a_shell():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])

    return subprocess.Popen([sys.executable, "-m", "lianhu_tools.cli", "demo", "--size", "tiny", "--out", str(out)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=as_from_a_shell)


def _wait_until_building(process, out, written="联村结果.xlsx"):
    """Wait until the demo has built part of its new folder (its pairings written), then return that folder."""
    while process.poll() is None:
        built = [p for p in out.parent.glob(f".{out.name}-building-*") if (p / written).exists()]
        if built:
            return built[0]
        time.sleep(0.02)
    raise AssertionError(f"the demo ended before it wrote {written}: {process.stderr.read()}")


@pytest.mark.parametrize("signal_sent", [signal.SIGINT, signal.SIGKILL], ids=["Ctrl-C", "killed"])
def test_an_interrupted_demo_leaves_the_previous_folder_untouched(tmp_path, signal_sent):
    out = tmp_path / "demo"
    run_demo("tiny", out=out, say=lambda _: None)
    before = _contents(out)
    process = _demo_process(out)
    building = _wait_until_building(process, out)
    process.send_signal(signal_sent)
    _, errors = process.communicate(timeout=120)
    assert _contents(out) == before
    if signal_sent == signal.SIGINT:
        assert process.returncode == 130 and len(errors.strip().splitlines()) == 1 and "已中断" in errors
        assert _beside(out) == []  # removed on the way out
    else:
        assert building.exists()  # a killed demo cannot clean up: the next one does
        run_demo("tiny", seed=7, out=out, say=lambda _: None)
        assert _beside(out) == [] and _contents(out) != before


def test_a_demo_killed_between_its_two_renames_gets_the_previous_folder_back(tmp_path):
    from lianhu_tools.demo.pipeline import _remove_abandoned_folders

    out = tmp_path / "demo"
    run_demo("tiny", out=out, say=lambda _: None)
    before = _contents(out)
    dead = 999_999_999  # no such process
    out.rename(tmp_path / f".demo-old-{dead}")  # renamed aside …
    (tmp_path / f".demo-building-{dead}").mkdir()  # … and the new one not yet in
    _remove_abandoned_folders(out)
    assert _contents(out) == before and _beside(out) == []
