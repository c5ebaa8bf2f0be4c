"""防返贫监测: the early warnings of the demo city's second year — each rule finds the households it should, the
responsible cadre is named, the must-visit lists come out per county, and a later visit clears a warning."""

from __future__ import annotations

import datetime as dt
import warnings as python_warnings

import pandas as pd
import pytest

from lianhu_tools.demo.pipeline import demo_tables, start_demo_year
from lianhu_tools.demo.second_year import second_year_tables
from lianhu_tools.errors import RosterWarning
from lianhu_tools.monitoring import household_warnings, level_counts, must_visit_sheets
from lianhu_tools.policy import default_policy, load_policy
from lianhu_tools.rosters import load_rosters
from lianhu_tools.tables import write_rosters

AS_OF = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """The small demo city's first year in a store, its second-year roster received and every change approved."""
    folder = tmp_path_factory.mktemp("monitoring")
    demo = start_demo_year("small", folder / "year")
    second = second_year_tables(demo_tables("small", 2012), 2012)
    write_rosters(second.tables, folder / "y2")
    with python_warnings.catch_warnings():
        python_warnings.simplefilter("ignore", RosterWarning)
        received = load_rosters(folder / "y2")
    store = demo.store
    store.receive_rosters(received, default_policy(), "y2")
    on = dt.date(2026, 1, 5)
    while len(listed := store.roster_change_list(default_policy(), "open")):
        for step, rows in listed.groupby("next_step", sort=False):
            store.pass_step(rows["id"].tolist(), step, on, "批量 / in bulk", default_policy(), today=on)
        on += dt.timedelta(days=8)
    return store, second.truth


def _flags(store, policy=None, as_of=AS_OF):
    return household_warnings(store.rosters(), policy or default_policy(), as_of, store.activities(),
                              store.current("pairings"), store.previous_year_rosters(), store.plans())


def test_each_rule_finds_its_households(year):
    store, truth = year
    flags = _flags(store).set_index("household_id")
    rosters = store.rosters()
    income = rosters.households.set_index("household_id")["income_per_capita_yuan"]
    near = income[(income >= 1067) & (income < 1.5 * 1067)].index
    assert set(near) <= set(flags.index)
    assert flags.loc[near, "reasons_zh"].str.contains("低于低收入线的 1.5 倍").all()
    returned = list(truth["household_returned"])  # income fell below the line, a new shock cause in the roster
    assert flags.loc[returned, "level"].eq("高").all()
    assert flags.loc[returned, "reasons_zh"].str.contains("名册新填致贫原因").all()
    before = store.previous_year_rosters().households.set_index("household_id")["income_per_capita_yuan"]
    fell = before.index[before.index.isin(income.index)]
    fell = fell[income[fell].to_numpy() < 0.8 * before[fell].to_numpy()]
    assert len(fell) and flags.loc[fell, "reasons_zh"].str.contains("人均纯收入由").all()
    paired = store.current("pairings")
    records = store.activities()
    visited = records[(records["kind"] == "走访") & (records["date"] >= pd.Timestamp(AS_OF - dt.timedelta(days=90)))]
    quiet = set(paired["household_id"]) - set(visited["target_id"])
    assert {h for h in flags.index if "天内无人走访" in flags.at[h, "reasons_zh"]} == quiet & set(income.index)
    assert flags["cadre_id"].dropna().isin(paired["cadre_id"]).all()


def test_a_shock_in_a_diary_note_is_a_high_risk(year):
    store, _ = year
    household = store.current("pairings")["household_id"].iloc[0]
    records = store.activities()
    noted = records[records["target_id"] == household].iloc[[0]].assign(note="户主因病住院，花费较大", date=pd.Timestamp("2025-11-20"))
    flags = household_warnings(store.rosters(), default_policy(), AS_OF, pd.concat([records, noted]), store.current("pairings"))
    row = flags.set_index("household_id").loc[household]
    assert row["level"] == "高" and "工作记录 2025-11-20：户主因病住院" in row["reasons_zh"]


def test_the_rules_come_from_the_policy(year):
    store, _ = year
    strict = load_policy(overrides={"warnings": {"near_line_times": 3, "no_visit_days": 366, "levels": {"near_line": "高"}}})
    loose, tight = _flags(store), _flags(store, strict)
    assert len(tight[tight["reasons_zh"].str.contains("低收入线的 3 倍")]) > len(loose[loose["reasons_zh"].str.contains("1.5 倍")])
    assert tight["reasons_zh"].str.contains("366 天内无人走访").sum() < loose["reasons_zh"].str.contains("90 天内无人走访").sum()
    assert tight.loc[tight["reasons_zh"].str.contains("低收入线的 3 倍"), "level"].eq("高").all()


def test_must_visit_lists_per_county_and_a_later_visit_clears_a_warning(year, tmp_path):
    store, _ = year
    flags = _flags(store)
    counts = store.save_warnings("2025H2", flags, AS_OF)
    assert counts["new"] == len(flags) and counts["cleared"] == 0
    rerun = store.save_warnings("2025H2", flags, AS_OF)  # warned again before any visit: brought up to date, no crash
    assert rerun == {"new": 0, "updated": len(flags), "cleared": 0}
    sheets = must_visit_sheets(store.warnings("2025H2"), store.rosters(), store.teams(), "2025H2")
    assert set(sheets) == set(flags["county_code"])
    by_cadre = pd.concat(s["必访名单·按干部"] for s in sheets.values())
    assert len(by_cadre) == len(flags) and by_cadre["预警原因"].notna().all()
    assert level_counts(store.warnings("2025H2")).to_numpy().sum() == len(flags)
    from lianhu_tools.figures.dashboard import DashboardData

    county = flags["county_code"].iloc[0]
    headline = DashboardData(store).view(county, 9, "2025").headline
    assert f"防返贫监测预警 <b class='warnings'>{(flags['county_code'] == county).sum():,}</b> 户" in headline

    visited = flags["household_id"].iloc[:5].tolist()
    pairs = store.current("pairings").set_index("household_id")
    villages = store.rosters().households.set_index("household_id")["village_code"]
    store.add_activities(pd.DataFrame({
        "record_id": [f"FOLLOW{k}" for k in range(len(visited))], "date": pd.Timestamp("2026-01-10"),
        "actor_kind": "干部", "actor_id": [pairs["cadre_id"].get(h, "GB00000001") for h in visited],
        "target_kind": "户", "target_id": visited, "task": "宣传政策", "kind": "走访", "quantity": 1.0, "days": 1.0,
        "note": "回访", "period": "2026H1", "village_code": [villages[h] for h in visited]}), source="回访")
    again = store.save_warnings("2025H2", _flags(store, as_of=AS_OF), AS_OF)
    assert again["cleared"] == 5 and again["new"] == 0
    assert not store.warnings("2025H2")["household_id"].isin(visited).any()
    assert f"<b class='warnings'>{len(flags) - 5:,}</b>" in DashboardData(store).view("", 6, "2025").headline
    assert store.warnings("2025H2", open_only=False)["cleared_on"].notna().sum() == 5
