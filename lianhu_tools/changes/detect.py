"""What changed between the stored roster and a new one, by kind (`kinds`), each change with the row before
and after (the fields it covers; never a household's ID number, phone or head's name) and its evidence in
words — an exit with its income against the line."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..classify import classify_households
from ..policy import Policy
from ..rosters import Rosters
from ..schema import HOUSEHOLD_PERSONAL_FIELDS, TABLES
from .kinds import KINDS

CHANGE_COLUMNS = ["kind", "subject_kind", "subject_id", "county_code", "village_code", "before", "after",
                  "evidence_zh", "evidence_en"]


def roster_changes(old: Rosters, new: Rosters, policy: Policy) -> pd.DataFrame:
    """Every change from `old` to `new` (CHANGE_COLUMNS; before and after as JSON of the fields concerned)."""
    found: list[dict] = []
    recoded = recoded_villages(old, new)
    merged = merged_units(old, new)
    found += _villages(old, new, recoded)
    found += _units(old, new, merged)
    found += _households(old, new, policy, recoded)
    found += _cadres(old, new, merged)
    frame = pd.DataFrame(found, columns=CHANGE_COLUMNS)
    return frame.sort_values(["county_code", "kind", "subject_id"], kind="stable", na_position="first").reset_index(drop=True)


def _rows(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    return frame.drop_duplicates(key).set_index(key, drop=False)


def _value(value):
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _json(row: pd.Series | None, fields) -> str | None:
    if row is None:
        return None
    return json.dumps({f: _value(row.get(f)) for f in fields}, ensure_ascii=False, default=str)


def _change(kind: str, subject_id: str, county: str | None, village: str | None, before, after, zh: str, en: str) -> dict:
    fields = KINDS[kind].fields or [c for c in TABLES[KINDS[kind].table].columns if c not in HOUSEHOLD_PERSONAL_FIELDS]
    return {"kind": kind, "subject_kind": KINDS[kind].table, "subject_id": str(subject_id), "county_code": county,
            "village_code": village, "before": _json(before, fields), "after": _json(after, fields),
            "evidence_zh": zh, "evidence_en": en}


def _differs(a, b) -> bool:
    a, b = _value(a), _value(b)
    if a is None or b is None:
        return (a is None) != (b is None)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return not np.isclose(float(a), float(b))
    return str(a) != str(b)


# ---------------------------------------------------------------- villages and units

def recoded_villages(old: Rosters, new: Rosters) -> dict[str, str]:
    """Old code → new code, for a village gone whose households (most of those still listed) now lie in one
    village that is new; else, with no household to tell, a new village of the same name in the same township."""
    gone = set(old.villages["village_code"]) - set(new.villages["village_code"])
    added = set(new.villages["village_code"]) - set(old.villages["village_code"])
    if not gone or not added:
        return {}
    moved = old.households[["household_id", "village_code"]].merge(
        new.households[["household_id", "village_code"]], on="household_id", suffixes=("_old", "_new"))
    moved = moved[moved["village_code_old"].isin(gone) & moved["village_code_new"].isin(added)]
    mapping = {}
    for code, rows in moved.groupby("village_code_old"):
        target, count = rows["village_code_new"].value_counts().index[0], rows["village_code_new"].value_counts().iloc[0]
        listed = (new.households["household_id"].isin(old.households.loc[old.households["village_code"] == code,
                                                                          "household_id"])).sum()
        if count * 2 > listed and target not in mapping.values():
            mapping[code] = target
    named = new.villages[new.villages["village_code"].isin(added - set(mapping.values()))]
    for row in old.villages[old.villages["village_code"].isin(gone - set(mapping))].itertuples():
        same = named[(named["village_name"] == row.village_name) & (named["county_code"] == row.county_code)]
        if len(same) == 1 and same["village_code"].iloc[0] not in mapping.values():
            mapping[row.village_code] = same["village_code"].iloc[0]
    return mapping


def merged_units(old: Rosters, new: Rosters) -> dict[str, str]:
    """Old unit → the unit it merged into: a unit gone most of whose cadres still listed are now in one unit."""
    gone = set(old.units["unit_id"]) - set(new.units["unit_id"])
    moved = old.cadres[["cadre_id", "unit_id"]].merge(new.cadres[["cadre_id", "unit_id"]], on="cadre_id",
                                                      suffixes=("_old", "_new"))
    moved = moved[moved["unit_id_old"].isin(gone)]
    mapping = {}
    for unit, rows in moved.groupby("unit_id_old"):
        counts = rows["unit_id_new"].value_counts()
        if counts.iloc[0] * 2 > len(rows):
            mapping[unit] = counts.index[0]
    return mapping


def _villages(old: Rosters, new: Rosters, recoded: dict[str, str]) -> list[dict]:
    before, after = _rows(old.villages, "village_code"), _rows(new.villages, "village_code")
    found = []
    for code, target in recoded.items():
        row, now = before.loc[code], after.loc[target]
        found.append(_change("village_recoded", code, now["county_code"], target, row, now,
                             f"{row['village_name']}：{code} → {target}", f"{code} → {target}"))
    for code in sorted(set(before.index) - set(after.index) - set(recoded)):
        row = before.loc[code]
        found.append(_change("village_removed", code, row["county_code"], code, row, None,
                             f"{row['township_name']}{row['village_name']} 不在新名册中", "not on the new roster"))
    for code in sorted(set(after.index) - set(before.index) - set(recoded.values())):
        row = after.loc[code]
        found.append(_change("village_new", code, row["county_code"], code, None, row,
                             f"{row['township_name']}{row['village_name']}", "on the new roster only"))
    return found


def _units(old: Rosters, new: Rosters, merged: dict[str, str]) -> list[dict]:
    before, after = _rows(old.units, "unit_id"), _rows(new.units, "unit_id")
    found = []
    for unit in sorted(set(before.index) - set(after.index)):
        row = before.loc[unit]
        if unit in merged:
            into = merged[unit]
            name = after.loc[into, "unit_name"] if into in after.index else into
            found.append(_change("unit_merged", unit, row.get("county_code"), None, row, pd.Series({"unit_id": into}),
                                 f"{row['unit_name']} 并入 {name}", f"merged into {into}"))
        else:
            found.append(_change("unit_removed", unit, row.get("county_code"), None, row, None,
                                 f"{row['unit_name']} 不在新名册中", "not on the new roster"))
    for unit in sorted(set(after.index) - set(before.index)):
        row = after.loc[unit]
        found.append(_change("unit_new", unit, row.get("county_code"), None, None, row, str(row["unit_name"]),
                             "on the new roster only"))
    fields = KINDS["unit_renamed"].fields
    for unit in sorted(set(before.index) & set(after.index)):
        was, now = before.loc[unit], after.loc[unit]
        changed = [f for f in fields if _differs(was.get(f), now.get(f))]
        if changed:
            found.append(_change("unit_renamed", unit, now.get("county_code"), None, was, now,
                                 "；".join(f"{_zh(f)}：{_shown(was.get(f))} → {_shown(now.get(f))}" for f in changed),
                                 "; ".join(f"{f}: {_shown(was.get(f))} → {_shown(now.get(f))}" for f in changed)))
    return found


# ---------------------------------------------------------------- households and cadres

def _households(old: Rosters, new: Rosters, policy: Policy, recoded: dict[str, str]) -> list[dict]:
    before = _rows(classify_households(old.households, policy), "household_id")
    after = _rows(classify_households(new.households, policy), "household_id")
    county = pd.concat([old.villages, new.villages]).drop_duplicates("village_code").set_index("village_code")["county_code"]
    line = policy.low_income_line_yuan
    found = []
    for key in sorted(set(after.index) - set(before.index)):
        row = after.loc[key]
        poor = bool(row["is_poor"])
        income = float(row["income_per_capita_yuan"])
        found.append(_change("household_identified" if poor else "household_added", key, county.get(row["village_code"]),
                             row["village_code"], None, row,
                             f"人均纯收入 {income:,.0f} 元，{'低于' if poor else '不低于'}低收入线 {line:,.0f} 元",
                             f"income {income:,.0f} yuan per person, {'below' if poor else 'not below'} the line {line:,.0f}"))
    for key in sorted(set(before.index) - set(after.index)):
        row = before.loc[key]
        found.append(_change("household_removed", key, county.get(row["village_code"]), row["village_code"], row, None,
                             f"{'贫困户' if row['is_poor'] else '农户'}不在新名册中", "not on the new roster"))
    for key in sorted(set(before.index) & set(after.index)):
        was, now = before.loc[key], after.loc[key]
        old_income, income = float(was["income_per_capita_yuan"]), float(now["income_per_capita_yuan"])
        evidence = (f"人均纯收入 {old_income:,.0f} → {income:,.0f} 元（低收入线 {line:,.0f} 元）",
                    f"income {old_income:,.0f} → {income:,.0f} yuan per person (line {line:,.0f})")
        place = (county.get(now["village_code"]), now["village_code"])
        if was["is_poor"] and not now["is_poor"]:
            found.append(_change("household_exit", key, *place, was, now, *evidence))
        elif now["is_poor"] and not was["is_poor"]:
            found.append(_change("household_returned", key, *place, was, now, *evidence))
        else:
            fields = [f for f in KINDS["household_changed"].fields if _differs(was.get(f), now.get(f))
                      and not (f == "village_code" and recoded.get(was[f]) == now[f])]
            if fields:
                found.append(_change("household_changed", key, *place, was, now,
                                     "；".join(f"{_zh(f, 'households')}：{_shown(was[f])} → {_shown(now[f])}" for f in fields),
                                     "; ".join(f"{f}: {_shown(was[f])} → {_shown(now[f])}" for f in fields)))
    return found


def _cadres(old: Rosters, new: Rosters, merged: dict[str, str]) -> list[dict]:
    before, after = _rows(old.cadres, "cadre_id"), _rows(new.cadres, "cadre_id")
    county = pd.concat([old.units, new.units]).drop_duplicates("unit_id").set_index("unit_id")["county_code"]
    unit_names = pd.concat([new.units, old.units]).drop_duplicates("unit_id").set_index("unit_id")["unit_name"]
    found = []
    for key in sorted(set(before.index) - set(after.index)):
        row = before.loc[key]
        found.append(_change("cadre_left", key, _text(county.get(row["unit_id"])), None, row, None,
                             f"{row['name']}（{unit_names.get(row['unit_id'], row['unit_id'])}）不在新名册中", "not on the new roster"))
    for key in sorted(set(after.index) - set(before.index)):
        row = after.loc[key]
        found.append(_change("cadre_new", key, _text(county.get(row["unit_id"])), None, None, row,
                             f"{row['name']}（{unit_names.get(row['unit_id'], row['unit_id'])}，{row['rank']}）", "on the new roster only"))
    for key in sorted(set(before.index) & set(after.index)):
        was, now = before.loc[key], after.loc[key]
        fields = [f for f in KINDS["cadre_changed"].fields if _differs(was.get(f), now.get(f))
                  and not (f == "unit_id" and merged.get(was[f]) == now[f])]
        if fields:
            found.append(_change("cadre_changed", key, _text(county.get(now["unit_id"])), None, was, now,
                                 f"{now['name']}：" + "；".join(f"{_zh(f, 'cadres')}：{_shown(was[f])} → {_shown(now[f])}"
                                                               for f in fields),
                                 "; ".join(f"{f}: {_shown(was[f])} → {_shown(now[f])}" for f in fields)))
    return found


def _text(value) -> str | None:
    value = _value(value)
    return None if value is None else str(value)


def _zh(field: str, table: str = "units") -> str:
    return TABLES[table].field(field).zh


def _shown(value) -> str:
    value = _value(value)
    if value is None:
        return "空"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(value)
