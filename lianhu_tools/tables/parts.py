"""Rows of a table read from files, located as the planner sees them (file, sheet, Excel row), and
the problems found in them; checks across the rows of one table; the table in its final dtypes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem
from ..schema import Table

DTYPES = {"code": "str", "id": "str", "text": "str", "category": "str", "id_number": "str", "phone": "str",
          "int": "Int64", "float": "float64", "lat": "float64", "lon": "float64", "bool": "boolean",
          "date": "datetime64[ns]"}


@dataclass
class Part:
    """One grid recognised as one roster table."""

    file: str
    sheet: str | None
    table: Table
    headers: dict[str, str]  # field name -> header as written in the file
    rows: np.ndarray  # Excel row number of each data row
    text: pd.DataFrame  # field name -> text cells
    numeric: pd.DataFrame | None  # field name -> Excel stored a number


class Report:
    """Collects problems with their location."""

    def __init__(self):
        self.problems: list[Problem] = []

    def file(self, path: str, sheet, code: str, zh: str, en: str, severity: str = "error", row=None,
             column=None, value=None) -> None:
        self.problems.append(Problem(path, sheet, row, column, value, code, zh, en, severity))

    def cells(self, part: Part, where: np.ndarray, name: str, code: str, zh: str, en: str,
              severity: str = "error", values: np.ndarray | None = None) -> None:
        """One problem per data row of `part` where `where` is true, in column `name`."""
        shown = part.text[name].to_numpy() if values is None else values
        for i in np.flatnonzero(where):
            self.problems.append(Problem(part.file, part.sheet, int(part.rows[i]), part.headers[name],
                                         shown[i] or None, code, zh, en, severity))

    def located(self, located: pd.DataFrame, parts: list[Part], name: str, code: str, zh: list[str] | str,
                en: list[str] | str, severity: str = "error") -> None:
        """Problems for rows of a combined table (with _part and _row columns); one message or one per row."""
        for k, (p, row, value) in enumerate(zip(located["_part"], located["_row"], raw_text(located, parts, name))):
            part = parts[p]
            self.problems.append(Problem(
                part.file, part.sheet, int(row), part.headers.get(name, part.table.field(name).zh),
                None if value is None or value == "" else str(value), code,
                zh if isinstance(zh, str) else zh[k], en if isinstance(en, str) else en[k], severity))


def combine(parsed: list[tuple[int, pd.DataFrame]]) -> pd.DataFrame:
    """One table from its parts, each row keeping its part (`_part`) and position in it (`_pos`)."""
    return pd.concat([frame.assign(_part=i, _pos=np.arange(len(frame))) for i, frame in parsed], ignore_index=True)


def locate(frame: pd.DataFrame, parts: list[Part]) -> pd.DataFrame:
    rows = [parts[p].rows[i] for p, i in zip(frame["_part"], frame["_pos"])]
    return frame.assign(_row=rows)


def raw_text(frame: pd.DataFrame, parts: list[Part], column: str) -> pd.Series:
    """The text as written in the file, for rows of a combined table ('' where the column is absent)."""
    values = [parts[p].text[column].iat[i] if column in parts[p].text else ""
              for p, i in zip(frame["_part"], frame["_pos"])]
    return pd.Series(values, index=frame.index, dtype=object)


def where_first(parts: list[Part], part_index: int, pos: int, other_part: int) -> tuple[str, str]:
    part = parts[part_index]
    row = int(part.rows[pos])
    if part_index == other_part:
        return f"第{row}行", f"row {row}"
    sheet_zh, sheet_en = (f"“{part.sheet}”表", f", sheet {part.sheet}") if part.sheet else ("", "")
    return f"{Path(part.file).name}{sheet_zh}第{row}行", f"row {row} of {Path(part.file).name}{sheet_en}"


def check_duplicates(frame: pd.DataFrame, column: str, parts: list[Part], report: Report, code: str,
                      zh: str, en: str) -> None:
    key = frame[column]
    dup = key.notna() & key.duplicated(keep="first")
    if not dup.any():
        return
    first = frame.groupby(key, sort=False)[["_part", "_pos"]].transform("first")[dup].astype(int)
    located = locate(frame[dup], parts)
    where = [where_first(parts, fp, pos, p) for fp, pos, p in zip(first["_part"], first["_pos"], located["_part"])]
    report.located(located, parts, column, code, [zh.format(w[0]) for w in where], [en.format(w[1]) for w in where])


def empty_frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame({f.name: pd.Series(dtype=DTYPES[f.kind]) for f in table.fields} | {
        "_part": pd.Series(dtype=int), "_pos": pd.Series(dtype=int)})


def final_frame(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    out = pd.DataFrame({f.name: frame[f.name] for f in table.fields}).reset_index(drop=True)
    for f in table.fields:
        dtype = DTYPES[f.kind]
        if f.kind == "int" and f.required:
            dtype = "int64"
        elif f.kind == "bool":
            dtype = "bool" if f.required else "boolean"  # an optional yes/no may be blank
        out[f.name] = out[f.name].astype(dtype)
    return out
