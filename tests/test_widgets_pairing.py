"""The pairing control panel and the policy comparison, driven as a planner would: set values, click — and the
proposal checked against the library's and the store."""

import pytest

from lianhu_tools.figures import policy_comparison
from lianhu_tools.store import Store
from lianhu_tools.widgets.pairing import PairingPanel, pairs_from_text

from test_pairing_households import SMALL, rosters_of


@pytest.fixture(scope="module")
def rosters():
    return rosters_of(SMALL, seed=3)


def test_run_follows_the_edited_quotas_and_distance(rosters):
    panel = PairingPanel(rosters)
    assert panel.accept_button.disabled
    panel.quota["一般干部", "poor"].value = 0
    panel.locality.value = "distance"
    panel.max_km.value = 20
    panel.run_button.click()
    pairs = panel.households.pairs
    assert panel.progress.value == 3 and "已证明最优" in panel.message.value
    ranks = pairs[pairs["pool"] == "poor"]["rank"]
    assert len(ranks) and "一般干部" not in set(ranks)
    assert (pairs["distance_km"] <= 20).all()
    assert panel.accept_button.disabled  # no store to accept into


def test_pins_forbids_and_accepting_into_the_store(rosters, tmp_path):
    store = Store(tmp_path / "s.sqlite")
    panel = PairingPanel(rosters, store=store)
    panel.locality.value = "county"
    panel.run_button.click()
    first = panel.households.pairs.iloc[0]
    panel.forbids.value = f"{first.cadre_id}, {first.household_id}"
    panel.run_button.click()
    chosen = panel.households.pairs.set_index("household_id")["cadre_id"]
    assert chosen.get(first.household_id) != first.cadre_id
    panel.status.value = "locked"
    panel.accept_button.click()
    stored = store.current("pairings")
    assert len(stored) == len(panel.households.pairs) and set(stored["status"]) == {"locked"}
    assert panel.accept_button.disabled and "已存入数据库" in panel.message.value


def test_bad_pins_say_why_and_run_nothing(rosters):
    panel = PairingPanel(rosters)
    panel.pins.value = "GB1 H1 extra"
    panel.run_button.click()
    assert panel.households is None and "干部编号, 农户编号" in panel.message.value
    assert pairs_from_text("C1，H1\nC2\tH2\n\n").values.tolist() == [["C1", "H1"], ["C2", "H2"]]


def test_the_panel_keeps_the_city_policy_and_shows_the_fixes(rosters, tmp_path):
    """The panel runs on the city's own policy (not the defaults) and gives the library's pairing."""
    from lianhu_tools.pairing.households import match_households
    from lianhu_tools.policy import load_policy

    path = tmp_path / "policy.yaml"
    path.write_text("poverty_lines_yuan: {absolute: 900, low_income: 2300}\nleadership_link: false\n", encoding="utf-8")
    policy = load_policy(path)
    panel = PairingPanel(rosters, policy)
    panel.locality.value = "distance"
    panel.max_km.value = 15
    panel.run_button.click()
    own = match_households(rosters, load_policy(path, overrides={"max_km": 15}), locality="distance")
    assert panel.households.pairs.equals(own.pairs)
    leaders = set(rosters.cadres.loc[rosters.cadres["is_leadership"], "cadre_id"])
    assert not leaders & set(panel.households.pairs["cadre_id"])
    assert {"reason_zh", "fix_zh"} <= set(panel.households.uncovered) and len(panel.households.uncovered)
    assert "各级均已证明最优" in panel.message.value


def test_the_panel_passes_a_planner_rule(rosters):
    from lianhu_tools.pairing.rules import at_most_villages_per_cadre

    panel = PairingPanel(rosters, rules=[at_most_villages_per_cadre(1)])
    panel.locality.value = "county"
    panel.quota["县处级", "poor"].value = 3
    panel.run_button.click()
    poor = panel.households.pairs[panel.households.pairs["pool"] == "poor"]
    assert poor.groupby("cadre_id")["village_code"].nunique().max() == 1
    assert panel.households.reports["poor"].mip


def test_policy_compare_panel(rosters):
    from lianhu_tools.widgets.pairing import PolicyComparePanel
    from lianhu_tools.policy import load_policy

    policies = {"默认": load_policy(), "近": load_policy(overrides={"max_km": 10}), "远": load_policy(overrides={"max_km": 40})}
    panel = PolicyComparePanel(rosters, policies)
    panel.chosen.value = ("近", "远")
    panel.run_button.click()
    table = panel.comparison.table.set_index("policy")
    assert list(table.index) == ["近", "远"] and "已比较 2 个政策" in panel.message.value
    assert table.loc["近", "absolute_covered"] <= table.loc["远", "absolute_covered"]
    assert len(policy_comparison(panel.comparison.table).data) == 2 * 4  # two policies, four panels


def test_locked_pairings_stay_through_a_second_run_and_accept(rosters, tmp_path):
    store = Store(tmp_path / "s.sqlite")
    panel = PairingPanel(rosters, store=store)
    panel.locality.value = "county"
    panel.run_button.click()
    panel.status.value = "locked"
    panel.accept_button.click()
    locked = store.current("pairings")[["cadre_id", "household_id"]]
    panel.max_km.value = 15  # a new proposal under a shorter limit
    panel.status.value = "confirmed"
    panel.run_button.click()
    panel.accept_button.click()
    after = store.current("pairings")
    kept = locked.merge(after, on=["cadre_id", "household_id"])
    assert len(kept) == len(locked) and set(kept["status"]) == {"locked"}  # none ended


def test_an_untouched_panel_proposes_what_the_library_does_for_the_city_policy(rosters, tmp_path):
    from lianhu_tools.pairing.households import match_households
    from lianhu_tools.pairing.villages import match_villages
    from lianhu_tools.policy import load_policy

    path = tmp_path / "policy.yaml"
    path.write_text("poverty_lines_yuan: {absolute: 900, low_income: 2300}\nleadership_link: false\nmax_km: 40\n"
                    "quotas:\n  县处级: {party: 0, poor: 2}\n", encoding="utf-8")
    policy = load_policy(path)
    panel = PairingPanel(rosters, policy)
    panel.run_button.click()
    links = match_villages(rosters, policy).links
    assert panel.villages.links.equals(links)
    assert panel.households.pairs.equals(match_households(rosters, policy, links=links).pairs)
    assert panel.policy().to_dict() == policy.to_dict()
