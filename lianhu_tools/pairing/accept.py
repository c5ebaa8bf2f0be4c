"""What a planner accepts into the store — pairings, unit–village links, work teams, from files — checked
against the rosters and the policy as strictly as the optimiser's own rules, every problem listed at once:
known ids, one cadre per household and one unit per village, quotas, the distance limit, the unit's
villages, the team's unit and half year, the term's first year."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import geo
from ..classify import classify_households
from ..errors import PeriodError, Problem
from ..periods import check_half
from ..policy import Policy
from ..rosters import Rosters
from .explain import POOL_ZH

TERM_YEARS = (2000, 2100)  # first years of a term a real program may have


def check_accepted(rosters: Rosters, policy: Policy, term_start: int, pairs: pd.DataFrame | None = None,
                   links: pd.DataFrame | None = None, teams: pd.DataFrame | None = None,
                   sources: dict[str, str] | None = None) -> list[Problem]:
    """Every problem of what is to be accepted (frames as `output.read_pairs` gives them: row k of the frame is
    Excel row k + 2; pairs with their pools, see `with_pools`). An empty list means it may be stored."""
    sources = sources or {}
    problems = []
    if not TERM_YEARS[0] <= term_start <= TERM_YEARS[1]:
        problems.append(Problem.about("out_of_range", f"联系期第一年须在 {TERM_YEARS[0]}–{TERM_YEARS[1]} 年之间",
                                      f"the term's first year must be between {TERM_YEARS[0]} and {TERM_YEARS[1]}",
                                      file="--term-start", value=term_start))
    for name, frame, check in (("pairs", pairs, lambda f, file: _pairs(rosters, policy, f, file)),
                               ("links", links, lambda f, file: _links(rosters, policy, f, file)),
                               ("teams", teams, lambda f, file: _teams(rosters, f, file))):
        if frame is None:
            continue
        if frame.empty:  # a header and nothing else: there is nothing to accept
            problems.append(Problem.about("no_rows", "文件只有表头，没有要采纳的行", "the file has a header and no rows to accept",
                                          file=sources.get(name, name)))
        problems += check(frame, sources.get(name, name))
    return problems


def with_pools(rosters: Rosters, policy: Policy, pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs with their pool (party or poor): as given, else by the household's class under the policy."""
    classes = classify_households(rosters.households, policy).set_index("household_id")["is_poor"]
    inferred = pairs["household_id"].map(classes).map({True: "poor", False: "party"})
    given = pairs["pool"] if "pool" in pairs else pd.Series(np.nan, index=pairs.index)
    return pairs.assign(pool=given.where(given.notna() & (given.astype(str).str.strip() != ""), inferred))


def _problem(file: str, row: int, column: str, value, code: str, zh: str, en: str) -> Problem:
    return Problem(file, None, row + 2, column, None if value is None or pd.isna(value) else str(value), code, zh, en)


def _blank(values: pd.Series) -> pd.Series:
    return values.isna() | (values.astype(str).str.strip() == "")


def _known(problems, file, frame, column, known: set, zh: str, en: str) -> pd.Series:
    """Rows whose `column` is blank or not in `known`, each a problem; the rows that are fine."""
    blank, unknown = _blank(frame[column]), ~frame[column].isin(known)
    for k in np.flatnonzero(blank.to_numpy()):
        problems.append(_problem(file, k, column, None, "required_value_missing", f"{zh}不能为空", f"{en} is blank"))
    for k in np.flatnonzero((unknown & ~blank).to_numpy()):
        problems.append(_problem(file, k, column, frame[column].iat[k], "orphan_reference", f"名册中没有这个{zh}",
                                 f"no such {en} on the rosters"))
    return ~blank & ~unknown


def _pairs(rosters: Rosters, policy: Policy, pairs: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    ok = _known(problems, file, pairs, "cadre_id", set(rosters.cadres["cadre_id"]), "干部编号", "cadre_id") & \
        _known(problems, file, pairs, "household_id", set(rosters.households["household_id"]), "农户编号", "household_id")
    pools = pairs["pool"]
    for k in np.flatnonzero((~pools.isin(list(POOL_ZH)) & pools.notna()).to_numpy()):
        problems.append(_problem(file, k, "pool", pools.iat[k], "value_not_allowed", "名额类别只能是：" + "、".join(POOL_ZH.values()),
                                 "pool must be party or poor"))
    twice = ok & pairs["household_id"].duplicated(keep=False)
    for k in np.flatnonzero(twice.to_numpy()):
        problems.append(_problem(file, k, "household_id", pairs["household_id"].iat[k], "duplicate_key",
                                 "同一农户出现在多行（一户只能由一名干部联系）", "the same household on several rows (one cadre per household)"))
    known = pairs[ok.to_numpy()].assign(pool=pools[ok.to_numpy()])
    cadres = rosters.cadres.set_index("cadre_id")
    counts = known.groupby(["cadre_id", "pool"]).size()
    for (cadre, pool), count in counts.items():
        quota = policy.quotas.get(cadres.at[cadre, "rank"], {}).get(pool, 0)
        if count > quota:
            k = int(np.flatnonzero(((pairs["cadre_id"] == cadre) & (pools == pool)).to_numpy())[-1])
            problems.append(_problem(file, k, "cadre_id", cadre, "out_of_range",
                                     f"该干部的{POOL_ZH.get(pool, pool)}名额为 {quota} 户，这里有 {count} 户",
                                     f"this cadre's {pool} quota is {quota}, {count} are paired here"))
    households = rosters.households.set_index("household_id")
    km = geo.haversine_km(cadres.loc[known["cadre_id"], "lat"].to_numpy(), cadres.loc[known["cadre_id"], "lon"].to_numpy(),
                          households.loc[known["household_id"], "lat"].to_numpy(),
                          households.loc[known["household_id"], "lon"].to_numpy())
    for k, distance in zip(np.flatnonzero(ok.to_numpy()), km):
        if distance > policy.max_km:
            problems.append(_problem(file, int(k), "household_id", pairs["household_id"].iat[k], "out_of_range",
                                     f"距干部驻地 {distance:.1f} km，超过距离上限 {policy.max_km:g} km",
                                     f"{distance:.1f} km from the cadre's base, beyond the limit of {policy.max_km:g} km"))
    return problems


def _links(rosters: Rosters, policy: Policy, links: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    ok = _known(problems, file, links, "unit_id", set(rosters.units["unit_id"]), "单位编号", "unit_id") & \
        _known(problems, file, links, "village_code", set(rosters.villages["village_code"]), "村代码", "village_code")
    for k in np.flatnonzero((ok & links["village_code"].duplicated(keep=False)).to_numpy()):
        problems.append(_problem(file, k, "village_code", links["village_code"].iat[k], "duplicate_key",
                                 "同一个村出现在多行（一村由一个单位联系）", "the same village on several rows (one unit per village)"))
    kinds = rosters.units.set_index("unit_id")["unit_kind"]
    for unit, count in links[ok.to_numpy()].groupby("unit_id").size().items():
        most = policy.villages_per_unit[kinds[unit]]["max"]
        if count > most:
            k = int(np.flatnonzero((links["unit_id"] == unit).to_numpy())[-1])
            problems.append(_problem(file, k, "unit_id", unit, "out_of_range", f"该单位最多联系 {most} 个村，这里有 {count} 个",
                                     f"this unit links at most {most} villages, {count} here"))
    return problems


def _teams(rosters: Rosters, teams: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for k, period in enumerate(teams["period"]):
        try:
            check_half(period)
        except PeriodError:
            problems.append(_problem(file, k, "period", period, "value_not_allowed", "期别须形如 2025H1 或 2025H2",
                                     "period must look like 2025H1 or 2025H2"))
    _known(problems, file, teams, "unit_id", set(rosters.units["unit_id"]), "单位编号", "unit_id")
    _known(problems, file, teams, "village_code", set(rosters.villages["village_code"]), "村代码", "village_code")
    ok = _known(problems, file, teams, "cadre_id", set(rosters.cadres["cadre_id"]), "干部编号", "cadre_id")
    unit_of = rosters.cadres.set_index("cadre_id")["unit_id"]
    elsewhere = ok & (teams["cadre_id"].map(unit_of) != teams["unit_id"])
    for k in np.flatnonzero(elsewhere.to_numpy()):
        problems.append(_problem(file, k, "cadre_id", teams["cadre_id"].iat[k], "orphan_reference",
                                 "该干部不属于这个单位（工作队员由联村单位派出）", "the cadre is not of this unit (members come from the linking unit)"))
    for k in np.flatnonzero((ok & teams.duplicated(["period", "cadre_id"], keep=False)).to_numpy()):
        problems.append(_problem(file, k, "cadre_id", teams["cadre_id"].iat[k], "duplicate_key",
                                 "同一期同一干部出现在多行", "the same cadre twice in one period"))
    return problems
