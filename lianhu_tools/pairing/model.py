"""The pairing as a PuLP model: the statement a planner can read and extend with rules of their own.

    model = create_model(problem, arcs)        # variables and the rules every pairing keeps
    for rule in extra_rules: rule(model)       # the planner's own rules, as PuLP constraints
    flows, levels, message = solve_levels(model, solver, options)

The levels (see `levels`) are solved one after the other: each level's objective has coefficients
0, 1 or whole decimetres, and its optimum is kept as a constraint for the next. Numbers stay small,
so CBC and HiGHS work well inside their tolerances. Variables are integers: a planner's rules may
break the network structure, and then the model is a MIP whose gap is reported per level.

A rule is a function of the model. It reads `model.arcs` (one row per allowed pair of groups, with
the columns the caller describes, e.g. cadre_id, unit_id, rank, village_code, household_class,
distance_km) and adds constraints on `model.flow` (the PuLP variable of each row: how many members
of that demand group the supply group takes):

    def at_most_two_villages(model):
        for cadre, own in model.arcs.groupby("cadre_id"):
            ...
            model.lp += pulp.lpSum(model.flow[own.index]) <= ...
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pulp

from .backends import solve_lp
from .levels import Level, distance_units, level_results, levels_of, standing
from .problem import LevelResult, PairingOptions, SolverError, TransportProblem


@dataclass
class PairingModel:
    """The PuLP model of one pairing problem."""

    problem: TransportProblem
    arcs: pd.DataFrame  # one row per allowed arc: supply, demand, distance_km and the caller's columns
    lp: pulp.LpProblem = field(default_factory=lambda: pulp.LpProblem("pairing", pulp.LpMaximize))
    flow: pd.Series = field(default_factory=lambda: pd.Series(dtype=object))  # variable per row of `arcs`
    shortfall: dict[int, pulp.LpVariable] = field(default_factory=dict)  # per supply group with a minimum
    fixed: pd.DataFrame = field(default_factory=pd.DataFrame)  # pairs fixed before solving (locks, pins)
    pool: str = ""  # which problem this is, e.g. "poor" or "party"

    def supply_rows(self) -> list[np.ndarray]:
        """Rows of `arcs` per supply group."""
        return _rows_by(self.problem.arc_supply, len(self.problem.capacity))

    def demand_rows(self) -> list[np.ndarray]:
        """Rows of `arcs` per demand group."""
        return _rows_by(self.problem.arc_demand, len(self.problem.demand))


def create_model(problem: TransportProblem, arcs: pd.DataFrame | None = None, fixed: pd.DataFrame | None = None,
                 pool: str = "") -> PairingModel:
    """The model with every rule a pairing keeps; the objective is set per level by `solve_levels`."""
    table = pd.DataFrame({"supply": problem.arc_supply, "demand": problem.arc_demand, "distance_km": problem.arc_km})
    if arcs is not None:
        table = pd.concat([table, arcs.drop(columns=[c for c in table if c in arcs]).reset_index(drop=True)], axis=1)
    model = PairingModel(problem, table, fixed=fixed if fixed is not None else pd.DataFrame(), pool=pool)
    define_flow(model)
    define_slot_limits(model)
    define_member_limits(model)
    define_minimums(model)
    return model


def define_flow(model: PairingModel) -> None:
    """One integer variable per allowed arc: members of the demand group taken by the supply group."""
    p = model.problem
    upper = np.minimum(p.capacity[p.arc_supply], p.demand[p.arc_demand])
    model.flow = pd.Series([model.lp.add_variable(f"x{k}", 0, int(u), cat=pulp.LpInteger) for k, u in enumerate(upper)],
                           index=model.arcs.index, dtype=object)


def define_slot_limits(model: PairingModel) -> None:
    """A supply group takes at most its slots."""
    for group, rows in enumerate(model.supply_rows()):
        if len(rows):
            model.lp += _sum(model.flow.to_numpy()[rows]) <= int(model.problem.capacity[group]), f"slots_{group}"


def define_member_limits(model: PairingModel) -> None:
    """A demand group is taken at most once per member (one cadre per household, one unit per village)."""
    for group, rows in enumerate(model.demand_rows()):
        if len(rows):
            model.lp += _sum(model.flow.to_numpy()[rows]) <= int(model.problem.demand[group]), f"members_{group}"


def define_minimums(model: PairingModel) -> None:
    """The slots a supply group falls below its minimum (a variable the first level minimises)."""
    p = model.problem
    if p.minimum is None:
        return
    rows = model.supply_rows()
    for group in np.flatnonzero(p.minimum):
        short = model.lp.add_variable(f"short_{group}", 0)
        model.shortfall[int(group)] = short
        need = int(min(p.minimum[group], p.capacity[group]))
        model.lp += _sum(model.flow.to_numpy()[rows[group]]) + short >= need, f"minimum_{group}"


def level_objectives(model: PairingModel, options: PairingOptions) -> list[tuple[Level, pulp.LpAffineExpression, int]]:
    """Each level's objective and sense (+1 maximise, -1 minimise), in priority order (`levels_of`)."""
    p, x = model.problem, model.flow.to_numpy()
    units = distance_units(p, options.km_resolution)
    expression = {
        "minimums": lambda level: (_sum(list(model.shortfall.values())), -1),
        "coverage": lambda level: (_sum(x[np.flatnonzero(p.value[p.arc_demand] == level.value)]), +1),
        "takeover": lambda level: (_sum(x[np.flatnonzero(p.arc_bonus)]), +1),
        "distance": lambda level: (pulp.LpAffineExpression(zip(x.tolist(), units.tolist())), -1)}
    return [(level, *expression[level.name](level)) for level in levels_of(p)]


def solve_levels(model: PairingModel, solver: str, options: PairingOptions) -> tuple[np.ndarray, list[LevelResult], str]:
    """Solve the levels in order, each optimum kept as a constraint for the next. A level that fails
    leaves the best pairing proven so far; a level stopped by the time limit keeps its pairing and gap,
    and the levels after it are not proven either."""
    p = model.problem
    flows = np.zeros(len(p.arc_km), dtype=np.int64)
    solved: list[tuple[bool, float]] = []  # (proven, gap) per level solved
    message = ""
    for k, (level, objective, sense) in enumerate(level_objectives(model, options)):
        model.lp.sense = pulp.LpMaximize if sense > 0 else pulp.LpMinimize
        model.lp.setObjective(objective)
        try:
            solved.append(solve_lp(model.lp, solver, options.time_limit_s, warm=k > 0))
        except SolverError as failed:
            message = str(failed)
            break
        flows = np.array([round(v.varValue or 0) for v in model.flow], dtype=np.int64)
        if level.name != "distance":  # keep this level's optimum for the next
            reached = round(pulp.value(objective) or 0)
            model.lp += (objective >= reached) if sense > 0 else (objective <= reached), f"level_{k}_{level.name}"
    levels = level_results(p, standing(p, flows, options.km_resolution), options.km_resolution)
    trusted = True  # a level rests on every level before it
    for k, level in enumerate(levels):
        if k < len(solved):
            level.gap = solved[k][1]
            level.note = "" if solved[k][0] else "达到时间上限 / time limit reached"
            trusted &= solved[k][0]
        else:
            trusted, level.note = False, message or "未求解 / not solved"
        level.proven = trusted
    return flows, levels, message


def _sum(variables) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression([(v, 1) for v in variables])


def _rows_by(owner: np.ndarray, size: int) -> list[np.ndarray]:
    order = np.argsort(owner, kind="stable")
    bounds = np.searchsorted(np.asarray(owner)[order], np.arange(size + 1))
    return [order[bounds[k]:bounds[k + 1]] for k in range(size)]
