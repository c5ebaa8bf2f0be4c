"""Periods: read, named, ordered and stepped in one place."""

import pandas as pd
import pytest

from lianhu_tools.periods import (PeriodError, check_half, check_period, chronological, halves_from, period_label,
                                  period_of, previous_period, team_term)


@pytest.mark.parametrize("text, period", [("2025", "2025"), (" 2025h1 ", "2025H1"), ("2025H2", "2025H2")])
def test_periods_are_read(text, period):
    assert check_period(text) == period


@pytest.mark.parametrize("text", ["xyz", "2025H3", "25H1", "2025-H1", "", "20251"])
def test_what_is_not_a_period_is_refused_in_both_languages(text):
    with pytest.raises(PeriodError, match="期别.*period"):
        check_period(text)


def test_halves_only_where_a_half_is_needed():
    with pytest.raises(PeriodError):
        check_half("2025")
    assert halves_from("2025H2", 3) == ["2025H2", "2026H1", "2026H2"]


def test_names_order_and_steps():
    assert [period_label(p) for p in ("2025", "2025H1", "2025H2")] == ["2025年", "2025年上半年", "2025年下半年"]
    assert sorted(["2025", "2025H2", "2024", "2025H1"], key=chronological) == ["2024", "2025H1", "2025H2", "2025"]
    assert [previous_period(p) for p in ("2025H2", "2025H1", "2025")] == ["2025H1", "2024H2", "2024"]
    assert [team_term(p) for p in ("2025", "2025H1")] == ["2025H2", "2025H1"]
    dates = pd.to_datetime(pd.Series(["2025-06-30", "2025-07-01", "2024-01-01"]))
    assert period_of(dates).tolist() == ["2025H1", "2025H2", "2024H1"]
