"""Loading and validating rosters: each problem kind, each encoding, Excel's traps."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import ID_A, base_tables, write_csv_rosters

from lianhu_tools import places
from lianhu_tools.outlines import county_outline
from lianhu_tools.tables import write_workbook
from lianhu_tools.errors import PolicyError, RosterError, RosterWarning
from lianhu_tools.rosters import ALL_TABLES, load_rosters, validate_paths


def errors(folder):
    return [p for p in validate_paths(folder) if p.severity == "error"]


def one_cell(table: str, row: int, column: str, value: str):
    tables = base_tables()
    tables[table].loc[row, column] = value
    return tables


CELL_CASES = [
    pytest.param("户", 0, "人均纯收入", "-5", "negative_value", id="negative income"),
    pytest.param("户", 0, "人均纯收入", "两千", "not_a_number", id="non-numeric income"),
    pytest.param("户", 1, "家庭人口", "2.5", "not_an_integer", id="fractional members"),
    pytest.param("户", 1, "家庭人口", "0", "out_of_range", id="zero members"),
    pytest.param("户", 0, "是否党员户", "也许", "bool_invalid", id="bad yes/no"),
    pytest.param("户", 0, "致贫原因", "天灾", "value_not_allowed", id="unknown poverty cause"),
    pytest.param("干部", 0, "职级", "处长", "rank_unknown", id="unknown rank"),
    pytest.param("单位", 1, "单位级别", "乡", "value_not_allowed", id="unknown unit level"),
    pytest.param("户", 2, "户主姓名", "", "required_value_missing", id="missing head name"),
    pytest.param("户", 0, "身份证号", "1101051949123100", "id_number_length", id="ID 16 chars"),
    pytest.param("户", 0, "身份证号", "110105194902300018", "id_number_format", id="ID impossible birth date"),
    pytest.param("户", 0, "身份证号", "11010519491231002Y", "id_number_format", id="ID bad last char"),
    pytest.param("户", 0, "身份证号", "110105194912310021", "id_number_checksum", id="ID check digit"),
    pytest.param("户", 0, "身份证号", "1.10105E+17", "id_number_numeric", id="ID in scientific notation"),
    pytest.param("户", 1, "身份证号", ID_A, "id_number_duplicate", id="same ID twice"),
    pytest.param("户", 1, "户编号", "H1", "duplicate_key", id="duplicate household"),
    pytest.param("村", 1, "村代码", "620502101201", "duplicate_key", id="duplicate village"),
    pytest.param("村", 0, "村代码", "62050210120", "code_malformed", id="11-digit village code"),
    pytest.param("村", 0, "村代码", "62050210120A", "code_malformed", id="village code with letter"),
    pytest.param("村", 0, "乡镇代码", "620502102", "code_mismatch", id="township contradicts village"),
    pytest.param("村", 0, "县区代码", "620503", "code_mismatch", id="county contradicts village"),
    pytest.param("户", 2, "村代码", "620502101209", "orphan_reference", id="household in unknown village"),
    pytest.param("干部", 1, "单位编号", "U9", "orphan_reference", id="cadre in unknown unit"),
    pytest.param("村", 0, "纬度", "", "coordinates_missing", id="village without coordinates"),
    pytest.param("村", 1, "经度", "5.66", "coordinates_outside_china", id="village outside China"),
    pytest.param("户", 1, "经度", "", "coordinates_incomplete", id="household half a coordinate"),
    pytest.param("单位", 0, "县区代码", "", "required_value_missing", id="county unit without county"),
]


@pytest.mark.parametrize("table, row, column, value, code", CELL_CASES)
def test_each_problem_is_reported_at_its_cell(tmp_path, table, row, column, value, code):
    folder = write_csv_rosters(tmp_path, one_cell(table, row, column, value))
    if table == "村" and column == "纬度":
        tables = one_cell(table, row, column, value)
        tables["村"].loc[row, "经度"] = ""
        folder = write_csv_rosters(tmp_path, tables)
    found = [p for p in errors(folder) if p.code == code]
    assert len(found) == 1, errors(folder)
    problem = found[0]
    assert (problem.file, problem.row) == (str(folder / f"{table}.csv"), row + 2)
    assert problem.column in (column, "纬度")
    assert problem.message_zh and problem.message_en
    with pytest.raises(RosterError) as caught:
        load_rosters(folder)
    assert code in {p.code for p in caught.value.problems}


def test_missing_required_column(tmp_path):
    tables = base_tables()
    tables["户"] = tables["户"].drop(columns=["人均纯收入"])
    problems = errors(write_csv_rosters(tmp_path, tables))
    assert [(p.code, p.row, p.column) for p in problems] == [("missing_column", 1, "人均纯收入")]


def test_every_problem_reported_at_once(tmp_path):
    tables = base_tables()
    tables["户"].loc[0, "人均纯收入"] = "-1"
    tables["户"].loc[1, "身份证号"] = "123"
    tables["村"].loc[1, "是否贫困村"] = "?"
    tables["干部"].loc[0, "单位编号"] = "U7"
    codes = sorted(p.code for p in errors(write_csv_rosters(tmp_path, tables)))
    assert codes == ["bool_invalid", "id_number_length", "negative_value", "orphan_reference"]


def test_missing_table_when_all_required(clean_dir):
    (clean_dir / "干部.csv").unlink()
    with pytest.raises(RosterError) as caught:
        load_rosters(clean_dir)
    assert [p.code for p in caught.value.errors] == ["missing_table"]
    assert validate_paths(clean_dir) == []  # a partial set is fine for `validate`


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_each_encoding_loads_identically(tmp_path, encoding, clean_dir):
    expected = load_rosters(clean_dir).tables()
    got = load_rosters(write_csv_rosters(tmp_path / encoding, encoding=encoding)).tables()
    for name in ALL_TABLES:
        pd.testing.assert_frame_equal(got[name], expected[name])


def test_rare_characters_outside_gbk_survive_gb18030(tmp_path):
    tables = base_tables()
    tables["户"].loc[0, "户主姓名"] = "刘䶮"  # not in GBK, in GB18030
    rosters = load_rosters(write_csv_rosters(tmp_path, tables, encoding="gb18030"))
    assert rosters.households.loc[0, "head_name"] == "刘䶮"


def test_messy_headers_and_values(tmp_path, clean_dir):
    """Full-width spaces and brackets, traditional headers, English headers, title rows, totals."""
    tables = base_tables()
    tables["户"] = tables["户"].rename(columns={"人均纯收入": " 人均純收入（元） ", "户编号": "户\u3000编号",
                                              "身份证号": "ID_Number", "是否党员户": "是否黨員戶*"})
    tables["户"]["是否党员户"] = None
    tables["户"] = tables["户"].drop(columns=["是否党员户"])
    tables["户"]["是否黨員戶*"] = ["N", "0", "TRUE"]
    tables["户"]["序号"] = ["1", "2", "3"]
    tables["干部"]["职级"] = [" 縣處級 ", "一般幹部"]
    folder = write_csv_rosters(tmp_path, tables)
    with open(folder / "户.csv", encoding="utf-8-sig") as f:
        body = f.read()
    (folder / "户.csv").write_text("秦州区贫困户花名册\n\n" + body + "合计,,,,,,,,,,,,\n", encoding="utf-8-sig")
    rosters = load_rosters(folder)
    expected = load_rosters(clean_dir)
    pd.testing.assert_frame_equal(rosters.households, expected.households)
    pd.testing.assert_frame_equal(rosters.cadres, expected.cadres)


def test_problem_rows_count_title_rows(tmp_path):
    folder = write_csv_rosters(tmp_path, one_cell("户", 1, "家庭人口", "x"))
    body = (folder / "户.csv").read_text(encoding="utf-8-sig")
    (folder / "户.csv").write_text("标题\n" + body, encoding="utf-8-sig")
    assert [(p.code, p.row) for p in errors(folder)] == [("not_a_number", 4)]


def test_households_and_cadres_default_to_their_bases(clean_dir):
    rosters = load_rosters(clean_dir)
    households = rosters.households.set_index("household_id")
    assert households.loc["H1", ["lat", "lon"]].tolist() == [34.58, 105.62]  # village's
    assert households.loc["H2", ["lat", "lon"]].tolist() == [34.585, 105.625]  # its own
    assert rosters.cadres.set_index("cadre_id").loc["C2", ["lat", "lon"]].tolist() == [34.58, 105.73]  # unit's


def test_codes_and_ids_stay_text(clean_dir):
    rosters = load_rosters(clean_dir)
    assert rosters.villages["village_code"].tolist() == ["620502101201", "620502101202"]
    assert rosters.households["id_number"].iloc[0] == ID_A


def _excel_from_base(path, numeric_id=False):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, frame in base_tables().items():
        sheet = book.create_sheet(name)
        sheet.append(list(frame.columns))
        for row in frame.itertuples(index=False):
            sheet.append(list(row))
    if numeric_id:
        book["户"]["D2"].value = 110105194912310038  # typed as a number: Excel keeps 15 digits
    book.save(path)
    return path


def test_excel_workbook_with_sheet_per_table(tmp_path, clean_dir):
    rosters = load_rosters(_excel_from_base(tmp_path / "名册.xlsx"))
    for name, frame in load_rosters(clean_dir).tables().items():
        pd.testing.assert_frame_equal(rosters.tables()[name], frame)


def test_excel_numeric_id_is_rejected_not_repaired(tmp_path):
    path = _excel_from_base(tmp_path / "名册.xlsx", numeric_id=True)
    problems = errors(path)
    assert [(p.code, p.sheet, p.row, p.column) for p in problems] == [("id_number_numeric", "户", 2, "身份证号")]


def test_long_numbers_rounded_by_an_office_program_are_refused_not_read(tmp_path):
    """LibreOffice imports a 16-digit 户编号 as a number and keeps 15 digits (…0001 → …0000): two households
    then look like one. Each such cell is refused as ID numbers are, and no duplicate is claimed."""
    path = _excel_from_base(tmp_path / "名册.xlsx")
    book = openpyxl.load_workbook(path)
    for row, number in ((2, 6205021012010000.0), (3, 6205021012010000.0)):  # were …0001 and …0002
        book["户"].cell(row, 1).value = number
    book["户"].cell(4, 1).value = "6.20502101201E+15"  # as a CSV re-saved from that sheet shows it
    book.save(path)
    problems = errors(path)
    assert [(p.code, p.row, p.column) for p in problems] == [("number_digits_lost", row, "户编号") for row in (2, 3, 4)]
    assert "四舍五入" in problems[0].message_zh and "text" in problems[0].message_en


def test_excel_numeric_codes_are_read_as_text(tmp_path, clean_dir):
    path = _excel_from_base(tmp_path / "名册.xlsx")
    book = openpyxl.load_workbook(path)
    book["村"]["A2"].value = 620502101201
    book["户"]["E2"].value = 4
    book.save(path)
    rosters = load_rosters(path)
    assert rosters.villages["village_code"].iloc[0] == "620502101201"
    pd.testing.assert_frame_equal(rosters.villages, load_rosters(clean_dir).villages)


def test_excel_round_trip_with_traditional_headers(tmp_path, clean_dir):
    expected = load_rosters(clean_dir).tables()
    path = write_workbook(expected, tmp_path / "名冊.xlsx", header="zh_hant")
    got = load_rosters(path).tables()
    for name in ALL_TABLES:
        pd.testing.assert_frame_equal(got[name], expected[name])


def test_rosters_split_across_files_are_combined_and_checked_together(tmp_path, clean_dir):
    tables = base_tables()
    second = tables["户"].iloc[[2]].copy()
    tables["户"] = tables["户"].iloc[:2]
    folder = write_csv_rosters(tmp_path, tables)
    second.to_csv(folder / "户_麦积区.csv", index=False, encoding="gb18030")
    pd.testing.assert_frame_equal(load_rosters(folder).households, load_rosters(clean_dir).households)
    second.to_csv(folder / "户_重复.csv", index=False, encoding="utf-8")
    problems = errors(folder)
    assert {p.code for p in problems} == {"duplicate_key", "id_number_duplicate"}
    assert all("户_" in p.message_en or "户_" in p.file for p in problems)


def test_unreadable_and_unrecognised_files(tmp_path, clean_dir):
    (clean_dir / "坏.xlsx").write_bytes(b"not a workbook")
    (clean_dir / "杂.csv").write_text("甲,乙,丙\n1,2,3\n", encoding="utf-8")
    assert [p.code for p in errors(clean_dir)] == ["file_unreadable"]  # an unknown file in a folder is skipped
    assert [p.code for p in validate_paths(clean_dir) if p.severity == "warning"] == ["unknown_table"]
    assert [p.code for p in errors(clean_dir / "杂.csv")] == ["unknown_table"]  # named explicitly: an error


def test_warnings_do_not_block_loading(tmp_path):
    tables = base_tables()
    tables["户"].loc[0, "联系电话"] = "12345"
    tables["户"]["备用"] = ["a", "b", "c"]
    tables["村"].loc[1, "户数"] = "0"  # one roster household listed there
    folder = write_csv_rosters(tmp_path, tables)
    with pytest.warns(UserWarning):
        rosters = load_rosters(folder)
    assert sorted(p.code for p in rosters.warnings) == ["phone_invalid", "unknown_column", "village_households_exceeded"]
    assert rosters.households["phone"].isna().iloc[0]


def test_poor_household_without_cause_is_a_warning_by_the_policy_lines(tmp_path):
    from lianhu_tools.policy import load_policy

    folder = write_csv_rosters(tmp_path, one_cell("户", 1, "致贫原因", ""))  # income 900 < 1,067
    assert [(p.code, p.row, p.severity) for p in validate_paths(folder)] == [("poverty_cause_missing", 3, "warning")]
    lower = load_policy(overrides={"poverty_lines_yuan": {"absolute": 500, "low_income": 800}})
    assert validate_paths(folder, policy=lower) == []


def test_ranks_as_real_rosters_write_them_count_in_their_band(tmp_path):
    from lianhu_tools.policy import load_policy

    tables = base_tables()
    tables["干部"]["职级"] = ["副 处级", "二級調研員"]  # a stray space; traditional characters
    rosters = load_rosters(write_csv_rosters(tmp_path / "r", tables))
    assert list(rosters.cadres["rank"]) == ["县处级", "县处级"]
    tables["干部"]["职级"] = ["正县级干部", "二级巡视"]
    problems = errors(write_csv_rosters(tmp_path / "own", tables))
    assert [p.code for p in problems] == ["rank_unknown", "rank_unknown"] and "二级巡视员" in problems[1].message_zh
    policy_file = tmp_path / "政策.yaml"
    policy_file.write_text("rank_titles: {正县级干部: 县处级, 二级巡视: 地厅级}\n", encoding="utf-8")
    cadres = load_rosters(tmp_path / "own", policy=load_policy(policy_file)).cadres
    assert list(cadres["rank"]) == ["县处级", "地厅级"]
    policy_file.write_text("rank_titles: {正县级干部: 部级}\n", encoding="utf-8")
    with pytest.raises(PolicyError):
        load_policy(policy_file)


def test_one_township_code_with_two_names_is_a_problem(tmp_path):
    tables = base_tables()
    tables["村"].loc[1, "乡镇"] = "安华镇"
    problems = errors(write_csv_rosters(tmp_path, tables))
    assert [(p.code, p.row, p.column) for p in problems] == [("name_mismatch", 3, "乡镇")] and "太京镇" in problems[0].message_zh


# ---------------------------------------------------------------- places against the real county outlines

def _north_of_qinzhou(km: float) -> tuple[str, str]:
    """A point `km` north of 秦州区's northernmost point: at most `km` outside it (and at least `km` from it)."""
    north = max((tuple(p) for ring in county_outline("620502").rings(km=0.0) for p in ring), key=lambda p: p[1])
    return f"{north[1] + km / 111.2:.6f}", f"{north[0]:.6f}"


def test_a_village_placed_in_another_county_is_a_problem_naming_both(tmp_path):
    tables = one_cell("村", 1, "纬度", "34.75")
    tables["村"].loc[1, "经度"] = "106.14"  # 清水县's seat
    problems = [p for p in errors(write_csv_rosters(tmp_path, tables)) if p.code == "village_outside_county"]
    assert len(problems) == 1 and problems[0].row == 3 and "秦州区（620502）界外" in problems[0].message_zh
    assert "落在清水县（620521）境内" in problems[0].message_zh and "km outside 秦州区 (620502)" in problems[0].message_en


def test_a_village_just_over_the_border_is_within_the_tolerance_one_further_out_is_not(tmp_path):
    for km, reported in ((1.0, False), (places.TOLERANCE_KM + 2, True)):
        tables = base_tables()
        tables["村"].loc[0, ["纬度", "经度"]] = _north_of_qinzhou(km)
        found = [p.code for p in errors(write_csv_rosters(tmp_path / str(km), tables))]
        assert ("village_outside_county" in found) is reported, km


def test_a_county_without_an_outline_is_a_warning_and_its_villages_load(tmp_path):
    tables = base_tables()
    for table, columns in (("村", ["村代码", "乡镇代码", "县区代码"]), ("户", ["村代码"]), ("单位", ["县区代码"])):
        for column in columns:
            tables[table][column] = tables[table][column].str.replace("620502", "629902", n=1)
    tables["村"]["县区"] = "某某县"
    folder = write_csv_rosters(tmp_path, tables)
    problems = validate_paths(folder)
    assert [(p.code, p.severity) for p in problems] == [("county_outline_unknown", "warning")]
    assert "629902" in problems[0].message_zh
    with pytest.warns(RosterWarning):
        load_rosters(folder)


def test_far_units_and_households_are_warnings_with_the_distance(tmp_path):
    tables = base_tables()
    tables["单位"].loc[0, ["纬度", "经度"]] = ["34.75", "106.14"]  # 中共秦州区委 in 清水县
    tables["单位"].loc[1, ["纬度", "经度"]] = ["36.06", "103.83"]  # a city unit in 兰州
    tables["户"].loc[1, ["纬度", "经度"]] = ["34.78", "105.62"]  # 22 km north of its village
    problems = {p.code: p for p in validate_paths(write_csv_rosters(tmp_path, tables))}
    assert {code: p.severity for code, p in problems.items()} == {
        "unit_outside_county": "warning", "unit_far_from_city": "warning", "household_far_from_village": "warning"}
    assert "公里" in problems["unit_outside_county"].message_zh and problems["unit_far_from_city"].row == 3
    assert "住址距所在村村委会 22.2 公里" in problems["household_far_from_village"].message_zh


def test_outlines_of_renamed_counties_are_found_by_name():
    assert county_outline("620824") is None  # 华亭县, a 华亭市 (620881) since 2018
    assert county_outline("620824", "华亭县").code == "620881"
    assert county_outline("620201", "市辖区").name == "嘉峪关市"  # a city without districts


def test_a_county_code_not_in_the_divisions_is_checked_by_its_name_and_said(tmp_path):
    tables = base_tables()
    for table, columns in (("村", ["村代码", "乡镇代码", "县区代码"]), ("户", ["村代码"]), ("单位", ["县区代码"])):
        for column in columns:
            tables[table][column] = tables[table][column].str.replace("620502", "620599", n=1)  # 秦州区 mistyped
    problems = validate_paths(write_csv_rosters(tmp_path / "a", tables))
    assert [(p.code, p.severity) for p in problems] == [("county_code_not_current", "warning")]
    assert "620599" in problems[0].message_zh and "秦州区（620502）" in problems[0].message_zh
    tables["村"].loc[1, ["纬度", "经度"]] = ["34.75", "106.14"]  # and still checked against 秦州区's outline
    assert "village_outside_county" in [p.code for p in validate_paths(write_csv_rosters(tmp_path / "b", tables))]


def test_a_county_named_otherwise_than_its_code_is_a_warning(tmp_path):
    tables = one_cell("村", 0, "县区", "甘谷县")
    tables["村"].loc[1, "县区"] = "甘谷县"
    problems = validate_paths(write_csv_rosters(tmp_path, tables))
    assert [(p.code, p.row) for p in problems] == [("county_name_mismatch", 2)] and "“秦州区”" in problems[0].message_zh
    spelled = one_cell("村", 0, "县区", "秦州")  # a short form of the same name is no mismatch
    spelled["村"].loc[1, "县区"] = "秦州"
    assert validate_paths(write_csv_rosters(tmp_path / "short", spelled)) == []


def test_a_village_far_from_its_townships_others_is_a_warning_and_its_households_are_not_blamed(tmp_path):
    from lianhu_tools.demo import generate_city
    from lianhu_tools.geo import haversine_km
    from lianhu_tools.tables import write_rosters

    city = generate_city("small", seed=5)
    villages, households = city.villages.copy(), city.households.copy()
    township = villages["township_code"].value_counts().index[0]
    moved = villages.index[villages["township_code"] == township][0]
    county = villages.at[moved, "county_code"]
    others = villages[(villages["county_code"] == county) & (villages["township_code"] != township)]
    far = others.index[np.argmax(haversine_km(others["lat"], others["lon"], villages.at[moved, "lat"], villages.at[moved, "lon"]))]
    villages.loc[moved, ["lat", "lon"]] = villages.loc[far, ["lat", "lon"]].to_numpy()  # still inside its county
    code = villages.at[moved, "village_code"]
    households.loc[households["village_code"] == code, ["lat", "lon"]] = city.villages.loc[moved, ["lat", "lon"]].to_numpy()
    write_rosters(city.tables() | {"villages": villages, "households": households}, tmp_path, "csv")
    problems = validate_paths(tmp_path)
    assert [(p.code, p.severity) for p in problems] == [("village_far_from_township", "warning")]
    assert "公里" in problems[0].message_zh and problems[0].row == moved + 2
