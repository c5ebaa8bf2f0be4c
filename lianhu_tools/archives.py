"""Work archives (四级建档): activity records in from the offices' work diaries, checked, and rolled up.

Records are validated like rosters — every problem listed with file, row and column, nothing
imported if any is an error — and also against the rosters: the actor must be a cadre or unit on
them, the target a village or household. Each record gets its half-year period (2025H1) and the
village where the work was, so that it rolls up to township, county and city by the village code.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from .errors import AlreadyImported, ArchiveError, Problem
from .periods import period_of
from .policy import default_policy
from .rosters import Rosters
from .schema import ACTIVITIES, ARCHIVE_TABLES, FRACTIONAL_KINDS, HOUSEHOLD, KIND_MAXIMA, UNIT
from .store import fingerprints
from .tables import Report, check_duplicates, discover_files, final_frame, locate, read_tables

SKIP_HINT = ("年内累计的文件（每次在同一个文件后面追加）请加 --skip-existing：只导入新记录",
             "for a year-to-date file (new records added to the same file) use --skip-existing: only new records are imported")
SHOWN_ROWS = 3  # records already in the store listed one by one; beyond this, one line says how many


def load_activities(paths: list[str | Path] | str | Path, rosters: Rosters, store=None,
                    skip_existing: bool = False, policy=None) -> pd.DataFrame:
    """Read and check work-diary files; raise ArchiveError listing every problem if any is an error.

    With a store, record numbers and records (same date, actor, target, task, kind, quantity, days)
    already in it are errors too — or, with `skip_existing`, left out (the count in `attrs["skipped"]`).
    Returns the records with their `period` and `village_code`; the paper-trail checks' findings on them, as
    warnings with their file and row, in `attrs["warnings"]`."""
    report = Report()
    frames, parts, _ = read_tables(paths, ARCHIVE_TABLES, ("activities",), report)
    records = frames.get("activities")
    out = None
    if records is not None:
        check_duplicates(records, "record_id", parts, report, "duplicate_key", "“记录编号”重复：与{}相同",
                          "duplicate record_id: same as {}")
        records["village_code"] = _places(records, rosters)
        _check_references(records, rosters, parts, report)
        _check_quantities(records, parts, report)
        out = final_frame(records, ACTIVITIES)
        out["period"] = period_of(out["date"])
        out["village_code"] = records["village_code"].to_numpy()
        out["fingerprint"] = fingerprints(out)
        if store is not None:
            there = in_store(store.record_ids(), store.fingerprints(), out)
            if skip_existing:
                kept = np.flatnonzero(~np.asarray(there))
                out = out[~there].reset_index(drop=True)
                out.attrs.update(skipped=int(there.sum()), rows=kept)
            else:
                _already_imported(records[there], parts, report)
    if out is None or any(p.severity == "error" for p in report.problems):
        raise ArchiveError(sorted(report.problems, key=lambda p: (p.file, p.sheet or "", p.row or 0)))
    out.attrs["warnings"] = _trail_warnings(out, records, parts, rosters, store, policy or default_policy())
    return out


def _trail_warnings(out: pd.DataFrame, records: pd.DataFrame, parts, rosters: Rosters, store, policy) -> list:
    """The paper-trail findings (`paper_trail`) that concern the new records — checked with the store's records of
    the same half-years — as warnings on their file and row."""
    from .paper_trail import trail_findings

    stored = store.activities() if store is not None else out.iloc[:0]
    stored = stored[stored["period"].isin(set(out["period"]))]
    both = pd.concat([out, stored.set_axis(range(len(out), len(out) + len(stored)))], ignore_index=False)
    ended = store.ended_pairings() if store is not None else None
    report = Report()
    rows = out.attrs.get("rows", np.arange(len(out)))  # each new record's row among those read
    for finding in trail_findings(both, rosters, policy, ended).itertuples():
        new = [rows[k] for k in finding.records if k < len(out)]
        if not new:
            continue
        report.located(locate(records.iloc[new], parts), parts, "date", f"trail_{finding.check}", finding.zh, finding.en,
                       "warning")
    return report.problems


def in_store(record_ids: set, fingerprints_there: set, records: pd.DataFrame) -> np.ndarray:
    """The records whose number, or whose whole content, is in the store already."""
    return (records["record_id"].isin(record_ids) | records["fingerprint"].isin(fingerprints_there)).to_numpy()


def _already_imported(records: pd.DataFrame, parts, report: Report) -> None:
    zh = "已导入过（记录编号相同，或日期、主体、对象、任务、类型、数量、天数完全相同）"
    en = "imported before (the same record number, or the same date, actor, target, task, kind, quantity and days)"
    located = locate(records, parts)
    if len(located) <= SHOWN_ROWS:
        report.located(located, parts, "date", "already_imported", f"{zh}；{SKIP_HINT[0]}", f"{en}; {SKIP_HINT[1]}")
    elif len(located):
        rows = "、".join(f"{Path(parts[p].file).name} 第 {r} 行" for p, r in zip(located["_part"][:3], located["_row"][:3]))
        report.problems.append(Problem.about(
            "already_imported", f"{len(located):,} 条记录{zh}，如 {rows}；{SKIP_HINT[0]}",
            f"{len(located):,} records were {en}, e.g. {rows}; {SKIP_HINT[1]}", file=parts[located["_part"].iat[0]].file))


class Imported(NamedTuple):
    import_id: int | None  # None when nothing was new
    skipped: int  # records already in the store, skipped
    warnings: list  # the paper-trail checks' findings on the new records (Problems, with file and row)


def import_activity_files(store, paths: list[str | Path] | str | Path, rosters: Rosters | None = None,
                          first_rosters: bool = False, skip_existing: bool = False) -> Imported:
    """Check the files against `rosters` (default: the store's latest, and those who left since earlier ones) and
    add their records to the store, all or nothing (`Imported`). `first_rosters`: the store has none yet, `rosters`
    are saved with them.

    The same files (byte for byte) are refused a second time, as are record numbers seen before — unless
    `skip_existing` (a year-to-date file): then only the records not yet in the store are added."""
    paths = [paths] if isinstance(paths, (str, Path)) else paths
    files = sorted(path for path, _ in discover_files(paths))
    digest = hashlib.sha256(b"".join(hashlib.sha256(Path(f).read_bytes()).digest() for f in files)).hexdigest()
    source = ", ".join(map(str, files))
    earlier = store.imported(digest)  # before reading: a big file need not be parsed to be refused
    if earlier is not None and not skip_existing:
        raise AlreadyImported.files(source, earlier)
    records = load_activities(files, rosters if rosters is not None else store.rosters_with_former(), store, skip_existing)
    first = rosters if first_rosters else None
    found = records.attrs.get("warnings", [])
    if skip_existing:  # what another import stored meanwhile is skipped too, under the write lock
        import_id, skipped = store.add_new_activities(records, source, first)
        return Imported(import_id, skipped + records.attrs.get("skipped", 0), found)
    return Imported(store.add_activities(records, source=source, digest=digest, rosters=first), 0, found)  # checked again


def _places(records: pd.DataFrame, rosters: Rosters) -> pd.Series:
    """The village each record's work was in: the target village, or the target household's."""
    village_of_household = rosters.households.set_index("household_id")["village_code"]
    villages = set(rosters.villages["village_code"])
    target = records["target_id"]
    return pd.Series(np.where(records["target_kind"] == HOUSEHOLD, target.map(village_of_household),
                              target.where(target.isin(villages))), index=records.index)


def _check_quantities(records: pd.DataFrame, parts, report: Report) -> None:
    """Each record's quantity within what one record of its kind may count, and whole unless funds."""
    kind, quantity = records["kind"], records["quantity"]
    most = kind.map(KIND_MAXIMA)
    over = quantity.notna() & most.notna() & (quantity > most)
    located = locate(records[over], parts)
    report.located(located, parts, "quantity", "out_of_range",
                   [f"一条“{k}”记录的数量最多 {KIND_MAXIMA[k]:,g}" for k in located["kind"]],
                   [f"one '{k}' record counts at most {KIND_MAXIMA[k]:,g}" for k in located["kind"]])
    fraction = quantity.notna() & ~kind.isin(FRACTIONAL_KINDS) & (quantity % 1 != 0)
    report.located(locate(records[fraction & ~over], parts), parts, "quantity", "not_an_integer",
                   "除资金外，数量须为整数（次、件、期、人次……）", "quantities other than funds are whole numbers")


def _check_references(records: pd.DataFrame, rosters: Rosters, parts, report: Report) -> None:
    cadres, units = set(rosters.cadres["cadre_id"]), set(rosters.units["unit_id"])
    actor_known = np.where(records["actor_kind"] == UNIT, records["actor_id"].isin(units),
                           records["actor_id"].isin(cadres))
    bad = records["actor_id"].notna() & records["actor_kind"].notna() & ~actor_known
    report.located(locate(records[bad], parts), parts, "actor_id", "activity_actor_unknown",
                   "主体编号不在干部名册（干部、工作队员）或单位名册（单位）中",
                   "actor_id is not on the cadre roster (cadre, team member) or the unit roster (unit)")
    bad = records["target_id"].notna() & records["target_kind"].notna() & records["village_code"].isna()
    report.located(locate(records[bad], parts), parts, "target_id", "activity_target_unknown",
                   "对象编号不在村名册（村）或农户名册（户）中",
                   "target_id is not on the village roster (village) or household roster (household)")


