"""The kinds of roster change a new year brings, each with its words, the roster it is about, the fields it
covers and the group of approval steps it goes through (the policy's `change_steps`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    zh: str
    en: str
    table: str  # the roster it is about
    group: str  # its steps: the policy's change_steps[group]
    fields: tuple[str, ...] = ()  # what it changes in a row that stays (else it adds or removes the row)

    @property
    def restores(self) -> tuple[str, ...]:
        """What undoing it puts back: its fields, and where they move a household or cadre, the place it had."""
        moves = {"village_code", "unit_id"} & set(self.fields)
        return self.fields + (("lat", "lon") if moves else ())


KINDS = {kind.code: kind for kind in (
    Kind("household_identified", "新识别贫困户", "newly identified poor household", "households", "households"),
    Kind("household_returned", "返贫", "returned to poverty", "households", "households",
         ("income_per_capita_yuan", "members", "poverty_cause")),
    Kind("household_exit", "脱贫退出", "exit from poverty", "households", "households", ("income_per_capita_yuan", "members", "poverty_cause")),
    Kind("household_removed", "移出名册", "removed from the roster", "households", "households"),
    Kind("household_added", "新增农户（非贫困）", "household added (not poor)", "households", "details"),
    Kind("household_changed", "人口、收入或所在村变化", "members, income or village changed", "households", "details",
         ("members", "income_per_capita_yuan", "is_party_member", "village_code")),
    Kind("cadre_new", "新增干部", "new cadre", "cadres", "people"),
    Kind("cadre_left", "干部调离或退出", "cadre left", "cadres", "people"),
    Kind("cadre_changed", "职级、单位或身份变化", "rank, unit or standing changed", "cadres", "people",
         ("rank", "unit_id", "is_retired", "is_leadership")),
    Kind("unit_new", "新增单位", "new unit", "units", "people"),
    Kind("unit_removed", "撤销单位", "unit removed", "units", "people"),
    Kind("unit_merged", "单位合并", "unit merged into another", "units", "people"),
    Kind("unit_renamed", "单位更名或改级别", "unit renamed or re-levelled", "units", "people",
         ("unit_name", "unit_level", "unit_kind", "county_code")),
    Kind("village_new", "新增村", "new village", "villages", "people"),
    Kind("village_removed", "撤销村", "village removed", "villages", "people"),
    Kind("village_recoded", "村代码变更", "village re-coded", "villages", "people"),
)}
ADDED = {"household_identified", "household_added", "cadre_new", "unit_new", "village_new"}
REMOVED = {"household_removed", "cadre_left", "unit_removed", "village_removed"}
ENDS_PAIRINGS = {"household_exit", "household_removed"}  # of the household, once approved (不脱贫不脱钩)
ENDS_CADRE_PAIRINGS = {"cadre_left"}  # of the cadre, once approved: a colleague of the same unit takes over

STATES = {"open": ("办理中", "in progress"), "approved": ("已审批", "approved"), "rejected": ("未通过", "rejected"),
          "superseded": ("已被新名册取代", "superseded by a later roster")}
