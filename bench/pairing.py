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


def ortools_seconds(problem) -> tuple[float, float]:
    """Solve the identical grouped instance as a min-cost flow (OR-Tools); seconds and objective."""
    from ortools.graph.python import min_cost_flow

    from lianhu_tools.pairing.transport import _Batch

    started = time.perf_counter()
    n_s, n_d = len(problem.capacity), len(problem.demand)
    batch = _Batch(problem, np.arange(n_s), np.arange(n_d), np.arange(len(problem.arc_km)), "cbc")
    source, sink = n_s + n_d, n_s + n_d + 1
    flow = min_cost_flow.SimpleMinCostFlow()
    cost = -np.rint(batch.coef * 1000).astype(np.int64)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(problem.arc_supply, n_s + problem.arc_demand,
                                                     problem.demand[problem.arc_demand], cost)
    flow.add_arcs_with_capacity_and_unit_cost(np.full(n_s, source), np.arange(n_s), problem.capacity, np.zeros(n_s, np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(n_s + np.arange(n_d), np.full(n_d, sink), problem.demand, np.zeros(n_d, np.int64))
    total = int(problem.capacity.sum())
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)  # slots may stay empty
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    if flow.solve() != flow.OPTIMAL:
        raise RuntimeError("OR-Tools did not find the optimum")
    objective = float((batch.coef * flow.flows(arcs)).sum())
    return time.perf_counter() - started, objective


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
        print(f"end to end          {total:7.1f} s; peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
        for pool, problem in households.problems.items():
            seconds, objective = ortools_seconds(problem)
            ours = households.reports[pool]
            print(f"  OR-Tools {pool}: {seconds:.1f} s (ours {ours.seconds:.1f} s, ratio {ours.seconds / max(seconds, 1e-9):.1f}); "
                  f"objective {objective:,.3f} vs ours {ours.objective:,.3f}")


if __name__ == "__main__":
    main()
