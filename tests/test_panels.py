"""The pairing control panel, driven as a planner would: set values, click."""

import pytest

from lianhu_tools.panels import PairingPanel, pairs_from_text
from lianhu_tools.store import Store

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
