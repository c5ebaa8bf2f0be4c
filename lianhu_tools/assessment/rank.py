"""How subjects are ranked (排名规则), in one place: the published files, the dashboard and the CLI all read the
ranks `ranked` computes with these functions.

Order, each step only between subjects equal on every step before it (higher first throughout):
1. the total (总分, as published: one decimal);
2. the indicators' points, in the order the indicator system lists them (one decimal), then the deductions'
   (fewer points deducted first);
3. the indicators' measured values, in the same order (two decimals): who did more beyond the target;
subjects still equal on all of these share the rank — competition ranking, 1, 1, 3 — and are marked 并列.
Their order on the page (by number) says nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

POINTS_DECIMALS, MEASURED_DECIMALS = 1, 2  # as published, and as compared
MEASURED = "{}_measured"  # the column of an indicator's measured value, beside its points (named by its id)

RULE_ZH = ("排名规则：先比总分；总分相同，依次比各项指标得分（按指标体系所列顺序），再比扣分（扣分少者在前）；"
           "仍相同，依次比各项指标的实际值（多者在前）；全部相同者名次相同，标“并列”（如 1、1、3），其先后按编号排列，不表示高低。")
RULE_EN = ("Ranking: by total; equal totals by each indicator's points in the order the indicator system lists them, "
           "then by deductions (fewer first); still equal, by each indicator's measured value (more first); subjects "
           "equal on all of these share the rank (1, 1, 3), marked 并列, listed by number.")


def tie_break(system: dict, kind: str) -> list[str]:
    """The columns a ranking compares, in order, all higher-first (see the module's text)."""
    spec = system[kind]
    indicators = [i["id"] for i in spec["indicators"]]
    deductions = [i["id"] for i in spec.get("deductions") or []]
    return ["total", *indicators, *deductions, *(MEASURED.format(i) for i in indicators)]


def competition_ranks(table: pd.DataFrame, columns: list[str], within: str | None = None) -> pd.Series:
    """Rank 1 for the best on `columns` (compared in order, higher first; missing values lowest), equal rows
    sharing a rank and the next rank skipping (1, 1, 3); within each group of column `within` when given."""
    if table.empty:
        return pd.Series([], index=table.index, dtype=int)
    keys = [table[c].astype(float).fillna(-np.inf).to_numpy() for c in columns]
    groups = pd.factorize(table[within])[0] if within else np.zeros(len(table), dtype=int)
    order = np.lexsort([-k for k in reversed(keys)] + [groups])  # group first, then the columns, best first
    sorted_keys = [k[order] for k in keys]
    sorted_groups = groups[order]
    new_group = np.r_[True, sorted_groups[1:] != sorted_groups[:-1]]
    differs = new_group.copy()
    for k in sorted_keys:
        differs[1:] |= k[1:] != k[:-1]
    position = np.arange(len(order))
    group_start = np.maximum.accumulate(np.where(new_group, position, 0))
    rank_start = np.maximum.accumulate(np.where(differs, position, 0))
    ranks = np.empty(len(order), dtype=int)
    ranks[order] = rank_start - group_start + 1
    return pd.Series(ranks, index=table.index)


def shared(ranks: pd.Series, within: pd.Series | None = None) -> pd.Series:
    """Which subjects share their rank with another (并列)."""
    frame = pd.DataFrame({"rank": ranks, "group": 0 if within is None else within})
    return frame.duplicated(["group", "rank"], keep=False)
