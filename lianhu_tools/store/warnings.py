"""The store's early warnings (`monitoring`): saved per period, each open until a visit to its household after the
day it was raised clears it."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import sqlalchemy as sa

from ..schema import HOUSEHOLD, VISIT
from .writes import insert_frame
from .tables import activities, warnings_table


class Warnings:
    """Mixed into `Store`."""

    def save_warnings(self, period: str, flagged: pd.DataFrame, as_of: dt.date) -> dict[str, int]:
        """Clear the period's open warnings whose household was visited after they were raised; then keep `flagged`
        (`monitoring.household_warnings` on `as_of`): an open warning is brought up to date, a household without
        one gets a new one — unless a visit on or after `as_of` cleared one already. One transaction."""
        with self.transaction("warnings", flagged["village_code"].dropna()) as conn:
            stored = pd.read_sql(sa.select(warnings_table).where(warnings_table.c.period == period), conn)
            visits = pd.read_sql(sa.select(activities.c.target_id, activities.c.date).where(
                (activities.c.kind == VISIT) & (activities.c.target_kind == HOUSEHOLD)
                & activities.c.target_id.in_(stored["household_id"].unique().tolist())), conn)
            opened = stored[stored["cleared_on"].isna()]
            later = opened[["id", "household_id", "flagged_on"]].merge(visits, left_on="household_id", right_on="target_id")
            later = later[pd.to_datetime(later["date"]) > pd.to_datetime(later["flagged_on"])]
            first_visit = pd.to_datetime(later.groupby("id")["date"].min()).dt.date
            if len(first_visit):
                conn.execute(warnings_table.update().where(warnings_table.c.id == sa.bindparam("warning"))
                             .values(cleared_on=sa.bindparam("visited")),
                             [{"warning": int(i), "visited": day} for i, day in first_visit.items()])
            cleared = len(first_visit)
            stored = pd.read_sql(sa.select(warnings_table).where(warnings_table.c.period == period), conn)
            still = stored[stored["cleared_on"].isna()].set_index("household_id")
            done = set(stored.loc[pd.to_datetime(stored["cleared_on"]) >= pd.Timestamp(as_of), "household_id"])
            updated = flagged[flagged["household_id"].isin(still.index)]
            if len(updated):
                conn.execute(warnings_table.update().where(warnings_table.c.id == sa.bindparam("warning")).values(
                    level=sa.bindparam("new_level"), reasons_zh=sa.bindparam("zh"), reasons_en=sa.bindparam("en"),
                    cadre_id=sa.bindparam("cadre")),
                    [{"warning": int(still.at[row.household_id, "id"]), "new_level": row.level, "zh": row.reasons_zh,
                      "en": row.reasons_en, "cadre": None if pd.isna(row.cadre_id) else row.cadre_id}
                     for row in updated.itertuples()])
            new = flagged[~flagged["household_id"].isin(still.index) & ~flagged["household_id"].isin(done)]
            insert_frame(conn, warnings_table, new.assign(period=period, flagged_on=as_of))
            counts = {"new": len(new), "updated": len(updated), "cleared": cleared}
            self._audit(conn, "warn", "warnings", period, None, json.dumps({**counts, "as_of": str(as_of)}))
        return counts

    def warnings(self, period: str | None = None, open_only: bool = True) -> pd.DataFrame:
        """The warnings (of one period; the open ones only, unless `open_only` is false)."""
        query = sa.select(warnings_table)
        if period:
            query = query.where(warnings_table.c.period == period)
        if open_only:
            query = query.where(warnings_table.c.cleared_on.is_(None))
        with self.engine.connect() as conn:
            return pd.read_sql(query.order_by(warnings_table.c.id), conn)
