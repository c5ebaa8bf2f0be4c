"""留痕核查: the problems the demo's second year plants in its follow-up diary are found (and nothing in the first
year's honest diaries), on import with their file and row, and the assessment can deduct for them."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

from lianhu_tools.archives import import_activity_files
from lianhu_tools.assessment import load_indicators, score_period
from lianhu_tools.demo.living_year import PLANTED_NOTE, living_year
from lianhu_tools.demo.pipeline import start_demo_year
from lianhu_tools.paper_trail import integrity_summary, trail_findings
from lianhu_tools.policy import default_policy, load_policy


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    folder = tmp_path_factory.mktemp("trail")
    year = start_demo_year("small", folder / "year")
    living_year(year.store, "small", folder / "second", 2012)
    return year.store, folder


def _planted(records: pd.DataFrame, prefix: str) -> set:
    return set(records.index[records["record_id"].fillna("").str.startswith(prefix)])


def test_each_planted_problem_is_found_and_the_first_years_diaries_are_clean(city):
    store, _ = city
    records = store.activities()
    found = trail_findings(records, store.rosters(), default_policy(), store.ended_pairings())
    by_check = {check: set().union(*rows["records"].map(set)) for check, rows in found.groupby("check")}
    assert _planted(records, "HFP-VISITS") <= by_check["visits_beyond_days"]
    assert _planted(records, "HFP-DAYS") <= by_check["days_beyond_period"]
    assert _planted(records, "HFP-BURST") <= by_check["deadline_burst"]
    assert _planted(records, "HFP-COPY") <= by_check["copied_note"]
    assert _planted(records, "HFP-AFTER") <= by_check["after_pairing_ended"]
    flagged = set().union(*found["records"].map(set))
    first_year = set(records.index[records["period"].str.startswith("2025")])
    assert not flagged & first_year  # the honest diaries: no finding
    assert flagged <= _planted(records, "HFP")  # and nothing beyond what was planted


def test_one_person_in_two_villages_too_far_apart_on_one_day(city):
    store, _ = city
    rosters = store.rosters()
    villages = rosters.villages.sort_values("lon")
    far, near = villages.iloc[[0, -1]], villages.iloc[[0, 0]]
    record = {"date": pd.Timestamp("2026-04-01"), "period": "2026H1", "actor_kind": "干部", "actor_id": "GB00000001",
              "target_kind": "村", "kind": "走访", "quantity": 1.0, "days": 1.0, "note": None}
    records = pd.DataFrame([record | {"target_id": v, "village_code": v} for v in [*far["village_code"], *near["village_code"]]])
    close = load_policy(overrides={"paper_trail": {"same_day_km": 1}})
    found = trail_findings(records.iloc[:2], rosters, close)
    assert list(found["check"]) == ["same_day_far"] and set(found["records"].iloc[0]) == {0, 1}
    assert trail_findings(records.iloc[2:], rosters, close).empty  # one village twice: fine
    assert trail_findings(records.iloc[:2], rosters, default_policy()).empty  # within 150 km: fine


def test_an_import_warns_of_its_findings_on_their_file_and_row(tmp_path):
    from lianhu_tools.demo.activities import write_activity_workbooks

    year = start_demo_year("tiny", tmp_path / "year")
    pairs = year.store.current("pairings")
    record = {"actor_kind": "干部", "target_kind": "户", "task": "宣传政策", "kind": "走访", "days": 1.0}
    rows = [record | {"record_id": f"T{k}", "date": pd.Timestamp("2026-03-02"), "actor_id": c, "target_id": h,
                      "quantity": 1.0, "note": PLANTED_NOTE} for k, (c, h) in enumerate(zip(pairs["cadre_id"], pairs["household_id"]))]
    rows += [record | {"record_id": "T-MANY", "date": pd.Timestamp("2026-03-03"), "actor_id": pairs["cadre_id"].iloc[0],
                       "target_id": pairs["household_id"].iloc[0], "quantity": 5.0, "note": "多次"}]
    diary = tmp_path / "diary"
    write_activity_workbooks(pd.DataFrame(rows), year.rosters.villages, diary, year.rosters.households)
    assert len(rows) >= 6
    imported = import_activity_files(year.store, diary)
    assert imported.import_id is not None  # warnings do not stop an import
    codes = {p.code for p in imported.warnings}
    assert codes == {"trail_copied_note", "trail_visits_beyond_days"}
    assert all(p.file.endswith(".xlsx") and p.row and p.severity == "warning" for p in imported.warnings)
    assert len([p for p in imported.warnings if p.code == "trail_copied_note"]) == len(rows) - 1  # each copied record


def test_the_assessment_deducts_for_the_findings_when_its_indicator_file_says_so(city):
    store, _ = city
    system = load_indicators()
    plain = score_period(store, "2026H1", system=system)
    strict = copy.deepcopy(system)
    strict["cadre"]["deductions"].append({"id": "trail", "name": "留痕核查问题", "measure": "integrity_findings", "points_each": 5})
    deducted = score_period(store, "2026H1", system=strict)
    found = integrity_summary(trail_findings(store.activities("2026H1"), store.rosters(), default_policy(),
                                             store.ended_pairings()), store.rosters())["cadre"].sum(axis=1)
    scores = deducted["scores"]
    trail = scores[(scores["subject_kind"] == "cadre") & (scores["indicator"] == "trail")].set_index("subject_id")
    assert (trail.loc[trail["value"] > 0, "value"] == found.reindex(trail.index[trail["value"] > 0])).all()
    assert set(found.index) & set(trail.index[trail["value"] > 0])
    assert (trail["points"] <= 0).all() and trail["points"].min() <= -5
    assert len(plain["scores"]) < len(scores)
