"""A second year's roster against the first: its change list by kind (the demo's second year plants each kind),
the steps each change passes (in order, dated, with a reason; the notice's days), and what approval does:
an approved exit ends its pairing, an exit not approved keeps it (不脱贫不脱钩), a cadre who left ends theirs."""

from __future__ import annotations

import datetime as dt
import json
import warnings

import pandas as pd
import pytest

from lianhu_tools.changes.detect import roster_changes
from lianhu_tools.changes.effective import effective_rosters
from lianhu_tools.demo.pipeline import demo_tables
from lianhu_tools.demo.second_year import second_year_tables
from lianhu_tools.errors import ChangeError, NotAllowed, RosterWarning
from lianhu_tools.pairing.households import match_households
from lianhu_tools.pairing.villages import match_villages
from lianhu_tools.policy import default_policy, load_policy
from lianhu_tools.rosters import load_rosters
from lianhu_tools.schema import HOUSEHOLD_PERSONAL_FIELDS, TABLES
from lianhu_tools.store import Store
from lianhu_tools.tables import write_rosters

DAY = dt.date(2026, 3, 2)


def _years(folder, size: str, seed: int):
    first = demo_tables(size, seed)
    second = second_year_tables(first, seed)
    write_rosters(first, folder / "y1")
    write_rosters(second.tables, folder / "y2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RosterWarning)
        return load_rosters(folder / "y1"), load_rosters(folder / "y2"), second.truth


@pytest.fixture(scope="module")
def years(tmp_path_factory):
    """The small demo city's first and second year, with the first year's pairings."""
    old, new, truth = _years(tmp_path_factory.mktemp("years"), "small", 2012)
    links = match_villages(old).links
    pairs = match_households(old, links=links).pairs
    return old, new, truth, links, pairs


@pytest.fixture
def city(years, tmp_path):
    """A store holding the first year (pairings locked for the term) that has just received the second."""
    old, new, truth, links, pairs = years
    store = Store(tmp_path / "lianhu.sqlite")
    store.save_rosters(old)
    store.save_pairings(pairs, 2025, "locked", links=links)
    received = store.receive_rosters(new, default_policy(), "y2")
    return store, received, truth, pairs


@pytest.mark.parametrize("size, seed", [("small", 2012), ("small", 7), ("tiny", 31)])
def test_the_change_list_holds_every_planted_change_and_nothing_else(tmp_path, size, seed):
    old, new, truth = _years(tmp_path, size, seed)
    found = roster_changes(old, new, default_policy())
    for kind, subjects in truth.items():
        assert set(found.loc[found["kind"] == kind, "subject_id"]) == subjects, kind
    assert set(found["kind"]) <= set(truth)
    exit_ = found[found["kind"] == "household_exit"]
    if len(exit_):  # the income evidence against the line
        assert exit_["evidence_zh"].str.contains("低收入线 1,067 元").all()
        assert all(json.loads(a)["income_per_capita_yuan"] >= 1067 > json.loads(b)["income_per_capita_yuan"]
                   for a, b in zip(exit_["after"], exit_["before"]))
    personal = "|".join(HOUSEHOLD_PERSONAL_FIELDS)
    assert not found["before"].fillna("").str.contains(personal).any()
    assert not found["after"].fillna("").str.contains(personal).any()


@pytest.mark.parametrize("size, seed", [("city", 2012), ("city", 7), ("small", 31)])
def test_the_second_years_new_households_have_id_numbers_of_their_own(size, seed):
    """Drawn apart from the first year's, new heads' numbers met old ones on the city (make demo refused them)."""
    first = demo_tables(size, seed)
    households = second_year_tables(first, seed).tables["households"]
    assert not households["id_number"].duplicated().any()
    gone = set(first["households"]["household_id"]) - set(households["household_id"])
    new = households[~households["household_id"].isin(first["households"]["household_id"])]
    reused = set(new["id_number"]) & set(first["households"]["id_number"])
    assert not reused, f"{len(reused)} new heads have a first-year head's number ({len(gone)} households gone)"


def test_a_change_counts_only_once_approved(years):
    old, new, truth, _, _ = years
    found = roster_changes(old, new, default_policy())
    undone = effective_rosters(new, old, found)  # nothing approved: the old roster (but details that need no step)
    for name, table in TABLES.items():
        key = table.primary_key
        details = {"headcount", "households", "population", "phone"}
        a = old.tables()[name].set_index(key).sort_index()
        b = undone.tables()[name].set_index(key).sort_index()
        columns = [c for c in a.columns if c not in details]
        pd.testing.assert_frame_equal(a[columns], b[columns], check_dtype=False, obj=name)
    assert effective_rosters(new, old, found.iloc[:0]).same_as(new)  # everything approved: the new roster


def _pass(store, ids, steps, start=DAY, reason="县扶贫办核查 / checked"):
    on = start
    for step in steps:
        store.pass_step(ids, step, on, reason, default_policy(), today=on)
        on += dt.timedelta(days=8)
    return on


def test_an_approved_exit_ends_its_pairing_and_one_not_approved_keeps_it(city):
    store, received, truth, pairs = city
    changes = received.changes
    exits = changes[changes["kind"] == "household_exit"]
    paired = exits[exits["subject_id"].isin(pairs["household_id"])]
    approved, waiting = paired["id"].iloc[:3].tolist(), paired["subject_id"].iloc[3:].tolist()
    assert len(waiting) > 0
    counted = store.rosters()  # nothing approved yet: the exits' households still poor, still paired
    assert set(paired["subject_id"]) <= set(counted.households.loc[counted.households["income_per_capita_yuan"] < 1067,
                                                                   "household_id"])
    _pass(store, approved, ["核查", "评议", "公示", "审批"])
    open_pairs = store.current("pairings")
    assert not open_pairs["household_id"].isin(paired.loc[paired["id"].isin(approved), "subject_id"]).any()
    assert set(waiting) <= set(open_pairs["household_id"])
    counted = store.rosters()
    income = counted.households.set_index("household_id")["income_per_capita_yuan"]
    assert (income[paired.loc[paired["id"].isin(approved), "subject_id"]] >= 1067).all()
    assert (income[waiting] < 1067).all()
    history = store.change_history(approved)
    assert list(history.groupby("change_id")["step"].apply(list).iloc[0]) == ["核查", "评议", "公示", "审批"]
    assert store.integrity_ok()


def test_steps_go_in_order_dated_with_a_reason_and_the_notice_stands_its_days(city):
    store, received, _, _ = city
    exit_ = int(received.changes.loc[received.changes["kind"] == "household_exit", "id"].iloc[0])
    policy = default_policy()
    with pytest.raises(ChangeError) as raised:
        store.pass_step([exit_, 999_999], "评议", DAY, "", policy, today=DAY)
    said = str(raised.value)
    assert "的下一步是“核查”" in said and "999999" in said and "须说明理由" in said  # every problem at once
    for mistyped in (lambda on: store.pass_step([exit_], "核查", on, "入户核查", policy, today=DAY),
                     lambda on: store.reject_changes([exit_], on, "收入不稳", policy, today=DAY)):
        with pytest.raises(ChangeError, match="早于本轮联村联户开始的 2025-01-01（年份写错了？）"):
            mistyped(dt.date(2016, 3, 2))  # the first term is 2025's
    store.pass_step([exit_], "核查", DAY, "入户核查", policy, today=DAY)
    store.pass_step([exit_], "评议", DAY + dt.timedelta(days=1), "村民代表会议", policy, today=DAY + dt.timedelta(days=1))
    with pytest.raises(ChangeError, match="公示须满 7 天"):
        store.pass_step([exit_], "公示", DAY + dt.timedelta(days=5), "公示无异议", policy, today=DAY + dt.timedelta(days=5))
    with pytest.raises(ChangeError, match="在今天之后"):
        store.pass_step([exit_], "公示", DAY + dt.timedelta(days=30), "公示无异议", policy, today=DAY)
    store.pass_step([exit_], "公示", DAY + dt.timedelta(days=8), "公示无异议", policy, today=DAY + dt.timedelta(days=8))
    assert store.roster_change_list(policy).set_index("id").at[exit_, "next_step"] == "审批"


def test_step_names_come_from_the_policy(city):
    store, received, _, _ = city
    policy = load_policy(overrides={"change_steps": {"households": ["入户核实", "乡镇审核", "县级审定"]}, "notice": {"step": []}})
    identified = received.changes.loc[received.changes["kind"] == "household_identified", "id"].iloc[:2].tolist()
    listed = store.roster_change_list(policy).set_index("id")
    assert set(listed.loc[identified, "next_step"]) == {"入户核实"}
    for step in ("入户核实", "乡镇审核", "县级审定"):
        store.pass_step(identified, step, DAY, "ok", policy, today=DAY)
    households = set(store.rosters().households["household_id"])
    assert set(received.changes.set_index("id").loc[identified, "subject_id"]) <= households


def test_a_rejected_exit_leaves_the_household_poor_and_paired(city):
    store, received, _, pairs = city
    exits = received.changes[(received.changes["kind"] == "household_exit")
                             & received.changes["subject_id"].isin(pairs["household_id"])]
    chosen = exits["id"].iloc[:2].tolist()
    store.pass_step(chosen, "核查", DAY, "入户核查", default_policy(), today=DAY)
    store.reject_changes(chosen, DAY, "收入不稳定，暂不退出", default_policy(), today=DAY)
    with pytest.raises(ChangeError, match="不能再办理"):
        store.pass_step(chosen, "评议", DAY, "x", default_policy(), today=DAY)
    assert set(exits["subject_id"].iloc[:2]) <= set(store.current("pairings")["household_id"])


def test_an_approved_departure_ends_the_cadres_pairings(city):
    store, received, _, pairs = city
    left = received.changes[(received.changes["kind"] == "cadre_left") & received.changes["subject_id"].isin(pairs["cadre_id"])]
    assert len(left)
    _pass(store, left["id"].tolist(), ["核查", "审批"])
    assert not store.current("pairings")["cadre_id"].isin(left["subject_id"]).any()
    assert not store.rosters().cadres["cadre_id"].isin(left["subject_id"]).any()


def test_a_departed_cadres_diaries_still_come_in_and_visits_after_the_pairing_ended_are_flagged(city, tmp_path):
    """The county's diaries arrive after the departure was approved: the visits before it are the cadre's work;
    those after it are imported with the paper trail's warning, not refused."""
    from lianhu_tools.archives import import_activity_files

    store, received, _, pairs = city
    left = received.changes[(received.changes["kind"] == "cadre_left") & received.changes["subject_id"].isin(pairs["cadre_id"])]
    approved_on = _pass(store, left["id"].tolist(), ["核查", "审批"]) - dt.timedelta(days=8)
    cadre = left["subject_id"].iloc[0]
    household = pairs.loc[pairs["cadre_id"] == cadre, "household_id"].iloc[0]
    diary = pd.DataFrame({"序号": ["L1", "L2"], "日期": ["2026-01-15", str(approved_on + dt.timedelta(days=5))],
                          "主体类型": "干部", "主体编号": cadre, "对象类型": "户", "对象编号": household,
                          "任务类别": "宣传政策", "工作类型": "走访", "数量": "1", "天数": "1", "佐证说明": ["入户", "再入户"]})
    path = tmp_path / "diary.csv"
    diary.to_csv(path, index=False, encoding="utf-8-sig")
    imported = import_activity_files(store, path)
    assert imported.import_id is not None and (store.activities()["actor_id"] == cadre).sum() == 2
    flagged = [p for p in imported.warnings if p.code == "trail_after_pairing_ended"]
    assert [p.row for p in flagged] == [3], imported.warnings  # the second record (row 3 of the file), not the first


def test_a_merged_unit_passes_its_links_and_pairings_to_the_unit_it_joined(city):
    store, received, truth, pairs = city
    merged = received.changes[received.changes["kind"] == "unit_merged"]
    assert len(merged) == 1
    gone, into = merged["subject_id"].iloc[0], json.loads(merged["after"].iloc[0])["unit_id"]
    _pass(store, merged["id"].tolist(), ["核查", "审批"])
    assert not store.current("links")["unit_id"].eq(gone).any()
    assert not store.current("pairings")["unit_id"].eq(gone).any()
    assert gone not in set(store.rosters().units["unit_id"]) and into in set(store.rosters().units["unit_id"])


def test_a_roster_sent_again_keeps_the_steps_its_changes_passed(city, years):
    store, received, _, _ = city
    exit_ = int(received.changes.loc[received.changes["kind"] == "household_exit", "id"].iloc[0])
    store.pass_step([exit_], "核查", DAY, "入户核查", default_policy(), today=DAY)
    again = store.receive_rosters(years[1], default_policy(), "y2 again")
    assert again.carried == len(received.changes[received.changes["state"] == "open"])
    assert again.changes.set_index("id").at[exit_, "next_step"] == "评议"


def test_a_county_office_passes_its_own_countys_steps_and_approves_none(city):
    store, received, _, _ = city
    store.add_user("planner", "planner")
    planner = Store(store.url, who="planner")
    exits = received.changes[received.changes["kind"] == "household_exit"]
    county = exits["county_code"].iloc[0]
    mine = exits.loc[exits["county_code"] == county, "id"].iloc[:1].tolist()
    other = exits.loc[exits["county_code"] != county, "id"].iloc[:1].tolist()
    planner.add_user("clerk", "county", county)
    clerk = Store(store.url, who="clerk")
    clerk.pass_step(mine, "核查", DAY, "入户核查", default_policy(), today=DAY)
    if other:
        with pytest.raises(NotAllowed):
            clerk.pass_step(other, "核查", DAY, "入户核查", default_policy(), today=DAY)
    clerk.pass_step(mine, "评议", DAY, "会议", default_policy(), today=DAY)
    clerk.pass_step(mine, "公示", DAY + dt.timedelta(days=7), "无异议", default_policy(), today=DAY + dt.timedelta(days=7))
    with pytest.raises(NotAllowed):
        clerk.pass_step(mine, "审批", DAY + dt.timedelta(days=7), "批准", default_policy(), today=DAY + dt.timedelta(days=7))


def _approve_everything(store, policy=None):
    policy = policy or default_policy()
    on = DAY
    while True:
        listed = store.roster_change_list(policy, "open")
        if listed.empty:
            return on
        for step, rows in listed.groupby("next_step", sort=False):
            store.pass_step(rows["id"].tolist(), step, on, "批量办理 / in bulk", policy, today=on)
        on += dt.timedelta(days=8)


def test_re_pairing_keeps_every_still_valid_pairing_and_pairs_what_changed(city):
    from lianhu_tools.pairing.repair import repair_households

    store, received, truth, pairs = city
    _approve_everything(store)
    stored = store.current("pairings")
    repaired = repair_households(store, default_policy())
    proposal = repaired.result.pairs
    kept = proposal[proposal["status"] == "locked"]
    ended_now = repaired.result.ended[repaired.result.ended["household_id"].isin(stored["household_id"])]
    # every stored pairing is kept, or ends for a reason the rules give
    assert set(zip(kept["cadre_id"], kept["household_id"])) | set(zip(ended_now["cadre_id"], ended_now["household_id"])) \
        == set(zip(stored["cadre_id"], stored["household_id"]))
    assert ended_now["reason"].str.contains("不是干部单位所联系的村|名额减少|不在贫困户").all()
    moved = truth["cadre_changed"]
    assert set(ended_now["cadre_id"]) <= moved  # only cadres whose unit or rank changed lose a pairing
    # households left by a departed cadre: a colleague of the same unit takes over where one has room
    gone = store.pairings_of_departed(set(store.rosters().cadres["cadre_id"]), set(stored["household_id"]))
    assert len(gone)
    taken = proposal[proposal["household_id"].isin(gone["household_id"])]
    assert taken["reason"].str.contains("同单位干部接替").any()
    assert (taken.merge(gone, on="household_id", suffixes=("", "_before")).eval("unit_id == unit_id_before")).mean() > 0.5
    # households newly identified (all approved) are paired where a cadre can reach them
    identified = truth["household_identified"]
    assert proposal["household_id"].isin(identified).sum() + repaired.result.uncovered["household_id"].isin(identified).sum() \
        == len(identified)
    # the 调整名单 names every pairing that ended: those the approved exits and removals ended too, with their county
    ended_by_approval = set(pairs["household_id"]) & (truth["household_exit"] | truth.get("household_removed", set()))
    assert ended_by_approval
    listed = repaired.adjustments[repaired.adjustments["change"] == "结束 / ends"]
    assert ended_by_approval <= set(listed["household_id"])
    shown = listed[listed["household_id"].isin(ended_by_approval)]
    assert shown["reason"].str.contains("脱贫退出|移出名册").all() and shown["county_code"].notna().all()
    assert shown["old_cadre"].notna().all()


def test_re_pairing_is_optimal_for_what_changed_on_both_engines(city):
    from lianhu_tools.pairing.problem import PairingOptions
    from lianhu_tools.pairing.repair import repair_households

    store, *_ = city
    _approve_everything(store)
    network = repair_households(store, default_policy())
    model = repair_households(store, default_policy(), PairingOptions(engine="cbc"))
    for pool, report in network.result.reports.items():
        assert [(l.name, l.value) for l in report.levels] == [(l.name, l.value) for l in model.result.reports[pool].levels]
        assert all(l.proven for l in report.levels)
    assert network.kept == model.kept


def test_a_rejection_is_dated_after_the_step_before_and_stays_listed_after_a_roster_comes_again(city, years):
    store, received, _, _ = city
    exit_ = int(received.changes.loc[received.changes["kind"] == "household_exit", "id"].iloc[0])
    store.pass_step([exit_], "核查", DAY, "入户核查", default_policy(), today=DAY)
    with pytest.raises(ChangeError, match="早于上一步"):
        store.reject_changes([exit_], DAY - dt.timedelta(days=1), "x", default_policy(), today=DAY)
    store.reject_changes([exit_], DAY, "收入不稳", default_policy(), today=DAY)
    again = store.receive_rosters(years[1], default_policy(), "y2 again")
    assert exit_ in set(store.roster_change_list(default_policy(), "rejected")["id"])
    subject = received.changes.set_index("id").loc[exit_, "subject_id"]
    reopened = again.changes[(again.changes["kind"] == "household_exit") & (again.changes["subject_id"] == subject)]
    assert len(reopened) == 1 and reopened["state"].iloc[0] == "open"  # sent again: to be decided again, with its past
    assert f"曾于 {DAY} 未通过：收入不稳" in reopened["evidence_zh"].iloc[0]
    assert f"rejected before, on {DAY}: 收入不稳" in reopened["evidence_en"].iloc[0]
    others = again.changes[again.changes["subject_id"] != subject]
    assert not others["evidence_zh"].fillna("").str.contains("未通过").any()


def test_a_step_the_policy_does_not_have_is_named_with_the_ones_it_has(city, capsys):
    from lianhu_tools.cli import main

    store, *_ = city
    assert main(["changes", "pass", "核对", "--kind", "household_exit", "--reason", "x", "--db", str(store.url.database)]) == 2
    said = capsys.readouterr().err
    assert "没有“核对”这一步" in said and "核查、评议、公示、审批" in said
