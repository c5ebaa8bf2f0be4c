"""Cadres → households: the rules hold and the result is the independent optimum."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from lianhu_tools import geo
from lianhu_tools.demo import CitySize, generate_city
from lianhu_tools.errors import PairingInputError
from lianhu_tools.pairing.households import match_households
from lianhu_tools.pairing.levels import standing
from lianhu_tools.policy import default_policy
from lianhu_tools.rosters import Rosters

SMALL = CitySize(counties=2, townships=4, villages=12, units=6, cadres=40, households=90)


def rosters_of(size="tiny", seed=1) -> Rosters:
    """Generated rosters as the loader returns them (blank coordinates take their village's or unit's)."""
    city = generate_city(size, seed=seed)
    households, cadres = city.households.copy(), city.cadres.copy()
    village = city.villages.set_index("village_code")
    unit = city.units.set_index("unit_id")
    for axis in ("lat", "lon"):
        households[axis] = households[axis].fillna(households["village_code"].map(village[axis]))
        cadres[axis] = cadres[axis].fillna(cadres["unit_id"].map(unit[axis]))
    return Rosters(city.villages, households, city.units, cadres)


def round_robin_links(rosters: Rosters) -> pd.DataFrame:
    units = rosters.units["unit_id"].to_numpy()
    villages = rosters.villages["village_code"].to_numpy()
    return pd.DataFrame({"unit_id": units[np.arange(len(villages)) % len(units)], "village_code": villages})


def check_rules(result, rosters: Rosters, locality: str, links=None, max_km=60):
    pairs = result.pairs
    assert not pairs["household_id"].duplicated().any()
    quotas = pd.DataFrame(default_policy().quotas).T
    for pool, column in (("poor", "poor"), ("party", "party")):
        counts = pairs[pairs["pool"] == pool].groupby("cadre_id").size()
        rank = rosters.cadres.set_index("cadre_id")["rank"]
        assert (counts <= rank.loc[counts.index].map(quotas[column])).all()
    assert (pairs["distance_km"] <= max_km + 1e-9).all()  # the limit holds under every locality
    if locality == "unit_villages":
        allowed = set(zip(links["unit_id"], links["village_code"]))
        assert all((u, v) in allowed for u, v in zip(pairs["unit_id"], pairs["village_code"]))
    covered = set(pairs["household_id"]) | set(result.uncovered["household_id"])
    assert len(covered) == len(pairs) + len(result.uncovered)


@pytest.mark.parametrize("locality", ["distance", "county", "unit_villages"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rules_hold(locality, seed):
    rosters = rosters_of(SMALL, seed)
    links = round_robin_links(rosters)
    result = match_households(rosters, links=links, locality=locality, max_km=25)
    check_rules(result, rosters, locality, links, max_km=25)
    assert all(r.proven_optimal for r in result.reports.values())
    assert set(result.uncovered["reason_zh"].str.len() > 0) <= {True}


def reference_poor_optimum(rosters: Rosters, max_km: float):
    """Covered absolute-poor, covered low-income and total km of the best poor-household pairing, by
    an assignment over individual cadre slots (independent of the grouped LP)."""
    from lianhu_tools.classify import classify_households

    households = classify_households(rosters.households)
    poor = households[households["is_poor"]].reset_index(drop=True)
    quotas = pd.DataFrame(default_policy().quotas).T["poor"]
    cadres = rosters.cadres
    slots = cadres.loc[cadres.index.repeat(cadres["rank"].map(quotas))].reset_index(drop=True)
    km = geo.haversine_km(slots["lat"].to_numpy()[:, None], slots["lon"].to_numpy()[:, None],
                          poor["lat"].to_numpy()[None, :], poor["lon"].to_numpy()[None, :])
    value = np.where(poor["household_class"] == "绝对贫困户", 2.0, 1.0)
    cost = np.where(km <= max_km, -(value[None, :] * 1e7 - km), 1e12)
    cost = np.hstack([cost, np.zeros((len(slots), len(slots)))])
    r, c = linear_sum_assignment(cost)
    chosen = c < len(poor)
    r, c = r[chosen], c[chosen]
    return int((value[c] == 2).sum()), int((value[c] == 1).sum()), float(km[r, c].sum())


@pytest.mark.parametrize("seed", [1, 2, 5])
def test_poor_pairing_equals_an_independent_optimum(seed):
    rosters = rosters_of(SMALL, seed)
    result = match_households(rosters, locality="distance", max_km=20)
    pairs = result.pairs[result.pairs["pool"] == "poor"]
    absolute, low, km = reference_poor_optimum(rosters, 20)
    assert (pairs["household_class"] == "绝对贫困户").sum() == absolute
    assert (pairs["household_class"] == "低收入户").sum() == low
    assert pairs["distance_km"].sum() == pytest.approx(km, abs=0.01)


def test_pins_forbids_and_the_three_year_term():
    rosters = rosters_of(SMALL, 4)
    first = match_households(rosters, locality="county")
    poor = first.pairs[first.pairs["pool"] == "poor"]
    keep = poor.iloc[:5][["cadre_id", "household_id", "unit_id"]]
    moved = poor.iloc[5]
    forbid = poor.iloc[[6]][["cadre_id", "household_id"]]
    departed = poor.iloc[7]["cadre_id"]
    existing = pd.concat([keep, poor[poor["cadre_id"] == departed][["cadre_id", "household_id", "unit_id"]]])

    remaining = rosters.cadres[rosters.cadres["cadre_id"] != departed]
    rerun = Rosters(rosters.villages, rosters.households, rosters.units, remaining)
    pin = pd.DataFrame({"cadre_id": [poor.iloc[8]["cadre_id"]], "household_id": [moved["household_id"]]})
    second = match_households(rerun, locality="county", existing=existing, pins=pin, forbids=forbid)
    by_household = second.pairs.set_index("household_id")
    for row in keep.itertuples():
        assert by_household.loc[row.household_id, "cadre_id"] == row.cadre_id
        assert by_household.loc[row.household_id, "status"] == "locked"
    assert by_household.loc[moved["household_id"], "status"] == "confirmed"
    if forbid["household_id"].iloc[0] in by_household.index:
        assert by_household.loc[forbid["household_id"].iloc[0], "cadre_id"] != forbid["cadre_id"].iloc[0]
    assert departed not in set(second.pairs["cadre_id"])
    assert set(second.ended["cadre_id"]) == {departed}
    departed_unit = poor.iloc[7]["unit_id"]
    taken_over = by_household.loc[by_household.index.isin(second.ended["household_id"])]
    assert len(taken_over) and (taken_over["unit_id"] == departed_unit).all()  # colleagues first
    assert taken_over["reason"].str.contains("同单位").all()
    check_rules(second, rerun, "county")


def test_impossible_pins_are_explained():
    rosters = rosters_of("tiny")
    with pytest.raises(PairingInputError) as caught:
        match_households(rosters, locality="distance",
                         pins=pd.DataFrame({"cadre_id": ["GB99999999"], "household_id": ["nope"]}))
    assert "干部不在名册" in str(caught.value.problems[0])


def test_uncovered_households_have_reasons():
    rosters = rosters_of("tiny")
    result = match_households(rosters, locality="distance", max_km=5)
    assert len(result.uncovered) > 0
    assert result.uncovered["reason_zh"].str.contains("km").all()
    assert result.uncovered["fix_zh"].str.len().gt(0).all()
    shortages = result.shortages.set_index(["county_code", "pool"])
    assert (shortages["households"] == shortages["covered"] + shortages["uncovered"]).all()
    assert (shortages["uncovered"] == result.uncovered.groupby(["county_code", "pool"]).size()
            .reindex(shortages.index).fillna(0)).all()


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(1, 10**4), locality=st.sampled_from(["distance", "county", "unit_villages"]),
       max_km=st.floats(5, 60), picks=st.lists(st.integers(0, 10**6), min_size=2, max_size=2))
def test_properties_hold_under_pins_forbids_and_locks(seed, locality, max_km, picks):
    """Quotas, one cadre per household, locality and distance, pins, forbids and locks — on any city."""
    rosters = rosters_of(SMALL, seed)
    links = round_robin_links(rosters)
    first = match_households(rosters, links=links, locality=locality, max_km=max_km)
    pairs = first.pairs
    if len(pairs) < 3:
        return
    lock, forbid = pairs.iloc[[picks[0] % len(pairs)]], pairs.iloc[[picks[1] % len(pairs)]]
    lock = lock[lock["household_id"] != forbid["household_id"].iloc[0]]
    second = match_households(rosters, links=links, locality=locality, max_km=max_km,
                              existing=lock[["cadre_id", "household_id"]], forbids=forbid[["cadre_id", "household_id"]])
    check_rules(second, rosters, locality, links, max_km)
    chosen = second.pairs.set_index("household_id")["cadre_id"]
    for row in lock.itertuples():
        assert chosen[row.household_id] == row.cadre_id
    for row in forbid.itertuples():
        assert chosen.get(row.household_id) != row.cadre_id
    assert all(report.proven_optimal for report in second.reports.values())


def individual_optimum(rosters: Rosters, pool: str, locality: str, links, max_km: float, fixed: pd.DataFrame,
                       forbidden: pd.DataFrame) -> tuple:
    """(covered per class, highest first; total decimetres) of the best pairing of one pool, found by
    networkx over individual cadres and households (no grouping) with one big-integer objective."""
    import networkx as nx

    from lianhu_tools.classify import classify_households

    households = classify_households(rosters.households)
    households["county_code"] = households["village_code"].map(rosters.villages.set_index("village_code")["county_code"])
    members = households[households["is_poor"]] if pool == "poor" else households[households["is_party_household_candidate"]]
    members = members[~members["household_id"].isin(fixed["household_id"])]
    quotas = pd.DataFrame(default_policy().quotas).T[pool]
    cadres = rosters.cadres.assign(slots=rosters.cadres["rank"].map(quotas))
    cadres["slots"] -= cadres["cadre_id"].map(fixed[fixed["pool"] == pool]["cadre_id"].value_counts()).fillna(0).astype(int)
    unit_county = cadres["unit_id"].map(rosters.units.set_index("unit_id")["county_code"])
    nearest, _ = geo.nearest(cadres["lat"], cadres["lon"], rosters.villages["lat"], rosters.villages["lon"])
    cadres["county_code"] = unit_county.fillna(pd.Series(rosters.villages["county_code"].to_numpy()[nearest], index=cadres.index))
    allowed_links = set(zip(links["unit_id"], links["village_code"])) if links is not None else set()
    banned = set(zip(forbidden["cadre_id"], forbidden["household_id"]))
    weight = {2.0: 10**15, 1.0: 10**12}
    graph = nx.DiGraph()
    total = int(cadres["slots"].clip(lower=0).sum())
    graph.add_node("s", demand=-total)
    graph.add_node("t", demand=total)
    graph.add_edge("s", "t", capacity=total, weight=0)
    for c in cadres.itertuples():
        graph.add_edge("s", c.cadre_id, capacity=max(int(c.slots), 0), weight=0)
    for h in members.itertuples():
        value = 2.0 if h.household_class == "绝对贫困户" else 1.0
        graph.add_edge(h.household_id, "t", capacity=1, weight=-weight[value])
        for c in cadres.itertuples():
            km = float(geo.haversine_km(c.lat, c.lon, h.lat, h.lon))
            ok = km <= max_km and (c.cadre_id, h.household_id) not in banned and (
                locality == "distance" or (locality == "county" and c.county_code == h.county_code)
                or (locality == "unit_villages" and (c.unit_id, h.village_code) in allowed_links))
            if ok:
                graph.add_edge(c.cadre_id, h.household_id, capacity=1, weight=int(round(km / 1e-4)))
    flow = nx.min_cost_flow(graph)
    chosen = [(c, h) for c in cadres["cadre_id"] for h, f in flow.get(c, {}).items() if f and h != "t"]
    value_of = dict(zip(members["household_id"], np.where(members["household_class"] == "绝对贫困户", 2.0, 1.0)))
    covered = tuple(sum(value_of[h] == v for _, h in chosen) for v in sorted(set(value_of.values()), reverse=True))
    return covered, sum(graph[c][h]["weight"] for c, h in chosen)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(1, 10**4), locality=st.sampled_from(["distance", "county", "unit_villages"]),
       max_km=st.sampled_from([0.001, 2.0, 8.0, 25.0, 60.0, 1500.0]), collapse=st.booleans(),
       picks=st.lists(st.integers(0, 10**6), min_size=3, max_size=3))
def test_grouped_pairing_equals_an_individual_optimum(seed, locality, max_km, collapse, picks):
    """Against networkx over individual cadres and households: every locality and distance limit,
    places collapsed to one point (ties everywhere), a pinned, a locked and a forbidden pair."""
    rosters = rosters_of("tiny", seed)
    if collapse:  # every village, household and cadre at one spot: all distances 0
        for table in (rosters.villages, rosters.households, rosters.cadres, rosters.units):
            table["lat"], table["lon"] = 34.58, 105.72
    links = round_robin_links(rosters)
    first = match_households(rosters, links=links, locality=locality, max_km=max_km)
    pairs = first.pairs
    pins = pairs.iloc[[picks[0] % len(pairs)]][["cadre_id", "household_id"]] if len(pairs) else None
    forbids = pairs.iloc[[picks[1] % len(pairs)]][["cadre_id", "household_id"]] if len(pairs) > 1 else None
    if pins is not None and forbids is not None and forbids["household_id"].iloc[0] == pins["household_id"].iloc[0]:
        forbids = None
    result = match_households(rosters, links=links, locality=locality, max_km=max_km, pins=pins, forbids=forbids)
    fixed = result.pairs[result.pairs["status"] != "proposed"]
    for pool, problem in result.problems.items():
        ours = standing(problem, result.solutions[pool].arc_flows(len(problem.arc_km)))
        covered, decimetres = individual_optimum(rosters, pool, locality, links, max_km, fixed,
                                                 forbids if forbids is not None else pd.DataFrame(columns=["cadre_id", "household_id"]))
        assert (ours.covered, ours.distance_units) == (covered, decimetres), pool
