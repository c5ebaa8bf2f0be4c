"""Regression cases from trying the loader with files as real offices make them."""

import json

import openpyxl
import pandas as pd
import pytest
from conftest import base_tables, write_csv_rosters

from lianhu_tools.cli import main
from lianhu_tools.rosters import load_rosters, validate_paths


def codes(path, severity="error"):
    return sorted(p.code for p in validate_paths(path) if p.severity == severity)


def workbook(path, sheets: dict[str, list[list]], hidden=()):
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)
    return path


def rows_of(frame: pd.DataFrame) -> list[list]:
    return [list(frame.columns)] + frame.values.tolist()


def test_a_very_long_cell_is_data_up_to_excels_limit_and_a_problem_past_it(tmp_path):
    tables = base_tables()
    tables["户"].loc[0, "户主姓名"] = "张" * 32_767
    assert codes(write_csv_rosters(tmp_path / "full", tables)) == []
    tables["户"].loc[0, "户主姓名"] = "张" * 200_000
    assert codes(write_csv_rosters(tmp_path / "over", tables)) == ["cell_too_long"]


def test_missing_key_column_of_a_parent_does_not_make_every_child_an_orphan(tmp_path):
    tables = base_tables()
    tables["村"] = tables["村"].rename(columns={"村代码": "行政区划代码"})
    assert codes(write_csv_rosters(tmp_path, tables)) == ["missing_column"]


def test_children_of_a_rejected_parent_row_are_not_orphans(tmp_path):
    tables = base_tables()
    tables["村"].loc[0, "村代码"] = "62050210120X"
    tables["户"].loc[[0, 1], "村代码"] = "62050210120X"
    assert codes(write_csv_rosters(tmp_path, tables)) == ["code_malformed", "code_malformed", "code_malformed"]


def test_a_summary_sheet_is_not_taken_for_a_roster(tmp_path):
    sheets = {name: rows_of(frame) for name, frame in base_tables().items()}
    sheets["汇总"] = [["县区", "乡镇", "户数", "人口"], ["秦州区", "太京镇", 500, 2000]]
    path = workbook(tmp_path / "名册.xlsx", sheets)
    assert codes(path) == [] and codes(path, "warning") == ["unknown_table"]


def test_stray_cells_far_away_are_ignored(tmp_path):
    path = workbook(tmp_path / "名册.xlsx", {name: rows_of(frame) for name, frame in base_tables().items()})
    book = openpyxl.load_workbook(path)
    book["户"]["XFD1"] = " "
    book["户"]["A1048576"] = " "
    book.save(path)
    assert len(load_rosters(path).households) == 3


@pytest.mark.parametrize("total_row", [
    ["合计", "", "", 3], ["", "合 计", "", 3], ["小计", "", "", 3], ["", "", "总计", ""]], ids=str)
def test_total_rows_are_skipped(tmp_path, total_row):
    frame = base_tables()["户"]
    frame.insert(0, "序号", ["1", "2", "3"])
    sheets = {name: rows_of(f) for name, f in base_tables().items()}
    sheets["户"] = [[None, None, *row] for row in rows_of(frame) + [total_row]]  # table starts in column C
    assert codes(workbook(tmp_path / "名册.xlsx", sheets)) == []


def test_rows_with_only_a_serial_number_are_blank(tmp_path):
    tables = base_tables()
    tables["户"].insert(0, "序号", ["1", "2", "3"])
    tables["户"] = pd.concat([tables["户"], pd.DataFrame({"序号": ["4", "5"]})], ignore_index=True).fillna("")
    assert codes(write_csv_rosters(tmp_path, tables)) == []


def test_two_row_header_under_merged_cells(tmp_path, clean_dir):
    frame = base_tables()["村"]
    top = ["村代码", "村名", "乡镇代码", "乡镇", "县区代码", "县区", "位置", None, "是否贫困村", "户数", "人口"]
    second = [None] * 6 + ["纬度", "经度"] + [None] * 3
    sheets = {name: rows_of(f) for name, f in base_tables().items()}
    sheets["村"] = [["某市贫困村名册"], top, second, *frame.values.tolist()]
    path = workbook(tmp_path / "名册.xlsx", sheets)
    book = openpyxl.load_workbook(path)
    book["村"].merge_cells("G2:H2")
    book.save(path)
    pd.testing.assert_frame_equal(load_rosters(path).villages, load_rosters(clean_dir).villages)


def test_own_outputs_and_text_files_in_a_folder_are_not_rosters(clean_dir):
    assert main(["validate", str(clean_dir), "--problems-out", str(clean_dir / "问题清单.xlsx")]) == 0
    (clean_dir / "说明.txt").write_text("请于月底前报送", encoding="utf-8")
    pd.DataFrame({"a": [1]}).to_excel(clean_dir / "问题清单.xlsx")
    assert validate_paths(clean_dir) == []


def test_half_a_coordinate_pair_of_columns(tmp_path):
    tables = base_tables()
    tables["户"] = tables["户"].drop(columns=["经度"])
    problems = [p for p in validate_paths(write_csv_rosters(tmp_path, tables)) if p.severity == "error"]
    assert [(p.code, p.column) for p in problems] == [("missing_column", "经度")]


@pytest.mark.parametrize("value", ["inf", "1e400", "Infinity", "1,0"])
def test_numbers_must_be_finite_and_well_formed(tmp_path, value):
    tables = base_tables()
    tables["户"].loc[0, "人均纯收入"] = value
    assert codes(write_csv_rosters(tmp_path, tables)) == ["not_a_number"]


def test_thousands_separators_are_numbers(tmp_path):
    tables = base_tables()
    tables["户"].loc[2, "人均纯收入"] = "2,500"
    assert load_rosters(write_csv_rosters(tmp_path, tables)).households.loc[2, "income_per_capita_yuan"] == 2500


def test_placeholders_mean_blank_and_everyday_cause_names(tmp_path):
    tables = base_tables()
    tables["户"].loc[2, "致贫原因"] = "无"
    tables["户"].loc[0, ["纬度", "经度"]] = ["-", "/"]
    tables["户"].loc[1, "致贫原因"] = "缺资金致贫"
    households = load_rosters(write_csv_rosters(tmp_path, tables)).households
    assert households["poverty_cause"].iloc[:2].tolist() == ["因病", "缺资金"]
    assert pd.isna(households["poverty_cause"].iloc[2])
    assert households.loc[0, ["lat", "lon"]].tolist() == [34.58, 105.62]  # the village's


def test_placeholder_in_a_required_cell_is_a_missing_value(tmp_path):
    tables = base_tables()
    tables["户"].loc[0, "户主姓名"] = "/"
    assert codes(write_csv_rosters(tmp_path, tables)) == ["required_value_missing"]


def test_empty_files_are_reported(tmp_path):
    (tmp_path / "户.csv").write_bytes(b"")
    assert codes(tmp_path, "warning") == ["empty_file"]


def test_headers_are_shown_as_written_and_bad_latitude_reported_once(tmp_path):
    tables = base_tables()
    tables["户"] = tables["户"].rename(columns={"人均纯收入": "人均纯收入（元）"})
    tables["户"].loc[0, "人均纯收入"] = None
    tables["户"] = tables["户"].drop(columns=["人均纯收入"])
    tables["户"].loc[0, "人均纯收入（元）"] = "x"
    tables["户"].loc[1, "纬度"] = "北纬34"
    problems = [p for p in validate_paths(write_csv_rosters(tmp_path, tables)) if p.severity == "error"]
    assert [(p.code, p.row, p.column) for p in problems] == [("not_a_number", 2, "人均纯收入（元）"),
                                                             ("not_a_number", 3, "纬度")]


def test_hidden_sheets_are_skipped_and_duplicates_name_the_sheet(tmp_path):
    sheets = {name: rows_of(f) for name, f in base_tables().items()}
    sheets["旧户"] = rows_of(base_tables()["户"])
    path = workbook(tmp_path / "名册.xlsx", sheets, hidden=("旧户",))
    assert codes(path) == [] and codes(path, "warning") == ["hidden_sheet_skipped"]
    sheets["户2"] = rows_of(base_tables()["户"].iloc[[0]])
    problems = validate_paths(workbook(tmp_path / "b.xlsx", sheets))
    duplicate = next(p for p in problems if p.code == "duplicate_key")
    assert "sheet 户" in duplicate.message_en and "“户”表" in duplicate.message_zh


def test_cli_policy_file_missing_is_a_usage_error_and_problems_come_as_json(tmp_path, clean_dir, capsys):
    assert main(["validate", str(clean_dir), "--policy-file", str(tmp_path / "none.yaml")]) == 2
    (tmp_path / "p.yaml").write_text("max_km: -1\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(clean_dir), "--policy-file", str(tmp_path / "p.yaml"), "--format", "json"]) == 1
    assert json.loads(capsys.readouterr().out)[0]["code"] == "policy_wrong_type"
