"""What can go wrong, in one place: a `Problem` (located as the planner sees it, stable code, Chinese and
English), the input errors that carry every problem found (one family, one shape), typed warnings, and the
error raised when personal data would be published.

    try:
        rosters = load_rosters("rosters/")
    except InputError as exc:              # RosterError, PolicyError, PlanError, ArchiveError, …
        for problem in exc.problems: ...
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

PROBLEM_COLUMNS = {
    "file": "文件",
    "sheet": "工作表",
    "row": "行号",
    "column": "列",
    "value": "值",
    "code": "问题代码",
    "severity": "级别",
    "message_zh": "问题说明",
    "message_en": "Problem (English)",
}

# Every problem code, with what it means; the README's code table is generated from this.
PROBLEM_CODES = {
    "no_files": ("未找到名册文件", "no roster files found"),
    "file_unreadable": ("文件无法打开或解码", "file cannot be opened or decoded"),
    "empty_file": ("文件是空的（警告）", "the file is empty (warning)"),
    "no_rows": ("只有表头，没有数据行", "a header and no rows"),
    "hidden_sheet_skipped": ("隐藏的工作表未读取（警告）", "a hidden sheet was not read (warning)"),
    "unknown_table": ("无法识别是哪种名册", "cannot tell which roster a sheet is"),
    "missing_table": ("缺少某种名册", "one of the four rosters is missing"),
    "missing_column": ("缺少必填列", "a required column is missing"),
    "duplicate_column": ("同一字段出现两列", "two columns mean the same field"),
    "unknown_column": ("未识别的列（已忽略，警告）", "unrecognised column, ignored (warning)"),
    "required_value_missing": ("必填项为空", "a required value is blank"),
    "stranded": ("现有结对或工作队会落在单位不再联系的村", "stored rows would be left in villages no longer linked"),
    "locked": ("会替代已锁定（三年不变）的结对", "would replace rows locked for the term"),
    "rank_unknown": ("职级不在职级对照表中", "a rank not in the policy's rank table"),
    "number_digits_lost": ("编号被存成数字，超过15位已被改动", "a number stored as a number lost digits beyond the 15th"),
    "cell_too_long": ("单元格超过 Excel 的 32,767 字上限", "a cell holds more than Excel's 32,767 characters"),
    "code_malformed": ("代码位数或字符不对", "a code has the wrong digits"),
    "name_mismatch": ("同一代码写了不同的名称", "one code, two names"),
    "code_mismatch": ("乡镇/县区代码与村代码不符", "township or county code contradicts the village code"),
    "not_a_number": ("应为数字", "not a number"),
    "not_an_integer": ("应为整数", "not a whole number"),
    "negative_value": ("不能为负数", "negative value"),
    "out_of_range": ("超出允许范围", "outside the allowed range"),
    "bool_invalid": ("是/否列填了别的", "a yes/no column holds something else"),
    "value_not_allowed": ("不在允许的选项内", "not one of the allowed values"),
    "id_number_numeric": ("身份证号被Excel存成数字，末位已丢失", "ID number stored as a number by Excel, digits lost"),
    "id_number_length": ("身份证号不是18位", "ID number is not 18 characters"),
    "id_number_format": ("身份证号格式或出生日期错误", "ID number malformed or impossible birth date"),
    "id_number_checksum": ("身份证号校验码错误", "ID number fails its check digit"),
    "id_number_duplicate": ("同一身份证号出现在两户", "the same ID number in two households"),
    "duplicate_key": ("编号重复", "duplicate primary key"),
    "orphan_reference": ("引用的村或单位不存在", "refers to a village or unit that is not in its roster"),
    "coordinates_missing": ("缺少经纬度且无可替代位置", "coordinates missing with no fallback"),
    "coordinates_incomplete": ("经纬度只填了一个", "only one of latitude and longitude"),
    "coordinates_outside_china": ("经纬度不在中国境内（或填反）", "coordinates outside China (or swapped)"),
    "village_outside_county": ("村的位置在村代码所指县区的界外", "a village lies outside the county its code names"),
    "county_outline_unknown": ("区划数据中没有该县区代码，未核对位置（警告）", "no such county in the map data: places not checked (warning)"),
    "county_code_not_current": ("县区代码不在现行区划中，已按名称核对（警告）", "a county code not current: checked by its name (warning)"),
    "county_name_mismatch": ("县区名与区划数据中该代码的名称不符（警告）", "the county's name is not the divisions' name for its code (warning)"),
    "village_far_from_township": ("村的位置远离本乡镇其他村（警告）", "a village lies far from its township's others (warning)"),
    "unit_outside_county": ("县级单位驻地在所属县区界外（警告）", "a county unit's office lies outside its county (warning)"),
    "unit_far_from_city": ("单位驻地远离本市各县区（警告）", "a unit's office lies far from every county (warning)"),
    "household_far_from_village": ("农户住址远离所在村（警告）", "a household lives far from its village (warning)"),
    "poverty_cause_missing": ("贫困户未填致贫原因（警告）", "a poor household names no cause of poverty (warning)"),
    "phone_invalid": ("电话格式有误（警告）", "phone number looks wrong (warning)"),
    "village_households_exceeded": ("名册户数超过村总户数（警告）", "more households listed than the village has (warning)"),
    "unit_headcount_exceeded": ("名册干部数超过单位干部人数（警告）", "more cadres listed than the unit's headcount (warning)"),
    "date_malformed": ("不是有效日期", "not a date"),
    "plan_year_outside_term": ("年度不在三年联系期内", "the year is outside the 3-year term"),
    "plan_subject_unknown": ("规划对象不在名册中", "the plan's subject is not on the rosters"),
    "already_imported": ("文件已导入过", "the files were imported before"),
    "rosters_not_stored": ("所给名册与库中最新名册不同", "the rosters given differ from the store's latest snapshot"),
    "activity_actor_unknown": ("主体不在干部或单位名册中", "the actor is not in the cadre or unit roster"),
    "activity_target_unknown": ("对象不在村或农户名册中", "the target is not in the village or household roster"),
    "policy_unreadable": ("政策文件无法读取", "policy file cannot be read"),
    "policy_unknown_key": ("未知的政策项", "unknown policy key"),
    "policy_wrong_type": ("政策项的值类型不对", "policy value of the wrong type"),
    "policy_out_of_range": ("政策项超出允许范围", "policy value outside the allowed range"),
    "policy_inconsistent": ("政策项互相矛盾", "policy values contradict each other"),
    "indicator_invalid": ("指标体系文件有误", "the indicator system file is wrong"),
    "pairing_input_invalid": ("结对的输入无法满足", "the pairing's inputs cannot be honoured"),
    "change_step_invalid": ("名册变化的这一步不能办理", "this step of a roster change cannot be passed"),
    "sample_household_unknown": ("抽查表里的户不在本次抽样中", "a household of the survey sheet is not in the sample"),
    "trail_same_day_far": ("留痕核查：同一天出现在相距太远的两个村（警告）", "paper trail: two villages too far apart on one day (warning)"),
    "trail_days_beyond_period": ("留痕核查：在村天数超过半年的天数（警告）", "paper trail: more days than the half-year has (warning)"),
    "trail_visits_beyond_days": ("留痕核查：走访次数多于在村天数（警告）", "paper trail: more visits than days (warning)"),
    "trail_deadline_burst": ("留痕核查：记录集中在期末前几天（警告）", "paper trail: records bunched before the period's end (warning)"),
    "trail_copied_note": ("留痕核查：同一段说明复制到多条记录（警告）", "paper trail: one note copied across records (warning)"),
    "trail_after_pairing_ended": ("留痕核查：结对结束后仍走访该户（警告）", "paper trail: visits after the pairing ended (warning)"),
}


SHOWN_CHARS = 200  # of a value, in a problem
PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]+:)[^@\s]+@")
PASSWORD_IN_QUERY = re.compile(r"([?&]password=)[^&\s'\"]+", re.I)
PASSWORD_IN_SQL = re.compile(r"(PASSWORD\s+)'[^']*'", re.I)  # a login's verifier, as CREATE ROLE carries it


def masked(text: str) -> str:
    """The text with every password in it hidden: a store URL's (postgresql://planner:***@host/city, or
    ?password=***) and a login's verifier in SQL (PASSWORD '***')."""
    text = PASSWORD_IN_URL.sub(r"\1***@", text)
    text = PASSWORD_IN_QUERY.sub(r"\1***", text)
    return PASSWORD_IN_SQL.sub(r"\1'***'", text)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file, located as the planner sees it in Excel (header = row 1)."""

    file: str
    sheet: str | None
    row: int | None
    column: str | None  # the header as written in the file
    value: str | None
    code: str  # stable machine code, e.g. "duplicate_key"
    message_zh: str
    message_en: str
    severity: str = "error"  # "error" blocks loading; "warning" is reported only

    def __post_init__(self):
        if self.code not in PROBLEM_CODES:
            raise KeyError(f"undeclared problem code {self.code!r}: add it to PROBLEM_CODES")
        if isinstance(self.value, str) and len(self.value) > SHOWN_CHARS:  # a pasted essay is shown by its start
            object.__setattr__(self, "value", self.value[:SHOWN_CHARS] + "…")

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (Path(self.file).name, self.sheet, self.row) if p not in (None, ""))
        column = f" [{self.column}]" if self.column else ""
        value = f" “{self.value}”" if self.value not in (None, "") else ""
        place = f"{where}{column}{value}"
        return f"{place + ': ' if place else ''}{self.message_zh} / {self.message_en} ({self.code})"

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def about(cls, code: str, zh: str, en: str, file: str = "", value: object = None,
              severity: str = "error") -> Problem:
        """A problem with a whole input (a file, an option, a rule) rather than one cell."""
        return cls(str(file), None, None, None, None if value is None else str(value), code, zh, en, severity)


class InputError(ValueError):
    """Input rejected; `problems` lists every problem found (errors and warnings). Nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = self.errors
        head = "\n".join(str(p) for p in errors[:20])
        more = f"\n… 另有 {len(errors) - 20} 个问题 / {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(f"发现 {len(errors)} 个问题，未载入任何数据 / {len(errors)} problems found, "
                         f"nothing loaded:\n{head}{more}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class RosterError(InputError):
    """Roster files rejected."""


class PolicyError(InputError):
    """The planner's policy file or edits rejected."""


class IndicatorError(InputError):
    """The indicator system file rejected."""


class PlanError(InputError):
    """Three-year plan files rejected."""


class ArchiveError(InputError):
    """Work-diary files rejected; nothing was imported."""


class AlreadyImported(ArchiveError):
    """The files (or some of their records) are in the store already."""

    def __init__(self, source: str, zh: str, en: str):
        super().__init__([Problem.about("already_imported", zh, en, file=source)])

    @classmethod
    def files(cls, source: str, earlier: str) -> AlreadyImported:
        return cls(source, f"这些文件已经导入过（{earlier}），不再重复导入",
                   f"these files were imported before ({earlier}); not imported again")


class SaidInputError(InputError):
    """Input rejected for reasons said in words, each "中文 / English", all under one problem code."""

    code = ""

    @classmethod
    def said(cls, *messages: str):
        problems = []
        for message in messages:
            zh, _, en = re.sub(r"\s*/\s+", " / ", message, count=1).partition(" / ")  # "中文）/ English" too
            problems.append(Problem.about(cls.code, zh, en or zh))
        return cls(problems)


class PairingInputError(SaidInputError):
    """Inputs the pairing cannot honour (pins, links, pairs files, the planner's rules)."""

    code = "pairing_input_invalid"


class ChangeError(SaidInputError):
    """A roster change's step that cannot be passed (order, dates, reason, numbers, what it depends on)."""

    code = "change_step_invalid"


class PersonalDataLeak(Exception):
    """A file about to be published carries a household's ID number or phone (`numbers`) or a head's name (in
    the texts `where`); it was not published. The message names the texts, never the numbers."""

    def __init__(self, path: str, numbers: list[str], where: list[str] = ()):
        self.path, self.numbers, self.where = str(path), list(numbers), list(where)
        shown = "、".join(f"“{text[:40]}”" for text in self.where[:5]) + ("…" if len(self.where) > 5 else "")
        names = (f"户主姓名出现在 {len(self.where)} 处 / a head's name in {len(self.where)} texts: {shown}；"
                 "确为同名的，经核实后可列入政策文件的 publication_allowed_names / if only a namesake, once reviewed, "
                 "list it under publication_allowed_names in the policy file") if self.where else ""
        numbers_said = (f"身份证号或电话 {len(self.numbers)} 处 / {len(self.numbers)} ID or phone numbers；"
                        if self.numbers else "")
        super().__init__(f"{Path(path).name}: 含有农户个人信息，未发布 / household personal data, not published "
                         f"— {numbers_said}{names}")


# ---------------------------------------------------------------- said in words (one message, Chinese and English)

class LimitError(ValueError):
    """A limit outside what the rules allow (message in Chinese and English)."""


class PeriodError(ValueError):
    """Not a period (message in Chinese and English)."""


class SolverError(RuntimeError):
    """The engine could not do what was asked; the message says what happened, in Chinese and English."""


class NothingToAssess(ValueError):
    """No work records for the period (message in Chinese and English)."""


class NotADemoStore(Exception):
    """The demo's output folder holds a store that a demo did not make; it is left alone."""


class UnreadableFile(Exception):
    """A file that cannot be opened or decoded; carries a bilingual reason."""

    def __init__(self, path: Path, zh: str, en: str):
        super().__init__(f"{path}: {zh} / {en}")
        self.path, self.zh, self.en = path, zh, en


class StoreBusy(RuntimeError):
    """Another program held the store's write lock for longer than this one waits."""

    def __init__(self, where: str, seconds: float):
        super().__init__(f"数据库 {where} 正忙（另一个程序正在写入，已等待 {seconds:g} 秒），请稍后再试 / "
                         f"the store {where} is busy (another program is writing; waited {seconds:g} s) — try again")


class UsageError(Exception):
    """A command asked for something it cannot do as given (message in Chinese and English)."""


class StoreConflict(RuntimeError):
    """A write the database refused as breaking one of its rules (one record once, one cadre per household…)."""


class NotAllowed(PermissionError):
    """A write outside the person's role or area (message in Chinese and English)."""


class NotInStore(LookupError):
    """No store at that path, or nothing of the kind asked for in it yet (message in Chinese and English)."""


class StoreTooNew(RuntimeError):
    """The store was written by a newer version of this program."""


class HubError(Exception):
    """The hub cannot start as configured, or an account cannot be changed: every reason, in Chinese and English
    (never a password)."""

    def __init__(self, reasons: list[str]):
        self.reasons = list(reasons)
        super().__init__("\n".join(self.reasons))


class AdjustmentError(ValueError):
    """A manual adjustment the store refuses (no reason, or points beyond the limit; Chinese and English)."""


# What a dashboard visitor sees when something fails: the detail goes to the server's log, never to the page.
DASHBOARD_ERROR_MESSAGE = "看板出错，请刷新页面；仍然出错请告诉管理员 / something went wrong; reload the page, or tell the administrator"


class LianhuWarning(UserWarning):
    """Something worth a look that does not stop the work."""


class RosterWarning(LianhuWarning):
    """Something in the rosters worth a look that does not stop loading (an ignored column, a skipped sheet)."""


def problems_frame(problems: list[Problem], chinese_headers: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame([p.to_dict() for p in problems], columns=list(PROBLEM_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    if not chinese_headers:
        return frame
    return frame.assign(severity=frame["severity"].map({"error": "错误", "warning": "警告"})).rename(columns=PROBLEM_COLUMNS)

