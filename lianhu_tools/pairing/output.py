"""Pairing tables in and out: Excel with Chinese headers, CSV with English names (`lang="en"`)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import PairingInputError
from ..schema import ARCHIVE_TABLES, ROLLUP_LABELS, TABLES, normalize_header
from ..tables import UnreadableFile, atomic_write, csv_safe, excel_writer, read_grids, write_frame
from .explain import POOL_ZH

EXTRA_LABELS = {
    "cadre_name": "干部姓名", "distance_km": "距离(km)", "status": "状态", "reason": "说明", "household_class": "农户类别",
    "pool": "名额类别", "reason_zh": "原因", "reason_en": "Reason", "nearest_cadre_km": "最近干部(km)",
    "nearest_free_cadre_km": "最近有名额干部(km)", "households": "农户数", "covered": "已覆盖", "uncovered": "未覆盖",
    "reasons": "未覆盖原因", "linked": "已联系村数", "minimum": "最少联系村数",
    "reason_code": "原因代码", "fix_kind": "改进类别", "fix_zh": "最省的改进办法", "fix_en": "Cheapest fix",
    "fix_unit_id": "改进涉及单位", "fix_rank": "改进涉及职级", "fix_km": "距离上限须提高到(km)",
    "cadres": "干部数", "extra_covered": "每人加1个名额可多覆盖(户)", "exact": "精确值",
    "period": "期别", "role": "角色", "carried_over": "留任交接", "needed": "应派人数", "assigned": "实派人数",
}
LABELS = ({f.name: f.zh for t in (TABLES | ARCHIVE_TABLES).values() for f in t.fields} | {"name": "姓名"} | EXTRA_LABELS
          | ROLLUP_LABELS)
STATUS_ZH = {"proposed": "建议", "confirmed": "已确认", "locked": "锁定"}


def village_sheets(result) -> dict[str, pd.DataFrame]:
    """What a unit → village pairing writes, sheet by sheet (`match_villages`' result)."""
    return {"联村": result.links, "未联系的村": result.unlinked, "未达下限的单位": result.short_units}


def household_sheets(result) -> dict[str, pd.DataFrame]:
    """What a cadre → household pairing writes, sheet by sheet (`match_households`' result)."""
    return {"联户": result.pairs, "未覆盖农户": result.uncovered, "各县区缺口": result.shortages,
            "加名额测算": result.marginal, "终止的结对": result.ended}


def rotation_sheets(rotation) -> dict[str, pd.DataFrame]:
    """What a work-team rotation writes, sheet by sheet (`rotate_teams`' result)."""
    return {"工作队轮换": rotation.schedule, "派员不足": rotation.shortages}


def write_tables(sheets: dict[str, pd.DataFrame], path: str | Path, lang: str = "zh") -> list[Path]:
    """The first table to `path`; in Excel every table as its own sheet, in CSV the others beside it."""
    path = Path(path)
    shown = {name: _shown(frame, lang) for name, frame in sheets.items()}
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with excel_writer(path) as writer:
            text = writer.book.add_format({"num_format": "@"})
            for name, frame in shown.items():
                write_frame(writer, frame, name)
                writer.sheets[name].freeze_panes(1, 0)
                for k, column in enumerate(sheets[name].columns):  # codes typed again by a clerk stay text
                    if str(column).endswith(("_code", "_id")):
                        writer.sheets[name].set_column(k, k, 14, text)
        return [path]
    written = []
    for k, (name, frame) in enumerate(shown.items()):
        target = path if k == 0 else path.with_name(f"{path.stem}_{name}{path.suffix}")
        with atomic_write(target) as tmp:
            csv_safe(frame).to_csv(tmp, index=False, encoding="utf-8-sig")
        written.append(target)
    return written


def _shown(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    if lang == "en":
        return frame
    frame = frame.copy()
    if "status" in frame:
        frame["status"] = frame["status"].map(STATUS_ZH).fillna(frame["status"])
    if "pool" in frame:
        frame["pool"] = frame["pool"].map(POOL_ZH).fillna(frame["pool"])
    for column in frame.columns[[pd.api.types.is_bool_dtype(t) for t in frame.dtypes]]:
        frame[column] = frame[column].map({True: "是", False: "否"})
    return frame.rename(columns=LABELS)


def read_pairs(path: str | Path, required: tuple[str, ...]) -> pd.DataFrame:
    """A pairing table written by `write_tables` (either language), with English column names; a file
    that cannot be read, is empty, or lacks a column is refused in words (PairingInputError)."""
    try:
        grid = read_grids(Path(path))[0].cells
    except (UnreadableFile, IndexError) as failed:
        raise PairingInputError.said(*[f"{path}: 无法读取 / cannot be read ({failed})"]) from None
    if grid.empty:
        raise PairingInputError.said(*[f"{path}: 文件是空的 / the file is empty"])
    back = {normalize_header(v): k for k, v in LABELS.items()} | {normalize_header(k): k for k in LABELS}
    frame = pd.DataFrame(grid.iloc[1:].to_numpy(), columns=[back.get(normalize_header(h), h) for h in grid.iloc[0]])
    twice = sorted(set(frame.columns[frame.columns.duplicated()]))
    if twice:  # e.g. 干部编号 and cadre_id side by side
        raise PairingInputError.said(f"{path}: 同一字段有两列 / two columns mean the same field: "
                                     f"{', '.join(LABELS.get(c, c) + ' (' + c + ')' for c in twice)}")
    missing = [c for c in required if c not in frame]
    if missing:
        raise PairingInputError.said(*[f"{path}: 缺少列 / missing columns: "
                                 f"{', '.join(LABELS[c] + ' (' + c + ')' for c in missing)}"])
    if "household_id" not in required and "household_id" in frame:  # the households' pairings given for another table
        raise PairingInputError.said(f"{path}: 这是干部联户表（有户编号列），不是所要的表 / this is a cadre–household "
                                     f"pairing table (it has household ids), not the table asked for")
    for column, shown in (("status", STATUS_ZH), ("pool", POOL_ZH)):  # back from the Chinese values
        if column in frame:
            frame[column] = frame[column].replace({zh: en for en, zh in shown.items()})
    return frame


COUNTY_SHEETS = {  # sheet → columns, after the township and village names
    "联户名单": ["household_id", "head_name", "household_class", "cadre_id", "cadre_name", "unit_name", "distance_km"],
    "联村名单": ["unit_id", "unit_name", "unit_kind", "distance_km"],
    "工作队": ["period", "unit_name", "cadre_id", "cadre_name", "role"],
    "未覆盖农户": ["household_id", "head_name", "household_class", "reason_zh", "fix_zh", "reason_en", "fix_en"],
}
UNLINKED_SHEET = "未联系的村"  # target villages no unit links, with the reason and the fix
MARGINAL_SHEET = "加名额测算"  # one more slot for each cadre of a rank in the county: households covered more


def write_county_workbooks(rosters, links: pd.DataFrame, pairs: pd.DataFrame, teams: pd.DataFrame,
                           uncovered: pd.DataFrame, folder: str | Path, marginal: pd.DataFrame | None = None,
                           unlinked: pd.DataFrame | None = None) -> list[Path]:
    """One workbook per county, ready to send to its office: which unit links which village, which cadre
    pairs with which household (with the head's name: these files stay inside the government), the work
    teams, the households not yet covered with the reason and the cheapest fix for each, and what one
    more slot per rank would cover. Chinese headers, one sheet per table."""
    villages = rosters.villages[["village_code", "county_code", "county_name", "township_name", "village_name"]]
    extra = {"household_id": rosters.households[["household_id", "head_name"]], "unit_id": rosters.units[["unit_id", "unit_name"]]}
    located = {}
    for sheet, frame in zip(COUNTY_SHEETS, (pairs, links, teams, uncovered)):
        frame = frame.drop(columns=[c for c in ("county_code", "village_name", "unit_name") if c in frame])
        frame = frame.merge(villages, on="village_code", how="left")
        for key, table in extra.items():
            if key in frame:
                frame = frame.merge(table, on=key, how="left")
        located[sheet] = frame.sort_values(["village_code"], kind="stable")
    if unlinked is not None:
        located_unlinked = unlinked.drop(columns=["county_code", "village_name"]).merge(villages, on="village_code", how="left")
    written = []
    for county_code, county_name in villages.drop_duplicates("county_code")[["county_code", "county_name"]].itertuples(index=False):
        sheets = {sheet: frame.loc[frame["county_code"] == county_code, ["township_name", "village_name"] + COUNTY_SHEETS[sheet]]
                  for sheet, frame in located.items()}
        if marginal is not None:
            sheets[MARGINAL_SHEET] = marginal.loc[marginal["county_code"] == county_code,
                                                  ["pool", "rank", "cadres", "extra_covered", "exact"]]
        if unlinked is not None:
            sheets[UNLINKED_SHEET] = located_unlinked.loc[located_unlinked["county_code"] == county_code,
                                                          ["township_name", "village_name", "village_code", "reason_zh", "fix_zh"]]
        written += write_tables(sheets, Path(folder) / f"{county_code}_{county_name}_联村联户名单.xlsx")
    return written
