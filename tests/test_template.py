"""The blank template: generated from the schema, filled in by an office, loaded back."""

import openpyxl
import pandas as pd
from conftest import base_tables

from lianhu_tools.rosters import load_rosters, validate_paths
from lianhu_tools.schema import TABLES
from lianhu_tools.template import write_template


def test_template_headers_follow_the_schema(tmp_path):
    book = openpyxl.load_workbook(write_template(tmp_path / "模板.xlsx"))
    assert book.sheetnames == ["填写说明", "村", "户", "单位", "干部"]
    for table in TABLES.values():
        assert [c.value for c in book[table.zh][1]] == [f.zh for f in table.fields]
    instructions = [row for row in book["填写说明"].iter_rows(values_only=True)]
    assert sum(1 for row in instructions if row[1] in {f.zh for t in TABLES.values() for f in t.fields}) == \
        sum(len(t.fields) for t in TABLES.values())


def test_blank_template_validates_clean(tmp_path):
    assert validate_paths(write_template(tmp_path / "模板.xlsx")) == []


def test_filled_template_round_trip(tmp_path, clean_dir):
    path = write_template(tmp_path / "模板.xlsx")
    book = openpyxl.load_workbook(path)
    for name, frame in base_tables().items():
        for row in frame.itertuples(index=False):
            book[name].append(list(row))
    book.save(path)
    got, expected = load_rosters(path).tables(), load_rosters(clean_dir).tables()
    for name in TABLES:
        pd.testing.assert_frame_equal(got[name], expected[name])
