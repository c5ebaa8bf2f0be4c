"""The store's sampled checks (`sampling`): each sample drawn (its seed, the roster it came from, its households
and strata) and the answers its survey sheets brought back."""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from ..errors import NotInStore
from .writes import insert_frame, now
from .tables import sample_answers, sample_households, samples


class Samples:
    """Mixed into `Store`."""

    def save_sample(self, period: str, seed: int, per_county: int, drawn: pd.DataFrame, roster_import: int) -> int:
        with self.transaction("samples") as conn:
            sample_id = conn.execute(samples.insert().values(period=period, seed=seed, per_county=per_county,
                                                             roster_import=roster_import, at=now(), who=self.who)
                                     ).inserted_primary_key[0]
            insert_frame(conn, sample_households, drawn.assign(sample_id=sample_id))
            self._audit(conn, "sample", "samples", str(sample_id), None,
                        json.dumps({"period": period, "seed": seed, "per_county": per_county, "households": len(drawn)}))
        return sample_id

    def sample(self, sample_id: int | None = None) -> tuple[dict, pd.DataFrame]:
        """A sample (the latest by default): what it is, and its households."""
        with self.engine.connect() as conn:
            query = sa.select(samples).order_by(samples.c.sample_id.desc()).limit(1) if sample_id is None else \
                sa.select(samples).where(samples.c.sample_id == sample_id)
            row = conn.execute(query).first()
            if row is None:
                raise NotInStore("库中还没有抽样（先运行 lianhu sample draw）/ no sample in the store yet (lianhu sample draw)")
            drawn = pd.read_sql(sa.select(sample_households).where(sample_households.c.sample_id == row.sample_id), conn)
        return row._asdict(), drawn

    def save_answers(self, sample_id: int, answers: pd.DataFrame, source: str) -> int:
        """The survey sheets' answers, all or none (a household answered before is refused by the database)."""
        with self.transaction("samples") as conn:
            import_id = self._import(conn, "survey", source, len(answers))
            insert_frame(conn, sample_answers, answers.assign(sample_id=sample_id, import_id=import_id))
        return import_id

    def sample_answers(self, sample_id: int) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.select(sample_answers).where(sample_answers.c.sample_id == sample_id), conn)

    def sampled_answers(self, period: str) -> pd.DataFrame | None:
        """The answers of the latest sample of `period`, with each household's village (None: no sample answered)."""
        with self.engine.connect() as conn:
            sample_id = conn.execute(sa.select(sa.func.max(samples.c.sample_id)).where(samples.c.period == period)).scalar()
            if sample_id is None:
                return None
            return pd.read_sql(sa.select(sample_answers, sample_households.c.village_code).join(
                sample_households, (sample_households.c.sample_id == sample_answers.c.sample_id)
                & (sample_households.c.household_id == sample_answers.c.household_id))
                .where(sample_answers.c.sample_id == sample_id), conn)
