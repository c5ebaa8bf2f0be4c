"""What Voilà serves to leaders (`lianhu dashboard`): `dashboard.ipynb` and its template (`voila/`, shipped as
package data), and `open_dashboard`, the one call the notebook makes."""

from __future__ import annotations

import os

from ..demo.pipeline import demo_dashboard
from ..policy import load_policy
from ..store import Store
from ..widgets.dashboard import Dashboard


def open_dashboard(db: str | None = None, size: str = "small") -> Dashboard:
    """The dashboard on a store (`db`, else the LIANHU_DB variable that `lianhu dashboard` sets), with the
    policy file of LIANHU_POLICY if set; on a demo city of `size` when there is no store."""
    db = db or os.environ.get("LIANHU_DB")
    if not db:
        return demo_dashboard(size)
    policy = load_policy(os.environ["LIANHU_POLICY"]) if os.environ.get("LIANHU_POLICY") else None
    return Dashboard(Store(db, create=False), policy=policy)
