"""留痕核查 — can the diaries be true? Checks on work records, by the policy's `paper_trail` settings: one person in
two villages too far apart on the same day; more days in villages than the half-year has; a household visited more
times than days spent; most of someone's records in the last days before the period's end; the same note copied
across many records; visits to a household after its pairing ended. Each finding names its records; a summary per
cadre and per unit is what the assessment deducts from (the `integrity_findings` measure)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from . import geo
from .periods import last_day
from .policy import Policy
from .rosters import Rosters
from .schema import CADRE, HOUSEHOLD, UNIT, VISIT

CHECKS = {  # code: (中文, English)
    "same_day_far": ("同一天出现在相距太远的两个村", "in two villages too far apart on the same day"),
    "days_beyond_period": ("在村天数超过这半年的天数", "more days in villages than the half-year has"),
    "visits_beyond_days": ("走访次数多于在村天数", "more visits than days spent"),
    "deadline_burst": ("记录集中在期末前几天", "records bunched just before the period's end"),
    "copied_note": ("同一段说明被复制到多条记录", "the same note copied across many records"),
    "after_pairing_ended": ("结对结束后仍记录走访该户", "visits to a household after its pairing ended"),
}
FINDING_COLUMNS = ["check", "records", "actor_kind", "actor_id", "zh", "en"]


def trail_findings(records: pd.DataFrame, rosters: Rosters, policy: Policy, ended: pd.DataFrame | None = None) -> pd.DataFrame:
    """The findings (FINDING_COLUMNS; `records`: the index labels of the records concerned). `records` carry date,
    period, actor_kind, actor_id, target_kind, target_id, kind, quantity, days, note, village_code; `ended`: pairings
    that ended (cadre_id, household_id, ended_on)."""
    rules = policy.paper_trail
    found: list[dict] = []
    if records.empty:
        return pd.DataFrame(columns=FINDING_COLUMNS)
    records = records.assign(date=pd.to_datetime(records["date"]).dt.normalize())
    people = records[records["actor_kind"] != UNIT]

    located = people.join(rosters.villages.set_index("village_code")[["lat", "lon"]], on="village_code")
    day = ["actor_kind", "actor_id", "date"]
    box = located.groupby(day).agg(villages=("village_code", "nunique"), lat0=("lat", "min"), lat1=("lat", "max"),
                                   lon0=("lon", "min"), lon1=("lon", "max"))
    box = box[(box["villages"] > 1) & (geo.haversine_km(box["lat0"], box["lon0"], box["lat1"], box["lon1"])
                                       > rules["same_day_km"])]  # the box's diagonal bounds every pair: few are left
    for (kind, actor, date), rows in located.set_index(day).loc[box.index].groupby(level=[0, 1, 2]) if len(box) else ():
        spots = rows.drop_duplicates("village_code")
        km = geo.haversine_km(spots["lat"].to_numpy()[:, None], spots["lon"].to_numpy()[:, None],
                              spots["lat"].to_numpy()[None, :], spots["lon"].to_numpy()[None, :])
        if np.nanmax(km) > rules["same_day_km"]:
            index = located.index[(located["actor_id"] == actor) & (located["date"] == date) & (located["actor_kind"] == kind)]
            found.append(_finding("same_day_far", index, kind, actor, f"{date:%Y-%m-%d} 在相距 {np.nanmax(km):,.0f} km 的两个村",
                                  f"{date:%Y-%m-%d}: villages {np.nanmax(km):,.0f} km apart"))

    half = ["actor_kind", "actor_id", "period"]
    end = pd.to_datetime(people["period"].map({p: pd.Timestamp(last_day(p)) for p in people["period"].unique()}))
    length = people["period"].map({p: _days_in(p) for p in people["period"].unique()})
    late = people["date"] > end - pd.Timedelta(days=rules["burst_days"])
    per = people.assign(days=people["days"].fillna(0), late=late, length=length).groupby(half).agg(
        days=("days", "sum"), records=("kind", "size"), late=("late", "sum"), length=("length", "first")).astype(
        {"records": int, "late": int, "length": int})
    for (kind, actor, period), row in per[per["days"] > per["length"]].iterrows():
        index = people.index[(people["actor_id"] == actor) & (people["period"] == period) & (people["actor_kind"] == kind)]
        found.append(_finding("days_beyond_period", index, kind, actor, f"{period} 记录在村 {row['days']:g} 天，超过 "
                              f"{row['length']} 天", f"{period}: {row['days']:g} days recorded, more than its {row['length']}"))
    bursts = per[(per["records"] >= rules["burst_min"]) & (per["late"] >= rules["burst_share"] * per["records"])]
    for (kind, actor, period), row in bursts.iterrows():
        index = people.index[(people["actor_id"] == actor) & (people["period"] == period) & (people["actor_kind"] == kind)
                             & late]
        found.append(_finding("deadline_burst", index, kind, actor,
                              f"{period} 的 {row['records']} 条记录中 {row['late']} 条在期末前 {rules['burst_days']} 天内",
                              f"{row['late']} of {row['records']} records in the last {rules['burst_days']} days of {period}"))

    visits = people[(people["kind"] == VISIT) & (people["target_kind"] == HOUSEHOLD)]
    pair = ["actor_kind", "actor_id", "target_id", "period"]
    counted = visits.assign(days=visits["days"].fillna(0)).groupby(pair).agg(visits=("quantity", "sum"), days=("days", "sum"))
    for (kind, actor, household, period), row in counted[(counted["days"] > 0) & (counted["visits"] > counted["days"])].iterrows():
        index = visits.index[(visits["actor_id"] == actor) & (visits["target_id"] == household) & (visits["period"] == period)]
        found.append(_finding("visits_beyond_days", index, kind, actor,
                              f"户 {household}：{period} 走访 {row['visits']:g} 次，在村 {row['days']:g} 天",
                              f"household {household}: {row['visits']:g} visits in {row['days']:g} days ({period})"))
    notes = records["note"].fillna("").map(_plain) if "note" in records else pd.Series("", index=records.index)
    copied = notes[notes.str.len() >= rules["copied_chars"]]
    for text, rows in copied.groupby(copied):
        if len(rows) >= rules["copied_min"]:
            actors = records.loc[rows.index, "actor_id"]
            found.append(_finding("copied_note", rows.index, records.at[rows.index[0], "actor_kind"], actors.mode().iloc[0],
                                  f"“{text[:20]}…”出现在 {len(rows)} 条记录（{actors.nunique()} 人）",
                                  f"the same note in {len(rows)} records ({actors.nunique()} people)"))
    if ended is not None and len(ended):
        mine = visits[visits["actor_kind"] == CADRE]
        ends = ended.drop_duplicates(["cadre_id", "household_id"], keep="last").set_index(["cadre_id", "household_id"])
        on = pd.to_datetime(pd.Series(ends["ended_on"].reindex(pd.MultiIndex.from_arrays(
            [mine["actor_id"], mine["target_id"]])).to_numpy(), index=mine.index))
        after = mine[mine["date"] > on].assign(ended_on=on)
        for (actor, household), rows in after.groupby(["actor_id", "target_id"]):
            found.append(_finding("after_pairing_ended", rows.index, CADRE, actor,
                                  f"户 {household} 的结对 {rows['ended_on'].iloc[0]:%Y-%m-%d} 已结束，之后仍有 {len(rows)} 次走访",
                                  f"household {household}: {len(rows)} visits after the pairing ended"))
    return pd.DataFrame(found, columns=FINDING_COLUMNS)


def _days_in(period: str) -> int:
    first = pd.Timestamp(f"{period[:4]}-{'07' if period.endswith('H2') else '01'}-01")
    return (pd.Timestamp(last_day(period)) - first).days + 1


def _finding(check: str, index, actor_kind: str, actor_id: str, zh: str, en: str) -> dict:
    return {"check": check, "records": list(index), "actor_kind": actor_kind, "actor_id": actor_id,
            "zh": f"{CHECKS[check][0]}：{zh}", "en": f"{CHECKS[check][1]}: {en}"}


def _plain(text: str) -> str:
    """A note as compared: NFKC, no spaces or punctuation."""
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", str(text)))


def integrity_summary(findings: pd.DataFrame, rosters: Rosters) -> dict[str, pd.DataFrame]:
    """Per cadre (findings about them) and per unit (about it and its cadres): how many of each check."""
    if findings.empty:
        empty = pd.DataFrame(columns=list(CHECKS))
        return {"cadre": empty, "unit": empty}
    units = rosters.cadres.set_index("cadre_id")["unit_id"]
    findings = findings.assign(unit_id=np.where(findings["actor_kind"] == UNIT, findings["actor_id"],
                                                findings["actor_id"].map(units)))
    cadres = findings[findings["actor_kind"] != UNIT]
    table = lambda frame, key: frame.groupby([key, "check"]).size().unstack(fill_value=0).reindex(  # noqa: E731
        columns=list(CHECKS), fill_value=0)
    return {"cadre": table(cadres, "actor_id").rename_axis("cadre_id"), "unit": table(findings.dropna(subset=["unit_id"]),
                                                                                       "unit_id")}


def findings_table(findings: pd.DataFrame, records: pd.DataFrame, rosters: Rosters) -> pd.DataFrame:
    """One row per finding, as an office reads it: the check, who, what, and the records' numbers and dates."""
    names = pd.concat([rosters.cadres.set_index("cadre_id")["name"], rosters.units.set_index("unit_id")["unit_name"]])
    names = names[~names.index.duplicated()]
    shown = [{"核查": CHECKS[row.check][0], "主体类型": row.actor_kind, "主体编号": row.actor_id,
              "姓名或单位": names.get(row.actor_id, ""), "说明": row.zh,
              "记录编号": "、".join(str(v) for v in records.loc[row.records, "record_id"].fillna("（无编号）").head(20)),
              "日期": "、".join(sorted({f"{pd.Timestamp(d):%Y-%m-%d}" for d in records.loc[row.records, "date"]})[:10])}
             for row in findings.itertuples()]
    return pd.DataFrame(shown, columns=["核查", "主体类型", "主体编号", "姓名或单位", "说明", "记录编号", "日期"])
