"""Both pairings end to end on a demo preset, with an OR-Tools min-cost-flow reference on the same instance.

    .venv/bin/python bench/pairing.py --size city --locality distance      # issue target: < 60 s, < 4 GiB
    .venv/bin/python bench/pairing.py --size province                      # default locality: < 10 min

Prints each step's time, the solver reports, peak memory, and the ratio to the OR-Tools reference.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import warnings

import numpy as np


def priorities(problem, arc_flow: np.ndarray) -> tuple:
    """A pairing's standing, level by level: slots below minimums, coverage (class-weighted), same-unit
    takeovers, total km — comparable between solvers whatever the objective's weights."""
    assigned = np.bincount(problem.arc_supply, weights=arc_flow, minlength=len(problem.capacity))
    minimum = problem.minimum if problem.minimum is not None else 0
    bonus = problem.arc_bonus if problem.arc_bonus is not None else np.zeros(len(arc_flow))
    return (int(np.maximum(minimum - assigned, 0).sum()), float((problem.value[problem.arc_demand] * arc_flow).sum()),
            float((bonus * arc_flow).sum()), round(float((problem.arc_km * arc_flow).sum()), 3))


def ortools_reference(problem) -> tuple[float, tuple]:
    """Solve the identical grouped instance as a min-cost flow (OR-Tools); seconds and its priorities."""
    from ortools.graph.python import min_cost_flow

    from lianhu_tools.pairing.transport import _Batch

    started = time.perf_counter()
    n_s, n_d = len(problem.capacity), len(problem.demand)
    batch = _Batch(problem, np.arange(n_s), np.arange(n_d), np.arange(len(problem.arc_km)), "cbc")
    source, sink = n_s + n_d, n_s + n_d + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    cost = -batch.coef.astype(np.int64)  # whole numbers already (distances in tenths of a metre)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(problem.arc_supply, n_s + problem.arc_demand,
                                                     problem.demand[problem.arc_demand], cost)
    minimum = np.minimum(problem.minimum if problem.minimum is not None else 0, problem.capacity)
    penalty = np.full(n_s, -int(batch.penalty), dtype=np.int64)  # a slot below the minimum, filled
    flow.add_arcs_with_capacity_and_unit_cost(np.full(n_s, source), np.arange(n_s), minimum, penalty)
    flow.add_arcs_with_capacity_and_unit_cost(np.full(n_s, source), np.arange(n_s), problem.capacity - minimum,
                                              np.zeros(n_s, np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(n_s + np.arange(n_d), np.full(n_d, sink), problem.demand, np.zeros(n_d, np.int64))
    total = int(problem.capacity.sum())
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)  # slots may stay empty
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("OR-Tools did not find the optimum")
    return time.perf_counter() - started, priorities(problem, flow.flows(arcs))


def compare(name: str, problem, solution) -> None:
    seconds, theirs = ortools_reference(problem)
    ours = priorities(problem, np.bincount(solution.arc, weights=solution.flow, minlength=len(problem.arc_km)))
    verdict = "equal" if ours[:3] == theirs[:3] and abs(ours[3] - theirs[3]) < 0.01 else "DIFFERENT"
    print(f"  OR-Tools {name}: {seconds:.1f} s (ours {solution.report.seconds:.1f} s, ratio "
          f"{solution.report.seconds / max(seconds, 1e-9):.1f}); (short, coverage, takeovers, km) "
          f"ours {ours} vs OR-Tools {theirs}: {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="city")
    parser.add_argument("--locality", default="auto", choices=("auto", "unit_villages", "distance", "county"))
    parser.add_argument("--solver", default="auto")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    from lianhu_tools.pairing.households import match_households
    from lianhu_tools.pairing.output import write_tables
    from lianhu_tools.pairing.villages import match_villages
    from lianhu_tools.pipeline import write_demo_rosters
    from lianhu_tools.rosters import load_rosters

    with tempfile.TemporaryDirectory() as folder:
        write_demo_rosters(args.size, f"{folder}/rosters", file_format="csv")
        started = time.perf_counter()
        rosters = load_rosters(f"{folder}/rosters")
        print(f"read rosters        {time.perf_counter() - started:7.1f} s", flush=True)
        step = time.perf_counter()
        villages = match_villages(rosters, solver=args.solver)
        print(f"units → villages    {time.perf_counter() - step:7.1f} s  {villages.report}", flush=True)
        step = time.perf_counter()
        links = villages.links if args.locality in ("auto", "unit_villages") else None
        households = match_households(rosters, links=links, locality=args.locality, solver=args.solver)
        print(f"cadres → households {time.perf_counter() - step:7.1f} s  ({households.locality})", flush=True)
        for pool, report in households.reports.items():
            print(f"  {pool}: {report}")
        write_tables({"联村": villages.links}, f"{folder}/links.xlsx")
        write_tables({"联户": households.pairs}, f"{folder}/pairs.xlsx")
        total = time.perf_counter() - started
        peak = {who: resource.getrusage(who).ru_maxrss / 1024 for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)}
        print(f"end to end          {total:7.1f} s; peak memory {peak[resource.RUSAGE_SELF]:,.0f} MiB "
              f"(largest helper process: {peak[resource.RUSAGE_CHILDREN]:,.0f} MiB; the two pools' workers run at once)")
        compare("villages", villages.problem, villages.solution)
        for pool, problem in households.problems.items():
            compare(pool, problem, households.solutions[pool])


if __name__ == "__main__":
    main()
