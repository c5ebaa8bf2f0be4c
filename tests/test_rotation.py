"""Half-year work-team rotation: the rules hold over six periods."""

import pandas as pd
import pytest
from test_pairing_households import SMALL, rosters_of

from lianhu_tools.periods import PeriodError
from lianhu_tools.periods import halves_from as periods
from lianhu_tools.pairing.rotation import rotate_teams
from lianhu_tools.pairing.villages import match_villages
from lianhu_tools.policy import default_policy


def test_periods():
    assert periods("2025H2", 4) == ["2025H2", "2026H1", "2026H2", "2027H1"]
    with pytest.raises(PeriodError):
        periods("2025Q1", 2)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rules_hold_over_six_periods(seed):
    rosters = rosters_of(SMALL, seed)
    links = match_villages(rosters, max_km=40).links
    rotation = rotate_teams(rosters, links, "2025H1", 6)
    s = rotation.schedule
    order = {p: k for k, p in enumerate(periods("2025H1", 6))}
    s = s.assign(k=s["period"].map(order))
    assert not s.duplicated(["period", "cadre_id"]).any()  # one village at a time
    retired = set(rosters.cadres.loc[rosters.cadres["is_retired"], "cadre_id"])
    assert not set(s["cadre_id"]) & retired
    size = pd.DataFrame(default_policy().team_size).T["min"]
    kinds = rosters.units.set_index("unit_id")["unit_kind"]
    teams = s.groupby(["period", "unit_id", "village_code"]).size()
    short = rotation.shortages.set_index(["period", "unit_id", "village_code"])
    for (period, unit, village), n in teams.items():
        assert n == size[kinds[unit]] or (period, unit, village) in short.index
    served = set(zip(s["cadre_id"], s["village_code"], s["k"]))
    for cadre, village, k in served:  # nobody three terms running; two only as the handover
        if (cadre, village, k - 1) in served:
            assert (cadre, village, k - 2) not in served
            row = s[(s["cadre_id"] == cadre) & (s["village_code"] == village) & (s["k"] == k)]
            assert row["carried_over"].all()
    later = s[s["k"] > 0].groupby(["period", "unit_id", "village_code"])["carried_over"].sum()
    assert (later <= 1).all()
    if len(s):  # fairness: within a unit, terms served differ by little
        spread = s.groupby(["unit_id", "cadre_id"]).size().groupby("unit_id").agg(lambda c: c.max() - c.min())
        assert (spread <= 2).all()


def test_a_unit_without_enough_cadres_is_explained():
    rosters = rosters_of("tiny")
    links = pd.DataFrame({"unit_id": [rosters.units["unit_id"].iloc[0]] * 2,
                          "village_code": rosters.villages["village_code"].iloc[:2].tolist()})
    rotation = rotate_teams(rosters, links, "2025H1", 2)
    assert len(rotation.shortages) > 0
    assert rotation.shortages["reason_zh"].str.contains("缺").all()
