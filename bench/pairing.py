"""Both pairings end to end on demo cities of several seeds and every locality, beside an OR-Tools
min-cost-flow reference on the very same instances.

    .venv/bin/python bench/pairing.py --seeds 3                   # city, seeds 1–3, all three localities
    .venv/bin/python bench/pairing.py --size province --localities unit_villages

Each run is a fresh process: it writes the demo rosters (CSV), reads them, links units to villages,
pairs cadres with households (with every explanation), writes the tables (Excel for a city, CSV for
a province: a million rows), and notes its peak memory; then the reference
solves each grouped instance (villages, poor pool, party pool) as ONE min-cost flow whose exact
integer weights put the levels in order (the classic big-weight encoding), and the two are compared
level by level: slots below minimums, coverage per class, takeovers, total length in decimetres.
"End to end (reference)" is ours with our solve time replaced by the reference's.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

LOCALITIES = ("unit_villages", "distance", "county")


def reference(problem, km_resolution: float = 1e-4) -> tuple[float, tuple]:
    """OR-Tools on one objective: a slot below a minimum outweighs any coverage, a covered member
    any takeover, a takeover any distance (weights bounded by the longest residual path)."""
    from ortools.graph.python import min_cost_flow

    from lianhu_tools.pairing.levels import distance_units, standing

    started = time.perf_counter()
    n_s, n_d = len(problem.capacity), len(problem.demand)
    units = distance_units(problem, km_resolution)
    steps = min(n_s, n_d) + 1
    longest = int(units.max(initial=0)) + 1
    bonus = (np.asarray(problem.arc_bonus) > 0) if problem.arc_bonus is not None else np.zeros(len(units), bool)
    bonus_weight = steps * longest if bonus.any() else 0
    cover = steps * (bonus_weight + longest) + 1
    value_rank = np.searchsorted(np.unique(problem.value), problem.value) + 1  # 1 = lowest class
    classes = int(value_rank.max(initial=1))
    penalty = cover * (classes + 1) * 2
    flow = min_cost_flow.SimpleMinCostFlow()
    cost = units - bonus_weight * bonus - cover * value_rank[problem.arc_demand]
    arcs = flow.add_arcs_with_capacity_and_unit_cost(problem.arc_supply, n_s + problem.arc_demand,
                                                     problem.demand[problem.arc_demand], cost.astype(np.int64))
    source, sink = n_s + n_d, n_s + n_d + 1
    minimum = np.minimum(problem.minimum if problem.minimum is not None else 0, problem.capacity).astype(np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(np.full(n_s, source), np.arange(n_s), minimum, np.full(n_s, -penalty))
    flow.add_arcs_with_capacity_and_unit_cost(np.full(n_s, source), np.arange(n_s), problem.capacity - minimum,
                                              np.zeros(n_s, np.int64))
    flow.add_arcs_with_capacity_and_unit_cost(n_s + np.arange(n_d), np.full(n_d, sink), problem.demand, np.zeros(n_d, np.int64))
    total = int(problem.capacity.sum())
    flow.add_arc_with_capacity_and_unit_cost(source, sink, total, 0)
    flow.set_node_supply(source, total)
    flow.set_node_supply(sink, -total)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"OR-Tools: {status.name}")
    return time.perf_counter() - started, standing(problem, flow.flows(arcs), km_resolution).key()


def one_run(size: str, seed: int, locality: str, pulp_too: bool, suffix: str) -> dict:
    """One city, one locality, in this process; the figures as a dict."""
    warnings.simplefilter("ignore")
    from lianhu_tools.pairing.households import match_households
    from lianhu_tools.pairing.levels import standing
    from lianhu_tools.pairing.output import write_tables
    from lianhu_tools.pairing.problem import PairingOptions
    from lianhu_tools.pairing.solve import solve_transport
    from lianhu_tools.pairing.villages import match_villages
    from lianhu_tools.demo.pipeline import write_demo_rosters
    from lianhu_tools.rosters import load_rosters

    figures = {"size": size, "seed": seed, "locality": locality}
    with tempfile.TemporaryDirectory() as folder:
        write_demo_rosters(size, f"{folder}/rosters", seed=seed, file_format="csv")
        started = time.perf_counter()
        rosters = load_rosters(f"{folder}/rosters")
        figures["read_s"] = time.perf_counter() - started
        step = time.perf_counter()
        villages = match_villages(rosters)
        households = match_households(rosters, links=villages.links if locality == "unit_villages" else None,
                                      locality=locality)
        figures["pairing_s"] = time.perf_counter() - step
        write_tables({"联村": villages.links}, f"{folder}/links.{suffix}")
        write_tables({"联户": households.pairs, "未覆盖农户": households.uncovered}, f"{folder}/pairs.{suffix}")
        figures["end_to_end_s"] = time.perf_counter() - started
    figures["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    instances = {"villages": (villages.problem, villages.solution)} | {
        pool: (households.problems[pool], households.solutions[pool]) for pool in households.problems}
    figures["levels"] = {}
    for name, (problem, solution) in instances.items():
        seconds, theirs = reference(problem)
        ours = standing(problem, solution.arc_flows(len(problem.arc_km))).key()
        figures["levels"][name] = {"arcs": len(problem.arc_km), "ours_s": solution.report.seconds, "reference_s": seconds,
                                   "ours": list(ours), "reference": list(theirs), "equal": ours == theirs,
                                   "proven": solution.report.proven_optimal}
        if pulp_too and name != "villages":
            pulp = solve_transport(problem, PairingOptions(engine="cbc"))
            figures["levels"][name] |= {"pulp_s": pulp.report.seconds,
                                        "pulp_equal": standing(problem, pulp.arc_flows(len(problem.arc_km))).key() == ours}
    figures["uncovered"] = len(households.uncovered)
    return figures


def show(figures: dict) -> bool:
    ours = sum(level["ours_s"] for level in figures["levels"].values())
    theirs = sum(level["reference_s"] for level in figures["levels"].values())
    reference_end_to_end = figures["end_to_end_s"] - ours + theirs
    print(f"\n{figures['size']} seed {figures['seed']} · {figures['locality']}: end to end {figures['end_to_end_s']:.1f} s "
          f"(read {figures['read_s']:.1f} s, pairing {figures['pairing_s']:.1f} s), reference end to end "
          f"{reference_end_to_end:.1f} s, ratio {figures['end_to_end_s'] / reference_end_to_end:.2f}; "
          f"peak {figures['peak_mib']:,.0f} MiB; {figures['uncovered']:,} households uncovered")
    agree = True
    for name, level in figures["levels"].items():
        verdict = "equal" if level["equal"] else "DIFFERENT"
        agree &= level["equal"] and level["proven"]
        pulp = (f"; PuLP+CBC {level['pulp_s']:.1f} s, {'equal' if level['pulp_equal'] else 'DIFFERENT'}"
                if "pulp_s" in level else "")
        print(f"  {name:8s} {level['arcs']:>9,} arcs: ours {level['ours_s']:6.2f} s, OR-Tools {level['reference_s']:6.2f} s, "
              f"ratio {level['ours_s'] / max(level['reference_s'], 1e-9):4.2f}; levels (−short, covered by class, "
              f"takeovers, −dm) ours {tuple(level['ours'])} vs {tuple(level['reference'])}: {verdict}{pulp}")
    return agree


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="city")
    parser.add_argument("--seeds", type=int, default=1, help="how many seeds (1, 2, …)")
    parser.add_argument("--first-seed", type=int, default=1)
    parser.add_argument("--localities", nargs="+", default=list(LOCALITIES), choices=LOCALITIES)
    parser.add_argument("--pulp", action="store_true", help="also solve the household pools with the PuLP model (CBC)")
    parser.add_argument("--write", choices=("xlsx", "csv"), help="the tables' format (default: xlsx for a city, csv beyond)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child run: size,seed,locality
    args = parser.parse_args()
    if args.one:
        size, seed, locality, suffix = args.one.split(",")
        print(json.dumps(one_run(size, int(seed), locality, args.pulp, suffix)))
        return
    suffix = args.write or ("xlsx" if args.size in ("tiny", "small", "city") else "csv")
    everything_agrees, worst = True, 0.0
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for locality in args.localities:
            command = [sys.executable, __file__, "--one", f"{args.size},{seed},{locality},{suffix}"] + (["--pulp"] if args.pulp else [])
            child = subprocess.run(command, capture_output=True, text=True)
            if child.returncode:
                print(f"\n{args.size} seed {seed} · {locality}: FAILED\n{child.stderr[-2000:]}")
                everything_agrees = False
                continue
            figures = json.loads(child.stdout.strip().splitlines()[-1])
            everything_agrees &= show(figures)
            ours = sum(level["ours_s"] for level in figures["levels"].values())
            theirs = sum(level["reference_s"] for level in figures["levels"].values())
            worst = max(worst, figures["end_to_end_s"] / (figures["end_to_end_s"] - ours + theirs))
    print(f"\nall runs solved, proven and equal to OR-Tools level by level: {'yes' if everything_agrees else 'NO'}; "
          f"worst end-to-end ratio {worst:.2f}")


if __name__ == "__main__":
    main()
