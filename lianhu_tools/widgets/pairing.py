"""The planner's pairing widgets (JupyterLab, Voilà): thin controls over the pairing functions.

`PairingPanel`: edit the quota table, the distance limit and the locality; pin and forbid pairs;
run both pairings; see coverage, the explanations and the map; accept the proposal into the store.
Its logic is plain methods (`run`, `accept`), so tests drive it by setting values and clicking.
`PolicyComparePanel`: the same rosters under several policies, side by side.
"""

from __future__ import annotations

import html
from typing import Sequence

import ipywidgets as w
import pandas as pd
from IPython.display import display

from ..figures import pairing_map, policy_comparison
from ..pairing.compare import COMPARE_LABELS, compare_policies
from ..pairing.explain import POOL_ZH as POOLS
from ..pairing.households import LOCALITY_ZH as LOCALITIES
from ..pairing.households import match_households
from ..pairing.problem import SolverError
from ..pairing.summary import coverage_by_county
from ..pairing.villages import match_villages
from ..policy import MAX_KM, MAX_QUOTA, Policy, load_policy
from ..rosters import Rosters
from ..schema import RANKS


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
            display(policy_comparison(self.comparison.table))

    def widget(self) -> w.Widget:
        return w.VBox([self.chosen, w.HBox([self.run_button, self.message]), self.output])

    def _ipython_display_(self) -> None:
        display(self.widget())
