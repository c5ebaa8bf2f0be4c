"""Small hand-written rosters (as an office types them) that tests damage one cell at a time."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

# Valid GB 11643 ID numbers (check digits computed by hand from the standard's weights).
ID_A = "11010519491231002X"
ID_B = "110105194912310038"
ID_C = "620502198503150011"

BASE = {
    "村": pd.DataFrame({
        "村代码": ["620502101201", "620502101202"], "村名": ["李家村", "王家村"],
        "乡镇代码": ["620502101", "620502101"], "乡镇": ["太京镇", "太京镇"],
        "县区代码": ["620502", "620502"], "县区": ["秦州区", "秦州区"],
        "纬度": ["34.58", "34.61"], "经度": ["105.62", "105.66"], "是否贫困村": ["是", "否"],
        "户数": ["300", "200"], "人口": ["1200", "800"]}),
    "户": pd.DataFrame({
        "户编号": ["H1", "H2", "H3"], "村代码": ["620502101201", "620502101201", "620502101202"],
        "户主姓名": ["张三", "李四", "赵六"], "身份证号": [ID_A, ID_B, ID_C], "家庭人口": ["4", "3", "5"],
        "人均纯收入": ["700", "900", "2500"], "是否党员户": ["否", "否", "是"], "致贫原因": ["因病", "缺资金", ""],
        "纬度": ["", "34.585", ""], "经度": ["", "105.625", ""], "联系电话": ["13800000000", "", ""]}),
    "单位": pd.DataFrame({
        "单位编号": ["U1", "U2"], "单位名称": ["中共秦州区委", "天水市财政局"], "单位级别": ["县", "市"],
        "单位类别": ["四大班子", "政府部门"], "干部人数": ["10", "20"], "纬度": ["34.58", "34.58"],
        "经度": ["105.72", "105.73"], "县区代码": ["620502", ""]}),
    "干部": pd.DataFrame({
        "干部编号": ["C1", "C2"], "姓名": ["王五", "周七"], "单位编号": ["U1", "U2"], "职级": ["县处级", "一般干部"],
        "是否班子成员": ["是", "否"], "是否离退休": ["否", "否"], "纬度": ["", ""], "经度": ["", ""],
        "联系电话": ["", "0938-8211234"]}),
}


def write_csv_rosters(folder: Path, tables: dict[str, pd.DataFrame] | None = None,
                      encoding: str = "utf-8-sig") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in (tables or BASE).items():
        frame.to_csv(folder / f"{name}.csv", index=False, encoding=encoding)
    return folder


def base_tables() -> dict[str, pd.DataFrame]:
    return {name: frame.copy() for name, frame in BASE.items()}


@pytest.fixture
def clean_dir(tmp_path_factory) -> Path:
    return write_csv_rosters(tmp_path_factory.mktemp("clean"))


@pytest.fixture
def rosters(tmp_path):
    """The hand-written rosters, loaded (a test module may define its own)."""
    from lianhu_tools.rosters import load_rosters

    return load_rosters(write_csv_rosters(tmp_path / "rosters"))


V1, V2 = "620502101201", "620502101202"


def record(actor_kind, actor, target_kind, target, kind, date, quantity=1.0, days=None, village=V1):
    return {"date": pd.Timestamp(date), "actor_kind": actor_kind, "actor_id": actor, "target_kind": target_kind,
            "target_id": target, "task": "宣传政策", "kind": kind, "quantity": quantity, "days": days,
            "period": f"{date[:4]}H{1 if int(date[5:7]) <= 6 else 2}", "village_code": village}


@pytest.fixture
def store(tmp_path):
    """The hand-written rosters in a store, two pairings and links, a year of hand-counted records."""
    from lianhu_tools.rosters import load_rosters
    from lianhu_tools.store import Store

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


@pytest.fixture(scope="session")
def postgres():
    """A PostgreSQL server of the tests' own (tests/postgres.py); its password file is PGPASSFILE for every
    program the tests start."""
    from postgres import start_or_skip

    server = start_or_skip()
    before = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(server.passfile)
    yield server
    os.environ.pop("PGPASSFILE") if before is None else os.environ.__setitem__("PGPASSFILE", before)
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """Where a new store goes, on each engine: a SQLite file, and a new database on the tests' PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "lianhu.sqlite")
    return request.getfixturevalue("postgres").new_database()
