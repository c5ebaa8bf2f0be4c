"""The network engine: a pairing as two exact integer min-cost flows, solved by OR-Tools.

Stage 1, minimums and coverage: one min-cost flow whose costs are small integers: a slot filled
below its group's minimum earns K + 1, a covered member of the k-th highest of K classes earns
K - k + 1. These weights are exactly lexicographic: the difference between two flows splits into
simple cycles of the residual network, each of which can be applied alone, and a simple cycle passes
the source and the sink once each, so it changes the minimums filled by at most one and the
coverage by +1 in one class and -1 in another at most. A cycle that fills one more minimum slot
therefore gains at least (K + 1) - K > 0, and one that keeps the minimums but trades a lower class
for a higher one gains too: the flow with the best weight is the best level by level. Without
minimums, or with one class, maximum flows give the same levels faster (see `coverage`).

Stage 2, takeovers and distance, over exactly the flows that are best in stage 1: the minimum slots
filled are shipped from a source of their own and each class's coverage is a fixed demand, so any
flow of this network is stage-1 optimal and every stage-1 optimum is one of its flows. Its costs are
the arcs' lengths in whole decimetres, less a takeover weight larger than the length of any simple
cycle when there are preferred arcs. Both stages hold every allowed arc, so OR-Tools' optimum is
the optimum over ALL of them. Everything is an integer in 64 bits: no tolerance is involved.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow, min_cost_flow

from .levels import classes, distance_units, level_results, standing
from .problem import LevelResult, SolverError, TransportProblem

COST_LIMIT = 2**62  # OR-Tools scales costs by the number of nodes; stay well inside int64


def solve_network(problem: TransportProblem, km_resolution: float) -> tuple[np.ndarray, list[LevelResult], str]:
    """The flow on every allowed arc, the levels reached (all proven unless a stage failed) and a
    message saying what failed, if anything. A failed stage 2 leaves stage 1's pairing: minimums and
    coverage proven optimal, takeovers and distance not."""
    if not len(problem.arc_km):
        flows = np.zeros(0, dtype=np.int64)
        return flows, level_results(problem, standing(problem, flows, km_resolution), km_resolution), ""
    network = _Network(problem)
    filled, covered = network.coverage()
    units = distance_units(problem, km_resolution)
    message = ""
    try:
        flows = network.distance(filled, covered, units)
    except SolverError as failed:
        message = str(failed)
        try:  # the least distance without the takeover weight, which cannot overflow
            flows = network.distance(filled, covered, units, takeovers=False)
        except SolverError:
            flows = network.weighted_coverage()[2]  # stage 1's optimum, as a pairing
    levels = level_results(problem, standing(problem, flows, km_resolution), km_resolution)
    if message:
        for level in levels:
            if level.name in ("takeover", "distance"):
                level.proven, level.note = False, message
    return flows, levels, message


class _Network:
    """Node numbering shared by both stages: supply groups, then demand groups, then the rest."""

    def __init__(self, problem: TransportProblem):
        self.p = problem
        self.n_s, self.n_d = len(problem.capacity), len(problem.demand)
        self.capacity = np.asarray(problem.capacity, dtype=np.int64)
        self.demand = np.asarray(problem.demand, dtype=np.int64)
        minimum = problem.minimum if problem.minimum is not None else np.zeros(self.n_s, dtype=np.int64)
        self.minimum = np.minimum(np.asarray(minimum, dtype=np.int64), self.capacity)
        values = classes(problem)
        self.n_classes = len(values)
        self.class_of = np.searchsorted(-values, -np.asarray(problem.value))  # 0 = highest class
        self.tail = np.asarray(problem.arc_supply, dtype=np.int64)
        self.head = self.n_s + np.asarray(problem.arc_demand, dtype=np.int64)
        self.arc_capacity = np.minimum(self.capacity[problem.arc_supply], self.demand[problem.arc_demand])
        self.first_free = self.n_s + self.n_d  # the next node number

    # ------------------------------------------------------------ stage 1

    def coverage(self) -> tuple[int, np.ndarray]:
        """Stage 1: minimum slots filled and members covered per class — the lexicographic optimum."""
        if not self.minimum.any():
            # coverable sets of members form a (transversal) matroid: the best cover holds as many of the
            # k highest classes as any cover can, for every k at once
            everyone = self._maximum_flow()
            if everyone == int(self.demand.sum()):
                return 0, np.bincount(self.class_of, weights=self.demand, minlength=self.n_classes).astype(np.int64)
            reached = [self._maximum_flow(top=k) for k in range(self.n_classes - 1)] + [everyone]
            return 0, np.diff(np.r_[0, reached]).astype(np.int64)
        if self.n_classes == 1:
            # augmenting the most-minimums flow never empties a minimum slot: both maxima hold together
            return self._maximum_flow(minimums_only=True), np.array([self._maximum_flow()], dtype=np.int64)
        filled, covered, _ = self.weighted_coverage()
        return filled, covered

    def _maximum_flow(self, top: int | None = None, minimums_only: bool = False) -> int:
        """Members coverable (of the `top`+1 highest classes only, or through the minimum slots only)."""
        source, sink = self.first_free, self.first_free + 1
        graph = max_flow.SimpleMaxFlow()
        graph.add_arcs_with_capacity(self.tail, self.head, self.arc_capacity)
        graph.add_arcs_with_capacity(np.full(self.n_s, source), np.arange(self.n_s),
                                     self.minimum if minimums_only else self.capacity)
        counted = np.flatnonzero(self.class_of <= top) if top is not None else np.arange(self.n_d)
        graph.add_arcs_with_capacity(self.n_s + counted, np.full(len(counted), sink), self.demand[counted])
        status = graph.solve(source, sink)
        if status != graph.OPTIMAL:
            raise SolverError(f"最大流求解失败（{status.name}）/ the maximum flow ended with {status.name}")
        return int(graph.optimal_flow())

    def weighted_coverage(self) -> tuple[int, np.ndarray, np.ndarray]:
        source, sink = self.first_free, self.first_free + 1
        graph = min_cost_flow.SimpleMinCostFlow()
        middle = graph.add_arcs_with_capacity_and_unit_cost(self.tail, self.head, self.arc_capacity,
                                                            np.zeros(len(self.tail), dtype=np.int64))
        with_minimum = np.flatnonzero(self.minimum)
        minimum_arcs = graph.add_arcs_with_capacity_and_unit_cost(
            np.full(len(with_minimum), source), with_minimum, self.minimum[with_minimum],
            np.full(len(with_minimum), -(self.n_classes + 1), dtype=np.int64))
        self._supply_rest(graph, source)
        out = graph.add_arcs_with_capacity_and_unit_cost(self.n_s + np.arange(self.n_d), np.full(self.n_d, sink), self.demand,
                                                         -(self.n_classes - self.class_of).astype(np.int64))
        total = int(self.capacity.sum())
        graph.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)  # slots may stay empty
        graph.set_node_supply(source, total)
        graph.set_node_supply(sink, -total)
        _solved(graph, "覆盖（第一阶段）/ coverage (stage 1)")
        covered = np.bincount(self.class_of, weights=graph.flows(out), minlength=self.n_classes).astype(np.int64)
        return int(graph.flows(minimum_arcs).sum()), covered, graph.flows(middle).astype(np.int64)

    # ------------------------------------------------------------ stage 2

    def distance(self, filled: int, covered: np.ndarray, units: np.ndarray, takeovers: bool = True) -> np.ndarray:
        """Stage 2: the least total length (after the most takeovers, unless told not to count them)
        among stage 1's optima."""
        source_minimum, source_rest, sink = self.first_free, self.first_free + 1, self.first_free + 2
        class_node = self.first_free + 3 + np.arange(self.n_classes)
        cost = units.copy()
        if takeovers and self.p.arc_bonus is not None and np.any(self.p.arc_bonus):
            longest_cycle = 2 * min(self.n_s, self.n_d) + 2
            cost -= (longest_cycle * int(units.max(initial=0)) + 1) * (np.asarray(self.p.arc_bonus) > 0)
        if int(np.abs(cost).max(initial=0)) * (self.first_free + 4 + self.n_classes) >= COST_LIMIT:
            raise SolverError("距离与接替的整数代价超出 64 位范围，无法精确求解 / costs too large for exact 64-bit arithmetic")
        graph = min_cost_flow.SimpleMinCostFlow()
        middle = graph.add_arcs_with_capacity_and_unit_cost(self.tail, self.head, self.arc_capacity, cost)
        with_minimum = np.flatnonzero(self.minimum)
        graph.add_arcs_with_capacity_and_unit_cost(np.full(len(with_minimum), source_minimum), with_minimum,
                                                   self.minimum[with_minimum], np.zeros(len(with_minimum), dtype=np.int64))
        rest = self._supply_rest(graph, source_rest)
        graph.add_arcs_with_capacity_and_unit_cost(self.n_s + np.arange(self.n_d), class_node[self.class_of], self.demand,
                                                   np.zeros(self.n_d, dtype=np.int64))
        graph.add_arc_with_capacity_and_unit_cost(source_rest, sink, rest, 0)
        graph.add_arc_with_capacity_and_unit_cost(source_minimum, sink, 0, 0)  # the node exists even with no minimums
        graph.set_node_supply(source_minimum, filled)
        graph.set_node_supply(source_rest, rest)
        for node, members in zip(class_node, covered):
            graph.set_node_supply(int(node), -int(members))
        graph.set_node_supply(sink, -(filled + rest - int(covered.sum())))
        _solved(graph, "距离（第二阶段）/ distance (stage 2)")
        return graph.flows(middle).astype(np.int64)

    def _supply_rest(self, graph, source: int) -> int:
        """Arcs for the slots above each group's minimum; returns how many there are."""
        rest = self.capacity - self.minimum
        has_rest = np.flatnonzero(rest)
        graph.add_arcs_with_capacity_and_unit_cost(np.full(len(has_rest), source), has_rest, rest[has_rest],
                                                   np.zeros(len(has_rest), dtype=np.int64))
        return int(rest.sum())


def _solved(graph, stage: str) -> None:
    status = graph.solve()
    if status != graph.OPTIMAL:
        raise SolverError(f"网络求解器在{stage}未得到最优解（{status.name}）/ the network solver ended with {status.name}")
