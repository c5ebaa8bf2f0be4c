"""Household classes by the configured lines."""

import pandas as pd

from lianhu_tools.classify import classify_households
from lianhu_tools.policy import load_policy


def households(incomes, party):
    return pd.DataFrame({"income_per_capita_yuan": incomes, "is_party_member": party})


def test_classes_by_default_lines_with_boundaries_above():
    out = classify_households(households([0, 784.99, 785, 1066, 1067, 5000], [False] * 6))
    assert out["household_class"].tolist() == ["绝对贫困户", "绝对贫困户", "低收入户", "低收入户", "非贫困户", "非贫困户"]
    assert out["is_poor"].tolist() == [True, True, True, True, False, False]


def test_lines_are_policy_inputs():
    policy = load_policy(overrides={"poverty_lines_yuan": {"absolute": 1196, "low_income": 2300}})
    out = classify_households(households([1000, 2000, 2300], [False] * 3), policy)
    assert out["household_class"].tolist() == ["绝对贫困户", "低收入户", "非贫困户"]


def test_party_household_candidates():
    frame = households([500, 3000, 3000], [True, True, False])
    assert classify_households(frame)["is_party_household_candidate"].tolist() == [False, True, False]
    lenient = load_policy(overrides={"party_households_must_be_non_poor": False})
    assert classify_households(frame, lenient)["is_party_household_candidate"].tolist() == [True, True, False]
