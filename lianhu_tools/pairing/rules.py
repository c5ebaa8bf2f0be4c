"""Ready-made planner rules for the PuLP model; each is also an example of writing one's own.

A rule is a function `rule(model)` that adds PuLP constraints (see `pairing.model`). Poor and
party-member households are separate problems (pools), so a rule applies within each pool.

    from lianhu_tools.pairing.rules import at_most_villages_per_cadre
    match_households(rosters, policy, links=links, rules=[at_most_villages_per_cadre(1)])
"""

from __future__ import annotations

import itertools

import pandas as pd
import pulp

from .model import PairingModel


def at_most_villages_per_cadre(most: int):
    """In each pool, a cadre's households lie in at most `most` villages (those of pairs fixed before
    count too)."""

    def rule(model: PairingModel) -> None:
        names = itertools.count()
        prefix = f"{rule.__name__}_{id(rule):x}"  # its own variable names, whatever other rules call theirs
        fixed = model.fixed if "village_code" in model.fixed else pd.DataFrame(columns=["cadre_id", "village_code"])
        for cadre, own in model.arcs.groupby("cadre_id", sort=False):
            already = set(fixed.loc[fixed["cadre_id"] == cadre, "village_code"])
            new = own[~own["village_code"].isin(already)]
            if new["village_code"].nunique() <= most - len(already):
                continue
            uses = []
            for village, rows in new.groupby("village_code", sort=False):
                serves = model.lp.add_variable(f"{prefix}_{next(names)}", cat=pulp.LpBinary)
                model.lp += pulp.lpSum(model.flow[rows.index]) <= int(rows["slots"].iloc[0]) * serves
                uses.append(serves)
            model.lp += pulp.lpSum(uses) <= max(most - len(already), 0)

    rule.__name__ = f"at_most_{most}_villages_per_cadre"
    return rule


def only_linked_villages(links: pd.DataFrame):
    """No cadre takes households in a village that its own unit does not link."""
    allowed = set(zip(links["unit_id"].astype(str), links["village_code"].astype(str)))

    def rule(model: PairingModel) -> None:
        outside = [k for k, pair in enumerate(zip(model.arcs["unit_id"], model.arcs["village_code"])) if pair not in allowed]
        for variable in model.flow.iloc[outside]:
            variable.upBound = 0

    rule.__name__ = "only_linked_villages"
    return rule
