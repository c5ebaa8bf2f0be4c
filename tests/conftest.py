"""Small hand-written rosters (as an office types them) that tests damage one cell at a time."""

from __future__ import annotations

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
