"""Writers: atomic (a failed write leaves the old file), and what offices' encodings round-trip."""

from pathlib import Path

import pandas as pd
import pytest

from conftest import base_tables, write_csv_rosters

from lianhu_tools import tables as io
from lianhu_tools.tables import write
from lianhu_tools.demo import generate_city
from lianhu_tools.rosters import ALL_TABLES, load_rosters
from lianhu_tools.schema import TABLES


def test_failed_write_leaves_previous_file_and_no_temporary(tmp_path, monkeypatch):
    city = generate_city("tiny")
    path = io.write_table(city.villages, TABLES["villages"], tmp_path / "村名册.xlsx")
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(write, "_write_sheet", crash)
    with pytest.raises(RuntimeError):
        io.write_table(city.villages.iloc[:1], TABLES["villages"], path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["村名册.xlsx"]


def test_gbk_csv_utf8_bom_csv_and_traditional_excel_load_identically(tmp_path):
    tables = generate_city("tiny", seed=3).tables()
    gbk = load_rosters(io.write_rosters(tables, tmp_path / "gbk", "csv", encoding="gbk")).tables()
    bom = load_rosters(io.write_rosters(tables, tmp_path / "bom", "csv", encoding="utf-8-sig")).tables()
    hant = load_rosters(io.write_rosters(tables, tmp_path / "hant", "xlsx", header="zh_hant")).tables()
    assert (tmp_path / "gbk" / "村名册.csv").read_bytes()[:3] != b"\xef\xbb\xbf"
    for name in ALL_TABLES:
        pd.testing.assert_frame_equal(gbk[name], bom[name])
        pd.testing.assert_frame_equal(hant[name], bom[name])


def test_decode_bytes_detects_office_encodings():
    text = "村名,户主\n李家村,刘䶮\n"
    assert io.decode_bytes(text.encode("utf-8-sig")) == (text, "utf-8-sig")
    assert io.decode_bytes(text.encode("gb18030")) == (text, "gb18030")
    assert io.decode_bytes(text.encode("utf-16")) == (text, "utf-16")


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"


@pytest.mark.parametrize("text", [pytest.param(BOMB, id="a YAML bomb"), pytest.param("x: " + "y" * 1_100_000, id="too large")])
def test_a_settings_file_that_could_exhaust_memory_is_refused(tmp_path, text):
    from lianhu_tools.errors import UnreadableFile
    from lianhu_tools.tables.files import read_settings_file

    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableFile):
        read_settings_file(path)


def test_an_encrypted_workbook_and_a_csv_with_nul_bytes_are_said_for_what_they_are(tmp_path):
    from lianhu_tools.rosters import validate_paths
    from lianhu_tools.tables.files import OLE_MAGIC

    (tmp_path / "村名册.xlsx").write_bytes(OLE_MAGIC + b"\x00" * 504)  # what Excel writes for a password-protected book
    (tmp_path / "户.csv").write_bytes("户编号,村代码\nH1\x00,620502101201\n".encode("utf-8"))
    problems = {Path(p.file).name: p for p in validate_paths([tmp_path / "村名册.xlsx", tmp_path / "户.csv"])}
    assert problems["村名册.xlsx"].code == "file_unreadable" and "密码" in problems["村名册.xlsx"].message_zh
    assert problems["户.csv"].code == "file_unreadable" and "NUL" in problems["户.csv"].message_en


def test_a_50_mb_cell_is_a_problem_shown_by_its_start(tmp_path, capsys):
    import json

    from lianhu_tools.cli import main
    from lianhu_tools.tables.parse import MAX_CELL_CHARS

    tables = base_tables()
    tables["户"].loc[1, "户主姓名"] = "x" * 50_000_000
    folder = write_csv_rosters(tmp_path / "r", tables)
    assert main(["validate", str(folder), "--format", "json", "--problems-out", str(tmp_path / "问题清单.xlsx")]) == 1
    problems = [p for p in json.loads(capsys.readouterr().out) if p["code"] == "cell_too_long"]
    assert [(p["row"], p["column"]) for p in problems] == [(3, "户主姓名")] and len(problems[0]["value"]) == 201
    assert f"{MAX_CELL_CHARS:,}" in problems[0]["message_zh"] and (tmp_path / "问题清单.xlsx").stat().st_size < 100_000


def _cells(path):
    """Every cell of every sheet: value, its type, number format, bold."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    return {sheet.title: [(c.coordinate, c.value, type(c.value).__name__, c.number_format, c.font.b)
                          for row in sheet.iter_rows() for c in row if c.value is not None] for sheet in book}


def test_write_frame_writes_what_pandas_to_excel_writes(tmp_path):
    import datetime
    from decimal import Decimal

    import numpy as np

    frame = pd.DataFrame({
        "text": ["a", "", None, "=1+1", "x" * 40_000, np.nan],  # blank, missing, a formula kept text, too long
        "mixed": [1, 2.5, True, "b", pd.NA, Decimal("3.5")],
        "int": [1, 2, 3, 4, 5, 6],
        "Int64": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
        "float": [1.5, np.nan, np.inf, -np.inf, 0.0, -2.25],
        "bool": [True, False, True, False, True, False],
        "boolean": pd.array([True, None, False, True, None, False], dtype="boolean"),
        "date": pd.to_datetime(["2025-01-02", None, "2025-12-31", "2025-06-01", "2024-02-29", "2025-03-03"]),
        "pydate": [datetime.date(2025, 1, 2), None, datetime.date(2025, 5, 6), None, None, None],
        "days": pd.to_timedelta([1, 2, None, 4, 5, 6], unit="D"),
        "category": pd.Categorical(["甲", "乙", None, "甲", "乙", "甲"]),
        "string": pd.array(["一", None, "三", "", "五", "六"], dtype="string"),
        7: ["number", "as", "a", "header", "", ""],
    })
    for kind, options in (("default", {}), ("dates", {"date_format": "yyyy-mm-dd", "datetime_format": "yyyy-mm-dd"})):
        with write.excel_writer(tmp_path / f"pandas_{kind}.xlsx", **options) as writer:
            frame.to_excel(writer, sheet_name="表", index=False)
            frame.iloc[:0].to_excel(writer, sheet_name="空", index=False, startrow=2)
        with write.excel_writer(tmp_path / f"fast_{kind}.xlsx", **options) as writer:
            write.write_frame(writer, frame, "表")
            write.write_frame(writer, frame.iloc[:0], "空", startrow=2)
        assert _cells(tmp_path / f"fast_{kind}.xlsx") == _cells(tmp_path / f"pandas_{kind}.xlsx")
