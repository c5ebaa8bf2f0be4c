"""What the pairing engine is given and what it gives back: the problem, the options, the report.

A pairing problem is a capacitated transportation problem between groups. Supply groups (cadres or
units that are interchangeable: same place, same rules) have slots; demand groups (households or
villages of one place and class) have members; an allowed arc joins a supply group to a demand group
it may serve. The engine proposes integer flows on the arcs, optimal for the priority levels in
order (see `levels`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import PairingInputError, SolverError

ENGINES = ("auto", "network", "cbc", "highs")
MAX_GROUP_SIZE = 10**7  # slots or members of one group beyond this are not a real city's (and overflow-safe)
MAX_ARC_KM = 20_040.0  # half the earth's circumference: no two places are farther apart


def check_links(links, rosters) -> None:
    """Unit → village links name units and villages of the rosters; else every unknown one is listed."""
    problems = []
    for column, table, key, zh in (("unit_id", rosters.units, "unit_id", "单位"), ("village_code", rosters.villages,
                                                                                 "village_code", "村")):
        if column not in links:
            problems.append(f"联村结果缺少列 {column} / the links have no {column} column")
            continue
        unknown = sorted(set(links[column].astype(str)) - set(table[key].astype(str)))
        problems += [f"联村结果中的{zh} {value} 不在名册中 / the links name {column} {value}, not on the rosters"
                     for value in unknown[:20]]
        if len(unknown) > 20:
            problems.append(f"……另有 {len(unknown) - 20} 个 / and {len(unknown) - 20} more")
    if problems:
        raise PairingInputError.said(*problems)


@dataclass
class TransportProblem:
    """Groups and allowed arcs, as numpy arrays (one entry per group or per arc)."""

    capacity: np.ndarray  # slots of each supply group
    demand: np.ndarray  # members of each demand group
    value: np.ndarray  # class of each demand group: a higher value is covered first (e.g. 2 absolute-poor, 1 low-income)
    arc_supply: np.ndarray  # supply group of each allowed arc
    arc_demand: np.ndarray  # demand group of each allowed arc
    arc_km: np.ndarray  # length of each allowed arc
    arc_bonus: np.ndarray | None = None  # 1 where an arc is preferred over any distance (a colleague takes over)
    minimum: np.ndarray | None = None  # slots each supply group should fill, before anything else
    value_labels: dict[float, tuple[str, str]] = field(default_factory=dict)  # the classes' names (中文, English)

    def check(self) -> None:
        """Raise SolverError listing what is malformed (sizes, negative or absurd counts, bad lengths)."""
        n_s, n_d, n_a = len(self.capacity), len(self.demand), len(self.arc_km)
        wrong = []
        for name, array, size in (("value", self.value, n_d), ("arc_supply", self.arc_supply, n_a),
                                  ("arc_demand", self.arc_demand, n_a), ("arc_bonus", self.arc_bonus, n_a),
                                  ("minimum", self.minimum, n_s)):
            if array is not None and len(array) != size:
                wrong.append(f"{name} has {len(array)} entries, expected {size}")
        for name, array in (("capacity", self.capacity), ("demand", self.demand), ("minimum", self.minimum)):
            if array is not None and len(array) and (np.min(array) < 0 or np.max(array) > MAX_GROUP_SIZE):
                wrong.append(f"{name} must lie between 0 and {MAX_GROUP_SIZE:,}")
        if n_a and not (np.isfinite(self.arc_km).all() and 0 <= np.min(self.arc_km) and np.max(self.arc_km) <= MAX_ARC_KM):
            wrong.append(f"arc lengths must lie between 0 and {MAX_ARC_KM:,.0f} km")
        if n_a and (np.min(self.arc_supply) < 0 or np.max(self.arc_supply) >= n_s
                    or np.min(self.arc_demand) < 0 or np.max(self.arc_demand) >= n_d):
            wrong.append("an arc refers to a group that does not exist")
        if wrong:
            raise SolverError("配对问题数据有误 / malformed pairing problem: " + "; ".join(wrong))


@dataclass
class PairingOptions:
    """How the engine works; every knob in one place.

    engine: "auto" (the network solver when the problem is a pure network, PuLP + CBC when the planner
      added rules), "network" (OR-Tools), "cbc" or "highs" (the PuLP model on that solver).
    time_limit_s: per level, for the PuLP model (a MIP when rules are added); a level that reaches
      it keeps its best pairing and is reported as not proven, with its gap.
    km_resolution: distances enter the costs in whole multiples of this (0.0001 km = 1 dm), so every
      cost is an exact integer.
    """

    engine: str = "auto"
    time_limit_s: float = 600.0
    km_resolution: float = 1e-4

    def __post_init__(self):
        if self.engine not in ENGINES:
            raise SolverError(f"未知的求解器“{self.engine}”，可选 {' / '.join(ENGINES)} / unknown engine {self.engine!r}")
        if not (np.isfinite(self.time_limit_s) and self.time_limit_s > 0):
            raise SolverError("time_limit_s 须为正数 / time_limit_s must be positive")
        if not (0 < self.km_resolution <= 1):
            raise SolverError("km_resolution 须在 0 与 1 km 之间 / km_resolution must lie between 0 and 1 km")


@dataclass
class LevelResult:
    """One priority level of a solve: what was achieved and whether it is proven optimal."""

    name: str  # "minimums", "coverage", "takeover" or "distance"
    label: str  # what a planner reads, e.g. "覆盖 绝对贫困户 / covered: absolute poor"
    value: float  # slots below minimums, members covered, takeovers, or km
    proven: bool = True
    gap: float = 0.0  # relative gap when not proven (MIP stopped at its time limit)
    note: str = ""


@dataclass
class SolveReport:
    """What the engine did, level by level, for the planner and the bench."""

    engine: str  # "network (OR-Tools)", "PuLP + CBC", "PuLP + HiGHS"
    levels: list[LevelResult] = field(default_factory=list)
    seconds: float = 0.0
    arcs_allowed: int = 0
    mip: bool = False  # planner's rules made it a MIP
    message: str = ""  # what went wrong, in words, when something did

    @property
    def proven_optimal(self) -> bool:
        return bool(self.levels) and all(level.proven for level in self.levels) and not self.message

    @property
    def unproven_level(self) -> LevelResult | None:
        return next((level for level in self.levels if not level.proven), None)

    @property
    def status(self) -> str:
        if self.proven_optimal:
            return "optimal"
        level = self.unproven_level
        return f"not proven ({level.name})" if level else "failed"

    def summary(self, timing: bool = True) -> str:
        """One line in Chinese and English (without the seconds when `timing` is false)."""
        parts = [f"{level.label} {level.value:,.1f}" if level.name == "distance" else f"{level.label} {level.value:,.0f}"
                 for level in self.levels]
        proof = ("各级均已证明最优 / optimal at every level" if self.proven_optimal else
                 f"未证明最优：{self.unproven_level.label if self.unproven_level else ''} / NOT proven"
                 + (f" (gap {self.unproven_level.gap:.2%})" if self.unproven_level and self.unproven_level.gap > 0 else ""))
        return (f"{self.engine}{'（含规划人员规则，MIP / planner rules, MIP）' if self.mip else ''}: " + "；".join(parts)
                + f"；{proof}" + (f"；{self.seconds:.1f} s" if timing else "") + f"；{self.arcs_allowed:,} 个允许的配对 / allowed pairs"
                + (f"；{self.message}" if self.message else ""))


@dataclass
class TransportSolution:
    """Integer flows on the allowed arcs that carry any."""

    arc: np.ndarray  # indices of allowed arcs that carry flow
    flow: np.ndarray  # integer flow on each
    shortfall: np.ndarray  # per supply group: minimum not reached
    report: SolveReport = field(default_factory=lambda: SolveReport("none"))

    def arc_flows(self, n_arcs: int) -> np.ndarray:
        """The flow on every allowed arc (zero where none)."""
        flows = np.zeros(n_arcs, dtype=np.int64)
        flows[self.arc] = self.flow
        return flows
