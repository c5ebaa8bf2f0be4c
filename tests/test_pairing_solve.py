"""The pairing engines: the network engine and the PuLP model (CBC, HiGHS) reach the same optimum as an
independent exact method, level by level, on extreme small instances; failures are said in words."""

import networkx as nx
import numpy as np
import pandas as pd
import pulp
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lianhu_tools.pairing.levels import classes, distance_units, standing
from lianhu_tools.pairing.problem import PairingOptions, SolverError, TransportProblem
from lianhu_tools.pairing.solve import available_engines, check_engine, solve_transport

ENGINES = [engine for engine in ("network", "cbc", "highs") if engine in available_engines()]


def reference_key(problem: TransportProblem, resolution: float = 1e-4) -> tuple:
    """The lexicographic optimum by networkx's network simplex on one objective whose weights are
    exact Python integers built from totals (independent of the engines' stage-wise method)."""
    n_s, n_d = len(problem.capacity), len(problem.demand)
    units = [int(u) for u in distance_units(problem, resolution)]
    members = int(np.sum(problem.demand))
    distance_range = sum(units) * max(members, 1) + 1
    bonus_weight = distance_range
    level_range = bonus_weight * members + distance_range
    class_weight = {}
    for value in classes(problem)[::-1]:  # lowest class first: each outweighs everything below it
        class_weight[float(value)] = level_range + 1
        level_range = class_weight[float(value)] * members + level_range
    minimum_weight = level_range + 1
    minimum = problem.minimum if problem.minimum is not None else np.zeros(n_s, dtype=int)
    bonus = problem.arc_bonus if problem.arc_bonus is not None else np.zeros(len(units))
    graph = nx.DiGraph()
    total = int(np.sum(problem.capacity))
    graph.add_node("source", demand=-total)
    graph.add_node("sink", demand=total)
    graph.add_edge("source", "sink", capacity=total, weight=0)
    for i in range(n_s):
        need = int(min(minimum[i], problem.capacity[i]))
        graph.add_edge("source", ("min", i), capacity=need, weight=-minimum_weight)
        graph.add_edge(("min", i), ("s", i), capacity=need, weight=0)
        graph.add_edge("source", ("s", i), capacity=int(problem.capacity[i]) - need, weight=0)
    for j in range(n_d):
        graph.add_edge(("d", j), "sink", capacity=int(problem.demand[j]), weight=-class_weight[float(problem.value[j])])
    for a, (i, j) in enumerate(zip(problem.arc_supply, problem.arc_demand)):
        graph.add_edge(("s", int(i)), ("a", a), capacity=int(problem.demand[j]), weight=units[a] - bonus_weight * int(bonus[a] > 0))
        graph.add_edge(("a", a), ("d", int(j)), capacity=int(problem.demand[j]), weight=0)
    flow = nx.min_cost_flow(graph)
    arc_flow = np.array([flow[("a", a)][("d", int(j))] for a, j in enumerate(problem.arc_demand)], dtype=np.int64)
    return standing(problem, arc_flow, resolution).key()


KM_CHOICES = [0.0, 0.0, 1e-6, 0.0004, 3.0, 3.0, 17.5, 60.0, 999.9, 5000.0, 20_000.0]


@st.composite
def instances(draw, minimum=None, bonus=None):
    """Small extreme instances: ties, zero capacities, one demand group, equal and huge distances."""
    n_s, n_d = draw(st.integers(1, 5)), draw(st.integers(1, 6))
    pairs = draw(st.lists(st.tuples(st.integers(0, n_s - 1), st.integers(0, n_d - 1)), unique=True, max_size=n_s * n_d))
    pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    with_minimum = draw(st.booleans()) if minimum is None else minimum
    with_bonus = draw(st.booleans()) if bonus is None else bonus
    return TransportProblem(
        capacity=np.array(draw(st.lists(st.integers(0, 4), min_size=n_s, max_size=n_s))),
        demand=np.array(draw(st.lists(st.integers(0, 3), min_size=n_d, max_size=n_d))),
        value=np.array(draw(st.lists(st.sampled_from([1.0, 2.0, 3.0]), min_size=n_d, max_size=n_d))),
        arc_supply=pairs[:, 0], arc_demand=pairs[:, 1],
        arc_km=np.array(draw(st.lists(st.sampled_from(KM_CHOICES), min_size=len(pairs), max_size=len(pairs)))),
        arc_bonus=np.array(draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=len(pairs), max_size=len(pairs))))
        if with_bonus and len(pairs) else None,
        minimum=np.array(draw(st.lists(st.integers(0, 2), min_size=n_s, max_size=n_s))) if with_minimum else None)


def feasible(problem: TransportProblem, solution) -> bool:
    flows = solution.arc_flows(len(problem.arc_km))
    return bool((flows >= 0).all()
                and (np.bincount(problem.arc_supply, flows, len(problem.capacity)) <= problem.capacity).all()
                and (np.bincount(problem.arc_demand, flows, len(problem.demand)) <= problem.demand).all())


@settings(max_examples=60, deadline=None)
@given(problem=instances())
def test_every_engine_reaches_the_independent_optimum_level_by_level(problem):
    expected = reference_key(problem)
    for engine in ENGINES:
        solution = solve_transport(problem, PairingOptions(engine=engine))
        assert feasible(problem, solution)
        assert standing(problem, solution.arc_flows(len(problem.arc_km))).key() == expected, engine
        assert solution.report.proven_optimal and solution.report.status == "optimal"


def test_the_two_paths_give_identical_pairings_on_a_generic_instance():
    """Distinct distances: the optimum is unique, so the network engine and PuLP agree pair by pair."""
    rng = np.random.default_rng(7)
    pairs = np.unique(np.column_stack([rng.integers(0, 15, 300), rng.integers(0, 40, 300)]), axis=0)
    problem = TransportProblem(capacity=rng.integers(0, 4, 15), demand=rng.integers(1, 3, 40),
                               value=rng.integers(1, 3, 40).astype(float), arc_supply=pairs[:, 0], arc_demand=pairs[:, 1],
                               arc_km=rng.uniform(0, 60, len(pairs)).round(4), minimum=rng.integers(0, 2, 15))
    solutions = [solve_transport(problem, PairingOptions(engine=engine)) for engine in ENGINES]
    for other in solutions[1:]:
        np.testing.assert_array_equal(other.arc_flows(len(pairs)), solutions[0].arc_flows(len(pairs)))


def test_levels_are_reported_with_their_values():
    problem = TransportProblem(capacity=np.array([1, 1]), demand=np.array([1, 1, 1]), value=np.array([2.0, 1.0, 1.0]),
                               arc_supply=np.array([0, 0, 1, 1]), arc_demand=np.array([0, 1, 1, 2]),
                               arc_km=np.array([5.0, 1.0, 2.0, 9.0]), arc_bonus=np.array([0.0, 0.0, 0.0, 1.0]),
                               minimum=np.array([0, 1]), value_labels={2.0: ("绝对贫困户", "absolute poor"),
                                                                       1.0: ("低收入户", "low income")})
    report = solve_transport(problem).report
    values = {(level.name, level.label): level.value for level in report.levels}
    # slot 0 takes the absolute-poor group; slot 1 takes its takeover arc (9 km, group 2), not the 2 km to group 1
    assert values == {("minimums", "低于下限 / below minimums"): 0, ("coverage", "覆盖绝对贫困户 / covered: absolute poor"): 1,
                      ("coverage", "覆盖低收入户 / covered: low income"): 1, ("takeover", "同单位接替 / takeovers"): 1,
                      ("distance", "总距离 km / total km"): 14.0}
    assert "各级均已证明最优" in report.summary()


def test_a_failed_stage_keeps_the_best_proven_pairing_and_says_which_level():
    """Costs beyond 64-bit exactness (here forced by a needlessly fine km resolution): coverage is
    still proven, takeovers and distance are not, and the report says why."""
    problem = TransportProblem(capacity=np.array([2, 1]), demand=np.array([1, 1]), value=np.array([1.0, 1.0]),
                               arc_supply=np.array([0, 1, 0]), arc_demand=np.array([0, 1, 1]),
                               arc_km=np.array([20_000.0, 10.0, 15_000.0]), arc_bonus=np.array([1.0, 0.0, 0.0]))
    solution = solve_transport(problem, PairingOptions(engine="network", km_resolution=1e-13))
    report = solution.report
    assert not report.proven_optimal and report.unproven_level.name == "takeover"
    assert "64" in report.message and "未证明最优" in report.summary()
    assert [level.proven for level in report.levels if level.name == "coverage"] == [True]
    assert solution.flow.sum() == 2  # the coverage optimum, kept


def test_an_infeasible_planner_rule_is_explained_not_raised():
    problem = TransportProblem(capacity=np.array([1]), demand=np.array([1]), value=np.array([1.0]),
                               arc_supply=np.array([0]), arc_demand=np.array([0]), arc_km=np.array([1.0]))

    def impossible(model):
        model.lp += pulp.lpSum(model.flow) >= 2

    solution = solve_transport(problem, rules=[impossible])
    assert solution.flow.sum() == 0 and not solution.report.proven_optimal
    assert "没有满足全部规则的方案" in solution.report.message and solution.report.mip


def test_engine_names_and_bad_problems_are_refused_before_any_work():
    with pytest.raises(SolverError, match="未知的求解器"):
        PairingOptions(engine="gurobi")
    with pytest.raises(SolverError, match="规划人员规则"):
        check_engine(PairingOptions(engine="network"), rules=[lambda model: None])
    bad = TransportProblem(capacity=np.array([-1]), demand=np.array([1]), value=np.array([1.0]),
                           arc_supply=np.array([0]), arc_demand=np.array([3]), arc_km=np.array([np.nan]))
    with pytest.raises(SolverError) as caught:
        solve_transport(bad)
    assert all(word in str(caught.value) for word in ("capacity", "arc lengths", "does not exist"))


def test_a_rule_sees_the_arc_table_and_changes_the_result():
    problem = TransportProblem(capacity=np.array([2]), demand=np.array([1, 1]), value=np.array([1.0, 1.0]),
                               arc_supply=np.array([0, 0]), arc_demand=np.array([0, 1]), arc_km=np.array([1.0, 2.0]))
    arcs = pd.DataFrame({"village_code": ["V1", "V2"]})

    def not_v2(model):
        for variable in model.flow[model.arcs["village_code"] == "V2"]:
            model.lp += variable == 0

    solution = solve_transport(problem, rules=[not_v2], arcs=arcs)
    assert list(solution.arc) == [0] and solution.report.engine == "PuLP + CBC" and solution.report.proven_optimal


@pytest.mark.parametrize("rule, words", [
    pytest.param(lambda model: model.lp.addConstraint(model.lp.add_variable("x0", cat=pulp.LpBinary) <= 1), "变量重名",
                 id="a variable named like the model's"),
    pytest.param(lambda model: model.arcs["cadre_id"], "出错", id="a rule that raises"),
    pytest.param(lambda model: model.lp.addConstraint(model.flow.iloc[0] <= 1, "slots_0"), "出错", id="a constraint named twice"),
])
def test_a_broken_rule_is_refused_in_words(rule, words):
    from lianhu_tools.errors import PairingInputError

    problem = TransportProblem(capacity=np.array([2]), demand=np.array([1, 1]), value=np.array([1.0, 1.0]),
                               arc_supply=np.array([0, 0]), arc_demand=np.array([0, 1]), arc_km=np.array([1.0, 2.0]))
    with pytest.raises(PairingInputError) as caught:
        solve_transport(problem, rules=[rule])
    assert words in str(caught.value.problems[0])
