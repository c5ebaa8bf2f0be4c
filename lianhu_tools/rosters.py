"""Load and validate rosters: every problem reported at once, nothing loaded unless all is clean.

    rosters = load_rosters(["data/demo/"])        # raises RosterError(problems) on any error
    problems = validate_paths(["村名册.csv"])      # the list only, for `lianhu validate`

Each file (CSV in any office encoding, or an Excel workbook with one sheet per table) is read through
`tables` — recognised by its headers, parsed field by field as declared in `schema` — and the four
rosters are then checked across tables here (keys, references, codes, coordinates, counts) and against the
real county outlines (`places`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import Problem, RosterError, RosterWarning
from .places import check_places
from .policy import Policy, default_policy, rank_key
from .schema import TABLES
from .tables import Part, Report, empty_frame, final_frame, locate, raw_text, read_tables
from .tables.parts import check_duplicates

ALL_TABLES = tuple(TABLES)


@dataclass
class Rosters:
    """The four validated rosters, canonical English columns (see `schema`), keys as text."""

    villages: pd.DataFrame
    households: pd.DataFrame
    units: pd.DataFrame
    cadres: pd.DataFrame
    warnings: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in ALL_TABLES}

    def same_as(self, other: Rosters) -> bool:
        """The same rows in the four rosters (whatever their order, files or dtypes)."""
        def rows(frame: pd.DataFrame) -> list[tuple]:
            frame = frame[sorted(frame.columns)].astype(object)
            return sorted(tuple("" if pd.isna(v) else str(v) for v in row) for row in frame.itertuples(index=False))
        return all(sorted(a.columns) == sorted(b.columns) and rows(a) == rows(b)
                   for a, b in zip(self.tables().values(), other.tables().values()))


# ---------------------------------------------------------------- public API

def load_rosters(paths: list[str | Path] | str | Path, require: tuple[str, ...] = ALL_TABLES,
                 policy: Policy | None = None) -> Rosters:
    """Read and validate roster files; raise RosterError listing every problem if any error is found.

    The policy's poverty lines decide which households must name a cause of poverty (a warning)."""
    rosters, problems, _ = _load(paths, require, policy or default_policy())
    if any(p.severity == "error" for p in problems):
        raise RosterError(problems)
    if problems:
        warnings.warn(RosterWarning(f"{len(problems)} 条提示（不影响载入）/ {len(problems)} warnings; "
                                    "see Rosters.warnings"), stacklevel=2)
    return rosters


def validate_paths(paths: list[str | Path] | str | Path, require: tuple[str, ...] = (),
                   policy: Policy | None = None) -> list[Problem]:
    """Every problem in the files (errors and warnings); an empty list means clean."""
    return _load(paths, require, policy or default_policy())[1]


def tables_found(paths: list[str | Path] | str | Path, require: tuple[str, ...] = ALL_TABLES,
                 policy: Policy | None = None) -> tuple[dict[str, int], list[Problem]]:
    """The rows of each table found in the files, and every problem (a table of `require` not found is one)."""
    _, problems, found = _load(paths, require, policy or default_policy())
    return found, problems


def _load(paths, require, policy: Policy) -> tuple[Rosters | None, list[Problem], dict[str, int]]:
    report = Report()
    frames, parts, files = read_tables(paths, TABLES, require, report)
    _check_tables(frames, parts, report)
    if "cadres" in frames:
        _rank_bands(frames["cadres"], parts, report, policy)
    if "households" in frames:
        _check_poverty_causes(frames["households"], parts, report, policy)
    problems = sorted(report.problems, key=lambda p: (p.file, p.sheet or "", p.row or 0))
    found = {name: len(frames[name]) for name in ALL_TABLES if name in frames}
    if any(p.severity == "error" for p in problems) or any(n not in frames for n in require):
        return None, problems, found
    empty = {n: empty_frame(TABLES[n]) for n in ALL_TABLES}
    tables = {n: final_frame(frames.get(n, empty[n]), TABLES[n]) for n in ALL_TABLES}
    return Rosters(**tables, warnings=problems, files=[str(f) for f, _ in files]), problems, found


# ---------------------------------------------------------------- checks across tables

def _check_tables(frames: dict[str, pd.DataFrame], parts: list[Part], report: Report) -> None:
    for name, frame in frames.items():
        table = TABLES[name]
        pk = table.field(table.primary_key)
        check_duplicates(frame, pk.name, parts, report, "duplicate_key", f"“{pk.zh}”重复：与{{}}相同",
                          f"duplicate {pk.name}: same as {{}}")
    if "households" in frames:
        check_duplicates(frames["households"], "id_number", parts, report, "id_number_duplicate",
                          "同一身份证号已出现在{}（一人只能是一户户主）",
                          "the same ID number already appears in {} (one person heads one household)")
    if "villages" in frames:
        _check_village_codes(frames["villages"], parts, report)
    if "units" in frames:
        units = frames["units"]
        missing = units["unit_level"].eq("县") & units["county_code"].isna() & (raw_text(units, parts, "county_code") == "")
        report.located(locate(units[missing], parts), parts, "county_code", "required_value_missing",
                       "县级单位须填县区代码", "county units need a county_code")
    for child, (column, (parent_table, parent_key)) in ((c, fk) for c in frames for fk in TABLES[c].foreign_keys.items()):
        if parent_table in frames:
            _check_references(frames, parts, report, child, column, parent_table, parent_key)
    check_places(frames, parts, report)
    _fill_locations(frames)
    _check_counts(frames, parts, report)


def _check_references(frames, parts, report, child: str, column: str, parent_table: str, parent_key: str) -> None:
    """Orphan references — unless the parent's key column is missing somewhere, or the parent row with
    that key was itself rejected (those are reported once, on the parent)."""
    parent = frames[parent_table]
    if any(p.table.name == parent_table and parent_key not in p.text for p in parts):
        return
    rejected = set(raw_text(parent[parent[parent_key].isna()], parts, parent_key))
    frame = frames[child]
    orphan = frame[column].notna() & ~frame[column].isin(set(parent[parent_key].dropna())) & ~frame[column].isin(rejected)
    report.located(locate(frame[orphan], parts), parts, column, "orphan_reference",
                   f"在{TABLES[parent_table].zh}名册中找不到此{TABLES[child].field(column).zh}",
                   f"no such {parent_key} in the {parent_table} roster")


def _rank_bands(cadres: pd.DataFrame, parts: list[Part], report: Report, policy: Policy) -> None:
    """Each cadre's rank as written, replaced by its quota band (the policy's rank table); a rank not in the
    table is a problem naming the nearest one."""
    table = policy.rank_table
    band = cadres["rank"].map(lambda rank: table.get(rank_key(rank)) if isinstance(rank, str) else None)
    located = locate(cadres[cadres["rank"].notna() & band.isna()], parts)
    nearest = [policy.nearest_rank(rank) for rank in located["rank"]]
    report.located(located, parts, "rank", "rank_unknown",
                   [f"职级“{rank}”不在职级对照表中" + (f"，是不是“{near}”（{table[near]}）？" if near else "；")
                    + f"本市的写法可加在政策文件的 rank_titles 中，如 {rank}: 县处级" for rank, near in zip(located["rank"], nearest)],
                   [f"rank '{rank}' is not in the rank table" + (f"; did you mean '{near}' ({table[near]})?" if near else ";")
                    + f" add the city's spelling under rank_titles in the policy file, e.g. {rank}: 县处级"
                    for rank, near in zip(located["rank"], nearest)])
    cadres["rank"] = band


def _check_poverty_causes(households: pd.DataFrame, parts: list[Part], report: Report, policy: Policy) -> None:
    """A warning for each poor household (by the policy's lines) that names no cause of poverty."""
    candidates = households[(households["income_per_capita_yuan"] < policy.low_income_line_yuan)
                            & households["poverty_cause"].isna()]
    silent = candidates[raw_text(candidates, parts, "poverty_cause") == ""]
    report.located(locate(silent, parts), parts, "poverty_cause", "poverty_cause_missing",
                   f"人均纯收入低于低收入线（{policy.low_income_line_yuan:g}元），应填写致贫原因",
                   f"income below the low-income line ({policy.low_income_line_yuan:g} yuan): name a cause of poverty",
                   "warning")


def _check_village_codes(villages: pd.DataFrame, parts: list[Part], report: Report) -> None:
    for code_column, name_column in (("township_code", "township_name"), ("county_code", "county_name")):
        named = villages[villages[code_column].notna() & villages[name_column].notna()]
        first = named.groupby(code_column)[name_column].transform("first")  # the name the code is first given
        other = named[named[name_column] != first]
        located = locate(other, parts)
        label = TABLES["villages"].field(name_column).zh
        report.located(located, parts, name_column, "name_mismatch",
                       [f"同一{label}代码 {c} 前面写作“{f}”" for c, f in zip(located[code_column], first[other.index])],
                       [f"the same code {c} is named '{f}' above" for c, f in zip(located[code_column], first[other.index])])
    code = villages["village_code"]
    for column, digits in (("township_code", 9), ("county_code", 6)):
        wrong = code.notna() & villages[column].notna() & (code.str.slice(0, digits) != villages[column])
        located = locate(villages[wrong], parts)
        label = TABLES["villages"].field(column).zh
        report.located(located, parts, column, "code_mismatch",
                       [f"“{label}”与村代码不符：村代码前{digits}位是{c[:digits]}" for c in located["village_code"]],
                       [f"{column} contradicts the village code, whose first {digits} digits are {c[:digits]}"
                        for c in located["village_code"]])


def _fill_locations(frames: dict[str, pd.DataFrame]) -> None:
    """Households default to their village's coordinates, cadres to their unit's."""
    for child, parent, key in (("households", "villages", "village_code"), ("cadres", "units", "unit_id")):
        if child not in frames:
            continue
        frame = frames[child]
        blank = frame["lat"].isna() & frame["lon"].isna()
        if parent in frames:  # a parent without coordinates is reported on the parent's row
            base = frames[parent].drop_duplicates(key).set_index(key)
            frame.loc[blank, "lat"] = frame.loc[blank, key].map(base["lat"]).to_numpy()
            frame.loc[blank, "lon"] = frame.loc[blank, key].map(base["lon"]).to_numpy()


def _check_counts(frames: dict[str, pd.DataFrame], parts: list[Part], report: Report) -> None:
    """Warnings: more listed households than a village has, more cadres than a unit's headcount."""
    for child, parent, key, total, zh, en in (
            ("households", "villages", "village_code", "households", "名册中该村农户{n}户，超过村总户数{t}",
             "{n} households listed for this village, more than its total of {t}"),
            ("cadres", "units", "unit_id", "headcount", "名册中该单位干部{n}人，超过干部人数{t}",
             "{n} cadres listed for this unit, more than its headcount of {t}")):
        if child not in frames or parent not in frames:
            continue
        counts = frames[child][key].value_counts()
        parent_frame = frames[parent]
        listed = parent_frame[key].map(counts).fillna(0)
        over = parent_frame[total].notna() & (listed > parent_frame[total])
        located = locate(parent_frame[over], parts)
        ns, ts = listed[over].astype(int), parent_frame.loc[over, total].astype(int)
        report.located(located, parts, total, f"{parent[:-1]}_{total}_exceeded",
                       [zh.format(n=n, t=t) for n, t in zip(ns, ts)], [en.format(n=n, t=t) for n, t in zip(ns, ts)],
                       "warning")
