"""The residual network of an optimal pairing: what one more slot, link or kilometre would change.

For a pairing with the most coverage, a demand group left short is reachable in the residual network
only from supply groups that are full (else there would be an augmenting path and more coverage).
One more slot at a supply group from which it is reachable covers one more member; several more
slots cover as many more members as the maximum flow from them through the residual network to the
groups left short. Nothing is re-solved from scratch: the flows that exist are the start.
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from .problem import TransportProblem


class Residual:
    """Nodes: supply groups 0..n_s-1, then demand groups; arcs where flow can still move."""

    def __init__(self, problem: TransportProblem, arc_flow: np.ndarray):
        self.p = problem
        self.n_s, self.n_d = len(problem.capacity), len(problem.demand)
        self.arc_flow = np.asarray(arc_flow, dtype=np.int64)
        self.assigned = np.bincount(problem.arc_supply, weights=self.arc_flow, minlength=self.n_s).astype(np.int64)
        self.covered = np.bincount(problem.arc_demand, weights=self.arc_flow, minlength=self.n_d).astype(np.int64)
        self.free = np.asarray(problem.capacity, dtype=np.int64) - self.assigned  # slots left per supply group
        self.missing = np.asarray(problem.demand, dtype=np.int64) - self.covered  # members left per demand group
        # an arc may carry up to its household group's members; slots are bounded at the source alone, so
        # that a group given slots (see extra_coverage) can use its arcs
        room = np.asarray(problem.demand, dtype=np.int64)[problem.arc_demand] - self.arc_flow
        forward, backward = np.flatnonzero(room > 0), np.flatnonzero(self.arc_flow > 0)
        self.tail = np.concatenate([problem.arc_supply[forward], self.n_s + problem.arc_demand[backward]])
        self.head = np.concatenate([self.n_s + problem.arc_demand[forward], problem.arc_supply[backward]])
        self.room = np.concatenate([room[forward], self.arc_flow[backward]])
        self._kept_for: np.ndarray | None = None  # the nodes of the last `_within`, and its arcs
        self._kept: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def missing_mask(self, among: np.ndarray | None = None) -> np.ndarray:
        """Demand groups left short (of those `among`, when given)."""
        short = self.missing > 0
        return short if among is None else short & among

    def leading_to_missing(self) -> np.ndarray:
        """Nodes from which a residual path reaches a demand group left short (those included)."""
        return self.leading_to(self.missing_mask())

    def leading_to(self, demands: np.ndarray) -> np.ndarray:
        """Nodes from which a residual path reaches one of `demands` (a mask over demand groups)."""
        n = self.n_s + self.n_d
        start = self.n_s + np.flatnonzero(demands)
        root = n  # a virtual node joined to every short demand group; search the reversed arcs
        reverse = csr_matrix((np.ones(len(self.tail) + len(start)), (np.r_[self.head, np.full(len(start), root)],
                                                                     np.r_[self.tail, start])), shape=(n + 1, n + 1))
        reached = np.zeros(n + 1, dtype=bool)
        reached[breadth_first_order(reverse, root, directed=True, return_predecessors=False)] = True
        return reached[:n]

    def extra_coverage(self, extra_slots: np.ndarray, relevant: np.ndarray | None = None) -> int:
        """Members more covered if each supply group had `extra_slots` more (the max flow from them
        through the residual network to the groups left short); `relevant` (from `leading_to_missing`)
        limits the search to where such paths can run."""
        relevant = self.leading_to_missing() if relevant is None else relevant
        sources = np.flatnonzero((extra_slots > 0) & relevant[:self.n_s])
        if not len(sources):
            return 0
        tail, head, room = self._within(relevant)
        n = self.n_s + self.n_d
        source, sink = n, n + 1
        short = np.flatnonzero(self.missing > 0)
        graph = max_flow.SimpleMaxFlow()
        graph.add_arcs_with_capacity(tail, head, room)
        graph.add_arcs_with_capacity(np.full(len(sources), source), sources, np.asarray(extra_slots, dtype=np.int64)[sources])
        graph.add_arcs_with_capacity(self.n_s + short, np.full(len(short), sink), self.missing[short])
        if graph.solve(source, sink) != graph.OPTIMAL:
            return 0
        return int(graph.optimal_flow())

    def _within(self, relevant: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The residual arcs between `relevant` nodes (kept for the next call with the same nodes)."""
        if self._kept_for is not relevant:
            keep = relevant[self.tail] & relevant[self.head]
            self._kept_for, self._kept = relevant, (self.tail[keep], self.head[keep], self.room[keep])
        return self._kept
