"""The demo city's second-year roster: what a year changes, in the shares real programs see — poor households
whose income rose past the line (exits) and a few back below it (返贫), households newly identified, a few gone
(moved, died), members changed; cadres transferred out or retired, newcomers, promotions, moves between units;
one unit merged into another, one renamed; one village re-coded. `truth` says which, for the tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..policy import Policy, default_policy
from . import text
from .households import generate_households
from .people import id_numbers, mobile_numbers, person_names

EXIT_SHARE = 0.10  # of poor households, income now above the low-income line
RETURN_SHARE = 0.02  # of non-poor households, now below it
IDENTIFIED_SHARE = 0.03  # new poor households, of all listed
REMOVED_SHARE = 0.005
MEMBERS_SHARE = 0.03
CADRES_LEFT_SHARE, CADRES_NEW_SHARE, PROMOTED_SHARE, MOVED_SHARE = 0.03, 0.03, 0.02, 0.01


@dataclass
class SecondYear:
    tables: dict[str, pd.DataFrame]  # as a city receives them (ranks as written)
    truth: dict[str, set[str]]  # change kind → the subjects it is about


def second_year_tables(first: dict[str, pd.DataFrame], seed: int = 2012, policy: Policy | None = None) -> SecondYear:
    """The second-year rosters from the first year's tables (`demo_tables`), and what changed."""
    policy = policy or default_policy()
    rng = np.random.default_rng([seed, 2026])
    villages, households = first["villages"].copy(), first["households"].copy()
    units, cadres = first["units"].copy(), first["cadres"].copy()
    truth: dict[str, set[str]] = {}
    line, absolute = policy.low_income_line_yuan, policy.absolute_line_yuan

    income = households["income_per_capita_yuan"]
    poor = (income < line).to_numpy()
    exits = poor & (rng.random(len(households)) < EXIT_SHARE)
    returns = ~poor & ~households["is_party_member"].to_numpy() & (rng.random(len(households)) < RETURN_SHARE)
    households.loc[exits, "income_per_capita_yuan"] = np.round(line * rng.uniform(1.05, 1.6, exits.sum()))
    households.loc[returns, "income_per_capita_yuan"] = np.round(rng.uniform(absolute * 0.8, line * 0.95, returns.sum()))
    households.loc[returns, "poverty_cause"] = rng.choice(["因病", "因灾", "因残"], returns.sum())
    households.loc[exits, "poverty_cause"] = pd.NA
    truth["household_exit"] = set(households.loc[exits, "household_id"])
    truth["household_returned"] = set(households.loc[returns, "household_id"])
    rest = ~(exits | returns)
    members = rest & (rng.random(len(households)) < MEMBERS_SHARE)
    households.loc[members, "members"] = (households.loc[members, "members"] + rng.choice([-1, 1], members.sum())).clip(1, 30)
    changed = members & (households["members"] != first["households"]["members"]).to_numpy()
    truth["household_changed"] = set(households.loc[changed, "household_id"])
    removed = rest & ~members & (rng.random(len(households)) < REMOVED_SHARE)
    truth["household_removed"] = set(households.loc[removed, "household_id"])
    households = households[~removed]

    new = generate_households(rng, villages, max(1, round(IDENTIFIED_SHARE * len(households))), 0.0)
    new = new[new["income_per_capita_yuan"] < line]
    number = households["household_id"].str[-4:].astype(int).groupby(households["village_code"]).max()
    sequence = new.groupby("village_code").cumcount() + 1 + new["village_code"].map(number).fillna(0).astype(int)
    new["household_id"] = text.strings(text.code_points(new["village_code"].to_numpy().astype("<U12"), 12),
                                       text.digits(sequence.to_numpy(), 4))
    new = new[sequence.to_numpy() <= 9999]
    new["id_number"] = _ids_not_taken(new["id_number"].to_numpy().astype(str), set(first["households"]["id_number"]))
    truth["household_identified"] = set(new["household_id"])
    households = pd.concat([households, new], ignore_index=True)

    recoded = _recode_one_village(villages, households, rng)
    truth["village_recoded"] = set(recoded)
    merged, renamed = _merge_and_rename(units, cadres, rng)
    truth["unit_merged"], truth["unit_renamed"] = set(merged), set(renamed)
    units = units[~units["unit_id"].isin(merged)]

    staying = ~cadres["unit_id"].isin(merged)  # a merged unit's cadres move with it
    left = staying.to_numpy() & (rng.random(len(cadres)) < CADRES_LEFT_SHARE)
    truth["cadre_left"] = set(cadres.loc[left, "cadre_id"])
    cadres = cadres[~left].reset_index(drop=True)
    promoted = rng.random(len(cadres)) < PROMOTED_SHARE
    up = {"办事员": "一级科员", "二级科员": "一级科员", "一级科员": "四级主任科员", "四级主任科员": "二级主任科员",
          "科员": "副科级", "副科级": "正科级", "正科级": "副处级", "副处级": "正处级", "二级调研员": "一级调研员"}
    before = cadres["rank"].copy()
    cadres.loc[promoted, "rank"] = cadres.loc[promoted, "rank"].map(up).fillna(cadres.loc[promoted, "rank"])
    band_before = before.map(_band(policy))
    band_after = cadres["rank"].map(_band(policy))
    moved = (rng.random(len(cadres)) < MOVED_SHARE) & ~cadres["unit_id"].isin(merged).to_numpy()
    others = units["unit_id"].to_numpy()
    cadres.loc[moved, "unit_id"] = rng.choice(others, moved.sum())
    moved &= (cadres["unit_id"] != first["cadres"].set_index("cadre_id").loc[cadres["cadre_id"], "unit_id"].to_numpy()).to_numpy()
    truth["cadre_changed"] = set(cadres.loc[moved | (band_before != band_after).to_numpy(), "cadre_id"])
    newcomers = _new_cadres(rng, units, cadres, max(1, round(CADRES_NEW_SHARE * len(cadres))))
    truth["cadre_new"] = set(newcomers["cadre_id"])
    cadres = pd.concat([cadres, newcomers], ignore_index=True)
    for unit_id, into in merged.items():
        units.loc[units["unit_id"] == into, "headcount"] += int(first["units"].set_index("unit_id").at[unit_id, "headcount"])
    counts = cadres["unit_id"].value_counts()
    units["headcount"] = np.maximum(units["headcount"], units["unit_id"].map(counts).fillna(0).astype(int))
    villages_counts = households["village_code"].value_counts()
    villages["households"] = np.maximum(villages["households"], villages["village_code"].map(villages_counts).fillna(0).astype(int))
    return SecondYear({"villages": villages.reset_index(drop=True), "households": households.reset_index(drop=True),
                       "units": units.reset_index(drop=True), "cadres": cadres.reset_index(drop=True)}, truth)


def _band(policy: Policy):
    from ..policy import rank_key

    table = policy.rank_table
    return lambda rank: table.get(rank_key(rank))


def _recode_one_village(villages: pd.DataFrame, households: pd.DataFrame, rng: np.random.Generator) -> list[str]:
    """One village gets a new code in its township (as after a township's re-organisation)."""
    k = int(rng.integers(len(villages)))
    old = villages.at[k, "village_code"]
    taken = set(villages["village_code"])
    number = next(n for n in range(999, 199, -1) if f"{old[:9]}{n:03d}" not in taken)
    code = f"{old[:9]}{number:03d}"
    villages.at[k, "village_code"] = code
    households.loc[households["village_code"] == old, "village_code"] = code
    return [old]


def _merge_and_rename(units: pd.DataFrame, cadres: pd.DataFrame, rng: np.random.Generator) -> tuple[dict, list]:
    """The smallest department of a level (and county) merged into the largest (its cadres with it); one unit renamed."""
    departments = units[units["unit_kind"] != "四大班子"]
    merged = {}
    for _, same in departments.groupby([departments["unit_level"], departments["county_code"].fillna("")]):
        if len(same) >= 2:
            ordered = same.sort_values(["headcount", "unit_id"])
            gone, into = ordered["unit_id"].iloc[0], ordered["unit_id"].iloc[-1]
            merged[gone] = into
            cadres.loc[cadres["unit_id"] == gone, "unit_id"] = into
            break
    candidates = units[~units["unit_id"].isin(list(merged) + list(merged.values())) & (units["unit_kind"] != "四大班子")]
    renamed = []
    if len(candidates):
        k = candidates.index[int(rng.integers(len(candidates)))]
        units.at[k, "unit_name"] = f"{units.at[k, 'unit_name']}（更名）" if not str(units.at[k, "unit_name"]).endswith("局") \
            else f"{str(units.at[k, 'unit_name'])[:-1]}服务中心"
        renamed.append(units.at[k, "unit_id"])
    return merged, renamed


def _ids_not_taken(ids: np.ndarray, taken: set[str]) -> np.ndarray:
    """New heads' ID numbers, each unlike the first year's (drawn apart from them, they may meet one): where one is
    taken, the birthday moves on a day and the number is drawn again."""
    ids = ids.copy()
    county = ids.astype("<U6")
    birth = pd.to_datetime(pd.Series(ids).str[6:14], format="%Y%m%d").to_numpy().astype("datetime64[D]")
    male = pd.Series(ids).str[16].astype(int).to_numpy() % 2 == 1
    for _ in range(100):
        seen, clash = set(taken), []
        for k, number in enumerate(ids):
            if number in seen:
                clash.append(k)
            seen.add(number)
        if not clash:
            return ids
        clash = np.array(clash)
        birth[clash] += np.timedelta64(1, "D")
        ids[clash] = id_numbers(county[clash], birth[clash], male[clash])
    raise RuntimeError("could not draw distinct ID numbers for the new households")


def _new_cadres(rng: np.random.Generator, units: pd.DataFrame, cadres: pd.DataFrame, n: int) -> pd.DataFrame:
    numbers = cadres["cadre_id"].str[2:].astype(int)
    unit = rng.choice(units["unit_id"].to_numpy(), n)
    return pd.DataFrame({
        "cadre_id": [f"GB{k:08d}" for k in range(numbers.max() + 1, numbers.max() + 1 + n)],
        "name": person_names(rng, rng.random(n) < 0.6),
        "unit_id": unit,
        "rank": rng.choice(["一级科员", "四级主任科员", "副科级", "副处级"], n, p=[0.5, 0.25, 0.15, 0.1]),
        "is_leadership": False, "is_retired": False, "lat": np.nan, "lon": np.nan,
        "phone": mobile_numbers(rng, n),
    })
