"""The pairing LP core: exact lexicographic optimum over all allowed arcs, with pricing, on both solvers."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from lianhu_tools.pairing import transport
from lianhu_tools.pairing.transport import TransportProblem, solve_transport, solver_names

COVER, BONUS = 1e9, 1e5  # weights of the independent reference (distances here stay below 100 km)


def instance(seed: int, supplies=12, demands=30, arcs=150, minimum=False, bonus=False) -> TransportProblem:
    rng = np.random.default_rng(seed)
    pairs = np.unique(np.column_stack([rng.integers(0, supplies, arcs), rng.integers(0, demands, arcs)]), axis=0)
    return TransportProblem(
        capacity=rng.integers(0, 4, supplies), demand=rng.integers(1, 3, demands),
        value=rng.integers(1, 3, demands).astype(float), arc_supply=pairs[:, 0], arc_demand=pairs[:, 1],
        arc_km=np.round(rng.uniform(0, 60, len(pairs)), 3),
        arc_bonus=(rng.random(len(pairs)) < 0.2).astype(float) if bonus else None,
        minimum=rng.integers(0, 2, supplies) if minimum else None)


def score(problem: TransportProblem, arc: np.ndarray, flow: np.ndarray) -> float:
    bonus = problem.arc_bonus[arc] if problem.arc_bonus is not None else 0
    return float(((problem.value[problem.arc_demand[arc]] * COVER + bonus * BONUS - problem.arc_km[arc]) * flow).sum())


def reference_score(problem: TransportProblem) -> float:
    """The same lexicographic optimum by an assignment over individual slots and members (scipy)."""
    rows = np.repeat(np.arange(len(problem.capacity)), problem.capacity)
    cols = np.repeat(np.arange(len(problem.demand)), problem.demand)
    cost = np.zeros((len(rows), len(cols) + len(rows)))  # extra columns: a slot left empty costs 0
    cost[:, :len(cols)] = 1e15  # not an allowed pair
    bonus = problem.arc_bonus if problem.arc_bonus is not None else np.zeros(len(problem.arc_km))
    for s, d, km, b in zip(problem.arc_supply, problem.arc_demand, problem.arc_km, bonus):
        cost[np.ix_(rows == s, cols == d)] = -(problem.value[d] * COVER + b * BONUS - km)
    r, c = linear_sum_assignment(cost)
    return float(-cost[r, c][c < len(cols)].sum())


@pytest.fixture(params=solver_names())
def solver(request):
    return request.param


@pytest.fixture
def pricing_forced(monkeypatch):
    """Start from one candidate arc per group, so the optimum must be reached by pricing."""
    monkeypatch.setattr(transport, "CANDIDATES_PER_GROUP", 1)
    monkeypatch.setattr(transport, "ADDED_PER_ROUND", 1)
    monkeypatch.setattr(transport, "ALL_ARCS_UP_TO", 0)
    monkeypatch.setattr(transport, "FLOW_SUPPORT", False)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10**6), bonus=st.booleans())
def test_optimum_equals_an_independent_assignment(seed, bonus):
    problem = instance(seed, bonus=bonus)
    solution = solve_transport(problem)
    assert score(problem, solution.arc, solution.flow) == pytest.approx(reference_score(problem), abs=1e-3)


def test_pricing_reaches_the_optimum_over_all_arcs(solver, pricing_forced):
    rounds = 0
    for seed in range(12):
        problem = instance(seed, supplies=15, demands=40, arcs=300, bonus=seed % 2 == 0)
        solution = solve_transport(problem, solver)
        assert solution.report.proven_optimal
        assert score(problem, solution.arc, solution.flow) == pytest.approx(reference_score(problem), abs=1e-3)
        rounds += solution.report.pricing_rounds
    assert rounds > 0  # the candidates really were incomplete


def test_maximum_flow_start_then_pricing_reaches_the_optimum(solver, pricing_forced, monkeypatch):
    monkeypatch.setattr(transport, "FLOW_SUPPORT", True)
    for seed in range(12):
        problem = instance(seed, supplies=15, demands=40, arcs=300, minimum=seed % 3 == 0, bonus=seed % 2 == 0)
        solution = solve_transport(problem, solver)
        monkeypatch.setattr(transport, "ALL_ARCS_UP_TO", 10**9)
        full = solve_transport(problem, solver)
        monkeypatch.setattr(transport, "ALL_ARCS_UP_TO", 0)
        assert solution.report.proven_optimal and solution.report.bound >= solution.report.objective - 1e-6
        assert solution.report.objective == pytest.approx(full.report.objective, abs=1e-6)
        if problem.minimum is None:
            assert score(problem, solution.arc, solution.flow) == pytest.approx(reference_score(problem), abs=1e-3)


def test_capacities_and_demands_are_respected(solver):
    problem = instance(3, supplies=20, demands=50, arcs=400)
    solution = solve_transport(problem, solver)
    assert (np.bincount(problem.arc_supply[solution.arc], solution.flow, len(problem.capacity)) <= problem.capacity).all()
    assert (np.bincount(problem.arc_demand[solution.arc], solution.flow, len(problem.demand)) <= problem.demand).all()
    assert solution.report.status == "Optimal" and solution.report.gap == 0


def test_minimums_are_met_where_possible_and_shortfalls_counted(solver, pricing_forced, monkeypatch):
    for seed in range(8):
        problem = instance(seed, supplies=15, demands=25, arcs=120, minimum=True)
        priced = solve_transport(problem, solver)
        monkeypatch.setattr(transport, "ALL_ARCS_UP_TO", 10**9)
        full = solve_transport(problem, solver)
        monkeypatch.setattr(transport, "ALL_ARCS_UP_TO", 0)
        assert priced.shortfall.sum() == full.shortfall.sum()
        assert priced.report.objective == pytest.approx(full.report.objective, rel=1e-12)
        reachable = np.zeros(len(problem.capacity), bool)
        reachable[problem.arc_supply] = True
        assert (priced.shortfall[~reachable] == problem.minimum[~reachable]).all()
