"""Running an assessment (考核) and reading its results: a run freezes what it was computed from in the store
with its scores, so later edits never change a published result; manual adjustments need a reason and are
audited (`Store.adjust`). Rankings: city-wide and within each county, tie-break and 并列 as `rank` says.
"""

from __future__ import annotations

import pandas as pd

from ..errors import NothingToAssess
from ..periods import check_period
from ..policy import Policy, default_policy
from ..rollup import rollup
from ..rosters import Rosters
from .indicators import FULL_MARKS, grade_of, load_indicators
from .measures import ACTIVITY_COLUMNS, SUBJECTS, TRAIL_COLUMNS, Inputs, score, subjects
from .rank import MEASURED, MEASURED_DECIMALS, POINTS_DECIMALS, competition_ranks, shared, tie_break


def run_assessment(store, period: str, rosters: Rosters | None = None, system: dict | None = None,
                   policy: Policy | None = None) -> int:
    """Score everyone for `period` (`score_period`) and store the run with what it froze. Returns its number."""
    return save_scored(store, score_period(store, period, rosters, system, policy))


def save_scored(store, scored: dict) -> int:
    """Store a run `score_period` computed; returns its number."""
    return store.save_assessment(scored["period"], scored["indicators"], scored["frozen"], scored["scores"])


def score_period(store, period: str, rosters: Rosters | None = None, system: dict | None = None,
                 policy: Policy | None = None) -> dict:
    """Score everyone for `period` on what the store holds now — its latest rosters (`rosters`, when the caller
    has read that snapshot already: its import number is what gets frozen), current pairings, links, work teams
    and plans, and the period's records — with all of it frozen beside the scores: what it was computed from
    (import numbers, the policy, the indicator system, the teams, pairings and links, the period's totals, the
    subjects' names) is what publication reads. Nothing is stored: the run, shaped as `store.assessment`
    returns one, with no adjustments."""
    period = check_period(period)
    system = system or load_indicators()
    policy = policy or default_policy()
    rosters = rosters if rosters is not None else store.rosters()
    pairs = store.current("pairings")[["cadre_id", "household_id", "pool"]]
    links = store.current("links")[["unit_id", "village_code"]]
    teams = store.teams()[["period", "unit_id", "village_code", "cadre_id"]]
    trail = any(item.get("measure") == "integrity_findings" for spec in system.values() if isinstance(spec, dict)
                for item in [*spec.get("indicators", []), *(spec.get("deductions") or [])])
    records = store.activities(period, ACTIVITY_COLUMNS + ["import_id"] + (TRAIL_COLUMNS if trail else []))
    if records.empty:
        raise NothingToAssess(f"{period} 没有任何工作记录，不能考核（先导入工作日志）/ no work records for {period}: import them first")
    plans = store.plans()
    inputs = Inputs(period, records, pairs, links, teams, rosters, policy, plans, store.ended_pairings() if trail else None,
                    store.sampled_answers(period))
    scores = score(inputs, system)
    frozen = {name: frame.to_dict("list") for name, frame in (("pairs", pairs), ("links", links), ("teams", teams))}
    frozen["subjects"] = pd.concat([_describe(pd.DataFrame({"subject_id": subjects(inputs, kind)}), kind, rosters)
                                    .assign(subject_kind=kind) for kind in SUBJECTS], ignore_index=True).to_dict("list")
    frozen["inputs"] = {"roster_import": store.latest_import("rosters"),
                        "activity_imports": sorted(int(i) for i in records["import_id"].unique()),
                        "plan_imports": sorted(int(i) for i in plans["import_id"].unique()) if len(plans) else [],
                        "records": len(records), "policy": policy.to_dict()}
    frozen["totals"] = {column: float(value) for column, value in
                        rollup(records, "city").sum(numeric_only=True).items()}
    return {"period": period, "indicators": system, "frozen": frozen, "scores": scores,
            "adjustments": pd.DataFrame(columns=["subject_kind", "subject_id", "points"])}


def results(store, assessment_id: int, rosters: Rosters | None = None, stored: dict | None = None) -> dict[str, pd.DataFrame]:
    """The results (`ranked`) of a stored assessment. `stored`: as `store.assessment` returned it, when the
    caller has read it already."""
    return ranked(stored or store.assessment(assessment_id))


def ranked(run: dict) -> dict[str, pd.DataFrame]:
    """Per kind of subject: indicator points (columns named by indicator id), their measured values
    (`{id}_measured`; empty for runs stored without them), deductions, adjustments, total, grade, and ranks in
    the city and the county with whether each is shared (`tied_city`, `tied_county`) — ranked as `rank` says,
    from a run's scores and the names, units and counties frozen with them: what gets published."""
    described = pd.DataFrame(run["frozen"]["subjects"])
    system, scores, adjusted = run["indicators"], run["scores"], run["adjustments"]
    tables = {}
    for kind in SUBJECTS:
        mine = scores[scores["subject_kind"] == kind]
        if mine.empty:
            continue
        ids = [i["id"] for i in system[kind]["indicators"] + (system[kind].get("deductions") or [])]
        table = mine.pivot_table(index="subject_id", columns="indicator", values="points", aggfunc="sum")[ids]
        table["adjustment"] = adjusted[adjusted["subject_kind"] == kind].groupby("subject_id")["points"].sum() \
            .reindex(table.index, fill_value=0.0).astype(float)  # none yet: an empty frame's object column
        table["total"] = table.sum(axis=1).clip(0, FULL_MARKS).round(1)
        table[ids] = table[ids].round(POINTS_DECIMALS)
        measured = mine.assign(value=pd.to_numeric(mine["value"], errors="coerce")) \
            .groupby(["subject_id", "indicator"])["value"].sum(min_count=1).unstack()  # none stored: empty
        for i in ids:  # a run stored before measured values were kept: empty
            column = measured[i] if i in measured else pd.Series(dtype=float)
            table[MEASURED.format(i)] = column.reindex(table.index).round(MEASURED_DECIMALS)
        table["grade"] = [grade_of(system, total) for total in table["total"]]
        names = described[described["subject_kind"] == kind].drop(columns="subject_kind")
        table = names.merge(table.reset_index(), on="subject_id", how="right").sort_values("subject_id")
        order = tie_break(system, kind)
        table["rank_city"] = competition_ranks(table, order)
        table["tied_city"] = shared(table["rank_city"])
        table["rank_county"] = competition_ranks(table, order, within="county_name")
        table["tied_county"] = shared(table["rank_county"], table["county_name"])
        tables[kind] = table.sort_values(["rank_city", "subject_id"]).reset_index(drop=True)
    return tables


def _describe(table: pd.DataFrame, kind: str, rosters: Rosters) -> pd.DataFrame:
    """Names, units and counties of the subjects (cadres and units are what gets published)."""
    units = rosters.units.set_index("unit_id")
    county_names = rosters.villages.drop_duplicates("county_code").set_index("county_code")["county_name"]
    unit_county = units["county_code"].map(county_names).fillna("市直")
    if kind == "unit":
        unit_id = table["subject_id"]
        name = unit_id.map(units["unit_name"])
    else:
        cadres = rosters.cadres.set_index("cadre_id")
        unit_id = table["subject_id"].map(cadres["unit_id"])
        name = table["subject_id"].map(cadres["name"])
    gone = "（已不在名册）"  # paired earlier, since left the rosters
    table.insert(1, "name", name.fillna(gone).to_numpy())
    table.insert(2, "unit_name", unit_id.map(units["unit_name"]).fillna(gone).to_numpy())
    table.insert(3, "county_name", unit_id.map(unit_county).fillna(gone).to_numpy())
    return table
