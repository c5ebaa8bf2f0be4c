"""Typed columns from text cells, field by field as `schema` declares them; a problem for every cell
that does not parse (numbers as offices type them, dates in their usual styles, ID numbers checked)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..schema import (
    CHINA_LAT,
    CHINA_LON,
    ID_NUMBER_CHECK,
    ID_NUMBER_WEIGHTS,
    NO_WORDS,
    YES_WORDS,
    Field,
    category_lookup,
    normalize_value,
)
from .parts import DTYPES, Part, Report

MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
ID_WEIGHTS = np.array(ID_NUMBER_WEIGHTS)
ID_CHECK_CHARS = np.array(list(ID_NUMBER_CHECK))


def parse_part(part: Part, report: Report) -> pd.DataFrame:
    """Typed columns of one part; problems for every cell that does not parse."""
    out = {}
    for f in part.table.fields:
        if f.name not in part.text:
            out[f.name] = pd.Series([np.nan] * len(part.rows), dtype=DTYPES[f.kind] if f.kind != "int" else "Float64")
            continue
        s = part.text[f.name]
        blank = (s == "").to_numpy()
        too_long = (s.str.len() > MAX_CELL_CHARS).to_numpy()
        if too_long.any():  # more than Excel itself can hold: pasted by mistake, and never written back
            report.cells(part, too_long, f.name, "cell_too_long", f"“{f.zh}”超过 {MAX_CELL_CHARS:,} 字（Excel 单元格的上限）",
                         f"{f.name} holds more than {MAX_CELL_CHARS:,} characters (an Excel cell's limit)")
            s = s.where(~too_long, "")
        if f.kind in ("id", "code"):
            s = _digits_kept(part, f, s, blank, report)
        if f.required and f.kind not in ("lat", "lon"):
            report.cells(part, blank, f.name, "required_value_missing", f"“{f.zh}”不能为空", f"{f.name} is required")
        out[f.name] = PARSERS[f.kind](part, f, s, blank | (s == "").to_numpy(), report)  # refused cells said once
    frame = pd.DataFrame(out)
    _check_coordinates(part, frame, report)
    return frame


LOST_DIGITS = 16  # a number of this many digits has been through a float: its last digits may be rounded


def _digits_kept(part, f: Field, s: pd.Series, blank, report) -> pd.Series:
    """A code or number stored as a number with more digits than a float keeps, or shown in scientific
    notation, has lost digits (LibreOffice and Excel round to 15): refused, never repaired ('' after)."""
    numeric = part.numeric[f.name].to_numpy() if part.numeric is not None else np.zeros(len(s), bool)
    long_number = numeric & (s.str.count(r"\d").to_numpy() >= LOST_DIGITS)
    lost = (long_number | s.str.fullmatch(r"\d(\.\d+)?E\+?\d+", case=False).to_numpy(dtype=bool)) & ~blank
    report.cells(part, lost, f.name, "number_digits_lost",
                 f"“{f.zh}”被存成了数字，超过15位的部分已被四舍五入，无法修复：请将该列设为文本格式后重新录入",
                 f"{f.name} was stored as a number, so digits beyond the 15th were rounded and cannot be repaired: "
                 "format the column as text and type it again")
    return s.where(~lost, "")


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
    today = pd.Timestamp.today().normalize()
    implausible = ((values.dt.year < DATES_FROM_YEAR) | (values > today)).to_numpy(dtype=bool)
    report.cells(part, implausible, f.name, "out_of_range", f"“{f.zh}”须在 {DATES_FROM_YEAR} 年以后、不晚于今天",
                 f"{f.name} must be from {DATES_FROM_YEAR} on and no later than today")
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
