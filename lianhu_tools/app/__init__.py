"""What Voilà serves to leaders (`lianhu dashboard`): `dashboard.ipynb` and its template (`voila/`, shipped as
package data), and `open_dashboard`, the one call the notebook makes; `open_workspace`, what the planners'
notebooks start from: the city's store, or a demo city when there is none."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..rosters import Rosters
from ..policy import load_policy
from ..store import Store
from ..widgets.dashboard import Dashboard


def open_dashboard(db: str | None = None, size: str = "small") -> Dashboard:
    """The dashboard on a store (`db`, else the LIANHU_DB variable that `lianhu dashboard` sets), with the
    policy file of LIANHU_POLICY if set; on a demo city of `size` when there is no store."""
    db = db or os.environ.get("LIANHU_DB")
    if not db:
        from ..demo.pipeline import demo_dashboard  # the demo (its pairing solvers among it) only when there is no store

        return demo_dashboard(size)
    policy = load_policy(os.environ["LIANHU_POLICY"]) if os.environ.get("LIANHU_POLICY") else None
    return Dashboard(Store(db, create=False), policy=policy)


@dataclass
class Workspace:
    """What a planner's notebook works on: a store, its latest rosters and current pairings and teams."""

    store: Store
    rosters: Rosters
    links: pd.DataFrame
    pairs: pd.DataFrame
    teams: pd.DataFrame
    demo: bool  # True: a demo city in a fresh temporary store, not the city's own
    folder: Path | None = None  # the demo's files


def open_workspace(db: str | None = None, size: str = "small", assess: tuple[str, ...] = ()) -> Workspace:
    """The city's store (`db`, else the LIANHU_DB variable `lianhu lab --db` sets) with its latest rosters; when
    there is none, a demo city of `size` in a fresh store, its year recorded (and the periods of `assess` assessed)."""
    db = db or os.environ.get("LIANHU_DB")
    if db:
        store = Store(db, create=False)
        return Workspace(store, store.rosters(), store.current("links"), store.current("pairings"), store.teams(), False)
    from ..demo.pipeline import start_demo_year

    year = start_demo_year(size, assess=assess)
    return Workspace(year.store, year.rosters, year.links, year.pairs, year.teams, True, year.folder)
