"""Widgets for planners (JupyterLab, Voilà): thin controls over the library's functions.

`PairingPanel`: edit the quota table, the distance limit and the locality; pin and forbid pairs;
run both pairings; see coverage, the explanations and the map; accept the proposal into the store.
Its logic is plain methods (`run`, `accept`), so tests drive it by setting values and clicking.
"""

from __future__ import annotations

import html
from typing import Sequence

import ipywidgets as w
import pandas as pd
from IPython.display import display

from .pairing.explain import POOL_ZH as POOLS
from .pairing.households import LOCALITY_ZH as LOCALITIES
from .policy import MAX_KM, MAX_QUOTA, Policy, load_policy
from .rosters import Rosters
from .schema import RANKS


def pairs_from_text(text: str) -> pd.DataFrame:
    """'cadre_id, household_id' per line (commas, tabs or spaces; Chinese commas too) → a frame."""
    rows = [line.replace("，", ",").replace("\t", ",").replace(" ", ",").split(",") for line in text.splitlines()]
    rows = [[cell for cell in row if cell] for row in rows]
    bad = [" ".join(row) for row in rows if row and len(row) != 2]
    if bad:
        raise ValueError(f"每行须为“干部编号, 农户编号”：{'；'.join(bad[:3])}")
    return pd.DataFrame([row for row in rows if row], columns=["cadre_id", "household_id"])


class PairingPanel:
    """The pairing control panel for one set of rosters (and optionally a store to accept into).

    It starts from the city's `policy` (the panel changes only the quotas, the distance limit and
    the locality shown on it) and passes the planner's `rules` (see `pairing.model`) to the optimiser."""

    def __init__(self, rosters: Rosters, policy: Policy | None = None, store=None, term_start: int = 2025,
                 rules: Sequence = ()):
        self.rosters, self.store, self.term_start, self.rules = rosters, store, term_start, list(rules)
        self.base_policy = policy or load_policy()
        policy = self.base_policy
        self.quota = {(rank, pool): w.BoundedIntText(value=policy.quotas[rank][pool], min=0, max=MAX_QUOTA,
                                                     layout=w.Layout(width="6em"))
                      for rank in RANKS for pool in POOLS}
        self.max_km = w.BoundedFloatText(value=policy.max_km, min=0.1, max=MAX_KM, step=5, description="距离上限 km")
        self.locality = w.Dropdown(options=[(label, key) for key, label in LOCALITIES.items()],
                                   value=policy.locality if policy.locality in LOCALITIES else "unit_villages",
                                   description="联户范围")
        self.pins = w.Textarea(placeholder="必须结对：每行 干部编号, 农户编号", layout=w.Layout(width="28em"))
        self.forbids = w.Textarea(placeholder="不得结对：每行 干部编号, 农户编号", layout=w.Layout(width="28em"))
        self.status = w.ToggleButtons(options=[("确认 confirmed", "confirmed"), ("锁定 locked", "locked")])
        self.run_button = w.Button(description="运行结对 Run", button_style="primary", icon="play")
        self.accept_button = w.Button(description="采纳方案 Accept", button_style="success", disabled=True)
        self.progress = w.IntProgress(min=0, max=3, description="进度")
        self.message = w.HTML()
        self.output = w.Output()
        self.run_button.on_click(lambda _: self.run())
        self.accept_button.on_click(lambda _: self.accept())
        self.villages = self.households = None

    def policy(self) -> Policy:
        """The city's policy with the panel's quotas and distance limit."""
        quotas = {rank: {pool: int(self.quota[rank, pool].value) for pool in POOLS} for rank in RANKS}
        return load_policy(overrides=self.base_policy.to_dict() | {"quotas": quotas, "max_km": float(self.max_km.value)})

    def run(self) -> None:
        from .pairing.households import match_households
        from .pairing.problem import SolverError
        from .pairing.villages import match_villages

        self.accept_button.disabled = True
        try:
            policy = self.policy()
            pins, forbids = pairs_from_text(self.pins.value), pairs_from_text(self.forbids.value)
            self._step(1, "单位联村…")
            self.villages = match_villages(self.rosters, policy)
            self._step(2, "干部联户…")
            links = self.villages.links if self.locality.value == "unit_villages" else None
            self.households = match_households(self.rosters, policy, links=links, locality=self.locality.value,
                                               existing=self.locked(), pins=pins, forbids=forbids, rules=self.rules)
        except (ValueError, SolverError) as exc:  # limits, pins and rosters that cannot hold; a failed engine
            self._failed(f"<b style='color:#b00'>无法运行：</b>{html.escape(str(exc))}")
            return
        except Exception as exc:  # never a traceback in front of a planner: say it, keep the panel usable
            self._failed(f"<b style='color:#b00'>内部错误 / internal error：</b>{html.escape(type(exc).__name__)}: "
                         f"{html.escape(str(exc))}")
            return
        self._step(3, "完成")
        reports = [self.villages.report, *self.households.reports.values()]
        proven = all(r.proven_optimal for r in reports)
        unproven = "；".join(html.escape(r.summary()) for r in reports if not r.proven_optimal)
        self.message.value = (f"联村 {len(self.villages.links):,} 个村；联户 {len(self.households.pairs):,} 对，"
                              f"未覆盖 {len(self.households.uncovered):,} 户；"
                              + ("各级均已证明最优" if proven else f"<b style='color:#b00'>未证明最优</b>：{unproven}"))
        self.accept_button.disabled = self.store is None
        self._show()

    def _failed(self, message: str) -> None:
        self.progress.value = 0
        self.villages = self.households = None
        self.message.value = message

    def locked(self) -> pd.DataFrame | None:
        """The store's locked pairings: kept for their 3-year term by every new proposal."""
        if self.store is None:
            return None
        current = self.store.current("pairings")
        return current[current["status"] == "locked"][["cadre_id", "household_id", "unit_id"]]

    def _step(self, value: int, text: str) -> None:
        self.progress.value = value
        self.message.value = text

    def _show(self) -> None:
        from .figures import pairing_map
        from .pairing.summary import coverage_by_county

        self.output.clear_output()
        uncovered = self.households.uncovered
        more = self.households.marginal
        with self.output:
            display(coverage_by_county(self.households))
            display(w.HTML("<b>未覆盖农户：原因与最省的改进办法</b> / uncovered households: why, and the cheapest fix"))
            display(uncovered[["household_id", "county_code", "household_class", "reason_zh", "fix_zh"]].head(20))
            display(w.HTML("<b>每名该职级干部加 1 个名额可多覆盖的户数</b> / one more slot per cadre of a rank covers"))
            display(more[more["extra_covered"] > 0].sort_values("extra_covered", ascending=False).head(20))
            display(pairing_map(self.rosters.villages, self.rosters.units, self.villages.links, self.households.pairs,
                                self.rosters.households))

    def accept(self) -> None:
        """Write the proposal to the store (only what it touches changes; locked pairings stay locked)."""
        if self.store is None or self.households is None:
            return
        links = self.villages.links if self.locality.value == "unit_villages" else None
        pairs = self.households.pairs
        self.store.save_pairings(pairs[pairs["status"] != "locked"], self.term_start, self.status.value, links=links)
        self.accept_button.disabled = True
        self.message.value += f"；已存入数据库（{self.status.label}）"

    def widget(self) -> w.Widget:
        header = [w.HTML("<b>职级</b>")] + [w.HTML(f"<b>{label}名额</b>") for label in POOLS.values()]
        cells = [cell for rank in RANKS for cell in (w.HTML(rank), *(self.quota[rank, pool] for pool in POOLS))]
        quotas = w.GridBox(header + cells, layout=w.Layout(grid_template_columns="8em 7em 7em"))
        controls = w.VBox([quotas, self.max_km, self.locality, w.HBox([self.pins, self.forbids]), self.status,
                           w.HBox([self.run_button, self.accept_button, self.progress]), self.message])
        return w.VBox([controls, self.output])

    def _ipython_display_(self) -> None:
        display(self.widget())


class PolicyComparePanel:
    """Policy what-if: tick the policies to compare, run, and see them side by side (table and figure)."""

    def __init__(self, rosters: Rosters, policies: dict[str, Policy], store=None):
        self.rosters, self.policies, self.store = rosters, policies, store
        self.chosen = w.SelectMultiple(options=list(policies), value=tuple(policies)[:3], description="政策",
                                       layout=w.Layout(width="32em", height="7em"))
        self.run_button = w.Button(description="比较 Compare", button_style="primary", icon="balance-scale")
        self.message = w.HTML()
        self.output = w.Output()
        self.comparison = None
        self.run_button.on_click(lambda _: self.run())

    def run(self) -> None:
        from .pairing.compare import COMPARE_LABELS, compare_policies
        from .pairing.problem import SolverError

        if len(self.chosen.value) < 1:
            self.message.value = "请至少选择一个政策 / choose at least one policy"
            return
        self.message.value = "结对中… / pairing…"
        current = self.store.current("pairings") if self.store is not None else None
        try:
            self.comparison = compare_policies(self.rosters, {name: self.policies[name] for name in self.chosen.value},
                                               current)
        except (ValueError, SolverError) as exc:
            self.message.value = f"<b style='color:#b00'>无法比较：</b>{html.escape(str(exc))}"
            return
        self.message.value = f"已比较 {len(self.chosen.value)} 个政策 / compared"
        self.output.clear_output()
        with self.output:
            display(self.comparison.table.rename(columns=COMPARE_LABELS).set_index("政策").T)
            display(self.comparison.figure())

    def widget(self) -> w.Widget:
        return w.VBox([self.chosen, w.HBox([self.run_button, self.message]), self.output])

    def _ipython_display_(self) -> None:
        display(self.widget())


class PlanEditor:
    """Pick a village, household or unit; edit its three-year plan as a table (Chinese headers, one
    measure a line); save it — checked exactly like an imported plan file, versioned in the store."""

    def __init__(self, store, rosters: Rosters, term_start: int = 2025):
        self.store, self.rosters, self.term_start = store, rosters, term_start
        villages = rosters.villages
        counties = villages.drop_duplicates("county_code")
        self.kind = w.ToggleButtons(options=[("村", "村"), ("户", "户"), ("单位", "单位")], description="对象")
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
        return self.kind.value, {"村": self.village, "户": self.household, "单位": self.unit}[self.kind.value].value

    def load(self) -> None:
        """The subject's current plan as editable text; a blank three-year frame when it has none."""
        from .io import display_frame
        from .schema import PLANS

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
        import tempfile
        from pathlib import Path

        from .plans import PlanError, load_plans

        kind, subject = self.subject()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "规划.csv"
            path.write_text(self.table.value, encoding="utf-8")
            try:
                plans = load_plans(path, self.rosters, self.term_start)
            except PlanError as exc:
                self.message.value = "<b style='color:#b00'>未保存，请修改：</b><br>" + "<br>".join(
                    f"第{p.row}行 {p.column or ''}：{p.message_zh}" for p in exc.problems if p.severity == "error")
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
        from .plans import annual_plan, progress

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
