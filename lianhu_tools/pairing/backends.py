"""The solvers behind the PuLP model: CBC (bundled with PuLP 3) and HiGHS (highspy), quietly, with
their time limit, their proof and their gap read back in words a planner can act on."""

from __future__ import annotations

import math
import os
import re
import sys
import tempfile
import warnings
from contextlib import contextmanager

import pulp

from .problem import SolverError

SOLVER_LABELS = {"cbc": "PuLP + CBC", "highs": "PuLP + HiGHS"}


def make_solver(name: str, time_limit_s: float, log_path: str | None = None, warm: bool = False):
    """CBC (bundled with PuLP 3) or HiGHS (highspy); `warm`: start from the variables' values."""
    if name == "cbc":
        return pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit_s, gapRel=0, logPath=log_path, warmStart=warm)
    if name == "highs":
        return pulp.HiGHS(msg=False, timeLimit=time_limit_s, gapRel=0)
    raise SolverError(f"unknown solver {name!r}")


def solve_lp(lp: pulp.LpProblem, solver: str, time_limit_s: float, warm: bool = False) -> tuple[bool, float]:
    """Solve; (proven optimal, relative gap, NaN when unknown). Raises SolverError, in words, when
    there is no pairing: no pairing keeps the rules, or the time limit came first."""
    with tempfile.TemporaryDirectory() as folder:
        log = os.path.join(folder, "cbc.log") if solver == "cbc" else None
        try:
            with _quiet_stdout(), warnings.catch_warnings():  # HiGHS prints its banner to the process's stdout
                warnings.simplefilter("ignore", DeprecationWarning)  # PuLP 3 names CBC's successor; 3.x bundles CBC
                status = lp.solve(make_solver(solver, time_limit_s, log, warm))
        except pulp.PulpSolverError as failed:
            raise SolverError(f"求解器出错 / the solver failed: {failed}") from None
        text = open(log, encoding="utf-8", errors="replace").read() if log and os.path.exists(log) else ""
    if lp.sol_status == pulp.LpSolutionOptimal:
        return True, 0.0
    if lp.sol_status == pulp.LpSolutionIntegerFeasible:
        return False, _gap(lp, solver, text)
    if pulp.LpStatus[status] == "Infeasible":
        raise SolverError("没有满足全部规则的方案（规划人员的规则是否互相矛盾？）/ no pairing keeps every rule "
                          "(do the planner's rules contradict each other?)")
    raise SolverError(f"在时间上限 {time_limit_s:g} 秒内未找到方案（{pulp.LpStatus[status]}），可提高 time_limit_s / "
                      f"no pairing found within the time limit of {time_limit_s:g} s ({pulp.LpStatus[status]})")


def _gap(lp: pulp.LpProblem, solver: str, log: str) -> float:
    if solver == "highs" and getattr(lp, "solverModel", None) is not None:
        return abs(float(lp.solverModel.getInfo().mip_gap))
    found = re.findall(r"Gap:\s*([0-9.eE+-]+)", log)
    return abs(float(found[-1])) if found else math.nan


@contextmanager
def _quiet_stdout():
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
