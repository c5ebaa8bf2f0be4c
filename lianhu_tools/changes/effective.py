"""The roster as it counts: a change counts only once approved. The roster received, with every change not
(yet) approved undone from the roster it was compared with — an exit not approved keeps its household poor and
paired (不脱贫不脱钩), a household not yet identified is not yet paired."""

from __future__ import annotations

import json

import pandas as pd

from ..rosters import Rosters
from ..schema import TABLES
from .detect import merged_units, recoded_villages
from .kinds import ADDED, KINDS, REMOVED


def effective_rosters(received: Rosters, base: Rosters, unapproved: pd.DataFrame) -> Rosters:
    """`received` with the changes in `unapproved` (kind, subject_id, after) undone from `base`."""
    tables = {name: frame.copy() for name, frame in received.tables().items()}
    old = base.tables()
    for change in unapproved[unapproved["kind"] == "village_recoded"].itertuples():
        into = json.loads(change.after)["village_code"]
        tables["villages"] = tables["villages"][tables["villages"]["village_code"] != into]
        tables["households"]["village_code"] = tables["households"]["village_code"].replace(into, change.subject_id)
    merged = unapproved[unapproved["kind"] == "unit_merged"]
    if not merged.empty:
        was = tables["cadres"]["cadre_id"].map(old["cadres"].set_index("cadre_id")["unit_id"])
        into = dict(zip(merged["subject_id"], (json.loads(a)["unit_id"] for a in merged["after"])))
        back = was.isin(list(into)) & (tables["cadres"]["unit_id"] == was.map(into))
        place = old["cadres"].set_index("cadre_id")[["unit_id", "lat", "lon"]]
        for column in place:
            tables["cadres"].loc[back, column] = tables["cadres"].loc[back, "cadre_id"].map(place[column]).to_numpy()
    for name, frame in tables.items():
        key = TABLES[name].primary_key
        mine = unapproved[unapproved["subject_kind"] == name]
        added = mine.loc[mine["kind"].isin(ADDED), "subject_id"]
        back = mine.loc[mine["kind"].isin(REMOVED | {"unit_merged", "village_recoded"}), "subject_id"]
        frame = frame[~frame[key].isin(added)]
        frame = pd.concat([frame, old[name][old[name][key].isin(back)]], ignore_index=True)
        before = old[name].drop_duplicates(key).set_index(key)
        for kind, rows in mine.groupby("kind"):
            undone = frame[key].isin(rows["subject_id"]) & frame[key].isin(before.index)
            for field in KINDS[kind].restores:
                frame.loc[undone, field] = frame.loc[undone, key].map(before[field]).to_numpy()
        columns = received.tables()[name].columns
        tables[name] = frame[columns].astype(received.tables()[name].dtypes.to_dict()).sort_values(key, kind="stable") \
            .reset_index(drop=True)
    for child, column, parent, moved in (("cadres", "unit_id", "units", merged_units(base, received)),
                                         ("households", "village_code", "villages", recoded_villages(base, received))):
        frame = tables[child]  # a row put back (a departure not approved) follows its unit's or village's approved move
        gone = ~frame[column].isin(set(tables[parent][column])) & frame[column].isin(list(moved))
        frame.loc[gone, column] = frame.loc[gone, column].map(moved).to_numpy()
    return Rosters(**tables, files=received.files)


def broken_references(rosters: Rosters) -> list[str]:
    """Households in no listed village, cadres of no listed unit: what approving one change before another it
    depends on would leave."""
    found = []
    for child, column, parent in (("households", "village_code", "villages"), ("cadres", "unit_id", "units")):
        frame, keys = rosters.tables()[child], set(rosters.tables()[parent][column])
        for key, value in frame.loc[~frame[column].isin(keys), [TABLES[child].primary_key, column]].itertuples(index=False):
            found.append(f"{TABLES[child].zh} {key}: {TABLES[child].field(column).zh} {value} 不在名册中 / "
                         f"{child} {key}: no {column} {value}")
    return found
