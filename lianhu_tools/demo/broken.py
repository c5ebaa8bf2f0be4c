"""The tiny demo city's rosters with one of every problem planted, as offices really send them.

Used to show planners what `lianhu validate` reports, and by tests that check every planted problem
is found at its row and column and nothing else is.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd

from ..schema import TABLES
from ..tables import ROSTER_FILE_NAMES, display_frame
from .generator import generate_city


@dataclass(frozen=True)
class PlantedProblem:
    file: str  # file name inside the folder
    sheet: str | None
    row: int  # as Excel shows it (header = 1)
    column: str
    code: str


# (table, 0-based data row, header, new value, expected code); rows chosen so no plant touches another.
PLANTS = [
    ("households", 0, "人均纯收入", "-120", "negative_value"),
    ("households", 1, "人均纯收入", "八百", "not_a_number"),
    ("households", 2, "家庭人口", "3.5", "not_an_integer"),
    ("households", 3, "是否党员户", "不是", "bool_invalid"),
    ("households", 4, "致贫原因", "懒", "value_not_allowed"),
    ("households", 5, "户主姓名", "", "required_value_missing"),
    ("households", 6, "身份证号", "<id[:17]>", "id_number_length"),
    ("households", 7, "身份证号", "<bad check digit>", "id_number_checksum"),
    ("households", 8, "身份证号", "6.20502E+17", "id_number_numeric"),
    ("households", 11, "身份证号", "<id of row 10>", "id_number_duplicate"),
    ("households", 14, "户编号", "<household_id of row 13>", "duplicate_key"),
    ("households", 15, "村代码", "620599999999", "orphan_reference"),
    ("households", 16, "村代码", "6205021O1201", "code_malformed"),
    ("households", 17, "纬度", "<latitude only>", "coordinates_incomplete"),
    ("households", 18, "纬度", "<lat and lon swapped>", "coordinates_outside_china"),
    ("villages", 0, "乡镇代码", "<another township>", "code_mismatch"),
    ("villages", 1, "纬度", "<no coordinates>", "coordinates_missing"),
    ("villages", 2, "是否贫困村", "待定", "bool_invalid"),
    ("units", 0, "单位类别", "协会", "value_not_allowed"),
    ("units", 1, "干部人数", "-3", "negative_value"),
    ("cadres", 0, "单位编号", "DW0000000000", "orphan_reference"),
    ("cadres", 2, "干部编号", "<cadre_id of row 1>", "duplicate_key"),
    ("cadres", 3, "职级", "处级干部", "rank_unknown"),
]
ENCODINGS = {"villages": "gbk", "households": "utf-8-sig"}  # units and cadres come as Excel


def write_broken_rosters(out_dir: str | Path, seed: int = 0) -> list[PlantedProblem]:
    """Write the broken rosters into `out_dir`; return the problems planted, as the validator should list them."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    city = generate_city("tiny", seed=seed)
    shown = {name: _as_text(display_frame(frame, TABLES[name])) for name, frame in city.tables().items()}
    planted = [_plant(shown[table], table, row, column, value, code) for table, row, column, value, code in PLANTS]

    # A supplementary cadre list without the 是否离退休 column, and households typed into Excel by hand.
    extra_cadres = shown["cadres"].iloc[-2:].drop(columns=["是否离退休"])
    shown["cadres"] = shown["cadres"].iloc[:-2]
    extra_households = shown["households"].iloc[-2:]
    shown["households"] = shown["households"].iloc[:-2]

    for name, frame in shown.items():
        stem = ROSTER_FILE_NAMES[name]
        if name in ENCODINGS:
            frame.to_csv(out_dir / f"{stem}.csv", index=False, encoding=ENCODINGS[name])
        else:
            _write_excel(out_dir / f"{stem}.xlsx", TABLES[name].zh, frame)
    extra_cadres.to_csv(out_dir / "干部名册_补报.csv", index=False, encoding="gb18030")
    id_as_number = extra_households.copy().astype(object)
    id_as_number.iloc[0, id_as_number.columns.get_loc("身份证号")] = int(id_as_number.iloc[0]["身份证号"][:17] + "0")
    _write_excel(out_dir / "农户名册_补报.xlsx", "户", id_as_number)

    planted = [PlantedProblem(f"{ROSTER_FILE_NAMES[t]}.{'csv' if t in ENCODINGS else 'xlsx'}",
                              None if t in ENCODINGS else TABLES[t].zh, row + 2, column, code)
               for (t, row, column, code) in planted]
    planted += [PlantedProblem("干部名册_补报.csv", None, 1, "是否离退休", "missing_column"),
                PlantedProblem("农户名册_补报.xlsx", "户", 2, "身份证号", "id_number_numeric")]
    return planted


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype("string").fillna("").astype(object)


def _plant(frame: pd.DataFrame, table: str, row: int, column: str, value: str, code: str):
    ids = frame["身份证号"] if "身份证号" in frame else None
    if value == "<id[:17]>":
        value = ids[row][:17]
    elif value == "<bad check digit>":
        value = ids[row][:17] + ("0" if ids[row][17] != "0" else "1")
    elif value == "<id of row 10>":
        value = ids[10]
    elif value.startswith("<") and " of row " in value:
        value = frame.loc[int(value.rstrip(">").split()[-1]), column]
    elif value == "<lat and lon swapped>":
        frame.loc[row, ["纬度", "经度"]] = ["105.7", "34.5"]
        value = "105.7"
    elif value == "<latitude only>":
        frame.loc[row, "经度"] = ""
        value = "34.6"
    elif value == "<no coordinates>":
        frame.loc[row, "经度"] = ""
        value = ""
    elif value == "<another township>":
        value = str(int(frame.loc[row, column]) + 1)
    frame.loc[row, column] = value
    return table, row, column, code


def _write_excel(path: Path, sheet: str, frame: pd.DataFrame) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        ws.append([None if v == "" else v for v in row])
    book.save(path)
