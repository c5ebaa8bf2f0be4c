"""The indicator system (考核指标体系) as data: `data/indicators.yaml`, or the planner's copy. Each indicator has
its points, the measure it is computed from and the target for full points; deductions take points per
occurrence; grades have cut-offs. Every entry is declared (`INDICATOR_VALUES`, `DEDUCTION_VALUES`,
`GRADE_VALUE`) and checked from its declaration, every problem listed at once (`IndicatorError`)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


from ..errors import IndicatorError, Problem, UnreadableFile
from ..schema import Setting
from ..tables.files import read_settings_file
from .measures import MEASURES, SUBJECTS

FULL_MARKS = 100  # 百分制: the indicators of each subject add up to this
INDICATOR_VALUES = {"points": Setting("amount", "分", maximum=FULL_MARKS), "target": Setting("amount", above=0),
                    "yearly": Setting("bool")}
DEDUCTION_VALUES = {"points_each": Setting("amount", "分", maximum=FULL_MARKS)}
GRADE_VALUE = Setting("amount", "分", maximum=FULL_MARKS)
OPTIONAL = {"yearly"}


def load_indicators(path: str | Path | None = None) -> dict:
    """The indicator system: the planner's file, else the default; raises IndicatorError listing every problem."""
    source = str(path) if path else "indicators.yaml"
    try:
        system = read_settings_file(path or resources.files("lianhu_tools").joinpath("data/indicators.yaml"))
    except UnreadableFile as exc:
        raise IndicatorError([_problem(source, "", None, exc.zh, exc.en)]) from None
    problems = check_indicators(system, source)
    if problems:
        raise IndicatorError(problems)
    return system


def check_indicators(system: object, source: str = "indicators") -> list[Problem]:
    """Every problem of an indicator system, checked against the declarations above."""
    if not isinstance(system, dict):
        return [_problem(source, "", str(system)[:60], "须为键值结构（cadre、unit、team_member、grades）",
                         "must be a mapping (cadre, unit, team_member, grades)")]
    problems = [_problem(source, str(key), None, "未知的项", "unknown key") for key in system if key not in (*SUBJECTS, "grades")]
    for subject in SUBJECTS:
        spec = system.get(subject)
        if not isinstance(spec, dict) or not isinstance(spec.get("indicators"), list) or not spec["indicators"]:
            problems.append(_problem(source, subject, None, "须列出指标（indicators）", "must list its indicators"))
            continue
        problems += [_problem(source, f"{subject}.{key}", None, "未知的项", "unknown key")
                     for key in spec if key not in ("indicators", "deductions")]
        deductions = spec.get("deductions") or []
        if not isinstance(deductions, list):
            problems.append(_problem(source, f"{subject}.deductions", deductions, "须为列表", "must be a list"))
            deductions = []
        problems += _entries(source, subject, "indicators", spec["indicators"], INDICATOR_VALUES)
        problems += _entries(source, subject, "deductions", deductions, DEDUCTION_VALUES)
        points = [item.get("points") for item in spec["indicators"] if isinstance(item, dict)]
        if all(INDICATOR_VALUES["points"].problem(p) is None for p in points) and sum(points) != FULL_MARKS:
            problems.append(_problem(source, f"{subject}.indicators", sum(points), f"各指标满分合计须为 {FULL_MARKS}",
                                     f"the indicators' points must add up to {FULL_MARKS}"))
    grades = system.get("grades")
    if not isinstance(grades, dict) or not grades:
        return problems + [_problem(source, "grades", grades, "须给出等次及其最低分，如 {优秀: 90, 良好: 80, 一般: 70, 较差: 0}",
                                    "must name the grades and their lowest totals, e.g. {优秀: 90, …, 较差: 0}")]
    for grade, lowest in grades.items():
        if not isinstance(grade, str) or not grade.strip():
            problems.append(_problem(source, f"grades.{grade}", grade, "等次名称须为文字", "a grade's name must be text"))
        found = GRADE_VALUE.problem(lowest)
        if found:
            problems.append(_problem(source, f"grades.{grade}", lowest, found[1], found[2]))
    if not problems and min(grades.values()) != 0:
        problems.append(_problem(source, "grades", grades, "最低一档的最低分须为 0（每个总分都要有等次）",
                                 "the lowest grade must start at 0 (every total needs a grade)"))
    if not problems and len(set(grades.values())) < len(grades):
        problems.append(_problem(source, "grades", grades, "两个等次的最低分相同（其中一个永远评不上）",
                                 "two grades start at the same total (one could never be given)"))
    if not problems and len(grades) < 2:
        problems.append(_problem(source, "grades", grades, "至少须有两个等次", "needs at least two grades"))
    if not problems and list(grades.values()) != sorted(grades.values(), reverse=True):
        problems.append(_problem(source, "grades", grades, "等次须从高到低排列（最好的在前，最低分逐个降低）",
                                 "grades must be listed best first, each starting below the one before"))
    return problems


def grade_order(system: dict) -> list[str]:
    """The grades, best first (highest cut-off first, as the file lists them)."""
    return sorted(system["grades"], key=lambda grade: -system["grades"][grade])


def grade_of(system: dict, total: float) -> str:
    """The grade of a total: the best whose cut-off it reaches."""
    return next(grade for grade in grade_order(system) if total >= system["grades"][grade])


def _entries(source: str, subject: str, part: str, items: list, values: dict[str, Setting]) -> list[Problem]:
    problems, seen = [], set()
    for k, item in enumerate(items):
        where = f"{subject}.{part}[{k + 1}]"
        if not isinstance(item, dict):
            problems.append(_problem(source, where, item, "须为键值结构", "must be a mapping"))
            continue
        for key in ("id", "name"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                problems.append(_problem(source, f"{where}.{key}", item.get(key), "须填写（文字）", "is required (text)"))
        if isinstance(item.get("id"), str) and item["id"] in seen:
            problems.append(_problem(source, f"{where}.id", item["id"], "编号重复", "duplicate id"))
        seen.add(str(item.get("id")))
        if not isinstance(item.get("measure"), str) or item["measure"] not in MEASURES[subject]:
            problems.append(_problem(source, f"{where}.measure", item.get("measure"),
                                     f"未知的计算方法，可用：{', '.join(MEASURES[subject])}",
                                     f"unknown measure; known: {', '.join(MEASURES[subject])}"))
        for key, setting in values.items():
            if key in OPTIONAL and key not in item:
                continue
            found = setting.problem(item.get(key))
            if found:
                problems.append(_problem(source, f"{where}.{key}", item.get(key), found[1], found[2]))
        unknown = set(item) - {"id", "name", "measure", *values}
        problems += [_problem(source, f"{where}.{key}", item[key], "未知的项", "unknown key") for key in sorted(unknown)]
    return problems


def _problem(source: str, path: str, value, zh: str, en: str) -> Problem:
    return Problem(source, None, None, path or None, None if value is None else str(value), "indicator_invalid",
                   f"指标体系{'“' + path + '”' if path else ''}{zh}", f"indicator system{' ' + path if path else ''}: {en}")
