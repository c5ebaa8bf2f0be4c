"""Three-year and annual plans (三年规划、年度计划) for linked villages, households and units.

A plan file lists, per subject and year, the measures under the eight tasks with their targets
(income, funds, projects, people trained) and progress. It is checked like a roster — numbers where
numbers belong, years inside the term, tasks from the list, subjects on the rosters — every problem
listed, nothing saved if any is an error. Each import is a new version of the plans of the subjects
it names; the annual plan of a year is that year's part; progress compares plans with the archives.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import PlanError, Problem
from .periods import within
from .rosters import Rosters
from .schema import HOUSEHOLD, PLAN_TABLES, PLANS, UNIT, VILLAGE
from .tables import Part, Report, final_frame, locate, read_tables, validate_frame

TERM_YEARS = 3


def load_plans(paths: list[str | Path] | str | Path, rosters: Rosters, term_start: int) -> pd.DataFrame:
    """Read and check plan files for the 3-year term starting `term_start`; raise PlanError listing every problem."""
    report = Report()
    frames, parts, _ = read_tables(paths, PLAN_TABLES, ("plans",), report)
    return _checked(frames.get("plans"), parts, report, rosters, term_start)


def plans_from_frame(frame: pd.DataFrame, rosters: Rosters, term_start: int, source: str = "规划") -> pd.DataFrame:
    """A plan table edited in memory (headed as a plan file is), checked exactly as a plan file would be."""
    report = Report()
    plans, parts = validate_frame(PLANS, frame, report, file=source)
    return _checked(plans, parts, report, rosters, term_start)


def _checked(plans: pd.DataFrame | None, parts: list[Part], report: Report, rosters: Rosters, term_start: int
             ) -> pd.DataFrame:
    if plans is not None and plans.empty:
        report.problems.append(Problem.about("no_rows", "规划文件只有表头，没有措施", "the plan files hold a header and no measures",
                                             file=", ".join(sorted({part.file for part in parts}))))
    elif plans is not None:
        last = term_start + TERM_YEARS - 1
        outside = plans["year"].notna() & ~plans["year"].between(term_start, last)
        report.located(locate(plans[outside], parts), parts, "year", "plan_year_outside_term",
                       f"年度须在联系期 {term_start}–{last} 年内", f"year must be inside the term {term_start}–{last}")
        unknown = plans["subject_id"].notna() & plans["subject_kind"].notna() & ~_known(plans, rosters)
        report.located(locate(plans[unknown], parts), parts, "subject_id", "plan_subject_unknown",
                       "对象编号不在村、农户或单位名册中", "subject_id is not on the village, household or unit roster")
    if plans is None or any(p.severity == "error" for p in report.problems):
        raise PlanError(sorted(report.problems, key=lambda p: (p.file, p.sheet or "", p.row or 0)))
    out = final_frame(plans, PLANS)
    out["status"] = out["status"].fillna("计划")
    return out


def _known(plans: pd.DataFrame, rosters: Rosters) -> np.ndarray:
    keys = {VILLAGE: set(rosters.villages["village_code"]), HOUSEHOLD: set(rosters.households["household_id"]),
            UNIT: set(rosters.units["unit_id"])}
    return np.array([subject in keys.get(kind, ()) for kind, subject in zip(plans["subject_kind"], plans["subject_id"])])


def annual_plan(plans: pd.DataFrame, year: int) -> pd.DataFrame:
    """The year's part of the current three-year plans: what an annual plan holds."""
    return plans[plans["year"] == year].reset_index(drop=True)


def progress(plans: pd.DataFrame, year: int, records: pd.DataFrame | None = None,
             households: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per subject for one year: measures planned and completed (%), funds and people trained planned
    against what the archives recorded for the subject's village (or household)."""
    year_plans = annual_plan(plans, year)
    table = year_plans.assign(done=year_plans["status"] == "已完成").groupby(["subject_kind", "subject_id"]).agg(
        measures=("measure", "size"), completed=("done", "sum"),
        funds_planned=("funds_yuan", "sum"), people_planned=("people_trained", "sum")).reset_index()
    table["completed_pct"] = (100 * table["completed"] / table["measures"]).round(1)
    if records is not None:
        done = records[within(records["period"], str(year))]
        funds = done[done["kind"] == "资金"].groupby("target_id")["quantity"].sum()
        trained = done[done["kind"] == "培训人次"].groupby("target_id")["quantity"].sum()
        table["funds_recorded"] = table["subject_id"].map(funds).fillna(0.0)
        table["people_recorded"] = table["subject_id"].map(trained).fillna(0.0)
    if households is not None:
        income = households.set_index("household_id")["income_per_capita_yuan"]
        target = year_plans.groupby("subject_id")["income_target_yuan"].max()
        is_household = table["subject_kind"] == HOUSEHOLD
        table["income_target_yuan"] = table["subject_id"].map(target)
        table["income_now_yuan"] = table["subject_id"].map(income).where(is_household)
    return table
