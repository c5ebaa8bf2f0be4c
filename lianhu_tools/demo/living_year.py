"""The demo city's second year, step by step as a city lives it: the new roster received and its change list, each
change through its steps (a few exits held back at 评议 and one rejected, to show 不脱贫不脱钩), the 公示名单, the
re-pairing with its 调整名单 (accepted), the early warnings with their must-visit lists, and the follow-up visits
(a work diary, imported as offices send it) that clear half of them."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..archives import import_activity_files
from ..changes.sheets import write_change_lists, write_notices
from ..errors import RosterWarning
from ..monitoring import household_warnings, must_visit_sheets
from ..pairing.output import write_tables
from ..pairing.repair import Repairing, repair_households, write_adjustments
from ..policy import Policy, default_policy
from ..rosters import load_rosters
from ..schema import HOUSEHOLD, VISIT
from ..tables import write_rosters
from .activities import write_activity_workbooks
from .generator import demo_tables
from .second_year import second_year_tables

RECEIVED_ON = dt.date(2026, 1, 5)  # the second year's roster comes in
WARNED_ON = dt.date(2025, 12, 31)  # the warnings of 2025H2
HELD_BACK, REJECTED = 3, 1  # exits kept at 评议, rejected


@dataclass
class LivingYear:
    changes: pd.DataFrame  # of the second-year roster, as they stand at the end
    truth: dict[str, set[str]]
    held_back: list[str]  # households whose exit waits (still paired)
    rejected: list[str]
    repaired: Repairing
    warnings_raised: int
    cleared: int
    files: dict[str, list[Path]] = field(default_factory=dict)


def living_year(store, size: str, out: str | Path, seed: int = 2012, policy: Policy | None = None,
                say=lambda message: None) -> LivingYear:
    """The second year on a demo store holding the first (`demo_year`), its files under `out`."""
    policy, out = policy or default_policy(), Path(out)
    second = second_year_tables(demo_tables(size, seed), seed, policy)
    folder = out / "第二年名册"
    write_rosters(second.tables, folder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RosterWarning)
        received = store.receive_rosters(load_rosters(folder, policy=policy), policy, str(folder))
    files = {"change_lists": write_change_lists(received.changes, store.rosters(received.received),
                                                store.rosters(received.base), out / "变化清单")}
    say(f"第二年名册 / the second year's roster: {len(received.changes):,} 项变化 → {out / '变化清单'}")
    exits = received.changes[received.changes["kind"] == "household_exit"]
    paired = exits[exits["subject_id"].isin(store.current("pairings")["household_id"])]
    held = paired["id"].iloc[:HELD_BACK].tolist()
    rejected = paired["id"].iloc[HELD_BACK:HELD_BACK + REJECTED].tolist()
    on = _pass_all(store, policy, RECEIVED_ON, held, rejected, out, files)
    repaired = repair_households(store, policy)
    files["adjustments"] = write_adjustments(repaired.adjustments, out / "调整名单")
    proposal = repaired.result.pairs
    store.accept(2025, "locked", pairs=proposal[["cadre_id", "household_id", "unit_id", "pool", "reason"]],
                 reason=f"年度动态调整（{on}）/ the year's re-pairing")
    say(f"重新结对 / re-pairing: 保留 {repaired.kept:,} 对，调整 {len(repaired.adjustments):,} 处 → {out / '调整名单'}")

    flagged = _warnings(store, policy)
    raised = store.save_warnings("2025H2", flagged, WARNED_ON)
    files["must_visit"] = _must_visit(store, out / "必访名单")
    files["follow_up"] = _follow_up(store, flagged, out / "回访记录", seed)
    cleared = store.save_warnings("2025H2", _warnings(store, policy), WARNED_ON)["cleared"]
    say(f"防返贫监测 / early warning: {raised['new']:,} 户预警 → {out / '必访名单'}；回访后消除 {cleared:,} 户")
    files["sample"], table = _sampled_check(store, policy, out, seed)
    say("抽样核查 / the sampled check: " + "，".join(f"{row.label} {row.share:.0%}" for row in
                                                 table.groupby("label", sort=False).first().reset_index().itertuples())
        + f"（首个县区）→ {out / '抽样核查'}")
    by_id = received.changes.set_index("id")["subject_id"]
    return LivingYear(store.roster_change_list(policy, received=received.received), second.truth,
                      by_id[held].tolist(), by_id[rejected].tolist(), repaired, raised["new"], cleared, files)


def _pass_all(store, policy: Policy, start: dt.date, held: list[int], rejected: list[int], out: Path, files: dict) -> dt.date:
    """Every change through its steps, eight days apart (the notice list written when the first changes reach it);
    `held` stop at 评议, `rejected` are rejected after 核查. The day of the last step."""
    on = start
    if rejected:
        store.pass_step(rejected, "核查", on, "入户核查 / checked", policy, today=on)
        store.reject_changes(rejected, on, "收入来源不稳定，暂不退出 / income not yet steady", policy, today=on)
    notice, _ = policy.notice
    while True:
        listed = store.roster_change_list(policy, "open")
        listed = listed[~(listed["id"].isin(held) & (listed["step"] == "评议"))]
        if listed.empty:
            return on
        if notice in set(listed["next_step"]) and "notices" not in files:
            files["notices"] = write_notices(store.roster_change_list(policy, "open"), store.rosters(int(listed["received"].iloc[0])),
                                             store.rosters(int(listed["base"].iloc[0])), policy, out / "公示名单", on)
        for step, rows in listed.groupby("next_step", sort=False):
            store.pass_step(rows["id"].tolist(), step, on, f"{step}（演示）/ {step} (demo)", policy, today=on)
        on += dt.timedelta(days=8)


def _warnings(store, policy: Policy) -> pd.DataFrame:
    return household_warnings(store.rosters(), policy, WARNED_ON, store.activities(), store.current("pairings"),
                              store.previous_year_rosters(), store.plans())


def _must_visit(store, folder: Path) -> list[Path]:
    rosters = store.rosters()
    names = rosters.villages.drop_duplicates("county_code").set_index("county_code")["county_name"]
    return [path for county, sheets in must_visit_sheets(store.warnings("2025H2"), rosters, store.teams(), "2025H2").items()
            for path in write_tables(sheets, folder / f"{county}_{names[county]}_必访名单.xlsx")]


FOLLOW_UP_NOTES = ("回访：了解{}情况，宣传帮扶政策", "入户回访，核实{}，登记困难", "电话预约后入户，了解{}，商量下一步打算")
FOLLOW_UP_TOPICS = ("务工收入", "就医报销", "种植养殖", "子女上学", "住房安全", "饮水安全")


def _follow_up(store, flagged: pd.DataFrame, folder: Path, seed: int) -> list[Path]:
    """The cadres' follow-up visits to every other warned household with a cadre, in January, as a work diary — with
    a few planted problems for the paper-trail checks (`plant_trail_problems`)."""
    rng = np.random.default_rng([seed, 2027])
    visited = flagged[flagged["cadre_id"].notna()].iloc[::2]
    rosters = store.rosters()
    notes = [rng.choice(FOLLOW_UP_NOTES).format(topic) for topic in rng.choice(FOLLOW_UP_TOPICS, len(visited))]
    records = pd.DataFrame({
        "record_id": [f"HF2026{k:06d}" for k in range(len(visited))],
        "date": pd.Timestamp("2026-01-06") + pd.to_timedelta(rng.integers(0, 20, len(visited)), unit="D"),
        "actor_kind": "干部", "actor_id": visited["cadre_id"].to_numpy(), "target_kind": HOUSEHOLD,
        "target_id": visited["household_id"].to_numpy(), "task": "宣传政策", "kind": VISIT, "quantity": 1.0, "days": 1.0,
        "note": [f"{note}（{k % 97 + 1}）" for k, note in enumerate(notes)]})
    records = pd.concat([records, plant_trail_problems(store, rng)], ignore_index=True)
    paths = write_activity_workbooks(records, rosters.villages, folder, rosters.households)
    if paths:
        import_activity_files(store, folder)
    return paths


PLANTED_NOTE = "按要求入户走访，宣传政策，了解生产生活情况，填写联系卡"  # copied word for word


def plant_trail_problems(store, rng: np.random.Generator) -> pd.DataFrame:
    """Records a paper-trail check should find, in 2026H1: one cadre's six visits to one household in one day, a
    cadre's 200 days in the half-year, a burst in the last days of June, one note copied into eight records, and a
    visit to a household whose exit ended its pairing."""
    pairs = store.current("pairings")
    cadres = pairs["cadre_id"].drop_duplicates().sample(4, replace=pairs["cadre_id"].nunique() < 4,
                                                         random_state=int(rng.integers(2**31))).tolist()
    first = pairs[pairs["cadre_id"] == cadres[0]].iloc[0]
    rows = [_record("HFP-VISITS", "2026-02-03", cadres[0], first["household_id"], 6, 1, "多次入户")]
    second = pairs[pairs["cadre_id"] == cadres[1]].iloc[0]
    rows += [_record(f"HFP-DAYS{k}", f"2026-0{k + 1}-10", cadres[1], second["household_id"], 1, 40, "驻村帮扶") for k in range(5)]
    third = pairs[pairs["cadre_id"] == cadres[2]].iloc[0]
    rows += [_record(f"HFP-BURST{k}", f"2026-06-{24 + k % 7:02d}", cadres[2], third["household_id"], 1, 1, f"补记走访 {k}")
             for k in range(12)]
    copied = pairs.sample(8, replace=len(pairs) < 8, random_state=int(rng.integers(2**31)))
    rows += [_record(f"HFP-COPY{k}", "2026-03-15", c, h, 1, 1, PLANTED_NOTE)
             for k, (c, h) in enumerate(zip(copied["cadre_id"], copied["household_id"]))]
    ended = store.ended_pairings()
    exits = ended[ended["reason"].fillna("").str.startswith("脱贫退出")]
    if len(exits):
        row = exits.iloc[0]
        rows.append(_record("HFP-AFTER", "2026-05-20", row["cadre_id"], row["household_id"], 1, 1, "回访已脱贫户"))
    return pd.DataFrame(rows)


def _record(record_id: str, date: str, cadre: str, household: str, visits: float, days: float, note: str) -> dict:
    return {"record_id": record_id, "date": pd.Timestamp(date), "actor_kind": "干部", "actor_id": cadre,
            "target_kind": HOUSEHOLD, "target_id": household, "task": "宣传政策", "kind": VISIT, "quantity": float(visits),
            "days": float(days), "note": note}


TRUE_RATES = {"identification": 0.94, "exit": 0.90}  # the demo's households, as a perfect survey would find them
SATISFACTION_SHARES = {"满意": 0.70, "基本满意": 0.22, "不满意": 0.08}


def household_truth(frame: pd.DataFrame, store, seed: int) -> pd.DataFrame:
    """What a survey of every household of `sampling.sampling_frame` would find: whether a poor household is truly
    poor, an exited one truly out, how satisfied each is (drawn at the rates above), and whether its cadre came (its
    visits in the store)."""
    rng = np.random.default_rng([seed, 2028])
    n = len(frame)
    visited = set(store.activities(columns=["kind", "target_id"]).query("kind == @VISIT")["target_id"])
    paired = set(store.current("pairings")["household_id"])
    return frame.assign(
        identified_correctly=np.where(frame["grp"] == "poor", rng.random(n) < TRUE_RATES["identification"], None),
        exit_correct=np.where(frame["grp"] == "exited", rng.random(n) < TRUE_RATES["exit"], None),
        satisfaction=rng.choice(list(SATISFACTION_SHARES), n, p=list(SATISFACTION_SHARES.values())),
        visited_by_cadre=[h in visited and h in paired for h in frame["household_id"]])


def filled_survey(sheets: dict[str, pd.DataFrame], truth: pd.DataFrame, folder: Path) -> list[Path]:
    """The survey sheets as the surveyors send them back: the demo's truth written into the answer columns."""
    from ..schema import SURVEY

    known = truth.set_index("household_id")
    written = []
    for county, sheet in sheets.items():
        ids = sheet[SURVEY.field("household_id").zh]
        filled = sheet.copy()
        for answer in ("identified_correctly", "exit_correct", "visited_by_cadre"):
            filled[SURVEY.field(answer).zh] = ids.map(known[answer]).map({True: "是", False: "否"}).fillna("")
        filled[SURVEY.field("satisfaction").zh] = ids.map(known["satisfaction"])
        filled[SURVEY.field("surveyor").zh] = "第三方评估组"
        filled[SURVEY.field("survey_date").zh] = "2026-01-20"
        written += write_tables({"抽查表": filled}, folder / f"{county}_抽查表.xlsx")
    return written


SAMPLE_PER_COUNTY = 60


def _sampled_check(store, policy: Policy, out: Path, seed: int) -> tuple[list[Path], pd.DataFrame]:
    """The year-end sampled check: drawn, its sheets written and filled from the demo's truth, read back and stored,
    and the estimates per county written."""
    from ..sampling import draw_sample, estimates, read_survey, sampling_frame, survey_sheets

    exited = set(store.roster_change_list(policy, "approved").query("kind == 'household_exit'")["subject_id"])
    frame = sampling_frame(store.rosters(), policy, exited)
    drawn = draw_sample(frame, SAMPLE_PER_COUNTY, seed)
    sample_id = store.save_sample("2025", seed, SAMPLE_PER_COUNTY, drawn, store.latest_import("rosters"))
    sheets = survey_sheets(drawn, store.rosters(), store.current("pairings"))
    paths = filled_survey(sheets, household_truth(frame, store, seed), out / "抽样核查" / "抽查表")
    answers = read_survey(paths, drawn)
    store.save_answers(sample_id, answers, ", ".join(map(str, paths)))
    table = estimates(drawn, answers)
    paths += write_tables({"抽样估计": table}, out / "抽样核查" / "抽样估计.xlsx")
    return paths, table
