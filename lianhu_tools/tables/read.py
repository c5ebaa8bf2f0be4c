"""Tables from files or from a frame: every sheet recognised, parsed and its parts combined, with every
problem found. `read_tables` for files (rosters, diaries, plans), `validate_frame` for a table already in
memory (the plan editor's), both checked the same way."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..schema import Table, normalize_header
from .files import UnreadableFile, discover_files, grid_of_rows, is_blank, read_grids
from .parse import parse_part
from .parts import Part, Report, combine
from .recognise import INSTRUCTION_SHEETS, recognise


def read_tables(paths: list[str | Path] | str | Path, tables: dict[str, Table], require: tuple[str, ...],
                report: Report) -> tuple[dict[str, pd.DataFrame], list[Part], list]:
    """Every sheet of the files recognised as one of `tables`, parsed; parts of a table combined."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = discover_files(paths)
    if not files:
        report.file(", ".join(map(str, paths)), None, "no_files", "未找到文件（.csv/.xlsx/.xls）",
                    "no files (.csv/.xlsx/.xls) found")
    parts = [part for path, explicit in files for part in _read_parts(path, explicit, report, tables)]
    frames: dict[str, pd.DataFrame] = {}
    by_table: dict[str, list[int]] = {}
    for i, part in enumerate(parts):
        by_table.setdefault(part.table.name, []).append(i)
    for name, table in tables.items():
        if name in by_table:
            frames[name] = combine([(i, parse_part(parts[i], report)) for i in by_table[name]])
        elif name in require:
            report.file(", ".join(map(str, paths)), None, "missing_table", f"缺少{table.zh}表",
                        f"no {name} table among the files")
    return frames, parts, files


def _read_parts(path: Path, explicit: bool, report: Report, tables: dict[str, Table]) -> list[Part]:
    """The roster tables in one file. An unrecognised file is an error when named, a warning when found in a folder."""
    try:
        grids = read_grids(path)
    except UnreadableFile as exc:
        report.file(str(path), None, "file_unreadable", exc.zh, exc.en)
        return []
    grids = [g for g in grids if len(g.cells) and not is_blank(g.cells).all()]
    parts, unknown = [], []
    for grid in grids:
        if grid.hidden:
            report.file(grid.file, grid.sheet, "hidden_sheet_skipped", "隐藏的工作表，未读取", "hidden sheet, not read",
                        "warning")
            continue
        part = recognise(grid, report, tables)
        if part is not None:
            parts.append(part)
        elif normalize_header(grid.sheet or "") not in INSTRUCTION_SHEETS:
            unknown.append(grid)
    if not grids:
        report.file(str(path), None, "empty_file", "文件是空的", "the file is empty", "warning")
    names_zh, names_en = "、".join(t.zh for t in tables.values()), ", ".join(tables)
    for grid in unknown:
        severity = "error" if explicit and not parts else "warning"
        report.file(grid.file, grid.sheet, "unknown_table",
                    f"无法识别此表：表头与{names_zh}都不符" + ("" if severity == "error" else "，已跳过"),
                    f"cannot tell which table this is: the headers match none of {names_en}"
                    + ("" if severity == "error" else " (skipped)"), severity, row=1)
    return parts


def validate_frame(table: Table, frame: pd.DataFrame, report: Report, file: str = "", sheet: str | None = None
                   ) -> tuple[pd.DataFrame | None, list[Part]]:
    """A table held in memory (columns headed as a file would head them), parsed and checked as if read from
    `file`: rows are numbered as in that file (header = row 1). None when its header is not `table`'s."""
    rows = [list(map(str, frame.columns))] + frame.astype(object).where(frame.notna(), "").to_numpy().tolist()
    grid = grid_of_rows(rows, file, sheet)
    part = recognise(grid, report, {table.name: table})
    if part is None:
        report.file(file, sheet, "unknown_table", f"表头不是{table.zh}表的表头", f"the headers are not those of {table.name}",
                    row=1)
        return None, []
    return combine([(0, parse_part(part, report))]), [part]
