"""The priority levels of a pairing, in order, and where a pairing stands on each.

1. minimums: slots below the supply groups' minimums, fewest first (units' least villages);
2. coverage, class by class, highest value first (absolute-poor before low-income households);
3. takeovers: arcs marked as preferred (a colleague of the same unit takes over a household);
4. distance: the total length, least last.

A level never trades against a later one: one more unit of an earlier level is worth any amount
of every later level. Both engines reach the same standing on every level.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problem import LevelResult, TransportProblem


def classes(problem: TransportProblem) -> np.ndarray:
    """The demand classes' values, highest (covered first) first."""
    return np.unique(problem.value)[::-1]


def distance_units(problem: TransportProblem, resolution: float) -> np.ndarray:
    """Each arc's length in whole multiples of `resolution` km: exact integer costs."""
    return np.rint(np.asarray(problem.arc_km, dtype=float) / resolution).astype(np.int64)


@dataclass(frozen=True)
class Standing:
    """A pairing's result on every level."""

    shortfall: int  # slots below minimums
    covered: tuple[int, ...]  # members covered per class, highest class first
    takeovers: int
    distance_units: int  # total length in km_resolution units (exact)
    km: float

    def key(self) -> tuple:
        """Larger is better, compared level by level."""
        return (-self.shortfall, *self.covered, self.takeovers, -self.distance_units)


def standing(problem: TransportProblem, arc_flow: np.ndarray, resolution: float = 1e-4) -> Standing:
    """Where a pairing (the flow on every allowed arc) stands on each level."""
    arc_flow = np.asarray(arc_flow, dtype=np.int64)
    assigned = np.bincount(problem.arc_supply, weights=arc_flow, minlength=len(problem.capacity))
    minimum = problem.minimum if problem.minimum is not None else np.zeros(len(problem.capacity))
    covered = np.bincount(problem.arc_demand, weights=arc_flow, minlength=len(problem.demand))
    bonus = problem.arc_bonus if problem.arc_bonus is not None else np.zeros(len(arc_flow))
    return Standing(
        shortfall=int(np.maximum(minimum - assigned, 0).sum()),
        covered=tuple(int(covered[problem.value == value].sum()) for value in classes(problem)),
        takeovers=int((np.asarray(bonus) > 0)[arc_flow > 0].dot(arc_flow[arc_flow > 0])),
        distance_units=int(distance_units(problem, resolution).dot(arc_flow)),
        km=float(np.asarray(problem.arc_km, dtype=float).dot(arc_flow)))


@dataclass(frozen=True)
class Level:
    """One priority level of a problem; both engines and the reports walk the same list."""

    name: str  # "minimums", "coverage", "takeover" or "distance"
    label: str
    value: float | None = None  # the class, for a coverage level


def levels_of(problem: TransportProblem) -> list[Level]:
    """The levels this problem has, in priority order."""
    levels = []
    if problem.minimum is not None and np.any(problem.minimum):
        levels.append(Level("minimums", "低于下限 / below minimums"))
    for value in classes(problem):
        zh, en = problem.value_labels.get(float(value), (f"第 {value:g} 类", f"class {value:g}"))
        levels.append(Level("coverage", f"覆盖{zh} / covered: {en}", float(value)))
    if problem.arc_bonus is not None and np.any(problem.arc_bonus):
        levels.append(Level("takeover", "同单位接替 / takeovers"))
    levels.append(Level("distance", "总距离 km / total km"))
    return levels


def level_results(problem: TransportProblem, result: Standing, resolution: float) -> list[LevelResult]:
    """The levels with the values reached (all proven unless the caller says otherwise)."""
    covered = dict(zip(classes(problem), result.covered))
    reached = {"minimums": lambda level: result.shortfall, "coverage": lambda level: covered[level.value],
               "takeover": lambda level: result.takeovers,
               "distance": lambda level: round(result.distance_units * resolution, 4)}
    return [LevelResult(level.name, level.label, reached[level.name](level)) for level in levels_of(problem)]
