"""Writers: atomic (a failed write leaves the old file), and what offices' encodings round-trip."""

import pandas as pd
import pytest

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
