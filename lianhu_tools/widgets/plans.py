"""The plan editor (JupyterLab, Voilà): pick a village, household or unit and edit its three-year plan as a
table; saving checks it exactly as an imported plan file is checked (`plans.plans_from_frame`)."""

from __future__ import annotations

import csv
import html
import io

import ipywidgets as w
import pandas as pd
from IPython.display import display

from ..errors import PlanError
from ..plans import annual_plan, plans_from_frame, progress
from ..rosters import Rosters
from ..schema import HOUSEHOLD, PLAN_SUBJECTS, PLANS, UNIT, VILLAGE
from ..tables import display_frame


def table_of_text(text: str) -> pd.DataFrame:
    """The edited text (CSV, or tab-separated as pasted from Excel) as a table of text, headed by its first line."""
    sample = text[:2000]
    separator = "\t" if sample.count("\t") > sample.count(",") else ","
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=separator) if any(cell.strip() for cell in row)]
    if not rows:
        return pd.DataFrame()
    width = max(map(len, rows))
    rows = [row + [""] * (width - len(row)) for row in rows]
    header = rows[0]
    return pd.DataFrame(rows[1:], columns=[h or f"列{k + 1}" for k, h in enumerate(header)], dtype=object)


class PlanEditor:
    """Pick a village, household or unit; edit its three-year plan as a table (Chinese headers, one
    measure a line); save it — checked exactly like an imported plan file, versioned in the store."""

    def __init__(self, store, rosters: Rosters, term_start: int = 2025):
        self.store, self.rosters, self.term_start = store, rosters, term_start
        villages = rosters.villages
        counties = villages.drop_duplicates("county_code")
        self.kind = w.ToggleButtons(options=[(kind, kind) for kind in PLAN_SUBJECTS], description="对象")
        self.county = w.Dropdown(options=list(zip(counties["county_name"], counties["county_code"])), description="县区")
        self.township = w.Dropdown(description="乡镇")
        self.village = w.Dropdown(description="村")
        self.household = w.Dropdown(description="农户")
        self.unit = w.Dropdown(options=list(zip(rosters.units["unit_name"], rosters.units["unit_id"])), description="单位")
        self.table = w.Textarea(layout=w.Layout(width="100%", height="16em"))
        self.save_button = w.Button(description="保存新版本 Save", button_style="primary", icon="save")
        self.message = w.HTML()
        self.output = w.Output()
        self.county.observe(lambda _: self._townships(), "value")
        self.township.observe(lambda _: self._villages(), "value")
        self.village.observe(lambda _: self._households(), "value")
        for control in (self.kind, self.village, self.household, self.unit):
            control.observe(lambda _: self.load(), "value")
        self.save_button.on_click(lambda _: self.save())
        self._townships()
        self.load()

    def _townships(self) -> None:
        rows = self.rosters.villages[self.rosters.villages["county_code"] == self.county.value].drop_duplicates("township_code")
        self.township.options = list(zip(rows["township_name"], rows["township_code"]))

    def _villages(self) -> None:
        rows = self.rosters.villages[self.rosters.villages["township_code"] == self.township.value]
        self.village.options = list(zip(rows["village_name"], rows["village_code"]))

    def _households(self) -> None:
        rows = self.rosters.households[self.rosters.households["village_code"] == self.village.value]
        self.household.options = list(zip(rows["household_id"], rows["household_id"]))  # numbers, not names, on screen

    def subject(self) -> tuple[str, str | None]:
        return self.kind.value, {VILLAGE: self.village, HOUSEHOLD: self.household, UNIT: self.unit}[self.kind.value].value

    def load(self) -> None:
        """The subject's current plan as editable text; a blank three-year frame when it has none."""
        kind, subject = self.subject()
        plans = self.store.plans()
        mine = plans[(plans["subject_kind"] == kind) & (plans["subject_id"] == subject)] if len(plans) else plans
        if mine.empty:
            mine = pd.DataFrame({"subject_kind": kind, "subject_id": subject,
                                 "year": range(self.term_start, self.term_start + 3), "task": "增加收入", "measure": ""})
        frame = display_frame(mine.reindex(columns=[f.name for f in PLANS.fields]).sort_values("year"), PLANS)
        self.table.value = frame.to_csv(index=False)
        self.message.value = ""
        self._progress()

    def save(self) -> int | None:
        """Check the table as a plan file; save it as a new version, or show every problem."""
        kind, subject = self.subject()
        try:
            plans = plans_from_frame(table_of_text(self.table.value), self.rosters, self.term_start, "规划编辑器")
        except PlanError as exc:
            self.message.value = "<b style='color:#b00'>未保存，请修改：</b><br>" + "<br>".join(
                html.escape(f"第{p.row}行 {p.column or ''}：{p.message_zh}") for p in exc.problems if p.severity == "error")
            return None
        others = plans[(plans["subject_kind"] != kind) | (plans["subject_id"] != subject)]
        if len(others):
            self.message.value = f"<b style='color:#b00'>未保存：</b>表中有其他对象的行（{', '.join(others['subject_id'].unique()[:3])}）"
            return None
        version = self.store.save_plans(plans, self.term_start, f"规划编辑器 / plan editor: {kind} {subject}")
        self.message.value = f"已保存，版本 {version}（{len(plans)} 条措施）"
        self._progress()
        return version

    def _progress(self) -> None:
        kind, subject = self.subject()
        plans = self.store.plans()
        self.output.clear_output()
        if plans.empty:
            return
        mine = plans[(plans["subject_kind"] == kind) & (plans["subject_id"] == subject)]
        with self.output:
            display(annual_plan(mine, self.term_start)[["year", "task", "measure", "status"]])
            display(progress(mine, self.term_start, self.store.activities(str(self.term_start))))

    def widget(self) -> w.Widget:
        pickers = w.VBox([self.kind, w.HBox([self.county, self.township]), w.HBox([self.village, self.household]), self.unit])
        return w.VBox([pickers, w.HTML("<b>三年规划（可直接修改，每行一项措施）</b>"), self.table,
                       w.HBox([self.save_button]), self.message, w.HTML("<b>年度计划与进度</b>"), self.output])

    def _ipython_display_(self) -> None:
        display(self.widget())
