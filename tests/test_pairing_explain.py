"""Explanations from the residual network: every reason is the binding rule, every cheapest fix
really covers the household when applied, and the marginal values equal a re-solve."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_pairing_households import SMALL, rosters_of, round_robin_links
from test_pairing_solve import instances

from lianhu_tools.pairing.households import match_households
from lianhu_tools.pairing.prices import Residual
from lianhu_tools.pairing.problem import TransportProblem
from lianhu_tools.pairing.solve import solve_transport
from lianhu_tools.pairing.villages import match_villages
from lianhu_tools.policy import load_policy
from lianhu_tools.rosters import Rosters


def covered(problem: TransportProblem) -> int:
    return int(solve_transport(problem).flow.sum())


@settings(max_examples=40, deadline=None)
@given(problem=instances(minimum=False), extra=st.lists(st.integers(0, 3), min_size=5, max_size=5))
def test_extra_slots_cover_exactly_what_a_re_solve_covers(problem, extra):
    extra = np.array(extra[:len(problem.capacity)])
    residual = Residual(problem, solve_transport(problem).arc_flows(len(problem.arc_km)))
    more = TransportProblem(**{**problem.__dict__, "capacity": problem.capacity + extra})
    assert residual.extra_coverage(extra) == covered(more) - covered(problem)


@settings(max_examples=40, deadline=None)
@given(problem=instances(minimum=False))
def test_a_group_left_short_has_only_full_groups_that_may_serve_it(problem):
    residual = Residual(problem, solve_transport(problem).arc_flows(len(problem.arc_km)))
    short = residual.missing[problem.arc_demand] > 0
    assert (residual.free[problem.arc_supply[short]] == 0).all()


@pytest.fixture(scope="module")
def city():
    return rosters_of(SMALL, seed=3)


def coverage(result, pool="poor") -> int:
    return int((result.pairs["pool"] == pool).sum())


def covered_by_class(result, pool: str) -> pd.Series:
    return result.pairs[result.pairs["pool"] == pool]["household_class"].value_counts()


@pytest.mark.parametrize("locality", ["distance", "county", "unit_villages"])
def test_each_cheapest_fix_does_what_it_says_when_applied(city, locality):
    """Up to three households per fix kind and pool: the fix applied, the pool covers at least one
    more; a plain 'slot' fix covers one more of the household's own class, none fewer above it."""
    links = round_robin_links(city).iloc[::2]  # half the villages unlinked: the unit-village rule binds too
    base = match_households(city, links=links, locality=locality, max_km=12)
    assert len(base.uncovered) and base.uncovered["fix_zh"].str.len().gt(0).all()
    tried = 0
    for _, rows in base.uncovered[base.uncovered["fix_kind"] != "none"].groupby(["fix_kind", "pool"]):
        for row in rows.drop_duplicates("village_code").head(3).itertuples():
            rosters, policy, more_links, km = city, load_policy(), links, 12
            if row.fix_kind in ("limit", "link_limit", "slot_limit"):
                km = row.fix_km
            if row.fix_kind in ("link", "link_limit", "link_more"):
                more_links = pd.concat([links, pd.DataFrame({"unit_id": [row.fix_unit_id], "village_code": [row.village_code]})])
            if row.fix_kind in ("slot", "slot_first", "slot_limit", "quota"):
                rosters, policy = one_more_slot(city, policy, row)
            fixed = match_households(rosters, policy, links=more_links, locality=locality, max_km=km)
            before, after = covered_by_class(base, row.pool), covered_by_class(fixed, row.pool)
            assert after.sum() >= before.sum() + 1, (row.fix_kind, row.fix_zh)
            if row.fix_kind == "slot" and row.pool == "poor":
                assert after.get(row.household_class, 0) >= before.get(row.household_class, 0) + 1, row.fix_zh
                if row.household_class == "低收入户":
                    assert after.get("绝对贫困户", 0) == before.get("绝对贫困户", 0)
            tried += 1
    assert tried >= 3


def one_more_slot(rosters: Rosters, policy, row):
    """The fix applied: the unit gets one more cadre of that rank where its nearest such cadre is; or,
    when the rank has no slot in this pool (a 'quota' fix), the policy gives the rank one."""
    if policy.quotas[row.fix_rank][row.pool] == 0:
        return rosters, load_policy(overrides={"quotas": {row.fix_rank: {row.pool: 1}}})
    home = rosters.households.set_index("household_id").loc[row.household_id]
    own = rosters.cadres[(rosters.cadres["unit_id"] == row.fix_unit_id) & (rosters.cadres["rank"] == row.fix_rank)]
    nearest = own.iloc[[int(np.argmin((own["lat"] - home["lat"]) ** 2 + (own["lon"] - home["lon"]) ** 2))]]
    clone = nearest.assign(cadre_id="GBNEW0000001", is_retired=False, is_leadership=False)
    return Rosters(rosters.villages, rosters.households, rosters.units, pd.concat([rosters.cadres, clone])), policy


def test_reasons_name_the_binding_rule_not_a_distance(city):
    """Under the unit-village rule, households of unlinked villages say so (not 'nearest cadre 21 km')."""
    links = round_robin_links(city).iloc[::3]
    result = match_households(city, links=links, locality="unit_villages", max_km=60)
    unlinked = result.uncovered[~result.uncovered["village_code"].isin(links["village_code"])]
    assert len(unlinked) and (unlinked["reason_code"] == "village_unlinked").all()
    assert unlinked["reason_zh"].str.contains("没有单位联系").all()
    assert set(unlinked["fix_kind"]) <= {"link", "link_limit", "none"}


def test_marginal_slots_equal_a_re_solve_with_those_slots(city):
    """One more slot for every cadre of a rank in a county (here: each such cadre gets a twin, as the
    poor quota of these ranks is 1) covers exactly the households the table says."""
    from lianhu_tools.pairing.households import cadres_with_slots

    result = match_households(city, locality="distance", max_km=25)
    table = result.marginal[(result.marginal["pool"] == "poor") & (result.marginal["rank"] != "地厅级")]
    assert table["extra_covered"].gt(0).any() and (table["extra_covered"] <= table["cadres"]).all()
    county = cadres_with_slots(city, load_policy())["county_code"]
    before = (result.pairs["pool"] == "poor").sum()
    for row in table.sort_values("extra_covered", ascending=False).head(3).itertuples():
        chosen = city.cadres[(county == row.county_code) & (city.cadres["rank"] == row.rank)]
        twins = chosen.assign(cadre_id=[f"GBTWIN{k:06d}" for k in range(len(chosen))])
        more = match_households(Rosters(city.villages, city.households, city.units, pd.concat([city.cadres, twins])),
                                locality="distance", max_km=25)
        assert (more.pairs["pool"] == "poor").sum() == before + row.extra_covered, (row.county_code, row.rank)


def test_unlinked_villages_say_the_cause_never_an_infinite_distance(city):
    """Teams too big for any unit's staff: the reason is the units' limits, and no text says 'inf'."""
    kinds = ("四大班子", "党群部门", "政府部门", "事业单位", "国有企业")
    policy = load_policy(overrides={"team_size": {kind: {"min": 30, "max": 40} for kind in kinds}})
    result = match_villages(city, policy, max_km=30)
    assert len(result.unlinked)
    texts = pd.concat([result.unlinked["reason_zh"], result.unlinked["fix_zh"], result.short_units["reason_zh"]])
    assert not texts.str.contains("inf").any()
    assert (result.short_units["reason_code"] == "staff").any()
    full = match_villages(city, load_policy(), max_km=30)
    tight = match_villages(city, load_policy(), max_km=4)
    assert len(tight.unlinked) >= len(full.unlinked)
    assert set(tight.unlinked["reason_code"]) <= {"units_full", "out_of_reach", "no_unit"}
    far = tight.unlinked[tight.unlinked["reason_code"] == "out_of_reach"]
    assert (far["fix_km"] > 4).all() and far["fix_zh"].str.contains("km").all()


@pytest.mark.parametrize("kind_max, team, fix", [(1, 1, "policy_max"), (9, 12, "staff")])
def test_a_full_unit_says_which_limit_binds_and_lifting_it_links_one_more(city, kind_max, team, fix):
    kinds = ("四大班子", "党群部门", "政府部门", "事业单位", "国有企业")
    edits = {"villages_per_unit": {k: {"min": 0, "max": kind_max} for k in kinds},
             "team_size": {k: {"min": team, "max": max(team, 5)} for k in kinds}}
    result = match_villages(city, load_policy(overrides=edits), max_km=40)
    full = result.unlinked[result.unlinked["reason_code"] == "units_full"]
    assert len(full) and set(full["fix_kind"]) <= {fix, "policy_max_staff"}, set(full["fix_kind"])
    row = full[full["fix_kind"] == fix].iloc[0]
    unit = city.units.set_index("unit_id").loc[row.fix_unit_id]
    if fix == "policy_max":
        edits["villages_per_unit"][unit["unit_kind"]]["max"] = kind_max + 1
        more = match_villages(city, load_policy(overrides=edits), max_km=40)
    else:
        staff = city.cadres[city.cadres["unit_id"] == row.fix_unit_id].iloc[[0] * 30].assign(
            cadre_id=[f"GBNEW{k:07d}" for k in range(30)])
        units = city.units.assign(headcount=np.where(city.units["unit_id"] == row.fix_unit_id,
                                                     city.units["headcount"] + 30, city.units["headcount"]))
        more = match_villages(Rosters(city.villages, city.households, units, pd.concat([city.cadres, staff])),
                              load_policy(overrides=edits), max_km=40)
    assert len(more.links) >= len(result.links) + 1


def test_a_pool_without_any_slot_still_explains_every_household(city):
    """Party quotas of 0 for every rank: nobody may take a party household — said per household."""
    policy = load_policy(overrides={"quotas": {rank: {"party": 0} for rank in ("地厅级", "县处级", "乡科级", "一般干部")}})
    result = match_households(city, policy, locality="distance", max_km=30)
    party = result.uncovered[result.uncovered["pool"] == "party"]
    assert not (result.pairs["pool"] == "party").any() and len(party)
    assert set(party["reason_code"]) == {"no_cadre"} and set(party["fix_kind"]) <= {"quota", "none"}
    assert party["fix_zh"].str.contains("名额").any()  # give a rank a party slot


def test_cadres_filled_by_pins_are_named_as_full(city):
    """Every poor slot pinned away: the households left are told their cadres are full."""
    first = match_households(city, locality="distance", max_km=30)
    poor = first.pairs[first.pairs["pool"] == "poor"][["cadre_id", "household_id"]]
    result = match_households(city, locality="distance", max_km=30, pins=poor)
    left = result.uncovered[result.uncovered["pool"] == "poor"]
    assert len(left) and (left["reason_code"] == "cadres_full").mean() > 0.9


def test_under_a_planner_rule_the_rule_is_named(city):
    from lianhu_tools.pairing.rules import only_linked_villages

    links = round_robin_links(city)
    result = match_households(city, locality="distance", max_km=25, rules=[only_linked_villages(links)])
    codes = set(result.uncovered["reason_code"])
    assert "planner_rule" in codes
    named = result.uncovered[result.uncovered["reason_code"] == "planner_rule"]
    assert named["reason_zh"].str.contains("only_linked_villages").all() and (named["fix_kind"] == "relax").all()
    assert not result.marginal["exact"].any()


def test_links_and_forbids_naming_strangers_are_refused(city):
    from lianhu_tools.errors import PairingInputError

    links = pd.concat([round_robin_links(city), pd.DataFrame({"unit_id": ["DW_NOPE"], "village_code": ["999999999999"]})])
    with pytest.raises(PairingInputError) as caught:
        match_households(city, links=links, locality="unit_villages")
    assert any("DW_NOPE" in p for p in map(str, caught.value.problems)) and any("999999999999" in p for p in map(str, caught.value.problems))
    with pytest.raises(PairingInputError, match="GBNOBODY"):
        match_households(city, locality="distance",
                         forbids=pd.DataFrame({"cadre_id": ["GBNOBODY"], "household_id": [city.households["household_id"][0]]}))


def test_fixes_never_name_a_forbidden_cadre_or_a_unit_that_may_not_link_the_village(city):
    """Forbid every cadre of the unit a fix named: the new fix names another; county-level units
    are only offered their own county's villages."""
    links = round_robin_links(city).iloc[::2]
    base = match_households(city, links=links, locality="unit_villages", max_km=40)
    linked = base.uncovered[base.uncovered["fix_kind"].isin(["link", "link_limit", "link_more"])]
    assert len(linked)
    level = city.units.set_index("unit_id")
    named = linked["fix_unit_id"].map(level["unit_level"])
    assert ((named != "县") | (linked["fix_unit_id"].map(level["county_code"]) == linked["county_code"])).all()
    row = linked.iloc[0]
    cadres = city.cadres.loc[city.cadres["unit_id"] == row.fix_unit_id, "cadre_id"]
    forbids = pd.DataFrame({"cadre_id": cadres, "household_id": row.household_id})
    again = match_households(city, links=links, locality="unit_villages", max_km=40, forbids=forbids)
    after = again.uncovered.set_index("household_id").loc[row.household_id]
    assert after["fix_unit_id"] != row.fix_unit_id


def test_pins_that_break_a_rule_are_refused(city):
    from lianhu_tools.errors import PairingInputError

    far = match_households(city, locality="distance", max_km=60).pairs.sort_values("distance_km").iloc[-1]
    with pytest.raises(PairingInputError, match="超过距离上限"):
        match_households(city, locality="distance", max_km=far.distance_km / 2,
                         pins=pd.DataFrame({"cadre_id": [far.cadre_id], "household_id": [far.household_id]}))
    cadre = city.cadres[city.cadres["rank"] == "一般干部"].iloc[0]["cadre_id"]
    poor = match_households(city, locality="distance", max_km=500).pairs.query("pool == 'poor'")["household_id"].iloc[:2]
    with pytest.raises(PairingInputError, match="名额"):
        match_households(city, locality="distance", max_km=500, pins=pd.DataFrame({"cadre_id": cadre, "household_id": poor}))
    pin = pd.DataFrame({"cadre_id": [far.cadre_id], "household_id": [far.household_id]})
    with pytest.raises(PairingInputError, match="同时被禁止"):
        match_households(city, locality="distance", max_km=500, pins=pin, forbids=pin)


def test_a_shipped_rule_changes_the_proposal_and_the_summary_counts_it():
    from lianhu_tools.pairing.rules import at_most_villages_per_cadre
    from lianhu_tools.pairing.summary import cadres_in_several_villages

    # CBC proves this MIP optimal in under a second on this city; on some others of the same size (seeds 1, 3, 5
    # since the demo's villages lie inside the real outlines) it does not within its time limit (issue 13's note)
    city = rosters_of(SMALL, seed=2)

    more = load_policy(overrides={"quotas": {"县处级": {"poor": 3}, "乡科级": {"poor": 2}, "一般干部": {"poor": 2}}})
    before = match_households(city, more, locality="county", max_km=30)
    after = match_households(city, more, locality="county", max_km=30, rules=[at_most_villages_per_cadre(1)])
    poor = before.pairs[before.pairs["pool"] == "poor"]
    assert cadres_in_several_villages(before) == (poor.groupby("cadre_id")["village_code"].nunique() > 1).sum() > 0
    assert cadres_in_several_villages(after) == 0 and after.reports["poor"].mip and after.reports["poor"].proven_optimal
