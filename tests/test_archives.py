"""Work diaries in, every problem listed; roll-ups by hand-computed numbers."""

import pandas as pd
import pytest

from lianhu_tools.archives import load_activities
from lianhu_tools.rollup import rollup
from lianhu_tools.rosters import load_rosters
from lianhu_tools.errors import ArchiveError
from lianhu_tools.store import Store

from conftest import base_tables, write_csv_rosters

DIARY = pd.DataFrame({
    "序号": ["1", "2", "3", "4", "5"],
    "日期": ["2025-03-18", "2025/7/2", "2025年6月30日", "20251201", "2025.04.01"],
    "主体类型": ["干部", "单位", "单位", "工作队员", "幹部"],
    "主体编号": ["C1", "U1", "U2", "C2", "C1"],
    "对象类型": ["户", "村", "村", "村", "户"],
    "对象编号": ["H1", "620502101201", "620502101202", "620502101201", "H3"],
    "任务类别": ["宣传政策", "资金扶持", "强化培训", "办实事", "增加收入"],
    "工作类型": ["走访", "资金", "培训班", "办实事", "走访"],
    "数量": ["1", "50,000元", "1", "2", "1"],
    "天数": ["2", "", "", "", "1.5"],
    "佐证说明": ["入户走访记录", "拨付凭证", "", "照片", ""],
})


def write_diary(folder, frame, name="秦州区工作记录.csv", encoding="gb18030"):
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    frame.to_csv(path, index=False, encoding=encoding)
    return path


def test_a_diary_loads_with_periods_and_places(tmp_path, rosters):
    records = load_activities(write_diary(tmp_path, DIARY), rosters)
    assert list(records["period"]) == ["2025H1", "2025H2", "2025H1", "2025H2", "2025H1"]
    assert list(records["village_code"]) == ["620502101201", "620502101201", "620502101202", "620502101201",
                                             "620502101202"]
    assert list(records["actor_kind"]) == ["干部", "单位", "单位", "工作队员", "干部"]  # 幹部 read as 干部
    assert records["quantity"].tolist() == [1, 50000, 1, 2, 1]


def test_every_problem_is_listed_and_nothing_loads(tmp_path, rosters):
    broken = DIARY.copy()
    broken.loc[0, "日期"] = "2025-13-40"
    broken.loc[1, "主体编号"] = "U9"
    broken.loc[2, "对象编号"] = "620502101299"
    broken.loc[3, "工作类型"] = "喝茶"
    broken.loc[4, "数量"] = "-1"
    with pytest.raises(ArchiveError) as caught:
        load_activities(write_diary(tmp_path, broken), rosters)
    found = {(p.row, p.column, p.code) for p in caught.value.problems}
    assert found == {(2, "日期", "date_malformed"), (3, "主体编号", "activity_actor_unknown"),
                     (4, "对象编号", "activity_target_unknown"), (5, "工作类型", "value_not_allowed"),
                     (6, "数量", "negative_value")}


def test_a_record_is_imported_once(tmp_path, rosters):
    path = write_diary(tmp_path, DIARY.assign(记录编号=["A1", "A2", "A3", "A4", "A1"]))
    with pytest.raises(ArchiveError) as caught:
        load_activities(path, rosters)
    assert [(p.row, p.code) for p in caught.value.problems] == [(6, "duplicate_key")]
    path = write_diary(tmp_path, DIARY.assign(记录编号=["A1", "A2", "A3", "A4", "A5"]))
    store = Store(tmp_path / "s.sqlite")
    store.add_activities(load_activities(path, rosters), source=str(path))
    with pytest.raises(ArchiveError, match="imported before"):
        load_activities(path, rosters, store)


def test_the_same_records_in_other_files_are_refused(tmp_path, rosters):
    store = Store(tmp_path / "s.sqlite")
    store.add_activities(load_activities(write_diary(tmp_path / "a", DIARY), rosters), source="a")
    again = pd.concat([DIARY.iloc[[2]], DIARY.iloc[[0]].assign(数量="2")])  # row 2 identical; row 3 differs
    with pytest.raises(ArchiveError) as caught:
        load_activities(write_diary(tmp_path / "b", again, encoding="utf-8-sig"), rosters, store)
    assert [(p.row, p.code) for p in caught.value.problems] == [(2, "already_imported")]


def test_a_year_to_date_file_imports_its_new_records_only(tmp_path, capsys):
    """A county's running diary: the same file, longer each month. Without --skip-existing it is refused in
    one line naming the option; with it, only the new record is stored."""
    from lianhu_tools.cli import main

    db = str(tmp_path / "s.sqlite")
    rosters_dir = write_csv_rosters(tmp_path / "rosters")
    running = tmp_path / "diary"
    write_diary(running, DIARY.iloc[:4])
    assert main(["archive", "import", str(running), "--rosters", str(rosters_dir), "--db", db]) == 0
    assert "第 1 次导入工作记录" in capsys.readouterr().out  # numbered among diary imports, the rosters' apart
    write_diary(running, DIARY)  # one more record at the end
    assert main(["archive", "import", str(running), "--db", db]) == 1
    out = capsys.readouterr().out
    assert out.count("already_imported") == 1 and "4 条记录已导入过" in out and "--skip-existing" in out
    assert main(["archive", "import", str(running), "--db", db, "--skip-existing"]) == 0
    out = capsys.readouterr().out
    assert "已导入 1 条" in out and "跳过库中已有的 4 条" in out and "第 2 次导入工作记录" in out
    assert len(Store(db).activities()) == 5
    assert main(["archive", "import", str(running), "--db", db, "--skip-existing"]) == 0
    assert "没有新记录" in capsys.readouterr().out and len(Store(db).activities()) == 5


def test_two_imports_of_the_same_files_at_once_store_them_once(tmp_path):
    import subprocess
    import sys

    rosters_dir = write_csv_rosters(tmp_path / "rosters")
    diary = write_diary(tmp_path / "d", pd.concat([DIARY] * 2000, ignore_index=True).assign(
        日期=lambda f: pd.date_range("2025-01-01", periods=len(f), freq="h").strftime("%Y-%m-%d")))
    db = tmp_path / "s.sqlite"
    Store(db)
    command = [sys.executable, "-m", "lianhu_tools.cli", "archive", "import", str(diary), "--rosters", str(rosters_dir),
               "--db", str(db)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [run.communicate() for run in runs]
    assert sorted(run.returncode for run in runs) == [0, 1], outputs
    assert "already_imported" in "".join(out for out, _ in outputs)
    assert len(Store(db).activities()) == 10000


def test_rollups_by_level_and_actor(tmp_path, rosters):
    records = load_activities(write_diary(tmp_path, DIARY), rosters)
    county = rollup(records, "county", rosters)
    assert county.to_dict("records") == [{
        "county_code": "620502", "county_name": "秦州区", "visits": 2, "days": 3.5, "practical_things": 2.0,
        "funds_yuan": 50000.0, "training_classes": 1.0, "people_trained": 0.0, "booklets": 0.0, "projects": 0.0,
        "party_members": 0.0, "wealth_leaders": 0.0}]
    village = rollup(records, "village").set_index("village_code")
    assert village.loc["620502101201", "visits"] == 1 and village.loc["620502101202", "training_classes"] == 1
    cadre = rollup(records, "cadre").set_index("cadre_id")
    assert cadre.loc["C1", "visits"] == 2 and cadre.loc["C1", "days"] == 3.5 and cadre.loc["C2", "practical_things"] == 2
    assert set(rollup(records, "unit")["unit_id"]) == {"U1", "U2"}
    assert rollup(records[records["period"] == "2025H2"], "city")["funds_yuan"].tolist() == [50000.0]


def test_command_line_imports_all_or_nothing_and_once(tmp_path, capsys):
    from lianhu_tools.cli import main

    rosters_dir = write_csv_rosters(tmp_path / "rosters")
    db = str(tmp_path / "s.sqlite")
    broken = DIARY.copy()
    broken.loc[1, "主体编号"] = "U9"
    bad = write_diary(tmp_path / "bad", broken)
    assert main(["archive", "import", str(bad), "--rosters", str(rosters_dir), "--db", db,
                 "--problems-out", str(tmp_path / "问题清单.xlsx")]) == 1
    assert (tmp_path / "问题清单.xlsx").exists()
    assert not (tmp_path / "s.sqlite").exists()  # a refused import leaves no new, empty store behind
    good = write_diary(tmp_path / "good", DIARY)
    assert main(["archive", "import", str(good), "--rosters", str(rosters_dir), "--db", db]) == 0
    assert "第一份快照" in capsys.readouterr().out  # the rosters checked against are the store's now
    assert Store(db).rosters().same_as(load_rosters(rosters_dir))
    assert main(["archive", "import", str(good), "--rosters", str(rosters_dir), "--db", db]) == 1
    assert "already_imported" in capsys.readouterr().out
    other = base_tables()
    other["干部"].loc[1, "姓名"] = "周八"
    again = write_diary(tmp_path / "again", DIARY.assign(序号=["6", "7", "8", "9", "10"], 数量="3"))
    assert main(["archive", "import", str(again), "--rosters", str(write_csv_rosters(tmp_path / "other", other)),
                 "--db", db]) == 1
    assert "rosters_not_stored" in capsys.readouterr().out and len(Store(db).activities()) == 5
    assert main(["archive", "rollup", "--db", db, "--period", "2025H2", "--by", "county", "--format", "json"]) == 0
    assert '"funds_yuan":50000.0' in capsys.readouterr().out


def test_ranges_and_the_ways_dates_are_written(tmp_path, rosters):
    odd = DIARY.copy()
    odd.loc[0, "日期"] = "2025-03-08T14:30:00"
    odd.loc[1, "日期"] = "2025年7月2号"
    odd.loc[2, "日期"] = "2025/6/30 9:15"
    records = load_activities(write_diary(tmp_path / "ok", odd), rosters)
    assert records["date"].dt.strftime("%Y-%m-%d").tolist()[:3] == ["2025-03-08", "2025-07-02", "2025-06-30"]
    odd.loc[3, "日期"] = "2205-03-08"
    odd.loc[4, "天数"] = "400"
    with pytest.raises(ArchiveError) as caught:
        load_activities(write_diary(tmp_path / "bad", odd), rosters)
    assert {(p.row, p.column, p.code) for p in caught.value.problems} == {(5, "日期", "out_of_range"),
                                                                         (6, "天数", "out_of_range")}


def test_a_diary_dated_ahead_or_with_impossible_funds_is_refused(tmp_path, rosters):
    ahead = DIARY.copy()
    ahead.loc[0, "日期"] = (pd.Timestamp.today() + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    ahead.loc[1, "数量"] = "1e308"
    with pytest.raises(ArchiveError) as caught:
        load_activities(write_diary(tmp_path, ahead), rosters)
    assert {(p.row, p.column, p.code) for p in caught.value.problems} == {(2, "日期", "out_of_range"), (3, "数量", "out_of_range")}
