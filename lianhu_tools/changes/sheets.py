"""What the change workflow hands out: the change list of each county (变化清单, for its office to check and
pass), and the 公示名单 of each village for its notice board — households by their head's name, as such
notices carry, with no ID number or phone; for the board only, never for the city's website."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from ..policy import Policy
from ..rosters import Rosters
from ..tables import excel_writer, write_frame
from .kinds import KINDS, STATES

LIST_COLUMNS = {"id": "变化编号", "kind_zh": "变化类别", "subject_id": "对象编号", "name": "名称", "county_name": "县区",
                "township_name": "乡镇", "village_name": "村", "evidence_zh": "依据", "state_zh": "状态",
                "step": "已通过步骤", "next_step": "下一步"}
NOTICE_WORDS = {"household_identified": "拟识别为贫困户", "household_returned": "拟纳入贫困户（返贫）",
                "household_exit": "拟退出（脱贫）", "household_removed": "拟移出名册"}
CITY = "市直"  # changes of city units and their cadres
SHEET_UNSAFE = r"[\[\]:*?/\\']"  # what Excel refuses in a sheet's name


def change_table(changes: pd.DataFrame, received: Rosters, base: Rosters) -> pd.DataFrame:
    """The changes as a county's office reads them (Chinese headers): what, who or where, the evidence, the
    step passed and the next. Households are named by their number only."""
    places = pd.concat([received.villages, base.villages]).drop_duplicates("village_code").set_index("village_code")
    names = pd.concat([
        pd.concat([received.cadres, base.cadres]).drop_duplicates("cadre_id").set_index("cadre_id")["name"],
        pd.concat([received.units, base.units]).drop_duplicates("unit_id").set_index("unit_id")["unit_name"],
        places["village_name"]])
    names = names[~names.index.duplicated()]
    shown = changes.assign(
        kind_zh=changes["kind"].map(lambda k: KINDS[k].zh),
        name=["" if kind == "households" else names.get(s, "") for kind, s in zip(changes["subject_kind"], changes["subject_id"])],
        county_name=changes["county_code"].map(places.drop_duplicates("county_code").set_index("county_code")["county_name"]),
        township_name=changes["village_code"].map(places["township_name"]),
        village_name=changes["village_code"].map(places["village_name"]),
        state_zh=changes["state"].map(lambda s: STATES[s][0]))
    return shown[list(LIST_COLUMNS)].astype(object).fillna("").rename(columns=LIST_COLUMNS)


def write_change_lists(changes: pd.DataFrame, received: Rosters, base: Rosters, folder: str | Path) -> list[Path]:
    """One 变化清单 per county (its code and name in the file's name), and one of the city's own units."""
    table = change_table(changes, received, base)
    written = []
    for county, rows in table.groupby(changes["county_code"].fillna(CITY).to_numpy(), sort=True):
        name = rows["县区"].dropna().iloc[0] if rows["县区"].notna().any() else ""
        path = Path(folder) / (f"{county}_{name}_变化清单.xlsx" if county != CITY else f"{CITY}_变化清单.xlsx")
        with excel_writer(path) as writer:
            write_frame(writer, rows, "变化清单")
        written.append(path)
    return written


def notice_lists(changes: pd.DataFrame, received: Rosters, base: Rosters, policy: Policy) -> dict[str, pd.DataFrame]:
    """Per village (its code), the households whose change is at the notice step: 序号, 户主姓名, 家庭人口, 拟办事项, 依据."""
    notice, _ = policy.notice
    due = changes[(changes["state"] == "open") & (changes["next_step"] == notice) & changes["kind"].isin(NOTICE_WORDS)]
    heads = pd.concat([received.households, base.households]).drop_duplicates("household_id").set_index("household_id")
    lists = {}
    for village, rows in due.groupby("village_code", sort=True):
        listed = pd.DataFrame({"户主姓名": rows["subject_id"].map(heads["head_name"]).to_numpy(),
                               "家庭人口": rows["subject_id"].map(heads["members"]).to_numpy(),
                               "拟办事项": rows["kind"].map(NOTICE_WORDS).to_numpy(),
                               "依据": rows["evidence_zh"].to_numpy()})
        lists[village] = listed.sort_values(["拟办事项", "户主姓名"], kind="stable").reset_index(drop=True) \
            .rename_axis("序号").reset_index().assign(序号=lambda f: f["序号"] + 1)
    return lists


def write_notices(changes: pd.DataFrame, received: Rosters, base: Rosters, policy: Policy, folder: str | Path,
                  start: dt.date) -> list[Path]:
    """One workbook per county, a sheet per village ready to print: its title, the notice's days from `start`,
    where to object, and the list."""
    lists = notice_lists(changes, received, base, policy)
    places = pd.concat([received.villages, base.villages]).drop_duplicates("village_code").set_index("village_code")
    _, days = policy.notice
    end = start + dt.timedelta(days=days)
    written = []
    by_county: dict[str, list[str]] = {}
    for village in lists:
        by_county.setdefault(places.at[village, "county_code"], []).append(village)
    for county, villages in sorted(by_county.items()):
        path = Path(folder) / f"{county}_{places.loc[villages[0], 'county_name']}_公示名单.xlsx"
        with excel_writer(path) as writer:
            for village in villages:
                place = places.loc[village]
                sheet = f"{re.sub(SHEET_UNSAFE, '', str(place['village_name']))[:25]}{village[-6:]}"  # unique in the county
                title = f"{place['county_name']}{place['township_name']}{place['village_name']}贫困户识别、退出公示名单"
                lines = pd.DataFrame({title: [f"公示期：{start:%Y年%m月%d日} 至 {end:%Y年%m月%d日}（{days} 天）",
                                              "对名单如有异议，请在公示期内向村委会或乡镇人民政府反映。",
                                              "本名单只张贴于村务公开栏，不在互联网上发布。"]})
                write_frame(writer, lines, sheet).set_column(0, 0, 14)
                write_frame(writer, lists[village], sheet, startrow=len(lines) + 2).set_column(1, 4, 16)
        written.append(path)
    return written
