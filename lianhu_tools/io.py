"""Reading and writing roster files as Chinese offices produce them.

Readers return `Grid`s: every cell as normalised text, with a flag for cells that Excel stored as
numbers (codes and ID numbers must be text). Writers produce the files a city would receive.
"""

from __future__ import annotations

import csv
import io
import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import TABLES, Table

CSV_SUFFIXES = (".csv", ".txt", ".tsv")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
ROSTER_FILE_NAMES = {"villages": "村名册", "households": "农户名册", "units": "单位名册", "cadres": "干部名册"}


class UnreadableFile(Exception):
    """A file that cannot be opened or decoded; carries a bilingual reason."""

    def __init__(self, path: Path, zh: str, en: str):
        super().__init__(f"{path}: {zh} / {en}")
        self.path, self.zh, self.en = path, zh, en


@dataclass
class Grid:
    """One sheet (or CSV file) as read: text cells, '' for blank."""

    file: str
    sheet: str | None
    cells: pd.DataFrame  # columns 0..n-1, every cell a normalised str
    numeric: pd.DataFrame | None  # True where Excel stored a number (None for CSV)
    written: pd.DataFrame | None = None  # the first rows as written (headers are shown as the office wrote them)
    hidden: bool = False


HEAD_ROWS = 22  # rows kept as written, for headers
OWN_OUTPUTS = ("问题清单", "名册汇总", "名册模板")  # files this tool writes next to rosters


def discover_files(paths: list[str | Path]) -> list[tuple[Path, bool]]:
    """The roster files, each with whether it was named explicitly (True) or found in a folder.

    In folders: .csv and Excel files only, without Office lock files, hidden files and this tool's
    own outputs (问题清单, 名册汇总, 名册模板)."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted((p, False) for p in path.rglob("*")
                            if p.suffix.lower() in (".csv",) + EXCEL_SUFFIXES
                            and not p.name.startswith(("~$", ".", *OWN_OUTPUTS)))
        else:
            found.append((path, True))
    return found


def read_grids(path: Path) -> list[Grid]:
    if not path.exists():
        raise UnreadableFile(path, "文件不存在", "file not found")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path)
    cells, written = _read_csv(path)
    return [Grid(str(path), None, cells, None, written)]


def decode_bytes(raw: bytes) -> tuple[str, str]:
    """Text and encoding of a CSV from a Chinese office: UTF-16 or UTF-8 by BOM, UTF-8, else GB18030."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "utf-16"
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise UnicodeDecodeError("gb18030", raw, 0, 1, "neither UTF-8 nor GB18030")


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        text, _ = decode_bytes(path.read_bytes())
    except UnicodeDecodeError:
        raise UnreadableFile(path, "无法识别文件编码（应为UTF-8或GBK/GB18030）",
                             "unknown text encoding (expected UTF-8 or GBK/GB18030)") from None
    head = text[:20000].splitlines()[:20]
    sep = max((",", "\t", ";", "|"), key=lambda c: max((line.count(c) for line in head), default=0))
    csv.field_size_limit(2**31 - 1)  # a pasted essay in one cell is data, not a crash
    try:  # ragged rows (titles above the header) are allowed
        rows = _trimmed(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise UnreadableFile(path, f"CSV格式错误：{exc}", f"malformed CSV: {exc}") from None
    cells = _grid(rows)
    return _normalise_text(cells), cells.iloc[:HEAD_ROWS].map(lambda v: str(v).strip())


def _trimmed(rows) -> list[list]:
    """Rows without trailing blank cells, and without trailing blank rows (a stray cell far away costs nothing)."""
    out, last = [], 0
    for row in rows:
        end = len(row)
        while end and (row[end - 1] is None or str(row[end - 1]).strip() == ""):
            end -= 1
        out.append(row[:end])
        if end:
            last = len(out)
    return out[:last]


def _grid(rows: list[list]) -> pd.DataFrame:
    width = max(map(len, rows), default=0)
    return pd.DataFrame([row + [""] * (width - len(row)) for row in rows], columns=range(width), dtype=object)


def _normalise_text(cells: pd.DataFrame) -> pd.DataFrame:
    """NFKC (full-width letters, digits, spaces) and strip, only where a cell needs it."""
    out = {}
    for col in cells.columns:
        s = cells[col].astype(object)
        s = s.where(s.notna(), "")
        odd = ~s.str.isascii().astype(bool)
        if odd.any():
            s = s.copy()
            s[odd] = [unicodedata.normalize("NFKC", v).replace("\u200b", "").replace("\ufeff", "") for v in s[odd]]
        out[col] = s.str.strip()
    return pd.DataFrame(out, columns=cells.columns)


MAX_SHEET_CELLS = 50_000_000  # a sheet claiming more (a stray cell at XFD1048576) is streamed instead


def _read_excel(path: Path) -> list[Grid]:
    try:
        sheets = _sparse_xlsx_sheets(path) if _claims_huge_sheet(path) else _calamine_sheets(path)
    except Exception as exc:  # the readers raise their own error types for damaged files
        raise UnreadableFile(path, f"Excel文件无法打开：{exc}", f"Excel file cannot be opened: {exc}") from None
    grids = []
    for name, visible, rows in sheets:
        if not rows:
            continue
        raw = _grid(rows)
        numeric = raw.map(lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))
        text = raw.map(_cell_text)
        grids.append(Grid(str(path), name, _normalise_text(text), numeric, text.iloc[:HEAD_ROWS], hidden=not visible))
    return grids


def _calamine_sheets(path: Path) -> list[tuple[str, bool, list[list]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    return [(meta.name, str(meta.visible).endswith("Visible"), _trimmed(book.get_sheet_by_name(meta.name).iter_rows()))
            for meta in book.sheets_metadata]


def _claims_huge_sheet(path: Path) -> bool:
    """Whether an .xlsx declares (in its sheets' <dimension> tags) a sheet too large to read whole."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as sheet:
                    found = re.search(rb'<dimension ref="[A-Z]+(\d+):([A-Z]+)(\d+)"', sheet.read(4096))
                if found and (int(found[3]) - int(found[1]) + 1) * _column_number(found[2].decode()) > MAX_SHEET_CELLS:
                    return True
    return False


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _sparse_xlsx_sheets(path: Path) -> list[tuple[str, bool, list[list]]]:
    """Stream an .xlsx keeping only the cells that hold something, for sheets with far-away stray cells."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    sheets = []
    try:
        for ws in book.worksheets:
            ws.reset_dimensions()  # do not pad rows out to the declared (huge) size
            filled = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row
                      if getattr(c, "row", None) and c.value is not None and str(c.value).strip()}
            height = max((r for r, _ in filled), default=0)
            width = max((c for _, c in filled), default=0)
            rows = [[filled.get((r, c), "") for c in range(1, width + 1)] for r in range(1, height + 1)]
            sheets.append((ws.title, ws.sheet_state == "visible", rows))
    finally:
        book.close()
    return sheets


def _cell_text(value: object) -> str:
    """Excel's typed cell as the text a planner sees: 620502101201.0 -> '620502101201'."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return "" if value is None else str(value)


# ---------------------------------------------------------------- writing

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


@contextmanager
def excel_writer(path: str | Path) -> Iterator[pd.ExcelWriter]:
    """An xlsxwriter workbook written atomically to `path`."""
    with atomic_write(path) as tmp, pd.ExcelWriter(tmp, engine="xlsxwriter") as writer:
        yield writer


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
            shown.to_csv(tmp, index=False, encoding=encoding, lineterminator="\r\n")
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
    shown.to_excel(writer, sheet_name=sheet_name, index=False)
    sheet = writer.sheets[sheet_name]
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


def is_blank(cells: pd.DataFrame) -> np.ndarray:
    return (cells == "").all(axis=1).to_numpy()
