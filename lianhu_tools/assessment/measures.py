"""What an assessment computes from (`Inputs`) and its measures: one value per subject, named in the
indicator file (`MEASURES`); `score` turns them into points."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ..periods import is_half, within, year_of
from ..policy import Policy
from ..rosters import Rosters
from ..schema import CADRE, HOUSEHOLD, TEAM_MEMBER, UNIT, VILLAGE, VISIT

SUBJECTS = {"cadre": CADRE, "unit": UNIT, "team_member": TEAM_MEMBER}  # who is assessed, named as in the diaries
ACTIVITY_COLUMNS = ["period", "actor_kind", "actor_id", "target_kind", "target_id", "village_code", "kind", "quantity", "days"]
TRAIL_COLUMNS = ["date", "note"]  # read too when the indicator system deducts for the paper trail


@dataclass
class Inputs:
    """What one assessment is computed from, for one period (2025H1 or 2025)."""

    period: str
    records: pd.DataFrame  # activity records of the period
    pairs: pd.DataFrame  # cadre_id, household_id (frozen)
    links: pd.DataFrame  # unit_id, village_code (frozen)
    teams: pd.DataFrame  # period, unit_id, village_code, cadre_id (frozen)
    rosters: Rosters
    policy: Policy
    plans: pd.DataFrame | None = None  # current plans (subject_kind, subject_id, year, status, income_target_yuan)
    ended: pd.DataFrame | None = None  # pairings that ended and when (`Store.ended_pairings`), for the paper trail
    sampled: pd.DataFrame | None = None  # the period's sampled check's answers (`sampling`), with each household's village

    @cached_property
    def trail(self) -> dict[str, pd.DataFrame]:
        """The paper-trail findings per cadre and per unit (`paper_trail`): what `integrity_findings` counts."""
        from ..paper_trail import integrity_summary, trail_findings

        return integrity_summary(trail_findings(self.records, self.rosters, self.policy, self.ended), self.rosters)

    @property
    def share_of_year(self) -> float:
        return 0.5 if is_half(self.period) else 1.0

    def visits(self, actor_kind: str, by: list[str]) -> pd.DataFrame:
        """Visits and days of one kind of actor, per actor and target."""
        done = self.records[(self.records["actor_kind"] == actor_kind) & (self.records["kind"] == VISIT)]
        return done.groupby(["actor_id", "target_id"]).agg(visits=("kind", "size"), days=("days", "sum")).rename_axis(by)


# ---------------------------------------------------------------- measures: one value per subject

def _per_household(inputs: Inputs, column: str) -> pd.Series:
    done = inputs.visits(CADRE, ["cadre_id", "household_id"])[column]
    linked = inputs.pairs.set_index(["cadre_id", "household_id"]).index
    per_pair = done.reindex(linked, fill_value=0)
    return per_pair.groupby(level="cadre_id").mean()


def _households_not_visited(inputs: Inputs) -> pd.Series:
    done = inputs.visits(CADRE, ["cadre_id", "household_id"])["visits"]
    per_pair = done.reindex(inputs.pairs.set_index(["cadre_id", "household_id"]).index, fill_value=0)
    return (per_pair == 0).groupby(level="cadre_id").sum()


def _quota_fill(inputs: Inputs) -> pd.Series:
    quotas = pd.DataFrame(inputs.policy.quotas).T
    slots = inputs.rosters.cadres.set_index("cadre_id")["rank"].map(quotas["poor"] + quotas["party"])
    linked = inputs.pairs.groupby("cadre_id").size()
    return (linked / slots.reindex(linked.index)).clip(upper=1).fillna(0.0)  # a cadre no longer on the roster: 0


def _unit_per_village(inputs: Inputs, kinds: tuple[str, ...], column: str) -> pd.Series:
    done = inputs.records[(inputs.records["actor_kind"] == UNIT) & inputs.records["kind"].isin(kinds)]
    per = done.groupby(["actor_id", "village_code"])[column].agg("size" if column == "kind" else "sum")
    per_link = per.reindex(pd.MultiIndex.from_frame(inputs.links[["unit_id", "village_code"]]), fill_value=0)
    return per_link.groupby(level="unit_id").mean()


def _villages_without_records(inputs: Inputs) -> pd.Series:
    worked = set(zip(inputs.records.loc[inputs.records["actor_kind"] == UNIT, "actor_id"],
                     inputs.records.loc[inputs.records["actor_kind"] == UNIT, "village_code"]))
    silent = [(u, v) not in worked for u, v in zip(inputs.links["unit_id"], inputs.links["village_code"])]
    return pd.Series(silent, index=inputs.links["unit_id"]).groupby(level=0).sum()


def _sampled_not_visited(inputs: Inputs) -> pd.Series:
    """Per cadre: sampled households of theirs that said the cadre never came (the sampled check)."""
    if inputs.sampled is None or inputs.sampled.empty:
        return pd.Series(dtype=float)
    said = inputs.sampled[inputs.sampled["visited_by_cadre"] == False]  # noqa: E712 — a missing answer is not a no
    return said.merge(inputs.pairs, on="household_id").groupby("cadre_id").size()


def _sampled_inaccurate(inputs: Inputs) -> pd.Series:
    """Per unit: sampled households in its villages found wrongly identified or wrongly exited."""
    if inputs.sampled is None or inputs.sampled.empty:
        return pd.Series(dtype=float)
    wrong = inputs.sampled[(inputs.sampled["identified_correctly"] == False) | (inputs.sampled["exit_correct"] == False)]  # noqa: E712
    return wrong.merge(inputs.links, on="village_code").groupby("unit_id").size()


def _team(inputs: Inputs, column: str) -> pd.Series:
    terms = inputs.teams[within(inputs.teams["period"], inputs.period)]
    done = inputs.records[inputs.records["actor_kind"] == TEAM_MEMBER]
    per = done.groupby(["actor_id", "period", "village_code"])[column].agg("size" if column == "kind" else "sum")
    per_term = per.reindex(pd.MultiIndex.from_frame(terms[["cadre_id", "period", "village_code"]]), fill_value=0)
    return per_term.groupby(level="cadre_id").mean()


def _plan_rows(inputs: Inputs, subject_kind: str) -> pd.DataFrame:
    plans = inputs.plans if inputs.plans is not None else pd.DataFrame(columns=["subject_kind", "subject_id", "year"])
    return plans[(plans["subject_kind"] == subject_kind) & (plans["year"] == year_of(inputs.period))]


def _plan_completion(inputs: Inputs, owner: str) -> pd.Series:
    """Share of this year's planned measures completed, over the subjects a cadre or unit is linked with."""
    kind, pairs, key = ((HOUSEHOLD, inputs.pairs, "household_id") if owner == "cadre_id" else
                        (VILLAGE, inputs.links, "village_code"))
    done = (_plan_rows(inputs, kind).assign(done=lambda p: p["status"] == "已完成")
            .groupby("subject_id")["done"].agg(["sum", "size"]))
    linked = pairs[[owner, key]].merge(done, left_on=key, right_index=True)
    totals = linked.groupby(owner)[["sum", "size"]].sum()
    return (totals["sum"] / totals["size"]).rename_axis(None)


def _income_against_target(inputs: Inputs) -> pd.Series:
    """A cadre's households: per-capita income now (rosters) over this year's target, on average (capped at 1)."""
    target = _plan_rows(inputs, HOUSEHOLD).groupby("subject_id")["income_target_yuan"].max()
    income = inputs.rosters.households.set_index("household_id")["income_per_capita_yuan"]
    pairs = inputs.pairs.assign(ratio=(inputs.pairs["household_id"].map(income) / inputs.pairs["household_id"].map(target)))
    return pairs.dropna(subset=["ratio"]).assign(ratio=lambda p: p["ratio"].clip(upper=1)).groupby("cadre_id")["ratio"].mean()


MEASURES = {
    "cadre": {"visits_per_household": lambda i: _per_household(i, "visits"),
              "days_per_household": lambda i: _per_household(i, "days"),
              "quota_fill": _quota_fill, "households_not_visited": _households_not_visited,
              "plan_completion": lambda i: _plan_completion(i, "cadre_id"), "income_against_target": _income_against_target,
              "integrity_findings": lambda i: i.trail["cadre"].sum(axis=1),
              "sampled_not_visited": _sampled_not_visited},
    "unit": {"unit_visits_per_village": lambda i: _unit_per_village(i, (VISIT,), "kind"),
             "unit_days_per_village": lambda i: _unit_per_village(i, (VISIT,), "days"),
             "practical_things_per_village": lambda i: _unit_per_village(i, ("办实事",), "quantity"),
             "funds_per_village": lambda i: _unit_per_village(i, ("资金",), "quantity"),
             "villages_without_records": _villages_without_records,
             "plan_completion": lambda i: _plan_completion(i, "unit_id"),
             "integrity_findings": lambda i: i.trail["unit"].sum(axis=1),
             "sampled_inaccurate": _sampled_inaccurate},
    "team_member": {"team_days": lambda i: _team(i, "days"), "team_records": lambda i: _team(i, "kind")},
}


def subjects(inputs: Inputs, kind: str) -> pd.Index:
    """Who is assessed: cadres with linked households, units with linked villages, members serving in the period."""
    if kind == "cadre":
        ids = inputs.pairs["cadre_id"]
    elif kind == "unit":
        ids = inputs.links["unit_id"]
    else:
        ids = inputs.teams.loc[within(inputs.teams["period"], inputs.period), "cadre_id"]
    return pd.Index(sorted(set(ids)), name="subject_id")


def score(inputs: Inputs, system: dict) -> pd.DataFrame:
    """Long table: subject_kind, subject_id, indicator, value, points (deductions negative)."""
    rows = []
    for kind in SUBJECTS:
        who = subjects(inputs, kind)
        spec = system.get(kind, {})
        for item in spec.get("indicators", []):
            value = MEASURES[kind][item["measure"]](inputs).reindex(who, fill_value=0).astype(float)
            target = item["target"] * (inputs.share_of_year if item.get("yearly", True) else 1.0)
            points = item["points"] * np.minimum(value / target, 1.0)
            rows.append(pd.DataFrame({"subject_kind": kind, "subject_id": who, "indicator": item["id"],
                                      "value": value.to_numpy(), "points": points.to_numpy()}))
        for item in spec.get("deductions", []) or []:
            count = MEASURES[kind][item["measure"]](inputs).reindex(who, fill_value=0).astype(float)
            rows.append(pd.DataFrame({"subject_kind": kind, "subject_id": who, "indicator": item["id"],
                                      "value": count.to_numpy(), "points": -item["points_each"] * count.to_numpy()}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        columns=["subject_kind", "subject_id", "indicator", "value", "points"])
