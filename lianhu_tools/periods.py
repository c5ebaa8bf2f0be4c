"""Periods of the program: a year (2025, assessed at year-end) or a half year (2025H1 mid-year, 2025H2).
Work records fall in half years; work teams serve half-year terms; assessments cover a half or a year.
Every period in the package is read, named, ordered and stepped here."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .errors import PeriodError

PERIOD = re.compile(r"^[12]\d{3}(H[12])?$")  # a year from 1000 to 2999: no year 0000
HALF = re.compile(r"^([12]\d{3})H([12])$")
HALF_NAMES = {"H1": "上半年", "H2": "下半年"}


def check_period(period: object) -> str:
    """2025, 2025H1 or 2025H2 (h accepted, spaces stripped); anything else is refused."""
    text = str(period).strip().upper()
    if not PERIOD.match(text):
        raise PeriodError(f"期别须为年份（年终，如 2025）或半年（年中，如 2025H1）：“{text}” / "
                          f"period must be a year (2025) or a half year (2025H1, 2025H2)")
    return text


def check_half(period: object) -> str:
    """A half year: 2025H1 or 2025H2."""
    text = str(period).strip().upper()
    if not HALF.match(text):
        raise PeriodError(f"期别须形如 2025H1 或 2025H2：“{text}” / period must look like 2025H1 or 2025H2, not {text!r}")
    return text


def is_half(period: str) -> bool:
    return "H" in period


def year_of(period: str) -> int:
    return int(period[:4])


def period_label(period: str) -> str:
    """2025 → 2025年, 2025H1 → 2025年上半年."""
    return f"{period[:4]}年" + HALF_NAMES.get(period[4:], "")


def assessment_label(period: str) -> str:
    """年中 for a half year, 年终 for a year."""
    return "年中" if is_half(period) else "年终"


def last_day(period: str):
    """The period's last day: 2025H1 → 2025-06-30, 2025H2 and 2025 → 2025-12-31."""
    import datetime as dt

    return dt.date(year_of(period), 6, 30) if period.endswith("H1") else dt.date(year_of(period), 12, 31)


def previous_period(period: str) -> str:
    """2025H2 → 2025H1, 2025H1 → 2024H2, 2025 → 2024."""
    year = year_of(period)
    if period.endswith("H2"):
        return f"{year}H1"
    return f"{year - 1}H2" if period.endswith("H1") else str(year - 1)


def chronological(period: str) -> tuple[str, str]:
    """Sort key: 2025H1, 2025H2, then the year 2025."""
    return period[:4], period[4:] or "H9"


def team_term(period: str) -> str:
    """The work-team term shown for a period: itself, or a year's second half."""
    return period if is_half(period) else f"{period}H2"


def halves_from(first: str, count: int) -> list[str]:
    """'2025H1', 3 → ['2025H1', '2025H2', '2026H1']."""
    found = HALF.match(check_half(first))
    year, half = int(found[1]), int(found[2]) - 1
    return [f"{year + (half + k) // 2}H{(half + k) % 2 + 1}" for k in range(count)]


def period_of(dates: pd.Series) -> pd.Series:
    """The half year of each date: 2025-03-18 → 2025H1, 2025-07-01 → 2025H2."""
    return dates.dt.year.astype(str) + np.where(dates.dt.month <= 6, "H1", "H2")


def halves_of(period: str) -> list[str]:
    """The half years a period covers: itself, or a year's two halves."""
    return [period] if is_half(period) else [f"{period}H1", f"{period}H2"]


def within(periods: pd.Series, period: str) -> pd.Series:
    """Which of these half years lie in `period`."""
    return periods.isin(halves_of(period))
