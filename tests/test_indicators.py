"""The indicator system file: every entry checked from its declaration, every problem listed at once."""

import copy

import pytest
import yaml

from lianhu_tools.assessment.indicators import check_indicators, grade_of, grade_order, load_indicators
from lianhu_tools.errors import IndicatorError

DEFAULT = load_indicators()


def broken(change) -> dict:
    system = copy.deepcopy(DEFAULT)
    change(system)
    return system


@pytest.mark.parametrize("change, where", [
    pytest.param(lambda s: s["cadre"].__setitem__("deductions", 5), "cadre.deductions", id="deductions not a list"),
    pytest.param(lambda s: s["cadre"]["indicators"][0].__setitem__("measure", ["visits_per_household"]),
                 "cadre.indicators[1].measure", id="a list for a measure"),
    pytest.param(lambda s: s["cadre"]["indicators"][0].__setitem__("id", ["visits"]), "cadre.indicators[1].id", id="a list for an id"),
    pytest.param(lambda s: s.__setitem__("gradez", {}), "gradez", id="a mistyped top-level key"),
    pytest.param(lambda s: s["cadre"].__setitem__("deductionz", []), "cadre.deductionz", id="a mistyped subject key"),
    pytest.param(lambda s: s.__setitem__("grades", {"优秀": 90, "良好": 90, "较差": 0}), "grades", id="two grades, one cut-off"),
    pytest.param(lambda s: s.__setitem__("grades", {"优秀": 90, "较差": 10}), "grades", id="no grade from 0"),
    pytest.param(lambda s: s.__setitem__("grades", {"合格": 0}), "grades", id="one grade"),
    pytest.param(lambda s: s.__setitem__("grades", {"优秀": 50, "良好": 80, "较差": 0}), "grades", id="excellent below good"),
    pytest.param(lambda s: s["unit"]["indicators"][0].__setitem__("points", 230), "unit.indicators[1].points", id="points above 100"),
    pytest.param(lambda s: s["unit"]["indicators"][0].__setitem__("points", 29), "unit.indicators", id="points not adding to 100"),
    pytest.param(lambda s: s["team_member"]["indicators"][1].__setitem__("target", float("inf")),
                 "team_member.indicators[2].target", id="an infinite target"),
    pytest.param(lambda s: s["cadre"]["indicators"][0].__setitem__("yearly", "yes"), "cadre.indicators[1].yearly", id="yes as text"),
])
def test_a_wrong_entry_is_found_where_it_is(change, where):
    problems = check_indicators(broken(change))
    assert where in {p.column for p in problems}
    assert all(p.code == "indicator_invalid" and p.message_zh and p.message_en for p in problems)


@pytest.mark.parametrize("text", ["", "- 1\n- 2\n", "42\n", "grades: [\n", "!!python/object:os.system {}\n"])
def test_a_file_that_is_no_indicator_system_is_refused(tmp_path, text):
    path = tmp_path / "指标.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(IndicatorError) as caught:
        load_indicators(path)
    assert caught.value.problems


def test_grades_best_first():
    system = yaml.safe_load("grades: {优秀: 90, 良好: 80, 一般: 70, 较差: 0}")
    assert grade_order(system) == ["优秀", "良好", "一般", "较差"]
    assert [grade_of(system, total) for total in (100, 90, 89.9, 70, 0)] == ["优秀", "优秀", "良好", "一般", "较差"]
