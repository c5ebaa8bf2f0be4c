"""The roster tables, declared once.

Every field of every roster is declared here as data: its type, unit, allowed values, whether it
is required, its headers in simplified Chinese, traditional Chinese and English, and a description.
Validation (`tables`, `rosters`), the blank Excel template (`template`) and the README's field reference
(`docs`) are all generated from these declarations. Values of the files a planner edits (the policy, the
indicator system) are declared as `Setting`s, and checked from them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field

# Value kinds a field can have; each has one parser in `tables.parse`.
KIND_LABELS = {
    "code": "代码(文本) code", "id": "编号(文本) id", "text": "文本 text", "int": "整数 integer",
    "float": "数字 number", "bool": "是/否 yes/no", "category": "选项 choice",
    "id_number": "身份证号(文本) ID number", "phone": "电话(文本) phone", "lat": "纬度 latitude",
    "lon": "经度 longitude", "date": "日期 date",
}

YES_WORDS = ("是", "Y", "yes", "TRUE", "1", "√", "✓", "t")
NO_WORDS = ("否", "N", "no", "FALSE", "0", "×", "✗", "f")

# GB 11643 citizen ID numbers: the check character is CHECK[sum(digit_i × weight_i) mod 11].
ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECK = "10X98765432"

# China's extent, for a first sanity check of coordinates (degrees).
CHINA_LAT = (3.5, 54.0)
CHINA_LON = (73.0, 135.5)


@dataclass(frozen=True)
class Field:
    """One column of a roster table."""

    name: str  # English identifier, also accepted as header
    kind: str
    zh: str  # simplified-Chinese header
    zh_hant: str  # traditional-Chinese header
    description: str
    required: bool = True
    unit: str = ""
    digits: int | None = None  # exact digit count for codes
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)  # canonical -> aliases
    minimum: float | None = None
    maximum: float | None = None
    aliases: tuple[str, ...] = ()  # further header spellings seen in office files

    def headers(self) -> tuple[str, ...]:
        return (self.zh, self.zh_hant, self.name, *self.aliases)

    @property
    def label(self) -> str:
        return f"{self.zh} ({self.name})"


@dataclass(frozen=True)
class Setting:
    """One value in a file the planner edits (the policy, the indicator system), declared once: its check
    (`problem`) and its documentation come from here, as a roster column's come from its `Field`."""

    kind: str  # "count" (a whole number ≥ 0), "amount" (a finite number ≥ 0), "bool", "choice", "names" (a list)
    unit: str = ""
    maximum: float | None = None
    above: float | None = None  # the value must be more than this
    allowed: tuple[str, ...] = ()

    def describe(self) -> str:
        """What the value may be, for the docs: 整数 0–100, 大于 0, 是/否, a list of choices."""
        if self.kind == "bool":
            return "true / false"
        if self.kind == "choice":
            return " / ".join(self.allowed)
        if self.kind == "names":
            return f"姓名列表 a list of names (≤ {self.maximum:g})"
        low = f"> {self.above:g}" if self.above is not None else "≥ 0"
        high = f"，≤ {self.maximum:g}" if self.maximum is not None else ""
        return f"{'整数 integer' if self.kind == 'count' else '数 number'} {low}{high}"

    def problem(self, value: object) -> tuple[str, str, str] | None:
        """None when `value` is allowed; else what is wrong ("wrong_type" or "out_of_range"), in Chinese and English."""
        if self.kind == "bool":
            return None if isinstance(value, bool) else ("wrong_type", "须为 true 或 false", "must be true or false")
        if self.kind == "choice":
            return None if value in self.allowed else (
                "wrong_type", f"须为 {' / '.join(self.allowed)}", f"must be one of {', '.join(self.allowed)}")
        if self.kind == "names":
            if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v.strip()) <= 50 for v in value):
                return "wrong_type", "须为姓名列表（每个 1–50 字）", "must be a list of names (1–50 characters each)"
            return None if len(value) <= self.maximum else (
                "out_of_range", f"最多 {self.maximum:g} 个", f"cannot hold more than {self.maximum:g}")
        number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
        if not number or (self.kind == "count" and not float(value).is_integer()):
            zh, en = ("非负整数", "a non-negative integer") if self.kind == "count" else ("非负数", "a non-negative number")
            if self.above is not None:
                zh, en = f"大于 {self.above:g} 的数", f"a number above {self.above:g}"
            if self.maximum is not None:
                zh, en = f"{zh}（不超过 {self.maximum:g}）", f"{en}, at most {self.maximum:g}"
            return "wrong_type", f"须为{zh}", f"must be {en}"
        if self.maximum is not None and value > self.maximum:
            return "out_of_range", f"不能超过 {self.maximum:g}", f"cannot exceed {self.maximum:g}"
        if self.above is not None and value <= self.above:
            return "out_of_range", f"须大于 {self.above:g}", f"must be more than {self.above:g}"
        return None


@dataclass(frozen=True)
class Table:
    """One roster: a sheet or file the offices send."""

    name: str
    zh: str
    zh_hant: str
    description: str
    fields: tuple[Field, ...]
    primary_key: str
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (table, column)
    sheet_names: tuple[str, ...] = ()  # sheet or file names that mean this table

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def required_fields(self) -> list[Field]:
        return [f for f in self.fields if f.required]


def normalize_header(text: object) -> str:
    """Header key for matching: NFKC, no spaces, no '*' marks, no trailing unit in brackets, lower case."""
    key = unicodedata.normalize("NFKC", str(text)).strip().lower()
    key = re.sub(r"[\s_\-*·:：\u200b\ufeff]+", "", key)
    key = re.sub(r"[(\[（【][^)\]）】]*[)\]）】]$", "", key)  # 人均纯收入(元) -> 人均纯收入
    return key


def normalize_value(text: str) -> str:
    """Value key for categories: NFKC, no spaces, lower case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


# ---------------------------------------------------------------- allowed values

RANKS = {
    "地厅级": ("地廳級", "厅级", "廳級", "prefecture"),
    "县处级": ("縣處級", "处级", "處級", "county"),
    "乡科级": ("鄉科級", "科级", "科級", "section"),
    "一般干部": ("一般幹部", "科员", "科員", "办事员", "辦事員", "staff"),
}
UNIT_LEVELS = {
    "中央": ("中央单位", "中央單位", "central"),
    "省": ("省级", "省級", "省属", "省屬", "provincial", "province"),
    "市": ("市级", "市級", "市直", "city"),
    "县": ("縣", "县级", "縣級", "县区", "縣區", "县直", "縣直", "county"),
}
UNIT_KINDS = {
    "四大班子": ("四大班子", "leadership bodies", "leadership"),
    "党群部门": ("黨群部門", "党群机关", "黨群機關", "party and mass organisations"),
    "政府部门": ("政府部門", "政府机关", "政府機關", "government department"),
    "事业单位": ("事業單位", "public institution"),
    "国有企业": ("國有企業", "国企", "國企", "state enterprise"),
}
POVERTY_CAUSES = {
    "因病": ("illness",),
    "因残": ("因殘", "disability"),
    "因学": ("因學", "education"),
    "因灾": ("因災", "disaster"),
    "缺土地": ("land",),
    "缺水": ("water",),
    "缺技术": ("缺技術", "skills"),
    "缺劳力": ("缺勞力", "labour"),
    "缺资金": ("缺資金", "capital"),
    "交通条件落后": ("交通條件落後", "transport"),
    "自身发展动力不足": ("自身發展動力不足", "motivation"),
    "因婚": ("marriage",),
    "其他": ("other",),
}
POVERTY_CAUSES = {  # 因病致贫 means 因病
    cause: (*aliases, *(word + suffix for word in (cause, *aliases) if not word.isascii() and cause != "其他"
                        for suffix in ("致贫", "致貧")))
    for cause, aliases in POVERTY_CAUSES.items()}
HOUSEHOLD_CLASSES = ("绝对贫困户", "低收入户", "非贫困户")


def _lat(required: bool, desc: str) -> Field:
    return Field("lat", "lat", "纬度", "緯度", desc, required=required, unit="°N",
                 aliases=("latitude", "北纬", "北緯"))


def _lon(required: bool, desc: str) -> Field:
    return Field("lon", "lon", "经度", "經度", desc, required=required, unit="°E",
                 aliases=("longitude", "lng", "东经", "東經"))


def _phone() -> Field:
    return Field("phone", "phone", "联系电话", "聯繫電話", "手机或固定电话（个人信息，不公开）。Mobile or landline; personal data, never published.",
                 required=False, aliases=("电话", "電話", "手机号", "手機號", "联系方式", "聯繫方式", "聯系電話"))


VILLAGES = Table(
    "villages", "村", "村", "行政村名册：联村的对象。Administrative villages, the objects units link.",
    fields=(
        Field("village_code", "code", "村代码", "村代碼", "12位统计用区划代码。12-digit statistical division code.",
              digits=12, aliases=("村编码", "村編碼", "区划代码", "區劃代碼", "统计用区划代码", "統計用區劃代碼")),
        Field("village_name", "text", "村名", "村名", "行政村名称（可重名）。Village name (not unique).",
              aliases=("村名称", "村名稱", "行政村", "村")),
        Field("township_code", "code", "乡镇代码", "鄉鎮代碼", "9位乡镇代码，须为村代码前9位。9-digit township code: the village code's first 9 digits.",
              digits=9, aliases=("乡镇编码", "鄉鎮編碼")),
        Field("township_name", "text", "乡镇", "鄉鎮", "乡镇名称。Township name.",
              aliases=("乡镇名称", "鄉鎮名稱", "乡(镇)", "鄉(鎮)")),
        Field("county_code", "code", "县区代码", "縣區代碼", "6位县区代码，须为村代码前6位。6-digit county code: the village code's first 6 digits.",
              digits=6, aliases=("县区编码", "縣區編碼", "县代码", "縣代碼")),
        Field("county_name", "text", "县区", "縣區", "县（区）名称。County or district name.",
              aliases=("县区名称", "縣區名稱", "县(区)", "縣(區)", "县", "縣")),
        _lat(True, "村委会位置纬度（WGS84）。Latitude of the village committee."),
        _lon(True, "村委会位置经度（WGS84）。Longitude of the village committee."),
        Field("is_poor_village", "bool", "是否贫困村", "是否貧困村", "是否为贫困村（是/否）。Whether the village is a poor village.",
              aliases=("贫困村", "貧困村")),
        Field("households", "int", "户数", "戶數", "全村总户数。Total households in the village.",
              unit="户", minimum=0, aliases=("总户数", "總戶數")),
        Field("population", "int", "人口", "人口", "全村总人口。Total population of the village.",
              unit="人", minimum=0, aliases=("总人口", "總人口")),
    ),
    primary_key="village_code",
    sheet_names=("村", "村名册", "村名冊", "行政村", "villages", "village"),
)

HOUSEHOLDS = Table(
    "households", "户", "戶", "农户名册：贫困户与党员户（建档立卡）。Candidate households: poor and party-member households.",
    fields=(
        Field("household_id", "id", "户编号", "戶編號", "户的唯一编号。Unique household number.",
              aliases=("户号", "戶號", "农户编号", "農戶編號")),
        Field("village_code", "code", "村代码", "村代碼", "所在村的12位代码。The household's village (12-digit code).",
              digits=12, aliases=("村编码", "村編碼")),
        Field("head_name", "text", "户主姓名", "戶主姓名", "户主姓名（个人信息，不公开）。Head of household; personal data, never published.",
              aliases=("户主", "戶主", "姓名")),
        Field("id_number", "id_number", "身份证号", "身份證號", "户主18位公民身份号码，末位校验码按GB 11643。Head's 18-character citizen ID (GB 11643 check digit); personal data.",
              aliases=("身份证号码", "身份證號碼", "公民身份号码", "公民身份號碼", "证件号码", "證件號碼", "身份证", "身份證")),
        Field("members", "int", "家庭人口", "家庭人口", "家庭人口数。Household members.",
              unit="人", minimum=1, maximum=30, aliases=("人口数", "人口數", "家庭人数", "家庭人數")),
        Field("income_per_capita_yuan", "float", "人均纯收入", "人均純收入", "上年家庭人均纯收入。Annual net income per person.",
              unit="元/年", minimum=0, aliases=("人均收入", "年人均纯收入", "年人均純收入")),
        Field("is_party_member", "bool", "是否党员户", "是否黨員戶", "户中有中共党员（是/否）。Whether a household member is a party member.",
              aliases=("党员户", "黨員戶")),
        Field("poverty_cause", "category", "致贫原因", "致貧原因", "主要致贫原因（建档立卡口径）。Main cause of poverty, from the 建档立卡 list.",
              required=False, allowed=POVERTY_CAUSES, aliases=("主要致贫原因", "主要致貧原因")),
        _lat(False, "住址纬度；空则取所在村的。Latitude; blank means the village's."),
        _lon(False, "住址经度；空则取所在村的。Longitude; blank means the village's."),
        _phone(),
    ),
    primary_key="household_id",
    foreign_keys={"village_code": ("villages", "village_code")},
    sheet_names=("户", "戶", "农户", "農戶", "贫困户", "貧困戶", "户名册", "戶名冊", "农户名册", "農戶名冊",
                 "households", "household"),
)

UNITS = Table(
    "units", "单位", "單位", "联村单位名册（含四大班子、中央和省属驻地单位）。Units that link villages.",
    fields=(
        Field("unit_id", "id", "单位编号", "單位編號", "单位的唯一编号。Unique unit number.",
              aliases=("单位代码", "單位代碼")),
        Field("unit_name", "text", "单位名称", "單位名稱", "单位全称。Full unit name.", aliases=("单位", "單位")),
        Field("unit_level", "category", "单位级别", "單位級別", "中央/省/市/县。Central, provincial, city or county unit.",
              allowed=UNIT_LEVELS, aliases=("级别", "級別", "层级", "層級")),
        Field("unit_kind", "category", "单位类别", "單位類別", "四大班子/党群部门/政府部门/事业单位/国有企业。Kind of unit.",
              allowed=UNIT_KINDS, aliases=("类别", "類別", "单位类型", "單位類型")),
        Field("headcount", "int", "干部人数", "幹部人數", "在编干部人数。Cadres on the unit's staff.",
              unit="人", minimum=0, aliases=("人数", "人數", "编制人数", "編制人數")),
        _lat(True, "单位驻地纬度。Latitude of the unit's office."),
        _lon(True, "单位驻地经度。Longitude of the unit's office."),
        Field("county_code", "code", "县区代码", "縣區代碼", "县级单位所在县区的6位代码（县级单位必填）。County of a county-level unit (required for them).",
              required=False, digits=6, aliases=("县区编码", "縣區編碼", "县代码", "縣代碼")),
    ),
    primary_key="unit_id",
    sheet_names=("单位", "單位", "单位名册", "單位名冊", "联村单位", "聯村單位", "units", "unit"),
)

CADRES = Table(
    "cadres", "干部", "幹部", "联户干部名册。Cadres who link households.",
    fields=(
        Field("cadre_id", "id", "干部编号", "幹部編號", "干部的唯一编号。Unique cadre number.",
              aliases=("干部代码", "幹部代碼", "人员编号", "人員編號")),
        Field("name", "text", "姓名", "姓名", "干部姓名（干部信息可公开）。Cadre's name.", aliases=("干部姓名", "幹部姓名")),
        Field("unit_id", "id", "单位编号", "單位編號", "所在单位编号。The cadre's unit.", aliases=("单位代码", "單位代碼")),
        Field("rank", "text", "职级", "職級", "名册上的写法即可（如 副处级、二级调研员、科员），按政策的职级对照归入地厅级、县处级、乡科级、一般干部。"
              "Rank as the roster writes it; the policy's rank table puts it in its quota band.",
              aliases=("级别", "級別", "职务级别", "職務級別")),
        Field("is_leadership", "bool", "是否班子成员", "是否班子成員", "是否为单位领导班子成员。Member of the unit's leadership team.",
              aliases=("班子成员", "班子成員")),
        Field("is_retired", "bool", "是否离退休", "是否離退休", "是否为离退休干部。Retired cadre.",
              aliases=("离退休", "離退休")),
        _lat(False, "纬度；空则取所在单位的。Latitude; blank means the unit's office."),
        _lon(False, "经度；空则取所在单位的。Longitude; blank means the unit's office."),
        _phone(),
    ),
    primary_key="cadre_id",
    foreign_keys={"unit_id": ("units", "unit_id")},
    sheet_names=("干部", "幹部", "干部名册", "幹部名冊", "联户干部", "聯戶幹部", "cadres", "cadre"),
)

TABLES: dict[str, Table] = {t.name: t for t in (VILLAGES, HOUSEHOLDS, UNITS, CADRES)}

# ---------------------------------------------------------------- work archives (四级建档)

TASKS = {  # the eight tasks every linkage works on (DOMAIN.md)
    "宣传政策": ("宣傳政策", "publicise policy", "policy"),
    "制定规划": ("理清思路·制定规划", "理清思路、制定规划", "理清思路制定规划", "制定規劃", "plans", "planning"),
    "增加收入": ("调整结构·增加收入", "调整结构、增加收入", "调整结构增加收入", "增加收入", "income"),
    "强化培训": ("強化培訓", "培训", "training"),
    "资金扶持": ("資金扶持", "funding", "funds"),
    "培育典型": ("培育典型", "models", "精神文明"),
    "夯实基础": ("夯實基礎", "基层组织", "基層組織", "party organisation"),
    "办实事": ("转变作风·办实事", "转变作风、办实事", "转变作风办实事", "辦實事", "practical things"),
}
ACTIVITY_KINDS = {  # what was done; the seed's outcome statistics are sums of these
    "走访": ("走訪", "入户走访", "入戶走訪", "visit"),
    "办实事": ("辦實事", "practical thing"),
    "资金": ("資金", "帮扶资金", "幫扶資金", "funds"),
    "培训班": ("培訓班", "举办培训班", "training class"),
    "培训人次": ("培訓人次", "培训群众", "people trained"),
    "发放资料": ("發放資料", "技术资料", "技術資料", "booklets"),
    "争取项目": ("爭取項目", "项目", "項目", "project"),
    "发展党员": ("發展黨員", "party member developed"),
    "培养致富带头人": ("培養致富帶頭人", "致富能手", "wealth leader"),
    "其他": ("other",),
}
# The most one record of a kind may plausibly count (more is a typing error); all but funds are whole numbers.
KIND_MAXIMA = {"走访": 50, "办实事": 1_000, "资金": 1e9, "培训班": 100, "培训人次": 100_000, "发放资料": 1_000_000,
               "争取项目": 100, "发展党员": 100, "培养致富带头人": 100, "其他": 1e9}
FRACTIONAL_KINDS = ("资金", "其他")
# Category values that code compares against, named once (the canonical spellings of the lists here).
CADRE, UNIT, TEAM_MEMBER = "干部", "单位", "工作队员"  # who acted (actor_kind); 单位 is also a plan subject
VILLAGE, HOUSEHOLD = "村", "户"  # what the work was for (target_kind), and plan subjects
VISIT = "走访"  # the activity kind that assessment counts as a visit
ACTORS = {CADRE: ("幹部", "联户干部", "cadre"), UNIT: ("單位", "unit"), TEAM_MEMBER: ("工作隊員", "队员", "team member")}
TARGETS = {VILLAGE: ("行政村", "village"), HOUSEHOLD: ("戶", "农户", "農戶", "household")}
ACTIVITIES = Table(
    "activities", "工作记录", "工作記錄",
    "工作日志和联系卡：谁、何时、对哪个村或户、做了什么。Work diary and contact-card records: who did what, when, for which village or household.",
    fields=(
        Field("record_id", "id", "记录编号", "記錄編號", "本条记录的编号（可空；填了则不得重复）。Record number, optional; unique when given.",
              required=False, aliases=("编号", "編號")),
        Field("date", "date", "日期", "日期", "工作日期，如 2025-03-18。Date of the work.", aliases=("工作日期", "走访日期", "走訪日期")),
        Field("actor_kind", "category", "主体类型", "主體類型", "干部/单位/工作队员。Who acted: cadre, unit or work-team member.",
              allowed=ACTORS, aliases=("主体", "主體")),
        Field("actor_id", "id", "主体编号", "主體編號", "干部编号或单位编号。The cadre's or unit's number.",
              aliases=("干部编号", "幹部編號", "单位编号", "單位編號")),
        Field("target_kind", "category", "对象类型", "對象類型", "村/户。Village or household.", allowed=TARGETS,
              aliases=("对象", "對象")),
        Field("target_id", "id", "对象编号", "對象編號", "村代码或户编号。The village code or household number.",
              aliases=("村代码或户编号", "联系对象编号", "聯繫對象編號")),
        Field("task", "category", "任务类别", "任務類別", "八项任务之一。One of the eight tasks.", allowed=TASKS,
              aliases=("任务", "任務", "工作任务", "工作任務")),
        Field("kind", "category", "工作类型", "工作類型", "走访、办实事、资金、培训班、培训人次、发放资料、争取项目、发展党员……。What was done.",
              allowed=ACTIVITY_KINDS, aliases=("类型", "類型", "工作内容", "工作內容")),
        Field("quantity", "float", "数量", "數量", "件、期、人次、册、项、名等；资金填元。Count, or 元 for funds.",
              minimum=0, maximum=1e9, aliases=("数目", "數目")),  # a billion yuan in one record is a typing error
        Field("days", "float", "天数", "天數", "在村天数（走访）。Days spent in the village (visits).", required=False,
              unit="天", minimum=0, maximum=366, aliases=("在村天数", "在村天數", "驻村天数", "駐村天數")),
        Field("note", "text", "佐证说明", "佐證說明", "佐证材料或说明。Evidence note.", required=False,
              aliases=("佐证", "佐證", "工作记录", "工作記錄", "evidence")),
    ),
    primary_key="record_id",
    sheet_names=("工作记录", "工作記錄", "工作日志", "工作日誌", "联系卡", "聯繫卡", "活动记录", "activities", "diary"),
)
PLAN_SUBJECTS = {VILLAGE: ("行政村", "village"), HOUSEHOLD: ("戶", "农户", "農戶", "household"), UNIT: ("單位", "unit")}
PLAN_STATUSES = {"计划": ("計劃", "未开始", "未開始", "planned"), "进行中": ("進行中", "in progress"),
                 "已完成": ("完成", "已完成", "done", "completed")}

PLANS = Table(
    "plans", "发展规划", "發展規劃",
    "三年规划和年度计划：每个联系村、户和单位，每年每项任务下的措施与目标。Three-year and annual plans: "
    "for each linked village, household and unit, the measures and targets per year and task.",
    fields=(
        Field("subject_kind", "category", "对象类型", "對象類型", "村/户/单位。Village, household or unit.",
              allowed=PLAN_SUBJECTS, aliases=("规划对象", "規劃對象")),
        Field("subject_id", "id", "对象编号", "對象編號", "村代码、户编号或单位编号。Village code, household or unit number.",
              aliases=("规划对象编号", "規劃對象編號")),
        Field("year", "int", "年度", "年度", "计划年度（三年联系期内）。Plan year, inside the 3-year term.",
              minimum=2000, maximum=2100, aliases=("年份", "计划年度", "計劃年度")),
        Field("task", "category", "任务类别", "任務類別", "八项任务之一。One of the eight tasks.", allowed=TASKS,
              aliases=("任务", "任務")),
        Field("measure", "text", "措施", "措施", "具体措施。The concrete measure.", aliases=("具体措施", "具體措施", "帮扶措施", "幫扶措施")),
        Field("baseline_income_yuan", "float", "基线人均纯收入", "基線人均純收入", "规划起点的人均纯收入。Per-capita income at the start.",
              required=False, unit="元", minimum=0, maximum=1e6, aliases=("基线收入", "基線收入")),
        Field("income_target_yuan", "float", "人均纯收入目标", "人均純收入目標", "当年人均纯收入目标。Per-capita income target for the year.",
              required=False, unit="元", minimum=0, maximum=1e6, aliases=("收入目标", "收入目標")),
        Field("funds_yuan", "float", "计划资金", "計劃資金", "计划投入资金。Funds planned.", required=False, unit="元",
              minimum=0, maximum=1e9, aliases=("资金", "資金", "投入资金", "投入資金")),
        Field("projects", "int", "计划项目数", "計劃項目數", "计划争取项目数。Projects to secure.", required=False, minimum=0,
              maximum=1000, aliases=("项目数", "項目數")),
        Field("people_trained", "int", "计划培训人次", "計劃培訓人次", "计划培训人次。People to train.", required=False,
              minimum=0, maximum=100_000, aliases=("培训人次", "培訓人次")),
        Field("status", "category", "完成情况", "完成情況", "计划/进行中/已完成（空则为计划）。Progress; blank means planned.",
              required=False, allowed=PLAN_STATUSES, aliases=("进度", "進度")),
    ),
    primary_key="",
    sheet_names=("发展规划", "發展規劃", "三年规划", "三年規劃", "年度计划", "年度計劃", "plans", "plan"),
)
SATISFACTION = {"满意": ("satisfied",), "基本满意": ("基本滿意", "fairly satisfied"), "不满意": ("不滿意", "dissatisfied")}
SURVEY = Table(
    "survey", "抽查表", "抽查表",
    "第三方抽样核查：入户核实识别、退出是否准确，群众是否满意，联系干部是否走访。The sampled check's answers, household by household.",
    fields=(
        Field("household_id", "id", "户编号", "戶編號", "抽中的户（抽查表已填好）。The sampled household, as the sheet lists it.",
              aliases=("户号", "戶號")),
        *(Field(name, "text", zh, zh, "抽查表已填好，供调查员核对。Filled in on the sheet, for the surveyor.", required=False)
          for name, zh in (("head_name", "户主姓名"), ("township_name", "乡镇"), ("village_name", "村"), ("group", "类别"),
                           ("cadre_name", "联系干部"))),
        Field("identified_correctly", "bool", "识别准确", "識別準確", "贫困户：核实确属贫困（是/否）；其他户不填。Poor households: truly poor?",
              required=False),
        Field("exit_correct", "bool", "退出准确", "退出準確", "脱贫户：核实确已稳定脱贫（是/否）；其他户不填。Exited households: truly out?",
              required=False),
        Field("satisfaction", "category", "满意度", "滿意度", "满意/基本满意/不满意。How satisfied the household is with the help.",
              allowed=SATISFACTION),
        Field("visited_by_cadre", "bool", "联系干部走访过", "聯繫幹部走訪過", "户里说联系干部来过（是/否）。Has its cadre visited?"),
        Field("surveyor", "text", "调查员", "調查員", "调查员姓名。Who asked.", required=False),
        Field("survey_date", "date", "调查日期", "調查日期", "入户调查的日期。The day asked.", required=False),
    ),
    primary_key="household_id",
    sheet_names=("抽查表", "抽查", "survey"),
)
ARCHIVE_TABLES: dict[str, Table] = {ACTIVITIES.name: ACTIVITIES}
SURVEY_TABLES: dict[str, Table] = {SURVEY.name: SURVEY}
PLAN_TABLES: dict[str, Table] = {PLANS.name: PLANS}

OUTCOMES = {  # the seed's outcome statistics: activity kind -> (column, Chinese label with its unit)
    "走访": ("visits", "走访（次）"),
    "办实事": ("practical_things", "办实事（件）"),
    "资金": ("funds_yuan", "帮扶资金（元）"),
    "培训班": ("training_classes", "培训班（期）"),
    "培训人次": ("people_trained", "培训群众（人次）"),
    "发放资料": ("booklets", "发放技术资料（册）"),
    "争取项目": ("projects", "争取项目（项）"),
    "发展党员": ("party_members", "发展党员（名）"),
    "培养致富带头人": ("wealth_leaders", "培养致富带头人（名）"),
}
ROLLUP_LABELS = {column: label for column, label in OUTCOMES.values()} | {
    "days": "在村天数（天）", "city_code": "市代码", "township_code": "乡镇代码"}

# Fields whose values are personal data of households: never in published outputs.
HOUSEHOLD_PERSONAL_FIELDS = ("head_name", "id_number", "phone")


def category_lookup(f: Field) -> dict[str, str]:
    """Normalised spelling -> canonical value, for a category field."""
    lookup = {}
    for canonical, aliases in f.allowed.items():
        for spelling in (canonical, *aliases):
            lookup[normalize_value(spelling)] = canonical
    return lookup


DOCUMENTED = TABLES | ARCHIVE_TABLES | PLAN_TABLES  # rosters, work records, plans: in the template and README


def allowed_text(f: Field) -> str:
    if f.kind == "bool":
        return "/".join(YES_WORDS[:5]) + " · " + "/".join(NO_WORDS[:5])
    if f.allowed:
        return "、".join(f.allowed)
    if f.digits:
        return f"{f.digits}位数字 / {f.digits} digits"
    bounds = [f"≥{f.minimum:g}" if f.minimum is not None else "", f"≤{f.maximum:g}" if f.maximum is not None else ""]
    return " ".join(b for b in bounds if b)


def field_rows(table_name: str) -> list[dict[str, str]]:
    """One row per field: what the template's 说明 sheet and the README both show."""
    return [{
        "表头 header": f.zh,
        "繁体 traditional": f.zh_hant,
        "English": f.name,
        "必填 required": "是" if f.required else "否",
        "类型 type": KIND_LABELS[f.kind],
        "单位 unit": f.unit,
        "取值 allowed": allowed_text(f),
        "说明 description": f.description,
    } for f in DOCUMENTED[table_name].fields]
