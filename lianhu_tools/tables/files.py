"""Reading files as Chinese offices produce them (CSV in any office encoding, .xlsx, .xls, .ods).

Readers return `Grid`s: every cell as normalised text, with a flag for cells that Excel stored as
numbers (codes and ID numbers must be text).
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..errors import UnreadableFile

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may run as a formula (OWASP CSV injection)


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
    if path.is_dir():
        raise UnreadableFile(path, "是文件夹，不是文件", "is a folder, not a file")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(path)
    cells, written = _read_csv(path)
    return [Grid(str(path), None, cells, None, written)]


def grid_of_rows(rows: list[list], file: str, sheet: str | None = None) -> Grid:
    """A grid from rows already in memory (an edited table), read as a CSV of those rows would be."""
    cells = _grid(_trimmed([["" if v is None else str(v) for v in row] for row in rows]))
    return Grid(file, sheet, _normalise_text(cells), None, cells.iloc[:HEAD_ROWS].map(lambda v: str(v).strip()))


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
    if "\x00" in text:
        raise UnreadableFile(path, "文件含有空字符（NUL），不是正常的文本表格", "the file holds NUL bytes: not a text table")
    head = text[:20000].splitlines()[:20]
    sep = max((",", "\t", ";", "|"), key=lambda c: max((line.count(c) for line in head), default=0))
    csv.field_size_limit(2**31 - 1)  # a pasted essay in one cell is data, not a crash
    try:  # ragged rows (titles above the header) are allowed
        rows = _trimmed([[_unguarded(v) for v in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep)])
    except csv.Error as exc:
        raise UnreadableFile(path, f"CSV格式错误：{exc}", f"malformed CSV: {exc}") from None
    cells = _grid(rows)
    return _normalise_text(cells), cells.iloc[:HEAD_ROWS].map(lambda v: str(v).strip())


def _unguarded(cell: str) -> str:
    """A cell as written before a CSV writer guarded it against formulas ("'=DW1" → "=DW1", see `csv_safe`)."""
    return cell[1:] if cell.startswith("'") and cell[1:2] and cell[1:2] in FORMULA_STARTS else cell


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


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the container of .xls, and of any password-protected workbook


def _read_excel(path: Path) -> list[Grid]:
    if path.suffix.lower() in (".xlsx", ".xlsm") and path.read_bytes()[:8] == OLE_MAGIC:
        raise UnreadableFile(path, "工作簿设置了打开密码（已加密），请去掉密码后另存再发送",
                             "the workbook is password-protected (encrypted): remove the password, save and send it again")
    try:
        sheets = _sparse_xlsx_sheets(path) if _claims_huge_sheet(path) else _calamine_sheets(path)
    except Exception as exc:  # the readers raise their own error types for damaged files
        raise UnreadableFile(path, f"Excel文件无法打开：{exc}", f"Excel file cannot be opened: {exc}") from None
    grids = []
    for name, visible, rows in sheets:
        if not rows:
            continue
        raw = _grid(rows)
        numeric = pd.DataFrame({c: _are_numbers(raw[c].to_numpy()) for c in raw.columns}, columns=raw.columns)
        text = pd.DataFrame({c: _texts(raw[c].to_numpy()) for c in raw.columns}, columns=raw.columns)
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


def _are_numbers(values) -> list[bool]:
    """Which cells Excel holds as numbers (booleans are not), the common classes first: a column at a time."""
    return [True if v.__class__ is float or v.__class__ is int else False if v.__class__ is str
            else isinstance(v, (int, float)) and not isinstance(v, bool) for v in values]


def _texts(values) -> list[str]:
    """`_cell_text` of each cell, text cells passed as they are."""
    return [v if v.__class__ is str else _cell_text(v) for v in values]


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


def is_blank(cells: pd.DataFrame) -> np.ndarray:
    return (cells == "").all(axis=1).to_numpy()


MAX_SETTINGS_BYTES = 1_000_000  # a policy or indicator file is a page or two


class _NoAliases(yaml.SafeLoader):
    """YAML without anchors and aliases: a planner's file never needs them, and they can blow up in memory."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "别名（*）不允许 / aliases are not allowed", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def read_settings_file(path: str | Path) -> object:
    """A planner's YAML or JSON file (policy, indicators) as data; raises UnreadableFile saying why not."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_SETTINGS_BYTES:
            raise UnreadableFile(path, f"文件过大（超过 {MAX_SETTINGS_BYTES:,} 字节）", f"the file is too large (over {MAX_SETTINGS_BYTES:,} bytes)")
        return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_NoAliases)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UnreadableFile(path, f"无法读取或不是有效的 YAML：{type(exc).__name__}", f"cannot be read, or is not valid YAML: "
                             f"{type(exc).__name__}") from None
