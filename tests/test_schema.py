"""The declarations: every roster field and every planner-edited value is declared once and checked from its
declaration."""

import math

import pytest

from lianhu_tools.errors import PROBLEM_CODES, Problem
from lianhu_tools.policy import POLICY_ITEMS, DEFAULT_POLICY
from lianhu_tools.schema import ARCHIVE_TABLES, PLAN_TABLES, TABLES, Setting, category_lookup, normalize_header


def test_every_field_is_declared_once_with_its_headers():
    for table in (TABLES | ARCHIVE_TABLES | PLAN_TABLES).values():
        names = [f.name for f in table.fields]
        assert len(names) == len(set(names)) and table.primary_key in names + [""]  # plans have no key
        meaning = {}
        for f in table.fields:
            for header in f.headers():
                meaning.setdefault(normalize_header(header), set()).add(f.name)
        assert {h: m for h, m in meaning.items() if len(m) > 1} == {}, table.name  # a header never means two fields
        for f in table.fields:
            assert f.zh and f.description and (f.kind != "category" or f.allowed)


def test_category_spellings_map_to_their_canonical_value():
    rank = TABLES["cadres"].field("rank")
    lookup = category_lookup(rank)
    assert all(lookup[value] == value for value in rank.allowed)


def test_every_policy_item_declares_each_of_its_values():
    declared = {item.key for item in POLICY_ITEMS}
    assert declared == set(DEFAULT_POLICY)
    for item in POLICY_ITEMS:
        assert item.values, item.key


@pytest.mark.parametrize("setting, value, wrong", [
    pytest.param(Setting("count", maximum=10), 3, None, id="count"),
    pytest.param(Setting("count", maximum=10), 2.5, "wrong_type", id="fractional count"),
    pytest.param(Setting("count", maximum=10), -1, "wrong_type", id="negative count"),
    pytest.param(Setting("count", maximum=10), 11, "out_of_range", id="count above its maximum"),
    pytest.param(Setting("count"), True, "wrong_type", id="a yes for a number"),
    pytest.param(Setting("amount", above=0), 0, "out_of_range", id="zero where more than zero is needed"),
    pytest.param(Setting("amount"), math.inf, "wrong_type", id="infinite amount"),
    pytest.param(Setting("amount"), math.nan, "wrong_type", id="nan amount"),
    pytest.param(Setting("amount"), "far", "wrong_type", id="text for a number"),
    pytest.param(Setting("bool"), "yes", "wrong_type", id="text for a yes/no"),
    pytest.param(Setting("choice", allowed=("a", "b")), "c", "wrong_type", id="not a choice"),
    pytest.param(Setting("choice", allowed=("a", "b")), "b", None, id="a choice"),
])
def test_a_setting_checks_its_value(setting, value, wrong):
    found = setting.problem(value)
    assert (found and found[0]) == wrong or (found is None and wrong is None)
    if found:
        assert found[1] and found[2]  # said in Chinese and in English


def test_an_undeclared_problem_code_is_refused():
    with pytest.raises(KeyError):
        Problem("f", None, None, None, None, "no_such_code", "中", "en")
    assert all(zh and en for zh, en in PROBLEM_CODES.values())
