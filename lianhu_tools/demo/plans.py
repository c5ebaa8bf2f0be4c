"""Three-year plans for the demo city: every linked village, paired poor household and linking unit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..schema import PLANS, TASKS
from ..tables import display_frame, excel_writer, write_frame

MEASURES = {
    "增加收入": ("种植花椒{n}亩", "发展苹果{n}亩", "养羊{n}只", "养牛{n}头", "劳务输出{n}人"),
    "强化培训": ("举办果树修剪培训", "举办养殖技术培训", "组织劳务技能培训"),
    "资金扶持": ("争取小额贷款{n}万元", "落实到户扶持资金", "协调产业扶持资金"),
    "宣传政策": ("宣讲惠农政策", "发放政策明白卡"),
    "夯实基础": ("建设村级活动场所", "培养入党积极分子{n}名"),
    "办实事": ("硬化村道{n}公里", "解决人畜饮水", "修缮村小学"),
    "制定规划": ("制定村级发展规划",),
    "培育典型": ("培育致富带头人{n}名", "评选文明户"),
}
assert set(MEASURES) == set(TASKS)


def generate_plans(links: pd.DataFrame, pairs: pd.DataFrame, households: pd.DataFrame, term_start: int = 2025,
                   seed: int = 0) -> pd.DataFrame:
    """Plan rows (the PLANS columns) for the 3-year term: two measures a year for each linked village,
    one or two for each paired poor household (with income targets rising ~10% a year), one per unit."""
    rng = np.random.default_rng(seed)
    income = households.set_index("household_id")["income_per_capita_yuan"]
    poor = pairs[pairs["pool"] == "poor"]["household_id"] if "pool" in pairs else pairs["household_id"]
    subjects = pd.concat([
        pd.DataFrame({"subject_kind": "村", "subject_id": links["village_code"].unique(), "per_year": 2}),
        pd.DataFrame({"subject_kind": "户", "subject_id": poor.unique(), "per_year": 1}),
        pd.DataFrame({"subject_kind": "单位", "subject_id": links["unit_id"].unique(), "per_year": 1}),
    ], ignore_index=True)
    years = np.arange(term_start, term_start + 3)
    rows = subjects.loc[subjects.index.repeat(subjects["per_year"] * len(years))].reset_index(drop=True)
    rows["year"] = np.concatenate([np.repeat(years, k) for k in subjects["per_year"]])
    tasks = np.array(list(MEASURES))
    rows["task"] = np.where(rows["subject_kind"] == "户", rng.choice(["增加收入", "资金扶持", "强化培训"], len(rows)),
                            rng.choice(tasks, len(rows)))
    rows["measure"] = [rng.choice(MEASURES[t]).format(n=int(rng.integers(2, 50))) for t in rows["task"]]
    base = rows["subject_id"].map(income)
    is_household = rows["subject_kind"] == "户"
    rows["baseline_income_yuan"] = base.where(is_household).round(0)
    rows["income_target_yuan"] = (base * 1.1 ** (rows["year"] - term_start + 1)).where(is_household).round(-1)
    rows["funds_yuan"] = np.where(rows["task"] == "资金扶持", rng.integers(1, 20, len(rows)) * 5000, np.nan)
    rows["projects"] = pd.array(np.where(rows["subject_kind"] == "村", rng.integers(0, 2, len(rows)), 0), dtype="Int64")
    rows["people_trained"] = pd.array(np.where(rows["task"] == "强化培训", rng.integers(20, 120, len(rows)), 0), dtype="Int64")
    first = rows["year"] == term_start
    rows["status"] = np.where(first, rng.choice(["已完成", "进行中", "计划"], len(rows), p=[0.6, 0.3, 0.1]), "计划")
    return rows[[f.name for f in PLANS.fields]]


def write_plan_workbook(plans: pd.DataFrame, path: str | Path) -> Path:
    """The plans as an office would send them: Chinese headers, codes as text."""
    with excel_writer(path) as writer:
        write_frame(writer, display_frame(plans, PLANS), "三年规划")
    return Path(path)
