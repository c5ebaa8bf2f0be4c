"""One entry point for every pairing problem: check → build → planner's rules → solve → write back.

Without rules a pairing is a pure network, and the network engine (OR-Tools, exact integers) solves
it; with rules, or when the planner asks for CBC or HiGHS, the PuLP model does. Both reach the same
optimum level by level (tests hold them equal).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import pulp

from ..errors import PairingInputError
from .backends import SOLVER_LABELS
from .model import PairingModel, create_model, solve_levels
from .network import solve_network
from .problem import PairingOptions, SolveReport, SolverError, TransportProblem, TransportSolution

Rule = Callable[[PairingModel], None]


def available_engines() -> list[str]:
    """The engines this installation can run."""
    return ["auto", "network", "cbc"] + (["highs"] if "HiGHS" in pulp.listSolvers(onlyAvailable=True) else [])


def check_engine(options: PairingOptions, rules: Sequence[Rule] = ()) -> str:
    """The engine that will run ("network", "cbc" or "highs"); refuses at once what cannot run."""
    if options.engine == "highs" and "highs" not in available_engines():
        raise SolverError("未安装 HiGHS（pip install highspy）/ HiGHS is not installed (pip install highspy)")
    if options.engine == "network" and rules:
        raise SolverError("规划人员规则需要 PuLP 模型（cbc 或 highs），网络求解器无法处理 / "
                          "planner rules need the PuLP model (cbc or highs), not the network engine")
    if options.engine == "auto":
        return "cbc" if rules else "network"
    return options.engine


def solve_transport(problem: TransportProblem, options: PairingOptions | None = None, rules: Sequence[Rule] = (),
                    arcs: pd.DataFrame | None = None, fixed: pd.DataFrame | None = None,
                    pool: str = "") -> TransportSolution:
    """The optimal integer flows of `problem`, level by level (minimums, coverage by class,
    takeovers, distance), over ALL its allowed arcs.

    rules: the planner's own rules, functions that add PuLP constraints to the model (see `model`);
      `arcs` (one row per allowed arc) and `fixed` (pairs fixed beforehand) are what they read.
    The report says, per level, what was reached and whether it is proven; when a level fails the
    flows are the best pairing proven so far and the report's message says what happened.
    """
    options = options or PairingOptions()
    engine = check_engine(options, rules)
    problem.check()
    started = time.perf_counter()
    if engine == "network":
        flows, levels, message = solve_network(problem, options.km_resolution)
        label = "网络求解器 OR-Tools / network engine"
    else:
        model = create_model(problem, arcs, fixed, pool)
        apply_rules(model, rules)
        flows, levels, message = solve_levels(model, engine, options)
        label = SOLVER_LABELS[engine]
    report = SolveReport(label, levels, time.perf_counter() - started, len(problem.arc_km), mip=bool(rules),
                         message=message)
    assigned = np.bincount(problem.arc_supply, weights=flows, minlength=len(problem.capacity)).astype(np.int64)
    minimum = problem.minimum if problem.minimum is not None else np.zeros(len(problem.capacity), dtype=np.int64)
    carrying = np.flatnonzero(flows)
    return TransportSolution(carrying, flows[carrying], np.maximum(np.minimum(minimum, problem.capacity) - assigned, 0),
                             report)


def apply_rules(model: PairingModel, rules: Sequence[Rule]) -> None:
    """The planner's rules on the model; a rule that fails, or that names its variables like another,
    is refused in words (which rule, what went wrong) before anything is solved."""
    for rule in rules:
        name = getattr(rule, "__name__", repr(rule))
        try:
            rule(model)
        except Exception as failed:  # the planner's own code: say which rule and why, never a traceback
            raise PairingInputError.said(*[f"规划人员规则“{name}”出错 / the planner's rule {name!r} failed: "
                                     f"{type(failed).__name__}: {failed}"]) from None
    twice = sorted(name for name, count in Counter(v.name for v in model.lp.variables()).items() if count > 1)
    if twice:
        raise PairingInputError.said(*[f"规划人员规则中的变量重名 / variables named twice in the planner's rules: "
                                 f"{', '.join(twice[:10])}（每个变量须有自己的名字 / give each its own name）"])


__all__ = ["SolverError", "available_engines", "check_engine", "solve_transport"]
