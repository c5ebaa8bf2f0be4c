"""Load and validate rosters: every problem reported at once, nothing loaded unless all is clean.

    rosters = load_rosters(["data/demo/"])        # raises RosterError(problems) on any error
    problems = validate_paths(["村名册.csv"])      # the list only, for `lianhu validate`

Each file (CSV in any office encoding, or an Excel workbook with one sheet per table) is recognised
by its headers, parsed field by field as declared in `schema`, then checked across tables.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from . import io
from .policy import Policy, default_policy
from .problems import Problem, RosterError, RosterWarning
from .schema import (ARCHIVE_TABLES, CHINA_LAT, CHINA_LON, ID_NUMBER_CHECK, ID_NUMBER_WEIGHTS, NO_WORDS, PLAN_TABLES,
                     TABLES, YES_WORDS, Field, Table, category_lookup, normalize_header, normalize_value)

ALL_TABLES = tuple(TABLES)
HEADER_SEARCH_ROWS = 20  # offices put titles above the header row
MIN_MATCHED_FIELDS = 3
IGNORED_HEADERS = {normalize_header(h) for h in ("序号", "序號", "No.", "编号序号", "备注", "備註", "remark", "remarks")}
INSTRUCTION_SHEETS = {normalize_header(h) for h in ("填写说明", "說明", "说明", "填寫說明", "instructions", "readme")}
TOTAL_WORDS = ("合计", "总计", "小计", "合計", "總計", "小計")
BLANK_WORDS = ("无", "無", "/", "-", "--", "—", "——", "null", "NULL", "nan", "NaN", "N/A", "n/a", "#N/A")
ID_WEIGHTS = np.array(ID_NUMBER_WEIGHTS)
ID_CHECK_CHARS = np.array(list(ID_NUMBER_CHECK))
DTYPES = {"code": "str", "id": "str", "text": "str", "category": "str", "id_number": "str", "phone": "str",
          "int": "Int64", "float": "float64", "lat": "float64", "lon": "float64", "bool": "boolean",
          "date": "datetime64[ns]"}


@dataclass
class Rosters:
    """The four validated rosters, canonical English columns (see `schema`), keys as text."""

    villages: pd.DataFrame
    households: pd.DataFrame
    units: pd.DataFrame
    cadres: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in ALL_TABLES}


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
        for k, (p, row, value) in enumerate(zip(located["_part"], located["_row"], _raw(located, parts, name))):
            part = parts[p]
            self.problems.append(Problem(
                part.file, part.sheet, int(row), part.headers.get(name, part.table.field(name).zh),
                None if value is None or value == "" else str(value), code,
                zh if isinstance(zh, str) else zh[k], en if isinstance(en, str) else en[k], severity))


# ---------------------------------------------------------------- public API

def load_rosters(paths: list[str | Path] | str | Path, require: tuple[str, ...] = ALL_TABLES,
                 policy: Policy | None = None) -> Rosters:
    """Read and validate roster files; raise RosterError listing every problem if any error is found.

    The policy's poverty lines decide which households must name a cause of poverty (a warning)."""
    rosters, problems = _load(paths, require, policy or default_policy())
    if any(p.severity == "error" for p in problems):
        raise RosterError(problems)
    if problems:
        warnings.warn(RosterWarning(f"{len(problems)} 条提示（不影响载入）/ {len(problems)} warnings; "
                                    "see Rosters.warnings"), stacklevel=2)
    return rosters


def validate_paths(paths: list[str | Path] | str | Path, require: tuple[str, ...] = (),
                   policy: Policy | None = None) -> list[Problem]:
    """Every problem in the files (errors and warnings); an empty list means clean."""
    return _load(paths, require, policy or default_policy())[1]


def read_tables(paths: list[str | Path] | str | Path, tables: dict[str, Table], require: tuple[str, ...],
                report: Report) -> tuple[dict[str, pd.DataFrame], list[Part], list]:
    """Every sheet of the files recognised as one of `tables`, parsed; parts of a table combined."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = io.discover_files(paths)
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
            frames[name] = _combine([(i, _parse(parts[i], report)) for i in by_table[name]])
        elif name in require:
            report.file(", ".join(map(str, paths)), None, "missing_table", f"缺少{table.zh}表",
                        f"no {name} table among the files")
    return frames, parts, files


def _load(paths, require, policy: Policy) -> tuple[Rosters | None, list[Problem]]:
    report = Report()
    frames, parts, files = read_tables(paths, TABLES, require, report)
    _check_tables(frames, parts, report)
    if "households" in frames:
        _check_poverty_causes(frames["households"], parts, report, policy)
    problems = sorted(report.problems, key=lambda p: (p.file, p.sheet or "", p.row or 0))
    if any(p.severity == "error" for p in problems) or any(n not in frames for n in require):
        return None, problems
    empty = {n: _empty(TABLES[n]) for n in ALL_TABLES}
    tables = {n: _final(frames.get(n, empty[n]), TABLES[n]) for n in ALL_TABLES}
    return Rosters(**tables, warnings=problems, files=[str(f) for f, _ in files]), problems


# ---------------------------------------------------------------- recognising sheets

def _read_parts(path: Path, explicit: bool, report: Report, tables: dict[str, Table]) -> list[Part]:
    """The roster tables in one file. An unrecognised file is an error when named, a warning when found in a folder."""
    try:
        grids = io.read_grids(path)
    except io.UnreadableFile as exc:
        report.file(str(path), None, "file_unreadable", exc.zh, exc.en)
        return []
    grids = [g for g in grids if len(g.cells) and not io.is_blank(g.cells).all()]
    parts, unknown = [], []
    for grid in grids:
        if grid.hidden:
            report.file(grid.file, grid.sheet, "hidden_sheet_skipped", "隐藏的工作表，未读取", "hidden sheet, not read",
                        "warning")
            continue
        part = _recognise(grid, report, tables)
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


def _header_lookup(table: Table) -> dict[str, str]:
    return {normalize_header(h): f.name for f in table.fields for h in f.headers()}


LOOKUPS = {name: _header_lookup(table) for name, table in (TABLES | ARCHIVE_TABLES | PLAN_TABLES).items()}


def _recognise(grid: io.Grid, report: Report, tables: dict[str, Table]) -> Part | None:
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
    return _make_part(grid, header_row, depth, table, report)


def _written_header(grid: io.Grid, row: int, depth: int, col: int) -> str:
    """The header as the office wrote it (the lower cell of a two-row header when it has one)."""
    written = grid.written if grid.written is not None and row + depth <= len(grid.written) else grid.cells
    cells = [str(written.iat[row + d, col]).strip() for d in range(depth)]
    return next((c for c in reversed(cells) if c), "")


def _make_part(grid: io.Grid, header_row: int, depth: int, table: Table, report: Report) -> Part:
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
    keep = ~io.is_blank(mapped) & ~_total_rows(body)
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


# ---------------------------------------------------------------- parsing fields

def _parse(part: Part, report: Report) -> pd.DataFrame:
    """Typed columns of one part; problems for every cell that does not parse."""
    out = {}
    for f in part.table.fields:
        if f.name not in part.text:
            out[f.name] = pd.Series([np.nan] * len(part.rows), dtype=DTYPES[f.kind] if f.kind != "int" else "Float64")
            continue
        s = part.text[f.name]
        blank = (s == "").to_numpy()
        if f.required and f.kind not in ("lat", "lon"):
            report.cells(part, blank, f.name, "required_value_missing", f"“{f.zh}”不能为空", f"{f.name} is required")
        out[f.name] = PARSERS[f.kind](part, f, s, blank, report)
    frame = pd.DataFrame(out)
    _check_coordinates(part, frame, report)
    return frame


def _parse_code(part, f: Field, s: pd.Series, blank, report) -> pd.Series:
    ok = s.str.fullmatch(rf"\d{{{f.digits}}}").to_numpy(dtype=bool)
    report.cells(part, ~ok & ~blank, f.name, "code_malformed", f"“{f.zh}”须为{f.digits}位数字",
                 f"{f.name} must be exactly {f.digits} digits")
    return s.where(ok, None)


def _parse_text(part, f: Field, s: pd.Series, blank, report) -> pd.Series:
    return s.where(~blank, None)


def _to_number(s: pd.Series) -> pd.Series:
    """Numbers as offices type them: '1,234.5', '800元'; '1,0' or 'inf' are not numbers."""
    cleaned = s.str.replace(r"\s|元$|人$|户$|年$", "", regex=True)
    thousands = cleaned.str.fullmatch(r"-?\d{1,3}([,，]\d{3})+(\.\d+)?")
    cleaned = cleaned.where(~thousands, cleaned.str.replace(r"[,，]", "", regex=True))
    values = pd.to_numeric(cleaned.where(cleaned != ""), errors="coerce")
    return values.where(np.isfinite(values.astype(float)))


def _parse_number(part, f: Field, s: pd.Series, blank, report) -> pd.Series:
    values = _to_number(s)
    bad = (values.isna().to_numpy() & ~blank)
    report.cells(part, bad, f.name, "not_a_number", f"“{f.zh}”须为数字", f"{f.name} must be a number")
    if f.kind == "int":
        fractional = (values.notna() & (values % 1 != 0)).to_numpy()
        report.cells(part, fractional, f.name, "not_an_integer", f"“{f.zh}”须为整数", f"{f.name} must be a whole number")
        values = values.where(~fractional)
    if f.minimum == 0:
        negative = (values < 0).to_numpy(dtype=bool)
        report.cells(part, negative, f.name, "negative_value", f"“{f.zh}”不能为负数", f"{f.name} cannot be negative")
        values = values.where(~negative)
    if (f.minimum is not None and f.minimum != 0) or f.maximum is not None:
        low = -np.inf if f.minimum is None else f.minimum
        high = np.inf if f.maximum is None else f.maximum
        out = ((values < low) | (values > high)).to_numpy(dtype=bool)
        report.cells(part, out, f.name, "out_of_range", f"“{f.zh}”须在{low:g}到{high:g}之间",
                     f"{f.name} must be between {low:g} and {high:g}")
        values = values.where(~out)
    return values.astype("Float64")


EXCEL_EPOCH = pd.Timestamp("1899-12-30")
DATES_FROM_YEAR = 2000


def _parse_date(part, f: Field, s: pd.Series, blank, report) -> pd.Series:
    """Dates as offices write them: 2025-03-18, 2025/3/18, 2025.3.18, 2025年3月18日, 20250318, an
    Excel date, or Excel's day number when the cell lost its date format."""
    text = s.str.replace(r"[T\s]+\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "", regex=True).str.replace(r"\s", "", regex=True)
    text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3", regex=True)
    text = text.str.replace(r"[年月/.]", "-", regex=True).str.replace(r"[日号號]$", "", regex=True)
    values = pd.to_datetime(text.where(~blank), format="%Y-%m-%d", errors="coerce")
    serial = pd.to_numeric(s.where(s.str.fullmatch(r"\d{5}")), errors="coerce")
    if part.numeric is not None and f.name in part.numeric:
        serial = serial.where(part.numeric[f.name].to_numpy())
    values = values.fillna(EXCEL_EPOCH + pd.to_timedelta(serial, unit="D"))
    bad = values.isna().to_numpy() & ~blank
    report.cells(part, bad, f.name, "date_malformed", f"“{f.zh}”不是日期（如 2025-03-18）",
                 f"{f.name} is not a date (e.g. 2025-03-18)")
    today = pd.Timestamp.today()
    implausible = ((values.dt.year < DATES_FROM_YEAR) | (values > today + pd.Timedelta(days=366))).to_numpy(dtype=bool)
    report.cells(part, implausible, f.name, "out_of_range", f"“{f.zh}”不在 {DATES_FROM_YEAR} 年至明年之间",
                 f"{f.name} is not between {DATES_FROM_YEAR} and next year")
    return values.where(~implausible)


YES = {normalize_value(w) for w in YES_WORDS}
NO = {normalize_value(w) for w in NO_WORDS}


def _parse_bool(part, f: Field, s: pd.Series, blank, report) -> pd.Series:
    key = s.str.lower()
    yes, no = key.isin(YES).to_numpy(), key.isin(NO).to_numpy()
    report.cells(part, ~(yes | no | blank), f.name, "bool_invalid", f"“{f.zh}”须填 是/否（或 Y/N、1/0、TRUE/FALSE）",
                 f"{f.name} must be yes/no (是/否, Y/N, 1/0, TRUE/FALSE)")
    return pd.Series(np.where(yes, True, np.where(no, False, None)), dtype="boolean")


def _parse_category(part, f: Field, s: pd.Series, blank, report) -> pd.Series:
    lookup = category_lookup(f)
    spellings = s.unique()  # few distinct spellings, however many rows
    values = s.map(dict(zip(spellings, [lookup.get(normalize_value(v)) if v else None for v in spellings])))
    allowed = "、".join(f.allowed)
    report.cells(part, values.isna().to_numpy() & ~blank, f.name, "value_not_allowed",
                 f"“{f.zh}”只能是：{allowed}", f"{f.name} must be one of: {allowed}")
    return values


def _parse_id_number(part, f: Field, s: pd.Series, blank, report) -> pd.Series:
    s = s.str.upper()
    numeric = part.numeric[f.name].to_numpy() if part.numeric is not None else np.zeros(len(s), bool)
    scientific = s.str.fullmatch(r"\d(\.\d+)?E\+?\d+").to_numpy(dtype=bool)
    lost = (numeric | scientific) & ~blank
    report.cells(part, lost, f.name, "id_number_numeric",
                 "身份证号被Excel存成了数字，末几位已丢失，无法修复：请将该列设为文本格式后重新录入",
                 "ID number was stored as a number by Excel, so its last digits are lost and cannot be "
                 "repaired: format the column as text and type it again")
    rest = ~lost & ~blank
    length = s.str.len().to_numpy()
    wrong_length = rest & (length != 18)
    report.cells(part, wrong_length, f.name, "id_number_length", "身份证号须为18位（15位旧号请先升位）",
                 "ID number must have 18 characters (convert old 15-digit numbers first)")
    rest &= ~wrong_length
    shaped = s.str.fullmatch(r"\d{17}[\dX]").to_numpy(dtype=bool)
    born = pd.to_datetime(s.str.slice(6, 14), format="%Y%m%d", errors="coerce")
    born_ok = ((born.dt.year >= 1900) & (born <= pd.Timestamp(date.today()))).to_numpy(dtype=bool)
    malformed = rest & ~(shaped & born_ok)
    report.cells(part, malformed, f.name, "id_number_format",
                 "身份证号格式错误：前17位须为数字、末位为数字或X，第7–14位为有效出生日期",
                 "malformed ID number: 17 digits then a digit or X, with a valid birth date in positions 7–14")
    rest &= ~malformed
    expected = np.full(len(s), "", dtype=object)
    if rest.any():
        digits = np.frombuffer("".join(s[rest].str.slice(0, 17)).encode("ascii"), dtype=np.uint8)
        sums = ((digits.reshape(-1, 17) - 48) @ ID_WEIGHTS) % 11
        expected[rest] = ID_CHECK_CHARS[sums]
    wrong = rest & (s.str.slice(17, 18).to_numpy() != expected)
    report.cells(part, wrong, f.name, "id_number_checksum",
                 "身份证号校验码错误（GB 11643），可能录错或被Excel截断", "ID number fails its GB 11643 check digit "
                 "(mistyped, or cut by Excel)")
    return s.where(rest & ~wrong, None)


def _parse_phone(part, f: Field, s: pd.Series, blank, report) -> pd.Series:
    digits = s.str.replace(r"[\s\-()（）]", "", regex=True).str.replace(r"^\+?86", "", regex=True)
    ok = digits.str.fullmatch(r"1[3-9]\d{9}|0\d{9,11}").to_numpy(dtype=bool)
    report.cells(part, ~ok & ~blank, f.name, "phone_invalid", "联系电话格式有误（应为11位手机号或带区号的固定电话）",
                 "phone number looks wrong (11-digit mobile or landline with area code)", "warning")
    return digits.where(ok, None)


PARSERS = {"code": _parse_code, "id": _parse_text, "text": _parse_text, "int": _parse_number,
           "float": _parse_number, "lat": _parse_number, "lon": _parse_number, "bool": _parse_bool, "date": _parse_date,
           "category": _parse_category, "id_number": _parse_id_number, "phone": _parse_phone}


def _check_coordinates(part: Part, frame: pd.DataFrame, report: Report) -> None:
    if "lat" not in part.text or "lon" not in part.text:
        return  # a missing required column is reported already; optional ones fall back later
    lat, lon = frame["lat"].astype(float), frame["lon"].astype(float)
    has_lat, has_lon = lat.notna().to_numpy(), lon.notna().to_numpy()
    raw_blank = (part.text["lat"] == "").to_numpy() & (part.text["lon"] == "").to_numpy()
    if part.table.field("lat").required:
        report.cells(part, raw_blank, "lat", "coordinates_missing", "缺少经纬度，且无可替代的位置",
                     "coordinates missing, and nothing to fall back on")
    half = has_lat ^ has_lon
    one_blank = (part.text["lat"] == "").to_numpy() ^ (part.text["lon"] == "").to_numpy()
    report.cells(part, half & one_blank, "lat", "coordinates_incomplete", "经纬度须同时填写",
                 "latitude and longitude go together")
    both = has_lat & has_lon
    outside = both & ~(lat.between(*CHINA_LAT) & lon.between(*CHINA_LON)).to_numpy()
    swapped = outside & (lat.between(*CHINA_LON) & lon.between(*CHINA_LAT)).to_numpy()
    pair = (part.text["lat"] + ", " + part.text["lon"]).to_numpy()
    report.cells(part, outside & ~swapped, "lat", "coordinates_outside_china", "经纬度不在中国境内",
                 "coordinates are outside China", values=pair)
    report.cells(part, swapped, "lat", "coordinates_outside_china", "经纬度不在中国境内：纬度和经度可能填反了",
                 "coordinates are outside China: latitude and longitude look swapped", values=pair)
    frame.loc[outside | half, ["lat", "lon"]] = np.nan


# ---------------------------------------------------------------- checks across rows and tables

def _combine(parsed: list[tuple[int, pd.DataFrame]]) -> pd.DataFrame:
    """One table from its parts, each row keeping its part (`_part`) and position in it (`_pos`)."""
    return pd.concat([frame.assign(_part=i, _pos=np.arange(len(frame))) for i, frame in parsed], ignore_index=True)


def _locate(frame: pd.DataFrame, parts: list[Part]) -> pd.DataFrame:
    rows = [parts[p].rows[i] for p, i in zip(frame["_part"], frame["_pos"])]
    return frame.assign(_row=rows)


def _raw(frame: pd.DataFrame, parts: list[Part], column: str) -> pd.Series:
    """The text as written in the file, for rows of a combined table ('' where the column is absent)."""
    values = [parts[p].text[column].iat[i] if column in parts[p].text else ""
              for p, i in zip(frame["_part"], frame["_pos"])]
    return pd.Series(values, index=frame.index, dtype=object)


def _where(parts: list[Part], part_index: int, pos: int, other_part: int) -> tuple[str, str]:
    part = parts[part_index]
    row = int(part.rows[pos])
    if part_index == other_part:
        return f"第{row}行", f"row {row}"
    sheet_zh, sheet_en = (f"“{part.sheet}”表", f", sheet {part.sheet}") if part.sheet else ("", "")
    return f"{Path(part.file).name}{sheet_zh}第{row}行", f"row {row} of {Path(part.file).name}{sheet_en}"


def _check_duplicates(frame: pd.DataFrame, column: str, parts: list[Part], report: Report, code: str,
                      zh: str, en: str) -> None:
    key = frame[column]
    dup = key.notna() & key.duplicated(keep="first")
    if not dup.any():
        return
    first = frame.groupby(key, sort=False)[["_part", "_pos"]].transform("first")[dup].astype(int)
    located = _locate(frame[dup], parts)
    where = [_where(parts, fp, pos, p) for fp, pos, p in zip(first["_part"], first["_pos"], located["_part"])]
    report.located(located, parts, column, code, [zh.format(w[0]) for w in where], [en.format(w[1]) for w in where])


def _check_tables(frames: dict[str, pd.DataFrame], parts: list[Part], report: Report) -> None:
    for name, frame in frames.items():
        table = TABLES[name]
        pk = table.field(table.primary_key)
        _check_duplicates(frame, pk.name, parts, report, "duplicate_key", f"“{pk.zh}”重复：与{{}}相同",
                          f"duplicate {pk.name}: same as {{}}")
    if "households" in frames:
        _check_duplicates(frames["households"], "id_number", parts, report, "id_number_duplicate",
                          "同一身份证号已出现在{}（一人只能是一户户主）",
                          "the same ID number already appears in {} (one person heads one household)")
    if "villages" in frames:
        _check_village_codes(frames["villages"], parts, report)
    if "units" in frames:
        units = frames["units"]
        missing = units["unit_level"].eq("县") & units["county_code"].isna() & (_raw(units, parts, "county_code") == "")
        report.located(_locate(units[missing], parts), parts, "county_code", "required_value_missing",
                       "县级单位须填县区代码", "county units need a county_code")
    for child, (column, (parent_table, parent_key)) in ((c, fk) for c in frames for fk in TABLES[c].foreign_keys.items()):
        if parent_table in frames:
            _check_references(frames, parts, report, child, column, parent_table, parent_key)
    _fill_locations(frames)
    _check_counts(frames, parts, report)


def _check_references(frames, parts, report, child: str, column: str, parent_table: str, parent_key: str) -> None:
    """Orphan references — unless the parent's key column is missing somewhere, or the parent row with
    that key was itself rejected (those are reported once, on the parent)."""
    parent = frames[parent_table]
    if any(p.table.name == parent_table and parent_key not in p.text for p in parts):
        return
    rejected = set(_raw(parent[parent[parent_key].isna()], parts, parent_key))
    frame = frames[child]
    orphan = frame[column].notna() & ~frame[column].isin(set(parent[parent_key].dropna())) & ~frame[column].isin(rejected)
    report.located(_locate(frame[orphan], parts), parts, column, "orphan_reference",
                   f"在{TABLES[parent_table].zh}名册中找不到此{TABLES[child].field(column).zh}",
                   f"no such {parent_key} in the {parent_table} roster")


def _check_poverty_causes(households: pd.DataFrame, parts: list[Part], report: Report, policy: Policy) -> None:
    """A warning for each poor household (by the policy's lines) that names no cause of poverty."""
    candidates = households[(households["income_per_capita_yuan"] < policy.low_income_line_yuan)
                            & households["poverty_cause"].isna()]
    silent = candidates[_raw(candidates, parts, "poverty_cause") == ""]
    report.located(_locate(silent, parts), parts, "poverty_cause", "poverty_cause_missing",
                   f"人均纯收入低于低收入线（{policy.low_income_line_yuan:g}元），应填写致贫原因",
                   f"income below the low-income line ({policy.low_income_line_yuan:g} yuan): name a cause of poverty",
                   "warning")


def _check_village_codes(villages: pd.DataFrame, parts: list[Part], report: Report) -> None:
    code = villages["village_code"]
    for column, digits in (("township_code", 9), ("county_code", 6)):
        wrong = code.notna() & villages[column].notna() & (code.str.slice(0, digits) != villages[column])
        located = _locate(villages[wrong], parts)
        label = TABLES["villages"].field(column).zh
        report.located(located, parts, column, "code_mismatch",
                       [f"“{label}”与村代码不符：村代码前{digits}位是{c[:digits]}" for c in located["village_code"]],
                       [f"{column} contradicts the village code, whose first {digits} digits are {c[:digits]}"
                        for c in located["village_code"]])


def _fill_locations(frames: dict[str, pd.DataFrame]) -> None:
    """Households default to their village's coordinates, cadres to their unit's."""
    for child, parent, key in (("households", "villages", "village_code"), ("cadres", "units", "unit_id")):
        if child not in frames:
            continue
        frame = frames[child]
        blank = frame["lat"].isna() & frame["lon"].isna()
        if parent in frames:  # a parent without coordinates is reported on the parent's row
            base = frames[parent].drop_duplicates(key).set_index(key)
            frame.loc[blank, "lat"] = frame.loc[blank, key].map(base["lat"]).to_numpy()
            frame.loc[blank, "lon"] = frame.loc[blank, key].map(base["lon"]).to_numpy()


def _check_counts(frames: dict[str, pd.DataFrame], parts: list[Part], report: Report) -> None:
    """Warnings: more listed households than a village has, more cadres than a unit's headcount."""
    for child, parent, key, total, zh, en in (
            ("households", "villages", "village_code", "households", "名册中该村农户{n}户，超过村总户数{t}",
             "{n} households listed for this village, more than its total of {t}"),
            ("cadres", "units", "unit_id", "headcount", "名册中该单位干部{n}人，超过干部人数{t}",
             "{n} cadres listed for this unit, more than its headcount of {t}")):
        if child not in frames or parent not in frames:
            continue
        counts = frames[child][key].value_counts()
        parent_frame = frames[parent]
        listed = parent_frame[key].map(counts).fillna(0)
        over = parent_frame[total].notna() & (listed > parent_frame[total])
        located = _locate(parent_frame[over], parts)
        ns, ts = listed[over].astype(int), parent_frame.loc[over, total].astype(int)
        report.located(located, parts, total, f"{parent[:-1]}_{total}_exceeded",
                       [zh.format(n=n, t=t) for n, t in zip(ns, ts)], [en.format(n=n, t=t) for n, t in zip(ns, ts)],
                       "warning")


def _empty(table: Table) -> pd.DataFrame:
    return pd.DataFrame({f.name: pd.Series(dtype=DTYPES[f.kind]) for f in table.fields} | {
        "_part": pd.Series(dtype=int), "_pos": pd.Series(dtype=int)})


def _final(frame: pd.DataFrame, table: Table) -> pd.DataFrame:
    out = pd.DataFrame({f.name: frame[f.name] for f in table.fields}).reset_index(drop=True)
    for f in table.fields:
        dtype = DTYPES[f.kind]
        if f.kind == "int" and f.required:
            dtype = "int64"
        elif f.kind == "bool":
            dtype = "bool"
        out[f.name] = out[f.name].astype(dtype)
    return out
