"""The optimisation core: a capacitated transportation problem between groups, solved with PuLP.

Supply groups (cadres or units at one place, with slots) serve demand groups (households or villages
at one place, of one class). Every allowed arc is known as arrays, but the LP holds only candidate
arcs: the nearest few per group. After each solve, reduced-cost pricing with the LP's duals checks
every allowed arc left out; arcs that could improve the objective are added and the LP re-solved,
until none can — so the result is optimal over ALL allowed arcs, and says so.

Priorities are lexicographic and encoded exactly in one objective: one more unit of covered demand
(times its class value) outweighs any bonus, and one bonus any amount of distance. The constraint
matrix is a network matrix (totally unimodular), so the LP optimum is integral.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pulp
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import NegativeCycleError, bellman_ford, connected_components, maximum_flow

CANDIDATES_PER_GROUP = 6  # initial arcs per demand group and per supply group
ADDED_PER_ROUND = 10  # improving arcs added per demand group and per supply group per pricing round
BATCH_ARCS = 250_000  # candidate arcs per LP; independent components are packed up to this
MAX_ROUNDS = 50
KEPT_PER_GROUP = 8  # CBC re-solves from scratch: idle arcs beyond the best few per group leave its LP
JACOBI_PASSES = 3_000  # passes of the vectorised Bellman-Ford before scipy's takes over
KM_RESOLUTION = 1e-4  # distances enter the objective in whole tenths of a metre
ALL_ARCS_UP_TO = 50_000  # a batch with no more allowed arcs than this holds them all (nothing to price)
FLOW_SUPPORT = True  # start pricing from the arcs of maximum flows (see _Batch._flow_support)
FLOW_RADIUS_QUANTILES = (0.02, 0.05, 0.15, 1.0)  # of the allowed arcs' lengths


@dataclass
class TransportProblem:
    """Groups and allowed arcs; all arrays are numpy."""

    capacity: np.ndarray  # slots of each supply group
    demand: np.ndarray  # members of each demand group
    value: np.ndarray  # priority of covering one member of a demand group (e.g. 2 absolute-poor, 1 low-income)
    arc_supply: np.ndarray
    arc_demand: np.ndarray
    arc_km: np.ndarray
    arc_bonus: np.ndarray | None = None  # 1 where an arc is preferred over any distance (e.g. same unit)
    minimum: np.ndarray | None = None  # slots each supply group should fill (soft, penalised above all)


@dataclass
class SolveReport:
    """What the solver did, for the planner and the bench."""

    solver: str
    status: str = "Optimal"
    objective: float = 0.0
    bound: float = 0.0  # upper bound over ALL allowed arcs (the LP optimum + what left-out arcs could add)
    seconds: float = 0.0
    lps: int = 0
    pricing_rounds: int = 0
    arcs_allowed: int = 0
    arcs_in_model: int = 0
    proven_optimal: bool = True  # no left-out arc has a positive reduced cost

    @property
    def gap(self) -> float:
        return abs(self.bound - self.objective) / max(1.0, abs(self.objective))


@dataclass
class TransportSolution:
    arc: np.ndarray  # indices of allowed arcs that carry flow
    flow: np.ndarray  # integer flow on each
    shortfall: np.ndarray  # per supply group: minimum not reached
    report: SolveReport = field(default_factory=lambda: SolveReport("none"))


class SolverError(RuntimeError):
    pass


def solver_names() -> list[str]:
    return ["cbc", *(["highs"] if "HiGHS" in pulp.listSolvers(onlyAvailable=True) else [])]


def make_solver(name: str = "auto"):
    """CBC (bundled with PuLP) by default; HiGHS when asked for and installed."""
    if name in ("auto", "cbc"):
        return pulp.PULP_CBC_CMD(msg=False)
    if name == "highs":
        if "highs" not in solver_names():
            raise SolverError("HiGHS is not installed (pip install highspy)")
        return pulp.HiGHS(msg=False)
    raise SolverError(f"unknown solver {name!r}: cbc or highs")


def solve_transport(problem: TransportProblem, solver: str = "auto") -> TransportSolution:
    started = time.perf_counter()
    report = SolveReport(solver="highs" if solver == "highs" else "cbc", arcs_allowed=len(problem.arc_km))
    flows = np.zeros(len(problem.arc_km), dtype=np.int64)
    shortfall = np.zeros(len(problem.capacity), dtype=np.int64)
    for supplies, demands, arcs in _batches(problem):
        batch = _Batch(problem, supplies, demands, arcs, solver)
        batch.solve(report)
        flows[arcs] = batch.flows
        shortfall[supplies] = batch.shortfall
        report.objective += batch.objective
        report.bound += batch.objective + batch.bound_slack
    report.seconds = time.perf_counter() - started
    carrying = np.flatnonzero(flows)
    return TransportSolution(carrying, flows[carrying], shortfall, report)


def _batches(problem: TransportProblem):
    """Independent components of the arc graph, packed into LPs of bounded size."""
    n_s, n_d = len(problem.capacity), len(problem.demand)
    graph = coo_matrix((np.ones(len(problem.arc_km)), (problem.arc_supply, n_s + problem.arc_demand)),
                       shape=(n_s + n_d, n_s + n_d))
    _, label = connected_components(graph, directed=False)
    arc_label = label[problem.arc_supply]
    arcs_per_label = np.bincount(arc_label, minlength=label.max() + 1)
    # candidate arcs are what the LP holds; estimate them by the allowed arcs, capped per group
    weight = np.minimum(arcs_per_label, np.bincount(label, minlength=len(arcs_per_label)) * CANDIDATES_PER_GROUP)
    batch_of_label = np.full(len(arcs_per_label), -1)
    batch, filled = 0, 0
    needs_model = np.zeros(len(arcs_per_label), dtype=bool)
    needs_model[arc_label] = True
    if problem.minimum is not None:
        needs_model[label[:n_s][problem.minimum > 0]] = True
    for lab in np.flatnonzero(needs_model):
        if filled and filled + weight[lab] > BATCH_ARCS:
            batch, filled = batch + 1, 0
        batch_of_label[lab] = batch
        filled += weight[lab]
    for b in range(batch + 1 if needs_model.any() else 0):
        in_batch = batch_of_label == b
        yield (np.flatnonzero(in_batch[label[:n_s]]), np.flatnonzero(in_batch[label[n_s:]]),
               np.flatnonzero(in_batch[arc_label]))
    # supply groups with a minimum but no arc at all are solved above (they fall short); the rest need no LP


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


def _shortest_paths_from_anywhere(n: int, tail: np.ndarray, head: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Shortest path lengths from a virtual node joined to every node at cost 0: Bellman-Ford, all
    arcs relaxed at once per pass, stopping when a pass changes nothing (the passes needed are the
    arcs on the longest shortest path, far fewer than n). After JACOBI_PASSES it hands over to
    scipy's, which proves a negative cycle if there is one."""
    order = np.argsort(head, kind="stable")
    tail, head, cost = tail[order], head[order], cost[order]
    starts = np.flatnonzero(np.r_[True, head[1:] != head[:-1]]) if len(head) else np.zeros(0, dtype=np.int64)
    heads = head[starts]
    distance = np.zeros(n)
    for _ in range(JACOBI_PASSES):
        best = np.minimum(distance[heads], np.minimum.reduceat(distance[tail] + cost, starts)) if len(starts) else distance[heads]
        if np.array_equal(best, distance[heads]):
            return distance
        distance[heads] = best
    graph = csr_matrix((np.r_[cost, np.zeros(n)], (np.r_[tail, np.full(n, n)], np.r_[head, np.arange(n)])), shape=(n + 1,) * 2)
    return bellman_ford(graph, indices=n)[:n]


def _integral(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    flows = np.rint(values).astype(np.int64)
    if np.abs(values - flows).max(initial=0) > 1e-6:
        raise SolverError("the LP solution is not integral (numerical trouble)")
    return flows


class _Batch:
    """One LP over some independent components, with its pricing loop."""

    def __init__(self, problem: TransportProblem, supplies, demands, arcs, solver: str):
        self.p, self.solver = problem, solver
        self.supplies, self.demands, self.arcs = supplies, demands, arcs
        s_index = np.full(len(problem.capacity), -1)
        s_index[supplies] = np.arange(len(supplies))
        d_index = np.full(len(problem.demand), -1)
        d_index[demands] = np.arange(len(demands))
        self.s, self.d = s_index[problem.arc_supply[arcs]], d_index[problem.arc_demand[arcs]]
        self.km = problem.arc_km[arcs]
        self.capacity, self.demand = problem.capacity[supplies], problem.demand[demands]
        self.minimum = (problem.minimum[supplies] if problem.minimum is not None
                        else np.zeros(len(supplies), dtype=np.int64))
        bonus = problem.arc_bonus[arcs] if problem.arc_bonus is not None else np.zeros(len(arcs))
        self.coef = self._objective(problem.value[demands], bonus)

    def _objective(self, value: np.ndarray, bonus: np.ndarray) -> np.ndarray:
        """Exact lexicographic weights, as small as the proof allows (so the duals stay precise).

        Two integral flows differ by paths and cycles of the residual network, each of which can be
        applied alone; a path passes each group at most once, so it changes at most `steps` =
        min(#supply, #demand groups) arcs. One unit of coverage (weight `unit`) therefore outweighs
        any change of bonus and distance along a path, one bonus any change of distance, and one
        slot below a minimum (`penalty`) any change of coverage."""
        steps = float(min(len(self.supplies), len(self.demand)))
        metres = np.rint(self.km / KM_RESOLUTION)  # integral costs: exact arithmetic, exact potentials
        longest = float(metres.max(initial=0.0)) + 1.0
        bonus_weight = steps * longest if bonus.any() else 0.0
        self.unit = steps * (bonus_weight + longest) + 1.0
        self.penalty = self.unit * (2 * float(value.max(initial=1.0)) + 1)  # per slot below a minimum
        return self.unit * value[self.d] + bonus_weight * bonus - metres

    def solve(self, report: SolveReport) -> None:
        """PuLP builds and solves the LP on the candidates; pricing adds arcs until none can improve it.
        With HiGHS the added arcs go into the live model, re-solved from the last basis (warm start);
        CBC re-solves from scratch."""
        in_model = self._initial_candidates()
        self.pruned = np.zeros(len(self.arcs), dtype=bool)
        x, duals = self._solve_lp(in_model, report)
        for _ in range(MAX_ROUNDS):
            improving = self._price(in_model, duals, x)
            if not len(improving):
                break
            if self.solver != "highs" and self.exact is not None:  # CBC re-solves from scratch: keep its LP small
                in_model[self._unpromising(in_model, x, *self.exact)] = False
            in_model[improving] = True
            report.pricing_rounds += 1
            x, duals = self._resolve_highs(improving, report) if self.solver == "highs" else \
                self._solve_lp(in_model, report)
        else:
            report.proven_optimal = False
        report.arcs_in_model += int(in_model.sum())
        self.bound_slack = self.slack
        self.flows = np.zeros(len(self.arcs), dtype=np.int64)
        self.flows[self.columns] = x
        assigned = np.bincount(self.s, weights=self.flows, minlength=len(self.supplies)).astype(np.int64)
        self.shortfall = np.maximum(self.minimum - assigned, 0)
        self.objective = float((self.coef * self.flows).sum() - self.penalty * self.shortfall.sum())

    def _initial_candidates(self) -> np.ndarray:
        if len(self.arcs) <= ALL_ARCS_UP_TO:
            return np.ones(len(self.arcs), dtype=bool)
        chosen = self._flow_support() if FLOW_SUPPORT else np.zeros(len(self.arcs), dtype=bool)
        for owner in (self.d, self.s):
            order = np.lexsort((-self.coef, owner))
            first = np.searchsorted(owner[order], owner[order], side="left")
            chosen[order[np.arange(len(order)) - first < CANDIDATES_PER_GROUP]] = True
        return chosen

    def _flow_support(self) -> np.ndarray:
        """Arcs carrying maximum flows over ALL allowed arcs (scipy's Dinic, fast): for the highest
        class alone and for all, within growing radii, and into the minimums. With them the first LP
        already reaches (nearly) the best coverage, which pricing alone finds only slowly, a few
        arcs at a time, along long chains of reassignments."""
        n_s, n_d = len(self.supplies), len(self.demand)
        source, sink = n_s + n_d, n_s + n_d + 1
        value = self.p.value[self.demands]
        layers = [(self.capacity, value >= level) for level in np.unique(value)[::-1]]
        if self.minimum.any():
            layers.append((self.minimum, np.ones(n_d, dtype=bool)))
        radii = np.quantile(self.km, FLOW_RADIUS_QUANTILES)
        rows = np.concatenate([np.full(n_s, source), self.s, n_s + np.arange(n_d)])
        cols = np.concatenate([np.arange(n_s), n_s + self.d, np.full(n_d, sink)])
        arc_capacity = np.minimum(self.capacity[self.s], self.demand[self.d])
        chosen = np.zeros(len(self.arcs), dtype=bool)
        for supply, wanted in layers:
            for radius in radii:
                capacity = np.concatenate([supply, np.where(self.km <= radius, arc_capacity, 0),
                                           np.where(wanted, self.demand, 0)])
                graph = csr_matrix((capacity.astype(np.int32), (rows, cols)), shape=(n_s + n_d + 2,) * 2)
                flow = maximum_flow(graph, source, sink, method="dinic").flow.tocsr()
                chosen |= np.asarray(flow[self.s, n_s + self.d]).ravel() > 0
        return chosen

    def _solve_lp(self, in_model: np.ndarray, report: SolveReport):
        idx = np.flatnonzero(in_model)
        prob = pulp.LpProblem("pairing", pulp.LpMaximize)
        x = [prob.add_variable(f"x{i}", lowBound=0) for i in range(len(idx))]
        short = [prob.add_variable(f"short{k}", lowBound=0) for k in range(len(self.supplies))]
        objective = list(zip(x, self.coef[idx].tolist()))
        objective += [(short[k], -self.penalty) for k in np.flatnonzero(self.minimum)]
        prob.setObjective(pulp.LpAffineExpression(objective))
        s, d = self.s[idx], self.d[idx]
        rows = {}
        for name, owner, size, rhs, sense in (("cap", s, len(self.supplies), self.capacity, pulp.LpConstraintLE),
                                              ("dem", d, len(self.demand), self.demand, pulp.LpConstraintLE)):
            order = np.argsort(owner, kind="stable")
            bounds = np.searchsorted(owner[order], np.arange(size + 1))
            for k in range(size):
                members = order[bounds[k]:bounds[k + 1]]
                if len(members):
                    rows[name, k] = pulp.LpConstraint(pulp.LpAffineExpression([(x[i], 1) for i in members]), sense,
                                                      f"{name}{k}", float(rhs[k]))
                    prob.addConstraint(rows[name, k])
            if name == "cap":
                for k in np.flatnonzero(self.minimum):
                    members = order[bounds[k]:bounds[k + 1]]
                    rows["min", k] = pulp.LpConstraint(
                        pulp.LpAffineExpression([(x[i], 1) for i in members] + [(short[k], 1)]),
                        pulp.LpConstraintGE, f"min{k}", float(self.minimum[k]))
                    prob.addConstraint(rows["min", k])
        with _quiet_stdout():  # HiGHS prints its banner straight to the process's stdout
            status = prob.solve(make_solver(self.solver))
        report.lps += 1
        if pulp.LpStatus[status] != "Optimal":
            raise SolverError(f"the LP solver ended with status {pulp.LpStatus[status]}")
        self.prob, self.rows, self.columns, self.variables = prob, rows, idx, x
        sign = -1.0 if self.solver == "highs" else 1.0  # HiGHS reports duals of a maximisation negated
        return _integral([v.varValue or 0.0 for v in x]), {key: sign * (row.pi or 0.0) for key, row in rows.items()}

    def _resolve_highs(self, added: np.ndarray, report: SolveReport):
        """Add arcs as columns of the live HiGHS model (built by PuLP) and re-solve from its basis."""
        import highspy

        model = self.prob.solverModel
        row = {key: constraint.index for key, constraint in self.rows.items()}
        indices, starts = [], []
        for arc in added:
            starts.append(len(indices))
            keys = [("cap", self.s[arc]), ("dem", self.d[arc])] + ([("min", self.s[arc])] if ("min", self.s[arc]) in row else [])
            indices += [row[k] for k in keys if k in row]
        n = len(added)
        if not hasattr(self, "col_index"):
            self.col_index = np.array([v.index for v in self.variables])  # PuLP orders columns by name
        first = model.getNumCol()
        model.addCols(n, -self.coef[added], np.zeros(n), np.full(n, highspy.kHighsInf), len(indices),
                      np.array(starts, dtype=np.int32), np.array(indices, dtype=np.int32), np.ones(len(indices)))
        model.setOptionValue("presolve", "off")  # keep the basis: a warm start, not a fresh solve
        model.run()
        report.lps += 1
        if model.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"HiGHS ended with status {model.modelStatusToString(model.getModelStatus())}")
        self.columns = np.concatenate([self.columns, added])
        self.col_index = np.concatenate([self.col_index, np.arange(first, first + n)])
        solution = model.getSolution()
        dual = np.asarray(solution.row_dual)
        return _integral(np.asarray(solution.col_value)[self.col_index]), {key: -float(dual[i]) for key, i in row.items()}

    def _potentials(self, duals: dict) -> tuple[np.ndarray, np.ndarray]:
        u = np.zeros(len(self.supplies))
        v = np.zeros(len(self.demand))
        for (name, k), value in duals.items():
            if name in ("cap", "min"):  # both rows hold the supply group's arcs
                u[k] += value
            else:
                v[k] = value
        return u, v

    def _exact_potentials(self, in_model: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Node potentials of the LP's solution computed exactly from its flows, as shortest paths in
        the residual network (Bellman-Ford; no negative cycle as the solution is optimal on its arcs).
        CBC prints duals to 8 significant digits, too few to price arcs to the metre; this does not."""
        n_s, n_d = len(self.supplies), len(self.demand)
        root = n_s + n_d
        flows = np.zeros(len(in_model))
        flows[self.columns] = x
        inside = np.flatnonzero(in_model)
        carrying = inside[flows[inside] > 0]
        assigned = np.bincount(self.s, weights=flows, minlength=n_s)
        covered = np.bincount(self.d, weights=flows, minlength=n_d)
        supply, demand = np.arange(n_s), n_s + np.arange(n_d)
        below = assigned < self.minimum
        more, less = assigned < self.capacity, assigned > 0
        tail = [self.s[inside], n_s + self.d[carrying], np.full(more.sum(), root), supply[less],
                demand[covered < self.demand], np.full((covered > 0).sum(), root)]
        head = [n_s + self.d[inside], self.s[carrying], supply[more], np.full(less.sum(), root),
                np.full((covered < self.demand).sum(), root), demand[covered > 0]]
        cost = [-self.coef[inside], self.coef[carrying], np.where(below, -self.penalty, 0.0)[more],
                np.where(assigned <= self.minimum, self.penalty, 0.0)[less] * (self.minimum[less] > 0),
                np.zeros((covered < self.demand).sum()), np.zeros((covered > 0).sum())]
        distance = _shortest_paths_from_anywhere(root + 1, *map(np.concatenate, (tail, head, cost)))
        return distance[:n_s], distance[n_s:root]

    def _unpromising(self, in_model: np.ndarray, x: np.ndarray, supply: np.ndarray, demand: np.ndarray) -> np.ndarray:
        """Arcs in the LP that carry nothing and are not among the KEPT_PER_GROUP best (by reduced
        cost) of their supply or demand group: they leave the LP, and come back for good (so that
        pricing cannot cycle) if pricing ever finds them useful."""
        carrying = np.zeros(len(in_model), dtype=bool)
        carrying[self.columns[x > 0]] = True
        inside = np.flatnonzero(in_model)
        reduced = self.coef[inside] - supply[self.s[inside]] + demand[self.d[inside]]
        kept = carrying[inside] | self.pruned[inside]
        for owner in (self.d[inside], self.s[inside]):
            order = np.lexsort((-reduced, owner))
            first = np.searchsorted(owner[order], owner[order], side="left")
            kept[order[np.arange(len(order)) - first < KEPT_PER_GROUP]] = True
        drop = inside[~kept]
        self.pruned[drop] = True
        return drop

    def _price(self, in_model: np.ndarray, duals: dict, x: np.ndarray) -> np.ndarray:
        """Left-out arcs whose reduced cost is positive: they could improve the objective."""
        out = np.flatnonzero(~in_model)
        if not len(out):
            self.slack = 0.0
            return out
        try:
            self.exact = supply, demand = self._exact_potentials(in_model, x)
            reduced = self.coef[out] - supply[self.s[out]] + demand[self.d[out]]
            tolerance = 0.5  # costs and potentials are whole numbers
        except NegativeCycleError:  # the LP solver stopped within its tolerance, short of exact: use its duals
            self.exact = None
            u, v = self._potentials(duals)
            reduced = self.coef[out] - u[self.s[out]] - v[self.d[out]]
            # CBC prints duals to 8 significant digits; below that, a reduced cost is noise
            digits = 1e-9 if self.solver == "highs" else 2e-7
            tolerance = digits * max(1.0, float(np.abs(u).max(initial=0)), float(np.abs(v).max(initial=0))) + 1e-7
        # what the bound may still gain from left-out arcs (Lagrangian bound: LP optimum + this)
        self.slack = float((np.maximum(reduced, 0) * np.minimum(self.capacity[self.s[out]], self.demand[self.d[out]])).sum())
        better = reduced > tolerance
        out, reduced = out[better], reduced[better]
        chosen = np.zeros(len(out), dtype=bool)
        for owner in (self.d[out], self.s[out]):  # the best few for each household group and each cadre group
            order = np.lexsort((-reduced, owner))
            first = np.searchsorted(owner[order], owner[order], side="left")
            chosen[order[np.arange(len(order)) - first < ADDED_PER_ROUND]] = True
        return out[chosen]
