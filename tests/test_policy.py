"""The policy: defaults, the planner's file over them, every problem at once."""

import json

import pytest

from lianhu_tools.policy import DEFAULT_POLICY, default_policy, load_policy, policy_file_text
from lianhu_tools.errors import PolicyError


def test_defaults_come_from_the_domain():
    policy = default_policy()
    assert policy.quotas["地厅级"] == {"party": 1, "poor": 2}
    assert (policy.absolute_line_yuan, policy.low_income_line_yuan) == (785, 1067)
    assert policy.villages_per_unit["四大班子"] == {"min": 1, "max": 3}


def test_planner_file_overrides_only_what_it_names(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("poverty_lines_yuan:\n  low_income: 2300\nquotas:\n  县处级: {poor: 3}\nmax_km: 45\n",
                    encoding="utf-8")
    policy = load_policy(path)
    assert policy.low_income_line_yuan == 2300 and policy.absolute_line_yuan == 785
    assert policy.quotas["县处级"] == {"party": 1, "poor": 3}
    assert policy.max_km == 45
    assert DEFAULT_POLICY["max_km"] == 60  # defaults untouched


def test_json_policy_file_and_overrides(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"max_km": 30}), encoding="utf-8")
    assert load_policy(path, overrides={"team_size": {"事业单位": {"max": 4}}}).team_size["事业单位"] == {"min": 2, "max": 4}


def test_every_policy_problem_reported(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("quotas:\n  处级: {poor: 1}\n  县处级: {poor: -1}\npoverty_lines_yuan: {absolute: 2000, low_income: 1000}\n"
                    "villages_per_unit:\n  事业单位: {min: 3, max: 1}\nmax_km: far\ncolour: red\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert sorted((p.code, p.column) for p in caught.value.problems) == [
        ("policy_inconsistent", "poverty_lines_yuan"),
        ("policy_inconsistent", "villages_per_unit.事业单位"),
        ("policy_unknown_key", "colour"),
        ("policy_unknown_key", "quotas.处级"),
        ("policy_wrong_type", "max_km"),
        ("policy_wrong_type", "quotas.县处级.poor"),
    ]


def test_commented_policy_file_round_trips(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text(policy_file_text(), encoding="utf-8")
    assert "贫困线" in path.read_text(encoding="utf-8")
    assert load_policy(path).settings == DEFAULT_POLICY


@pytest.mark.parametrize("text, code, column", [
    pytest.param("quotas:\n  县处级: {poor: 1000000000000}\n", "policy_out_of_range", "quotas.县处级.poor", id="absurd quota"),
    pytest.param("max_km: 0\n", "policy_out_of_range", "max_km", id="zero km"),
    pytest.param("max_km: .nan\n", "policy_wrong_type", "max_km", id="nan km"),
    pytest.param("max_km: .inf\n", "policy_wrong_type", "max_km", id="infinite km"),
    pytest.param("max_km: 50000\n", "policy_out_of_range", "max_km", id="km beyond a province"),
    pytest.param("team_size:\n  事业单位: {min: 2, max: 1000}\n", "policy_out_of_range", "team_size.事业单位.max", id="absurd team"),
    pytest.param("max_km: {a: 1}\n", "policy_wrong_type", "max_km.a", id="a table for the distance"),
    pytest.param("locality: {a: 1}\n", "policy_wrong_type", "locality.a", id="a table for the locality"),
    pytest.param("villages_per_unit:\n  四大班子: {min: {x: 1}}\n", "policy_wrong_type", "villages_per_unit.四大班子.min.x",
                 id="a table for a minimum"),
])
def test_limits_are_checked_where_they_enter(tmp_path, text, code, column):
    path = tmp_path / "policy.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    assert [(p.code, p.column) for p in caught.value.problems] == [(code, column)]


@pytest.mark.parametrize("value", [0, -5, float("nan"), float("inf"), "far", True, 1e6])
def test_a_distance_limit_outside_reason_is_refused(value):
    from lianhu_tools.policy import LimitError, check_max_km

    with pytest.raises(LimitError, match="距离上限"):
        check_max_km(value)
    assert check_max_km("12.5") == 12.5


def test_a_mistyped_key_is_answered_with_the_nearest(tmp_path):
    path = tmp_path / "政策.yaml"
    path.write_text("max_kms: 30\nquotas: {县处级: {pooor: 2}}\n", encoding="utf-8")
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    said = {p.column: (p.message_zh, p.message_en) for p in caught.value.problems}
    assert "是不是“max_km”" in said["max_kms"][0] and "did you mean 'quotas.县处级.poor'" in said["quotas.县处级.pooor"][1]
