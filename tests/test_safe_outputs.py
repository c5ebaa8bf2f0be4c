"""Outputs are safe to open: text from the offices never becomes a formula or a link in a workbook the
workbench writes, and a CSV carries it with a leading apostrophe (OWASP's CSV-injection guidance)."""

import csv

import openpyxl
import pandas as pd
import pytest

from lianhu_tools.demo import generator, pipeline
from lianhu_tools.pairing.output import write_tables
from lianhu_tools.tables import FORMULA_STARTS

PLANTED = {"villages": ("village_name", '=HYPERLINK("http://evil.example","点我")'),
           "households": ("head_name", "=cmd|' /C calc'!A0"), "units": ("unit_name", "+SUM(1,1)"),
           "cadres": ("name", "@SUM(A1:A9)")}


def formulas_in(path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [f"{path.name}:{sheet.title}!{cell.coordinate}" for sheet in book for row in sheet.iter_rows()
            for cell in row if cell.data_type == "f" or cell.hyperlink is not None]


@pytest.fixture(scope="module")
def demo_with_planted_names(tmp_path_factory):
    real = generator.generate_city  # what demo_tables draws the city with

    def planted(*args, **kwargs):
        city = real(*args, **kwargs)
        for table, (column, text) in PLANTED.items():
            frame = getattr(city, table)
            frame[column] = frame[column].astype(object)
            frame.loc[frame.index[::2], column] = text  # every other row: names that look like formulas
        return city

    out = tmp_path_factory.mktemp("planted")
    generator.generate_city = planted
    try:
        pipeline.run_demo("tiny", out=out, say=lambda _: None)
    finally:
        generator.generate_city = real
    return out


def test_no_workbook_the_demo_writes_holds_a_formula_from_the_offices(demo_with_planted_names):
    books = sorted(demo_with_planted_names.rglob("*.xlsx"))
    assert len(books) > 10
    assert [f for book in books for f in formulas_in(book)] == []
    counties = sorted((demo_with_planted_names / "各县区联村联户名单").glob("*.xlsx"))  # a county may have no pairs
    cells = {cell.value for county in counties for sheet in openpyxl.load_workbook(county)
             for row in sheet.iter_rows() for cell in row}
    assert {PLANTED["households"][1], PLANTED["units"][1]} <= cells  # the names are there, as text


def test_a_csv_carries_formula_like_text_behind_an_apostrophe(tmp_path):
    texts = [text for _, text in PLANTED.values()] + ["-2+3", "\tTAB", "普通文字"]
    frame = pd.DataFrame({"name": texts, "=header": range(len(texts)), "count": [-1] * len(texts)})
    write_tables({"联户": frame}, tmp_path / "out.csv", lang="en")
    with open(tmp_path / "out.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS) and cell != "-1"]  # numbers stay numbers
    assert "'=cmd|' /C calc'!A0" in cells and "'=header" in rows[0] and "普通文字" in cells
    from lianhu_tools.pairing.output import read_pairs

    back = read_pairs(tmp_path / "out.csv", ("name",))  # read back as written: the guard is not part of the text
    assert list(back["name"][:4]) == [text for _, text in PLANTED.values()]
