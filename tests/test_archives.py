"""Work diaries in, every problem listed; roll-ups by hand-computed numbers."""

import pandas as pd
import pytest

from lianhu_tools.archives import ArchiveError, load_activities, rollup
from lianhu_tools.rosters import load_rosters
from lianhu_tools.store import Store

from conftest import write_csv_rosters

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


@pytest.fixture
def rosters(tmp_path):
    return load_rosters(write_csv_rosters(tmp_path / "rosters"))


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
        load_activities(path, rosters, known_record_ids=set(store.activities()["record_id"]))


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
    assert len(Store(db).activities()) == 0
    good = write_diary(tmp_path / "good", DIARY)
    assert main(["archive", "import", str(good), "--rosters", str(rosters_dir), "--db", db]) == 0
    assert main(["archive", "import", str(good), "--rosters", str(rosters_dir), "--db", db]) == 1
    assert "already_imported" in capsys.readouterr().out
    assert main(["archive", "rollup", "--db", db, "--period", "2025H2", "--by", "county", "--format", "json"]) == 0
    assert '"funds_yuan":50000.0' in capsys.readouterr().out
