"""What the leadership dashboard reads: the store's own group-bys, per village, never the records one by one.

A viewer's kernel holds these few thousand rows instead of a year's records and the households: the database
counts and sums, on SQLite and on PostgreSQL alike, always as of the last write (nothing to refresh). Each
function takes a `Store` and reads only columns a leader's login may read (no household's personal data).
"""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from ..periods import halves_of
from ..policy import RISK_LEVELS, Policy
from .tables import activities, assessments, imports, meta, pairings, roster_tables, warnings_table

households = roster_tables["households"]


def activity_totals(store, period: str) -> pd.DataFrame:
    """Per half-year, village and kind of record in `period` (2025H1, or a year): how many records, their
    quantities and days summed."""
    query = (sa.select(activities.c.period, activities.c.village_code, activities.c.kind,
                       sa.func.count().label("records"), sa.func.sum(activities.c.quantity).label("quantity"),
                       sa.func.sum(activities.c.days).label("days"))
             .where(activities.c.period.in_(halves_of(period)))
             .group_by(activities.c.period, activities.c.village_code, activities.c.kind))
    with store.engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    return frame.astype({"period": "category", "kind": "category", "records": int, "quantity": float, "days": float})


def household_counts(store, policy: Policy) -> pd.DataFrame:
    """Per village of the latest rosters: households, poor households (income below either line, as
    `classify_households` says) and those of them with a current pairing."""
    income = households.c.income_per_capita_yuan
    poor = sa.or_(income < policy.absolute_line_yuan, income < policy.low_income_line_yuan)
    paired = sa.select(pairings.c.household_id).where(pairings.c.status != "ended")
    query = (sa.select(households.c.village_code, sa.func.count().label("households"),
                       sa.func.sum(sa.case((poor, 1), else_=0)).label("poor"),
                       sa.func.sum(sa.case((sa.and_(poor, households.c.household_id.in_(paired)), 1), else_=0))
                       .label("poor_linked"))
             .where(households.c.import_id == _latest_rosters())
             .group_by(households.c.village_code))
    with store.engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    return frame.astype({"households": int, "poor": int, "poor_linked": int})


def paired_places(store) -> pd.DataFrame:
    """The villages where each cadre (and unit) pairs households now: one row per village, cadre and unit."""
    query = (sa.select(households.c.village_code, pairings.c.cadre_id, pairings.c.unit_id).distinct()
             .select_from(pairings.join(households, households.c.household_id == pairings.c.household_id))
             .where(pairings.c.status != "ended", households.c.import_id == _latest_rosters()))
    with store.engine.connect() as conn:
        return pd.read_sql(query, conn).astype({"village_code": "category", "unit_id": "category"})


def open_warnings(store) -> pd.DataFrame:
    """Per village: the households with an open early warning (`monitoring`), each at its highest level (columns
    高, 中, 低)."""
    query = (sa.select(warnings_table.c.village_code, warnings_table.c.household_id, warnings_table.c.level)
             .where(warnings_table.c.cleared_on.is_(None)))
    with store.engine.connect() as conn:
        frame = pd.read_sql(query, conn)
    frame["rank"] = frame["level"].map({level: k for k, level in enumerate(RISK_LEVELS)})
    highest = frame.sort_values("rank").drop_duplicates("household_id")
    return highest.groupby(["village_code", "level"]).size().unstack(fill_value=0).reindex(columns=list(RISK_LEVELS),
                                                                                          fill_value=0)


def indicator_system(store, assessment_id: int) -> dict:
    """The indicator system a run used (its grades, best first, among it)."""
    with store.engine.connect() as conn:
        return json.loads(conn.execute(sa.select(assessments.c.indicators)
                                       .where(assessments.c.assessment_id == assessment_id)).scalar_one())


def written_last(store) -> str | None:
    """Meta's `written`, which every write changes (`Store.transaction`): equal values, nothing new to draw."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(meta.c.value).where(meta.c.key == "written")).scalar()


def _latest_rosters():
    return sa.select(sa.func.max(imports.c.import_id)).where(imports.c.kind == "rosters").scalar_subquery()
