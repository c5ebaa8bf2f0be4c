"""The program's rules: defaults from DOMAIN.md, overridden by the planner's policy file.

The planner's file (YAML or JSON) holds only what differs from the defaults; `load_policy` merges
it over `DEFAULT_POLICY`, checks every value and reports every problem at once.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

import yaml

from .errors import LimitError, PolicyError, Problem, UnreadableFile
from .schema import RANKS, UNIT_KINDS, Setting
from .tables.files import read_settings_file

LOCALITIES = ("auto", "unit_villages", "distance", "county")
MAX_KM = 2000.0  # a distance limit beyond a province's extent is a typing error
MAX_QUOTA = 100  # households per cadre and pool (real programs: up to about 10)
MAX_PER_UNIT = 100  # villages per unit, work-team members per village
MAX_ALLOWED_NAMES = 1000  # reviewed namesakes a publication may carry
RISK_LEVELS = ("高", "中", "低")  # an early warning's levels, highest first


@dataclass(frozen=True)
class PolicyItem:
    """One policy setting, declared once: documentation and validation come from here. `values` declares
    each value under the key ("" for the key's own value, "*.min" for the min of every entry, …)."""

    key: str
    zh: str
    unit: str
    description: str
    values: dict[str, Setting] = field(default_factory=dict)


POLICY_ITEMS = (
    PolicyItem("quotas", "联户数（按职级）", "户",
               "每名干部最多联系的党员小康建设户（party）和贫困户（poor）数。Households per cadre by rank: party-member (party) and poor (poor).",
               {"*.*": Setting("count", "户", maximum=MAX_QUOTA)}),
    PolicyItem("poverty_lines_yuan", "贫困线", "元/年",
               "人均纯收入低于 absolute 为绝对贫困户，低于 low_income 为低收入户。Per-capita income lines: absolute poverty and low income.",
               {"*": Setting("amount", "元/年")}),
    PolicyItem("max_km", "距离上限", "km",
               "干部驻地到所联农户的最大直线距离。Largest great-circle distance from a cadre's base to a linked household.",
               {"": Setting("amount", "km", maximum=MAX_KM, above=0)}),
    PolicyItem("villages_per_unit", "每单位联村数（按单位类别）", "个村",
               "每个单位联系村的最少（min）与最多（max）个数。Villages each unit links, by unit kind.",
               {"*.*": Setting("count", "个村", maximum=MAX_PER_UNIT)}),
    PolicyItem("team_size", "工作队人数（按单位类别）", "人",
               "每个联系村派驻工作队员的最少与最多人数。Work-team members per linked village, by unit kind.",
               {"*.*": Setting("count", "人", maximum=MAX_PER_UNIT)}),
    PolicyItem("locality", "联户范围", "",
               "unit_villages：农户须在本单位所联系的村；distance：在距离上限以内；county：同一县区；auto：有联村结果时按 unit_villages，否则按 distance。"
               "Where a cadre's households may lie.", {"": Setting("choice", allowed=LOCALITIES)}),
    PolicyItem("retired_cadres_link", "离退休干部参与联户", "是/否",
               "否：离退休干部不分配农户。No: retired cadres get no households.", {"": Setting("bool")}),
    PolicyItem("leadership_link", "班子成员参与联户", "是/否",
               "否：单位班子成员不分配农户。No: leadership-team members get no households.", {"": Setting("bool")}),
    PolicyItem("publication_allowed_names", "公开发布允许出现的姓名", "",
               "发布前检查会拦下含有户主姓名的文件（单位名、句子中也查）。经核实只是同名的（如与某单位、某干部同名），列在这里即不再拦下。"
               "Household heads' names the pre-publication check lets through, once reviewed as namesakes.",
               {"": Setting("names", maximum=MAX_ALLOWED_NAMES)}),
    PolicyItem("rank_titles", "职级对照", "",
               "名册上写的职级（如 副处级、二级调研员、科员）归入哪一档名额：地厅级、县处级、乡科级、一般干部。本市另有写法的，在这里加上。"
               "Each rank as rosters write it, and the quota band it counts as; add the city's own spellings.",
               {"*": Setting("choice", allowed=tuple(RANKS))}),
    PolicyItem("change_steps", "名册变化的办理步骤", "",
               "新名册带来的变化经过哪些步骤才算数（最后一步即审批）：households 贫困户的识别、退出、返贫和移出；people 干部、单位和村的变化；"
               "details 人口、收入等其他变化。空列表：导入即生效。The steps a roster change passes before it counts (the last "
               "approves it), per group of kinds; an empty list applies it on import.",
               {"*": Setting("names", maximum=10)}),
    PolicyItem("notice", "公示", "天",
               "step 为公示那一步的名称，days 为公示天数：通过公示这一步的日期须在上一步之后至少这么多天。The notice step's name, "
               "and the days the notice must stand: that step is passed at least this many days after the one before it.",
               {"step": Setting("names", maximum=1), "days": Setting("count", "天", maximum=90)}),
    PolicyItem("warnings", "防返贫监测预警规则", "",
               "near_line_times：收入低于低收入线的几倍为边缘户；income_drop_share：收入比上一份名册下降的比例；shock_causes、shock_words："
               "名册的致贫原因、工作记录的说明里出现即为遭遇风险；no_visit_days：多少天无人走访；levels：每条规则的风险等级（高/中/低）。"
               "Early-warning rules: near the line, income down, a shock in the roster or a diary note, no visit for N days, "
               "a plan measure overdue; each rule's risk level.",
               {"near_line_times": Setting("amount", maximum=10, above=1), "income_drop_share": Setting("amount", maximum=1, above=0),
                "shock_causes": Setting("names", maximum=20), "shock_words": Setting("names", maximum=100),
                "no_visit_days": Setting("count", "天", maximum=366), "levels.*": Setting("choice", allowed=RISK_LEVELS)}),
    PolicyItem("paper_trail", "留痕核查", "",
               "same_day_km：同一人同一天到过的两个村最远相距多少 km；burst_days、burst_share、burst_min：期末前几天内的记录占一人记录的比例"
               "（记录不少于 burst_min 条时）；copied_min、copied_chars：同一段说明（至少这么多字）出现在多少条记录即为复制。"
               "Checks on the diaries: the farthest two villages one person can reach in a day; a burst before the period's end; "
               "a note copied across records.",
               {"same_day_km": Setting("amount", "km", maximum=MAX_KM, above=0), "burst_days": Setting("count", "天", maximum=90),
                "burst_share": Setting("amount", maximum=1, above=0), "burst_min": Setting("count", "条", maximum=10_000),
                "copied_min": Setting("count", "条", maximum=10_000), "copied_chars": Setting("count", "字", maximum=1000)}),
    PolicyItem("party_households_must_be_non_poor", "党员小康建设户须为非贫困户", "是/否",
               "是：党员户收入须在低收入线以上才可作为党员小康建设户。Party-member households qualify only above the low-income line.",
               {"": Setting("bool")}),
)

# Ranks as cadre rosters write them (领导职务 and, since 2019, 职级), each in its band; the city's file may add more.
DEFAULT_RANK_TITLES: dict[str, str] = {
    **dict.fromkeys(("地厅级", "厅级", "厅局级", "正厅级", "副厅级", "正厅局级", "副厅局级", "正厅", "副厅", "正局级", "副局级",
                     "地级", "正地级", "副地级", "一级巡视员", "二级巡视员", "巡视员", "副巡视员"), "地厅级"),
    **dict.fromkeys(("县处级", "处级", "县级", "正处级", "副处级", "正县处级", "副县处级", "正县级", "副县级", "正处", "副处",
                     "一级调研员", "二级调研员", "三级调研员", "四级调研员", "调研员", "副调研员"), "县处级"),
    **dict.fromkeys(("乡科级", "科级", "正科级", "副科级", "正乡科级", "副乡科级", "正乡级", "副乡级", "正科", "副科",
                     "一级主任科员", "二级主任科员", "三级主任科员", "四级主任科员", "主任科员", "副主任科员"), "乡科级"),
    **dict.fromkeys(("一般干部", "科员", "一级科员", "二级科员", "办事员", "试用期"), "一般干部"),
    "prefecture": "地厅级", "county": "县处级", "section": "乡科级", "staff": "一般干部",
}
TRADITIONAL = str.maketrans("廳處級縣鄉調員視務辦幹職長試", "厅处级县乡调员视务办干职长试")

DEFAULT_POLICY: dict = {
    # Gansu 2012: 地厅级 ≥3 households, 县处级 ≥2, other cadres ≥1; split party/poor as in the seed.
    "quotas": {
        "地厅级": {"party": 1, "poor": 2},
        "县处级": {"party": 1, "poor": 1},
        "乡科级": {"party": 0, "poor": 1},
        "一般干部": {"party": 0, "poor": 1},
    },
    # The two-line system of the seed's era (2007 national lines).
    "poverty_lines_yuan": {"absolute": 785, "low_income": 1067},
    "max_km": 60,
    "villages_per_unit": {kind: {"min": 1, "max": 3 if kind == "四大班子" else 2} for kind in UNIT_KINDS},
    "team_size": {kind: {"min": 3 if kind == "四大班子" else 2, "max": 5} for kind in UNIT_KINDS},
    "locality": "auto",
    "retired_cadres_link": True,
    "leadership_link": True,
    "party_households_must_be_non_poor": True,
    "warnings": {"near_line_times": 1.5, "income_drop_share": 0.2, "shock_causes": ["因病", "因灾", "因残"],
                 "shock_words": ["住院", "大病", "重病", "手术", "受灾", "灾害", "冰雹", "洪水", "滑坡", "车祸", "残疾", "失业"],
                 "no_visit_days": 90,
                 "levels": {"near_line": "中", "income_drop": "高", "shock": "高", "no_visit": "中", "plan_overdue": "低"}},
    "paper_trail": {"same_day_km": 150, "burst_days": 7, "burst_share": 0.5, "burst_min": 10, "copied_min": 5,
                    "copied_chars": 10},
    "change_steps": {"households": ["核查", "评议", "公示", "审批"], "people": ["核查", "审批"], "details": ["核查"]},
    "notice": {"step": ["公示"], "days": 7},
    "publication_allowed_names": [],
    "rank_titles": dict(DEFAULT_RANK_TITLES),
}
OPEN_TABLES = ("rank_titles",)  # tables whose keys the planner's file may add to


def check_max_km(value) -> float:
    """A distance limit as the pairing takes it: a finite number of km above 0, at most MAX_KM."""
    try:
        km = float(value)
    except (TypeError, ValueError):
        km = math.nan
    if isinstance(value, bool) or not (0 < km <= MAX_KM):
        raise LimitError(f"距离上限须为大于 0、不超过 {MAX_KM:g} 的公里数，而不是 {value!r} / "
                         f"the distance limit must be more than 0 and at most {MAX_KM:g} km, not {value!r}")
    return km


@dataclass(frozen=True)
class Policy:
    """The effective policy: defaults with the planner's edits applied and checked."""

    settings: dict

    @property
    def quotas(self) -> dict[str, dict[str, int]]:
        return self.settings["quotas"]

    @property
    def absolute_line_yuan(self) -> float:
        return self.settings["poverty_lines_yuan"]["absolute"]

    @property
    def low_income_line_yuan(self) -> float:
        return self.settings["poverty_lines_yuan"]["low_income"]

    @property
    def max_km(self) -> float:
        return self.settings["max_km"]

    @property
    def villages_per_unit(self) -> dict[str, dict[str, int]]:
        return self.settings["villages_per_unit"]

    @property
    def team_size(self) -> dict[str, dict[str, int]]:
        return self.settings["team_size"]

    @property
    def locality(self) -> str:
        return self.settings["locality"]

    @property
    def party_households_must_be_non_poor(self) -> bool:
        return self.settings["party_households_must_be_non_poor"]

    @property
    def rank_table(self) -> dict[str, str]:
        """Band (地厅级 …) of each rank in the table, keyed by `rank_key` (spaces, full-width and traditional
        forms folded)."""
        return {rank_key(title): band for title, band in self.settings.get("rank_titles", DEFAULT_RANK_TITLES).items()}

    def nearest_rank(self, rank: str) -> str | None:
        """The rank in the table most like `rank`, for "did you mean"."""
        found = difflib.get_close_matches(rank_key(rank), list(self.rank_table), n=1, cutoff=0.4)
        return found[0] if found else None

    def change_steps(self, group: str) -> list[str]:
        """The steps of a group of roster changes (`changes.kinds`), in order; the last approves."""
        return list(self.settings["change_steps"][group])

    @property
    def notice(self) -> tuple[str | None, int]:
        """The notice step's name (none: no notice) and the days a notice stands."""
        step = self.settings["notice"]["step"]
        return (step[0] if step else None), int(self.settings["notice"]["days"])

    @property
    def paper_trail(self) -> dict:
        """The checks on the diaries (`paper_trail`)."""
        return self.settings["paper_trail"]

    @property
    def warnings(self) -> dict:
        """The early-warning rules (`monitoring`)."""
        return self.settings["warnings"]

    @property
    def publication_allowed_names(self) -> list[str]:
        return self.settings.get("publication_allowed_names", [])

    def to_dict(self) -> dict:
        return copy.deepcopy(self.settings)

    def to_json(self) -> str:
        return json.dumps(self.settings, ensure_ascii=False, indent=2)


def rank_key(rank: str) -> str:
    """A rank as the table looks it up: NFKC, no spaces, simplified characters."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(rank))).translate(TRADITIONAL).lower()


def default_policy() -> Policy:
    return Policy(copy.deepcopy(DEFAULT_POLICY))


def load_policy(path: str | Path | None = None, overrides: dict | None = None) -> Policy:
    """The defaults, then the planner's file, then `overrides`; raises PolicyError listing every problem."""
    settings = copy.deepcopy(DEFAULT_POLICY)
    source = str(path) if path else "policy"
    problems: list[Problem] = []
    for edits in (_read_policy_file(path, problems) if path else {}, overrides or {}):
        _merge(settings, edits, source, "", problems)
    problems += _check(settings, source)
    if problems:
        raise PolicyError(problems)
    return Policy(settings)


def _read_policy_file(path: str | Path, problems: list[Problem]) -> dict:
    try:
        data = read_settings_file(path) or {}
    except UnreadableFile as exc:
        problems.append(_problem(str(path), "", None, "policy_unreadable", f"政策文件{exc.zh}", f"policy file: {exc.en}"))
        return {}
    if not isinstance(data, dict):
        problems.append(_problem(str(path), "", str(data)[:200], "policy_unreadable",
                                 "政策文件须为键值结构", "policy file must be a mapping"))
        return {}
    return data


def _merge(settings: dict, edits: dict, source: str, prefix: str, problems: list[Problem]) -> None:
    """Apply the planner's edits over `settings`, key by key; unknown keys and misplaced values are problems."""
    for key, value in edits.items():
        path = f"{prefix}{key}"
        if key not in settings and prefix.rstrip(".") not in OPEN_TABLES:
            near = difflib.get_close_matches(str(key), [str(k) for k in settings], n=1, cutoff=0.5)
            problems.append(_problem(source, path, value, "policy_unknown_key",
                                     f"未知的政策项“{path}”" + (f"，是不是“{prefix}{near[0]}”？" if near else ""),
                                     f"unknown policy key '{path}'" + (f"; did you mean '{prefix}{near[0]}'?" if near else "")))
        elif key not in settings or not isinstance(settings[key], dict):
            settings[key] = value
        elif isinstance(value, dict):
            _merge(settings[key], value, source, f"{path}.", problems)
        else:
            problems.append(_problem(source, path, value, "policy_wrong_type",
                                     f"“{path}”须为表", f"'{path}' must be a table"))


def _check(settings: dict, source: str) -> list[Problem]:
    """Every value against its declaration (`POLICY_ITEMS`), then the values that must agree with each other."""
    problems = []
    for item in POLICY_ITEMS:
        for path, value in _leaves(settings[item.key], item.key):
            suffix = path[len(item.key) + 1:]
            setting = next((s for pattern, s in item.values.items() if _matches(suffix, pattern)), None)
            if setting is None:  # a table where one value belongs
                problems.append(_problem(source, path, value, "policy_wrong_type", f"“{path}”不是此项的值：须为单个值",
                                         f"'{path}' is not a value of this item: one value belongs there"))
                continue
            found = setting.problem(value)
            if found:
                what, zh, en = found
                problems.append(_problem(source, path, value, f"policy_{what}", f"“{path}”{zh}", f"'{path}' {en}"))
    wrong = {p.column for p in problems}
    lines = settings["poverty_lines_yuan"]
    if not any(c.startswith("poverty_lines_yuan.") for c in wrong) and lines["absolute"] > lines["low_income"]:
        problems.append(_problem(source, "poverty_lines_yuan", lines, "policy_inconsistent",
                                 "绝对贫困线不能高于低收入线", "the absolute line cannot exceed the low-income line"))
    for table in ("villages_per_unit", "team_size"):
        for kind in UNIT_KINDS:
            bounds, path = settings[table][kind], f"{table}.{kind}"
            if not any(c.startswith(f"{path}.") for c in wrong) and bounds["min"] > bounds["max"]:
                problems.append(_problem(source, path, bounds, "policy_inconsistent",
                                         f"“{path}”的最小值大于最大值", f"'{path}': min exceeds max"))
    if not any(c.startswith(("change_steps", "notice")) for c in wrong):
        steps = settings["change_steps"]
        for group, names in steps.items():
            if len(set(names)) != len(names):
                problems.append(_problem(source, f"change_steps.{group}", ", ".join(names), "policy_inconsistent",
                                         "同一步骤写了两次", "a step is named twice"))
        notice = settings["notice"]["step"]
        if notice and not any(notice[0] in names for names in steps.values()):
            problems.append(_problem(source, "notice.step", notice[0], "policy_inconsistent",
                                     "公示步骤不在 change_steps 的任何一组中", "the notice step is in no group of change_steps"))
    return problems


def _matches(suffix: str, pattern: str) -> bool:
    """`quotas` declares "*.*": a rank, then a pool — each part one level, no deeper."""
    parts, wanted = suffix.split(".") if suffix else [], pattern.split(".") if pattern else []
    return len(parts) == len(wanted) and all(fnmatchcase(p, w) for p, w in zip(parts, wanted))


def _leaves(value, path: str):
    """(dotted path, value) of every value that is not itself a table."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}")
    else:
        yield path, value


def _problem(source: str, key: str, value, code: str, zh: str, en: str) -> Problem:
    if isinstance(value, dict):  # as the planner wrote it, not as Python shows it
        value = ", ".join(f"{k}: {v}" for k, v in value.items())
    return Problem(file=source, sheet=None, row=None, column=key, value=None if value is None else str(value),
                   code=code, message_zh=zh, message_en=en)


def policy_file_text(policy: Policy | None = None) -> str:
    """A commented YAML file of the effective policy, for the planner to edit."""
    policy = policy or default_policy()
    lines = ["# 联村联户政策文件 / lianhu policy file",
             "# 只需保留要修改的项，其余取默认值。Keep only what you change; the rest take the defaults.", ""]
    for item in POLICY_ITEMS:
        lines.append(f"# {item.zh}（{item.unit}）：{item.description}")
        block = yaml.safe_dump({item.key: policy.settings[item.key]}, allow_unicode=True, sort_keys=False)
        lines += [block.rstrip(), ""]
    return "\n".join(lines)
