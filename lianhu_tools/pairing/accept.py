"""What a planner accepts into the store — pairings, unit–village links, work teams, from files — checked
against the rosters, the policy and what the store holds, as strictly as the optimiser's own rules, every
problem listed at once: known ids; one cadre per household and one unit per village; quotas (none for cadres
the policy keeps out); each household in the pool its class allows; the distance limit and the locality; a
county unit's villages in its county, and no more than it may link; the team's unit, linked village, size and
half year inside the term, no retired member; and pairings locked for the term (一定3年不变) never replaced
without a reason."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import geo
from ..errors import PeriodError, Problem
from ..periods import check_half
from ..policy import Policy
from ..rosters import Rosters
from .explain import POOL_ZH
from .explain_villages import may_link
from .households import cadres_with_slots, pooled_households, resolve_locality
from .villages import unit_bounds

TERM_YEARS = (2000, 2100)  # first years of a term a real program may have
TERM_LENGTH = 3


def check_accepted(rosters: Rosters, policy: Policy, term_start: int, pairs: pd.DataFrame | None = None,
                   links: pd.DataFrame | None = None, teams: pd.DataFrame | None = None,
                   sources: dict[str, str] | None = None, stored: dict[str, pd.DataFrame] | None = None,
                   unlock_reason: str = "") -> list[Problem]:
    """Every problem of what is to be accepted (frames as `output.read_pairs` gives them: row k of the frame is
    Excel row k + 2; pairs with their pools, see `with_pools`). `stored`: the store's current pairings, links
    (`Store.current`) and teams, which what is given replaces (locked rows only with `unlock_reason`) or must still
    agree with. An empty list means it may be stored."""
    sources, stored = sources or {}, stored or {}
    problems = []
    if not TERM_YEARS[0] <= term_start <= TERM_YEARS[1]:
        problems.append(Problem.about("out_of_range", f"联系期第一年须在 {TERM_YEARS[0]}–{TERM_YEARS[1]} 年之间",
                                      f"the term's first year must be between {TERM_YEARS[0]} and {TERM_YEARS[1]}",
                                      file="--term-start", value=term_start))
    final = _links_after(stored.get("links"), links, term_start)
    linked = final if len(final) else None
    checks = (("pairs", pairs, lambda f, file: _pairs(rosters, policy, f, file, linked)),
              ("links", links, lambda f, file: _links(rosters, policy, f, file)),
              ("teams", teams, lambda f, file: _teams(rosters, policy, f, file, term_start, linked)))
    for name, frame, check in checks:
        if frame is None:
            continue
        if frame.empty:  # a header and nothing else: there is nothing to accept
            problems.append(Problem.about("no_rows", "文件只有表头，没有要采纳的行", "the file has a header and no rows to accept",
                                          file=sources.get(name, name)))
        problems += check(frame, sources.get(name, name))
    for name, keys in (("pairs", ("cadre_id", "household_id")), ("links", ("unit_id", "village_code"))):
        given = pairs if name == "pairs" else links
        if given is not None and stored.get(name) is not None:
            problems += _stored_rows(given, stored[name], keys, term_start, unlock_reason, sources.get(name, name))
    if links is not None and resolve_locality(policy.locality, linked) == "unit_villages":
        problems += _stranded(rosters, final, pairs, teams, stored, sources.get("links", "links"))
    return problems


def _links_after(current: pd.DataFrame | None, given: pd.DataFrame | None, term_start: int) -> pd.DataFrame:
    """The unit–village links once `given` is accepted: the stored ones it does not touch, and it (with terms)."""
    frames = []
    if current is not None and len(current):
        touched = given is not None and len(given)
        keep = ~(current["unit_id"].isin(given["unit_id"]) | current["village_code"].isin(given["village_code"])) \
            if touched else pd.Series(True, index=current.index)
        frames.append(current.loc[keep, ["unit_id", "village_code", "term_start"]])
    if given is not None:
        frames.append(given[["unit_id", "village_code"]].assign(term_start=term_start))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["unit_id", "village_code", "term_start"])


def _stranded(rosters: Rosters, final: pd.DataFrame, pairs, teams, stored: dict, file: str) -> list[Problem]:
    """Stored pairings and teams the new links would leave in villages their unit no longer links."""
    allowed = set(zip(final["unit_id"].astype(str), final["village_code"].astype(str)))
    problems = []
    current = stored.get("pairs")
    if current is not None and len(current):
        if pairs is not None:  # the rows the new pairs replace are not stranded
            current = current[~(current["cadre_id"].isin(pairs["cadre_id"]) | current["household_id"].isin(pairs["household_id"]))]
        unit = current["unit_id"].fillna(current["cadre_id"].map(rosters.cadres.set_index("cadre_id")["unit_id"]))
        village = current["household_id"].map(rosters.households.set_index("household_id")["village_code"])
        left = current[[pair not in allowed for pair in zip(unit, village)]]
        if len(left):
            shown = "、".join(f"（{c}，{h}）" for c, h in zip(left["cadre_id"][:3], left["household_id"][:3]))
            problems.append(Problem.about("stranded", f"{len(left):,} 条现有结对所在的村将不再由干部所在单位联系，如 {shown}；"
                                                      "请同时给出新的联户方案（--pairs）",
                                          f"{len(left):,} stored pairings would lie in villages their cadre's unit no longer "
                                          f"links, e.g. {shown}; give the new pairings with them (--pairs)", file=file))
    current = stored.get("teams")
    if current is not None and len(current):
        if teams is not None:
            replaced = set(zip(teams["period"], teams["unit_id"]))
            current = current[[pair not in replaced for pair in zip(current["period"], current["unit_id"])]]
        left = current[[pair not in allowed for pair in zip(current["unit_id"], current["village_code"])]]
        if len(left):
            problems.append(Problem.about("stranded", f"{len(left):,} 个现有工作队名额所在的村将不再由其单位联系；"
                                                      "请同时给出新的工作队轮换（--teams）",
                                          f"{len(left):,} stored team places would lie in villages their unit no longer "
                                          "links; give the new teams with them (--teams)", file=file))
    return problems


def with_periods(teams: pd.DataFrame) -> pd.DataFrame:
    """The teams with their periods as the store keeps them: 2025h1 is 2025H1 (checked and stored as one)."""
    return teams.assign(period=teams["period"].astype(str).str.strip().str.upper())


def with_pools(rosters: Rosters, policy: Policy, pairs: pd.DataFrame) -> pd.DataFrame:
    """The pairs with their pool (party or poor) — as given, else the household's by its class under the policy —
    and their cadre's unit."""
    households = pooled_households(rosters, policy).set_index("household_id")["pool"]
    inferred = pairs["household_id"].map(households).replace("", np.nan)
    given = pairs["pool"] if "pool" in pairs else pd.Series(np.nan, index=pairs.index)
    given = given.where(given.notna() & (given.astype(str).str.strip() != ""), inferred)
    return pairs.assign(pool=given, unit_id=pairs["cadre_id"].map(rosters.cadres.set_index("cadre_id")["unit_id"]))


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


def _each(problems, file, rows: pd.Series, column: str, frame: pd.DataFrame, code: str, zh: str, en: str) -> None:
    for k in np.flatnonzero(rows.to_numpy()):
        problems.append(_problem(file, int(k), column, frame[column].iat[k], code, zh, en))


def _pairs(rosters: Rosters, policy: Policy, pairs: pd.DataFrame, file: str, links: pd.DataFrame | None) -> list[Problem]:
    problems = []
    ok = _known(problems, file, pairs, "cadre_id", set(rosters.cadres["cadre_id"]), "干部编号", "cadre_id") & \
        _known(problems, file, pairs, "household_id", set(rosters.households["household_id"]), "农户编号", "household_id")
    pools = pairs["pool"]
    wrong_pool = ~pools.isin(list(POOL_ZH)) & pools.notna()
    _each(problems, file, wrong_pool, "pool", pairs, "value_not_allowed", "名额类别只能是：" + "、".join(POOL_ZH.values()),
          "pool must be party or poor")
    households = pooled_households(rosters, policy).set_index("household_id")
    cadres = cadres_with_slots(rosters, policy).set_index("cadre_id")
    ok &= ~wrong_pool
    mine = pairs["household_id"].map(households["pool"]).fillna("")
    _each(problems, file, ok & pools.isna() & (mine == ""), "household_id", pairs, "value_not_allowed",
          "该户既不是贫困户，也不能作为党员小康建设户，不在联户范围内", "the household is neither poor nor a party household the policy links")
    _each(problems, file, ok & pools.notna() & (mine != pools), "pool", pairs, "value_not_allowed",
          "名额类别与该户类别不符（贫困户占贫困户名额，党员小康建设户占党员户名额）",
          "the pool does not match the household's class (poor households take poor slots, party households party slots)")
    ok &= pools.notna() & (mine == pools)
    _each(problems, file, ok & pairs["household_id"].duplicated(keep=False), "household_id", pairs, "duplicate_key",
          "同一农户出现在多行（一户只能由一名干部联系）", "the same household on several rows (one cadre per household)")
    known = pairs[ok.to_numpy()]
    for (cadre, pool), count in known.groupby(["cadre_id", "pool"]).size().items():
        quota = int(cadres.at[cadre, f"{pool}_slots"])
        if count > quota:
            k = int(np.flatnonzero(((pairs["cadre_id"] == cadre) & (pools == pool)).to_numpy())[-1])
            problems.append(_problem(file, k, "cadre_id", cadre, "out_of_range",
                                     f"该干部的{POOL_ZH[pool]}名额为 {quota} 户（离退休或班子成员按政策可为 0），这里有 {count} 户",
                                     f"this cadre's {pool} quota is {quota} (0 for those the policy keeps out), {count} here"))
    km = geo.haversine_km(cadres.loc[known["cadre_id"], "lat"].to_numpy(), cadres.loc[known["cadre_id"], "lon"].to_numpy(),
                          households.loc[known["household_id"], "lat"].to_numpy(),
                          households.loc[known["household_id"], "lon"].to_numpy())
    for k, distance in zip(np.flatnonzero(ok.to_numpy()), km):
        if distance > policy.max_km:
            problems.append(_problem(file, int(k), "household_id", pairs["household_id"].iat[k], "out_of_range",
                                     f"距干部驻地 {distance:.1f} km，超过距离上限 {policy.max_km:g} km",
                                     f"{distance:.1f} km from the cadre's base, beyond the limit of {policy.max_km:g} km"))
    locality = resolve_locality(policy.locality, links)
    village = pairs["household_id"].map(households["village_code"])
    if locality == "unit_villages":
        allowed = set(zip(links["unit_id"].astype(str), links["village_code"].astype(str)))
        outside = ok & ~pd.Series([pair in allowed for pair in zip(pairs["unit_id"], village)], index=pairs.index)
        _each(problems, file, outside, "household_id", pairs, "out_of_range", "农户所在村不是该干部所在单位联系的村",
              "the household's village is not one the cadre's unit links")
    elif locality == "county":
        outside = ok & (pairs["cadre_id"].map(cadres["county_code"]) != pairs["household_id"].map(households["county_code"]))
        _each(problems, file, outside, "household_id", pairs, "out_of_range", "农户不在干部所在县区",
              "the household is outside the cadre's county")
    return problems


def _links(rosters: Rosters, policy: Policy, links: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    ok = _known(problems, file, links, "unit_id", set(rosters.units["unit_id"]), "单位编号", "unit_id") & \
        _known(problems, file, links, "village_code", set(rosters.villages["village_code"]), "村代码", "village_code")
    _each(problems, file, ok & links["village_code"].duplicated(keep=False), "village_code", links, "duplicate_key",
          "同一个村出现在多行（一村由一个单位联系）", "the same village on several rows (one unit per village)")
    units, villages = rosters.units.set_index("unit_id"), rosters.villages.set_index("village_code")
    unit, village = links["unit_id"].where(ok), links["village_code"].where(ok)
    outside = ok & ~pd.Series(may_link(unit.map(units["unit_level"]), unit.map(units["county_code"]),
                                       village.map(villages["county_code"])), index=links.index)
    _each(problems, file, outside, "village_code", links, "out_of_range", "县级单位只能联系本县区的村",
          "a county unit links villages of its own county only")
    km = pd.Series(geo.haversine_km(unit.map(units["lat"]).to_numpy(float), unit.map(units["lon"]).to_numpy(float),
                                    village.map(villages["lat"]).to_numpy(float), village.map(villages["lon"]).to_numpy(float)),
                   index=links.index)
    _each(problems, file, ok & (km > policy.max_km), "village_code", links, "out_of_range",
          f"距单位驻地超过距离上限 {policy.max_km:g} km", f"beyond the distance limit of {policy.max_km:g} km from the unit")
    bounds = unit_bounds(rosters.units, policy).set_axis(rosters.units["unit_id"])
    for unit_id, count in links[ok.to_numpy()].groupby("unit_id").size().items():
        most = int(bounds.at[unit_id, "maximum"])
        if count > most:
            k = int(np.flatnonzero((links["unit_id"] == unit_id).to_numpy())[-1])
            problems.append(_problem(file, k, "unit_id", unit_id, "out_of_range",
                                     f"该单位最多联系 {most} 个村（政策上限，且须派得出工作队），这里有 {count} 个",
                                     f"this unit links at most {most} villages (the policy's, and teams it can staff), {count} here"))
    return problems


def _teams(rosters: Rosters, policy: Policy, teams: pd.DataFrame, file: str, term_start: int,
           links: pd.DataFrame | None) -> list[Problem]:
    problems = []
    term_of = {} if links is None else dict(zip(zip(links["unit_id"].astype(str), links["village_code"].astype(str)),
                                                links["term_start"]))
    if links is None:
        problems.append(Problem.about("orphan_reference", "还没有联村结果：工作队须派往本单位联系的村，请先（或同时）采纳联村结果",
                                      "no unit–village links yet: teams go to their unit's villages, accept the links first "
                                      "(or with them)", file=file))
    for k, (period, unit, village) in enumerate(zip(teams["period"], teams["unit_id"], teams["village_code"])):
        try:
            half = check_half(period)
        except PeriodError:
            problems.append(_problem(file, k, "period", period, "value_not_allowed", "期别须形如 2025H1 或 2025H2",
                                     "period must look like 2025H1 or 2025H2"))
            continue
        first = int(term_of.get((str(unit), str(village)), term_start))
        if not first <= int(half[:4]) <= first + TERM_LENGTH - 1:
            problems.append(_problem(file, k, "period", period, "out_of_range",
                                     f"期别须在该村联系期 {first}–{first + TERM_LENGTH - 1} 年内",
                                     f"the period must lie in the village's term {first}–{first + TERM_LENGTH - 1}"))
    known = _known(problems, file, teams, "unit_id", set(rosters.units["unit_id"]), "单位编号", "unit_id") & \
        _known(problems, file, teams, "village_code", set(rosters.villages["village_code"]), "村代码", "village_code")
    ok = _known(problems, file, teams, "cadre_id", set(rosters.cadres["cadre_id"]), "干部编号", "cadre_id")
    cadres = rosters.cadres.set_index("cadre_id")
    _each(problems, file, ok & (teams["cadre_id"].map(cadres["unit_id"]) != teams["unit_id"]), "cadre_id", teams,
          "orphan_reference", "该干部不属于这个单位（工作队员由联村单位派出）", "the cadre is not of this unit (members come from the linking unit)")
    _each(problems, file, ok & teams["cadre_id"].map(cadres["is_retired"]).fillna(False).astype(bool), "cadre_id", teams,
          "value_not_allowed", "离退休干部不派驻工作队", "retired cadres do not serve in work teams")
    _each(problems, file, ok & teams.duplicated(["period", "cadre_id"], keep=False), "cadre_id", teams, "duplicate_key",
          "同一期同一干部出现在多行", "the same cadre twice in one period")
    if links is not None:
        linked = set(zip(links["unit_id"].astype(str), links["village_code"].astype(str)))
        _each(problems, file, known & ~pd.Series([p in linked for p in zip(teams["unit_id"], teams["village_code"])],
                                                 index=teams.index),
              "village_code", teams, "orphan_reference", "这个村不是该单位联系的村", "the unit does not link this village")
    largest = rosters.units.set_index("unit_id")["unit_kind"].map(pd.DataFrame(policy.team_size).T["max"])
    for (period, unit, village), count in teams[known.to_numpy()].groupby(["period", "unit_id", "village_code"]).size().items():
        if count > largest.get(unit, count):
            k = int(np.flatnonzero(((teams["period"] == period) & (teams["village_code"] == village)).to_numpy())[-1])
            problems.append(_problem(file, k, "village_code", village, "out_of_range",
                                     f"工作队最多 {int(largest[unit])} 人，这一期这里有 {count} 人",
                                     f"a team has at most {int(largest[unit])} members, {count} in this period"))
    return problems


def _stored_rows(given: pd.DataFrame, current: pd.DataFrame, keys: tuple[str, str], term_start: int,
                 unlock_reason: str, file: str) -> list[Problem]:
    """Locked rows the proposal would replace (only with a reason), and rows it keeps from another term."""
    problems = []
    wanted = set(zip(given[keys[0]], given[keys[1]]))
    touched = current[current[keys[0]].isin(given[keys[0]]) | current[keys[1]].isin(given[keys[1]])]
    kept = np.array([pair in wanted for pair in zip(touched[keys[0]], touched[keys[1]])], dtype=bool)
    replaced = touched[~kept & (touched["status"] == "locked").to_numpy()]
    if len(replaced) and not unlock_reason.strip():
        shown = "、".join(f"（{a}，{b}）" for a, b in zip(replaced[keys[0]][:5], replaced[keys[1]][:5]))
        problems.append(Problem.about("locked", f"本方案会替代 {len(replaced):,} 条已锁定的结对（三年不变），如 {shown}；"
                                                f"确需调整，请用 --unlock-reason 说明理由",
                                      f"the proposal would replace {len(replaced):,} locked rows (kept for the term), "
                                      f"e.g. {shown}; give --unlock-reason to do it", file=file))
    other_term = touched[kept & (touched["term_start"] != term_start).to_numpy()]
    if len(other_term):
        problems.append(Problem.about("out_of_range", f"{len(other_term):,} 条结对库中属于 {other_term['term_start'].iat[0]} "
                                                      f"年开始的联系期，不是 --term-start {term_start}",
                                      f"{len(other_term):,} rows belong to the term starting {other_term['term_start'].iat[0]} "
                                      f"in the store, not {term_start}", file=file, value=term_start))
    return problems
