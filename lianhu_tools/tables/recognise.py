"""Which table a sheet is, and where its header is: one row or two under merged cells, below any title
rows, headers in any of their declared spellings; 序号/备注 columns, 合计 rows and "无"-style blanks dropped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import ARCHIVE_TABLES, PLAN_TABLES, SURVEY_TABLES, TABLES, Table, normalize_header
from .files import Grid, is_blank
from .parts import Part, Report

HEADER_SEARCH_ROWS = 20  # offices put titles above the header row
IGNORED_HEADERS = {normalize_header(h) for h in ("序号", "序號", "No.", "编号序号", "备注", "備註", "remark", "remarks")}
INSTRUCTION_SHEETS = {normalize_header(h) for h in ("填写说明", "說明", "说明", "填寫說明", "instructions", "readme")}
TOTAL_WORDS = ("合计", "总计", "小计", "合計", "總計", "小計")
BLANK_WORDS = ("无", "無", "/", "-", "--", "—", "——", "null", "NULL", "nan", "NaN", "N/A", "n/a", "#N/A")


def _header_lookup(table: Table) -> dict[str, str]:
    return {normalize_header(h): f.name for f in table.fields for h in f.headers()}


LOOKUPS = {name: _header_lookup(table) for name, table in (TABLES | ARCHIVE_TABLES | PLAN_TABLES | SURVEY_TABLES).items()}


def recognise(grid: Grid, report: Report, tables: dict[str, Table]) -> Part | None:
    """Find the header (one row, or two rows under merged cells) and its table.

    A table is recognised by its key column and half its required columns (60% without the key);
    the sheet or file name breaks ties."""
    hint = {normalize_header(grid.sheet or ""), normalize_header(Path(grid.file).stem)}
    best = None
    for r in range(min(HEADER_SEARCH_ROWS, len(grid.cells))):
        single = [normalize_header(v) for v in grid.cells.iloc[r]]
        below = [normalize_header(v) for v in grid.cells.iloc[r + 1]] if r + 1 < len(grid.cells) else []
        merged = [b or a for a, b in zip(single, below)]
        for depth, keys in ((1, single), (2, merged)):
            for name, table in tables.items():
                matched = {LOOKUPS[name][k] for k in keys if k in LOOKUPS[name]}
                required = sum(f.name in matched for f in table.required_fields)
                share = required / len(table.required_fields)
                if share < 0.5 or (table.primary_key not in matched and share < 0.6):
                    continue
                named = any(normalize_header(s) in hint for s in table.sheet_names)
                score = (required, len(matched), named, -depth)
                if best is None or score > best[0]:
                    best = (score, r, depth, table)
    if best is None:
        return None
    _, header_row, depth, table = best
    return make_part(grid, header_row, depth, table, report)


def _written_header(grid: Grid, row: int, depth: int, col: int) -> str:
    """The header as the office wrote it (the lower cell of a two-row header when it has one)."""
    written = grid.written if grid.written is not None and row + depth <= len(grid.written) else grid.cells
    cells = [str(written.iat[row + d, col]).strip() for d in range(depth)]
    return next((c for c in reversed(cells) if c), "")


def make_part(grid: Grid, header_row: int, depth: int, table: Table, report: Report) -> Part:
    columns: dict[str, int] = {}
    excel_row = header_row + depth  # the header's (last) row, as Excel numbers it
    written = [_written_header(grid, header_row, depth, c) for c in range(grid.cells.shape[1])]
    for col, header in enumerate(written):
        key = normalize_header(header)
        name = LOOKUPS[table.name].get(key)
        if name is None:
            if key and key not in IGNORED_HEADERS:
                report.file(grid.file, grid.sheet, "unknown_column", "未识别的列，已忽略", "unrecognised column, ignored",
                            "warning", row=excel_row, column=header)
        elif name in columns:
            report.file(grid.file, grid.sheet, "duplicate_column",
                        f"“{header}”与“{written[columns[name]]}”是同一字段（{table.field(name).label}），列重复",
                        f"column duplicates '{written[columns[name]]}' (both mean {name})",
                        row=excel_row, column=header)
        else:
            columns[name] = col
    missing = [f for f in table.fields if f.name not in columns and (
        f.required or (f.kind in ("lat", "lon") and ({"lat", "lon"} & set(columns))))]  # half a coordinate pair
    for f in missing:
        report.file(grid.file, grid.sheet, "missing_column", f"缺少必填列“{f.zh}”",
                    f"required column '{f.zh}' ({f.name}) is missing", row=excel_row, column=f.zh)
    body = grid.cells.iloc[header_row + depth:]
    mapped = body.iloc[:, list(columns.values())]
    mapped = mapped.where(~mapped.isin(BLANK_WORDS), "")  # "无", "/", "-" and the like mean blank
    keep = ~is_blank(mapped) & ~_total_rows(body)
    rows = np.arange(header_row + depth + 1, header_row + depth + 1 + len(body))[keep]
    text = pd.DataFrame({n: mapped.iloc[keep, i].to_numpy() for i, n in enumerate(columns)})
    numeric = None
    if grid.numeric is not None:
        flags = grid.numeric.iloc[header_row + depth:]
        numeric = pd.DataFrame({n: flags.iloc[keep, c].to_numpy(dtype=bool) for n, c in columns.items()})
    headers = {n: written[c] for n, c in columns.items()}
    return Part(grid.file, grid.sheet, table, headers, rows, text, numeric)


def _total_rows(body: pd.DataFrame) -> np.ndarray:
    """Rows whose first few filled cells say 合计, 总计 or 小计."""
    head = body.iloc[:, :4].apply(lambda col: col.str.replace(r"\s+", "", regex=True))
    return head.isin(TOTAL_WORDS).any(axis=1).to_numpy()
