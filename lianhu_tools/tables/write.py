"""Writing the files a city receives, atomically: rosters as offices type them, the 问题清单, workbooks."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem, problems_frame
from ..schema import TABLES, Table
from .files import FORMULA_STARTS

ROSTER_FILE_NAMES = {"villages": "村名册", "households": "农户名册", "units": "单位名册", "cadres": "干部名册"}


@contextmanager
def atomic_write(path: str | Path) -> Iterator[Path]:
    """Yield a sibling temporary path to write; it replaces `path` only if the writing succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


EXCEL_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}  # text stays text, never a formula or link


@contextmanager
def excel_writer(path: str | Path, **options) -> Iterator[pd.ExcelWriter]:
    """An xlsxwriter workbook written atomically to `path`; every string cell is written as text."""
    with atomic_write(path) as tmp, pd.ExcelWriter(tmp, engine="xlsxwriter", engine_kwargs={"options": EXCEL_OPTIONS},
                                                   **options) as writer:
        yield writer


def write_frame(writer: pd.ExcelWriter, frame: pd.DataFrame, sheet_name: str, startrow: int = 0):
    """Write what `frame.to_excel(writer, sheet_name=sheet_name, startrow=startrow, index=False)` writes, cell for cell,
    a column at a time: several times faster on the city's 100,000-row sheets (pandas styles every cell on its own).
    Returns the worksheet."""
    book = writer.book
    sheet = book.get_worksheet_by_name(sheet_name) or book.add_worksheet(sheet_name)
    formats = {"datetime": book.add_format({"num_format": writer.datetime_format}),
               "date": book.add_format({"num_format": writer.date_format}), "days": book.add_format({"num_format": "0"})}
    for col, name in enumerate(frame.columns):
        _write_value(sheet, startrow, col, name, formats)
    rows = range(startrow + 1, startrow + 1 + len(frame))
    for col in range(frame.shape[1]):
        column = frame.iloc[:, col]
        values = column.to_numpy(dtype=object, na_value=None)
        if column.dtype.kind in "OSU":
            write = sheet.write_string  # text: the common case, written without asking each value its type
            for row, value in zip(rows, values):
                if value.__class__ is str:
                    if value:
                        write(row, col, value)
                elif value is not None:
                    _write_value(sheet, row, col, value, formats)
        else:
            for row, value in zip(rows, values):
                if value is not None:
                    _write_value(sheet, row, col, value, formats)
    return sheet


def _write_value(sheet, row: int, col: int, value, formats: dict) -> None:
    """One cell as pandas' `to_excel` writes it: blanks for missing, "inf" for infinities, numpy scalars as Python's,
    dates and times in the writer's formats, anything else as its text."""
    if isinstance(value, (bool, np.bool_)):
        sheet.write_boolean(row, col, bool(value))
    elif isinstance(value, (int, np.integer)):
        sheet.write_number(row, col, int(value))
    elif isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return
        if np.isinf(value):
            sheet.write_string(row, col, "inf" if value > 0 else "-inf")
        else:
            sheet.write_number(row, col, float(value))
    elif isinstance(value, Decimal):
        if not value.is_nan():
            sheet.write_number(row, col, value)
    elif isinstance(value, str):
        if value:
            sheet.write_string(row, col, value)
    elif value is pd.NaT or value is pd.NA or value is None:
        return
    elif isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            raise ValueError("Excel does not support datetimes with timezones")
        sheet.write_datetime(row, col, value, formats["datetime"])
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, col, value, formats["date"])
    elif isinstance(value, datetime.timedelta):
        sheet.write_number(row, col, value.total_seconds() / 86400, formats["days"])
    else:
        text = str(value)
        if text:
            sheet.write_string(row, col, text)


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a CSV may carry it: text (cells and headers) that a spreadsheet would run as a formula gets a
    leading apostrophe, as OWASP advises; numbers stay numbers."""
    def safe(value):
        return f"'{value}" if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value

    out = frame.rename(columns=safe)
    for column in out.columns:
        if pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(safe)
    return out


def display_frame(frame: pd.DataFrame, table: Table, header: str = "zh") -> pd.DataFrame:
    """The table as an office would type it: 是/否 for yes/no, blanks for missing, chosen headers."""
    out = {}
    for f in table.fields:
        s = frame[f.name]
        if f.kind == "bool":
            s = s.map({True: "是", False: "否"})
        elif f.kind in ("lat", "lon"):
            s = s.round(6)
        elif f.kind in ("int", "float"):
            s = s.astype("Float64")
            s = s.astype("Int64") if (s.dropna() % 1 == 0).all() else s
        out[{"zh": f.zh, "zh_hant": f.zh_hant, "en": f.name}[header]] = s
    return pd.DataFrame(out)


def write_table(frame: pd.DataFrame, table: Table, path: str | Path, header: str = "zh",
                encoding: str = "utf-8-sig") -> Path:
    """Write one roster as .csv (in `encoding`) or .xlsx, atomically."""
    path = Path(path)
    shown = display_frame(frame, table, header)
    if path.suffix.lower() == ".csv":
        with atomic_write(path) as tmp:
            csv_safe(shown).to_csv(tmp, index=False, encoding=encoding, lineterminator="\r\n")
    else:
        with excel_writer(path) as writer:
            _write_sheet(writer, shown, table, table.zh)
    return path


def write_workbook(frames: dict[str, pd.DataFrame], path: str | Path, header: str = "zh") -> Path:
    """All rosters in one workbook, a sheet per table named in Chinese."""
    with excel_writer(path) as writer:
        for name, frame in frames.items():
            table = TABLES[name]
            _write_sheet(writer, display_frame(frame, table, header), table, table.zh)
    return Path(path)


def _write_sheet(writer: pd.ExcelWriter, shown: pd.DataFrame, table: Table, sheet_name: str) -> None:
    sheet = write_frame(writer, shown, sheet_name)
    text = writer.book.add_format({"num_format": "@"})
    sheet.freeze_panes(1, 0)
    for i, f in enumerate(table.fields):
        width = 22 if f.kind in ("code", "id_number", "id") else 14
        sheet.set_column(i, i, width, text if f.kind in ("code", "id", "id_number", "phone") else None)


def write_rosters(frames: dict[str, pd.DataFrame], out_dir: str | Path, file_format: str = "xlsx",
                  header: str = "zh", encoding: str = "utf-8-sig") -> list[Path]:
    """One file per roster in `out_dir` (村名册.xlsx, 农户名册.xlsx, …); returns the paths."""
    out_dir = Path(out_dir)
    return [write_table(frame, TABLES[name], out_dir / f"{ROSTER_FILE_NAMES[name]}.{file_format}", header, encoding)
            for name, frame in frames.items()]


def _from_shared_folder(files: list[str]) -> dict[str, str]:
    """Each file as seen from the folder all of them share ('' and options such as --term-start stay)."""
    real = sorted({f for f in files if f and Path(f).suffix})
    try:
        shared = Path(os.path.commonpath([str(Path(f).resolve().parent) for f in real])) if real else None
    except ValueError:  # different drives
        shared = None
    return {f: (str(Path(f).resolve().relative_to(shared)) if shared and f in real else f) for f in set(files)}


def write_problem_workbook(problems: list[Problem], path: str | Path) -> Path:
    """Write the 问题清单 to send back to the offices: every problem on one sheet, each file named from the folder
    the files share (the city's own folders are nobody else's business)."""
    frame = problems_frame(problems)
    frame["文件"] = frame["文件"].map(_from_shared_folder(list(frame["文件"])))
    with excel_writer(path) as writer:
        sheet = write_frame(writer, frame, "问题清单")
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
        for i, width in enumerate((28, 12, 8, 16, 24, 26, 8, 48, 60)):
            sheet.set_column(i, i, width)
    return Path(path)
