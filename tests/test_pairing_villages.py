"""Units → villages: bounds, locality and distance hold; the result is the independent optimum."""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment
from test_pairing_households import SMALL, rosters_of

from lianhu_tools import geo
from lianhu_tools.pairing.villages import match_villages, unit_bounds
from lianhu_tools.policy import load_policy

NO_MINIMUM = {"villages_per_unit": {k: {"min": 0} for k in ("四大班子", "党群部门", "政府部门", "事业单位", "国有企业")}}


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_links_respect_bounds_locality_and_distance(seed):
    rosters = rosters_of(SMALL, seed)
    result = match_villages(rosters, max_km=30)
    links = result.links
    assert not links["village_code"].duplicated().any()
    units = rosters.units.set_index("unit_id")
    maximum = unit_bounds(rosters.units, load_policy()).set_axis(rosters.units["unit_id"])["maximum"]
    assert (links.groupby("unit_id").size() <= maximum.loc[links["unit_id"].unique()]).all()
    assert (links["distance_km"] <= 30).all()
    county_units = links[links["unit_id"].map(units["unit_level"]) == "县"]
    assert (county_units["unit_id"].map(units["county_code"]) == county_units["county_code"]).all()
    targets = set(rosters.villages.loc[rosters.villages["is_poor_village"], "village_code"])
    assert set(links["village_code"]) | set(result.unlinked["village_code"]) == targets
    assert result.report.proven_optimal


def reference(rosters, max_km):
    """Linked villages (poor first) and total km, by an assignment of unit slots to villages."""
    policy = load_policy(overrides=NO_MINIMUM)
    units = rosters.units
    slots = units.loc[units.index.repeat(unit_bounds(units, policy)["maximum"])].reset_index(drop=True)
    villages = rosters.villages[rosters.villages["is_poor_village"]].reset_index(drop=True)
    km = geo.haversine_km(slots["lat"].to_numpy()[:, None], slots["lon"].to_numpy()[:, None],
                          villages["lat"].to_numpy()[None, :], villages["lon"].to_numpy()[None, :])
    allowed = (km <= max_km) & ((slots["unit_level"].to_numpy()[:, None] != "县")
                                | (slots["county_code"].to_numpy()[:, None] == villages["county_code"].to_numpy()[None, :]))
    cost = np.hstack([np.where(allowed, -(2e7 - km), 1e12), np.zeros((len(slots), len(slots)))])
    r, c = linear_sum_assignment(cost)
    chosen = c < len(villages)
    return int(chosen.sum()), float(km[r[chosen], c[chosen]].sum())


@pytest.mark.parametrize("seed", [1, 2, 6])
def test_equals_an_independent_optimum(seed):
    rosters = rosters_of(SMALL, seed)
    result = match_villages(rosters, load_policy(overrides=NO_MINIMUM), max_km=30)
    linked, km = reference(rosters, 30)
    assert len(result.links) == linked
    assert result.links["distance_km"].sum() == pytest.approx(km, abs=0.01)


def test_unit_minimums_and_their_reasons():
    rosters = rosters_of(SMALL, 2)
    result = match_villages(rosters, max_km=30)
    counts = result.links.groupby("unit_id").size()
    short = set(result.short_units["unit_id"])
    for unit_id in rosters.units["unit_id"]:
        assert counts.get(unit_id, 0) >= 1 or unit_id in short
    assert result.short_units["reason_zh"].str.len().gt(0).all()
    far = match_villages(rosters, max_km=0.5)
    assert len(far.unlinked) > 0 and far.unlinked["reason_zh"].str.contains("km").all()
