"""A catalogue of bad inputs, as a careless or hostile user gives them, for every command: each must be refused
in words (exit 1 or 2, Chinese and English), with no traceback, and change nothing — the store's contents and
every file of the workspace are compared before and after (a problem list asked for is the one file allowed).

The workspace is the tiny demo city taken through the whole year: rosters saved, pairings, links and teams
accepted, diaries and plans imported, the year assessed and published."""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
import yaml

from lianhu_tools import cli
from lianhu_tools.tables.files import OLE_MAGIC


@dataclass(frozen=True)
class Case:
    name: str
    argv: str  # {w} is the workspace, {db} its store
    may_write: tuple[str, ...] = ()  # files the refusal may write (a problem list asked for)


def lianhu(*argv: str) -> None:
    assert cli.main(list(argv)) == 0, argv


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    w = tmp_path_factory.mktemp("city")
    db = str(w / "s.sqlite")
    lianhu("demo-data", "--size", "tiny", "--out", f"{w}/rosters", "--archives-out", f"{w}/diaries")
    lianhu("validate", f"{w}/rosters", "--save", "--db", db)
    lianhu("match", "villages", "--rosters", f"{w}/rosters", "--out", f"{w}/links.xlsx")
    lianhu("match", "households", "--rosters", f"{w}/rosters", "--links", f"{w}/links.xlsx", "--out", f"{w}/pairs.xlsx")
    lianhu("rotate", "--rosters", f"{w}/rosters", "--links", f"{w}/links.xlsx", "--from", "2025H1", "--out", f"{w}/teams.xlsx")
    lianhu("accept", "--pairs", f"{w}/pairs.xlsx", "--links", f"{w}/links.xlsx", "--teams", f"{w}/teams.xlsx",
           "--term-start", "2025", "--db", db)
    lianhu("archive", "import", f"{w}/diaries/工作记录", "--db", db)
    lianhu("plan", "import", f"{w}/diaries/三年规划.xlsx", "--term-start", "2025", "--db", db)
    lianhu("assess", "--period", "2025", "--out", f"{w}/pub", "--db", db)
    _bad_files(w)
    return w


def _bad_files(w: Path) -> None:
    bad = w / "bad"
    (bad / "folder").mkdir(parents=True)
    (bad / "folder.xlsx").mkdir()
    (bad / "empty.csv").write_bytes(b"")
    (bad / "empty.xlsx").write_bytes(b"")
    (bad / "garbage.xlsx").write_bytes(os.urandom(3000))
    (bad / "encrypted.xlsx").write_bytes(OLE_MAGIC + b"\x00" * 504)
    (bad / "nul.csv").write_bytes("干部编号,户编号\nC1\x00,H1\n".encode("utf-8"))
    (bad / "binary.csv").write_bytes(b"\x81\x30\xff\xfe\x00\xfa" * 50)
    (bad / "not_sqlite.sqlite").write_text("这不是数据库 / not a store\n", encoding="utf-8")
    (bad / "notes.txt").write_text("备注\n", encoding="utf-8")
    with sqlite3.connect(w / "s.sqlite") as source, sqlite3.connect(bad / "too_new.sqlite") as target:
        source.backup(target)  # a copy, its write-ahead log included
    with sqlite3.connect(bad / "too_new.sqlite") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999'")  # a later program's migration
    _policies(bad)
    _indicators(bad)
    _pairings(w, bad)
    _diaries(w, bad)
    _plans(w, bad)
    _rosters(w, bad)


SETTINGS = {  # a planner's YAML gone wrong in every way the workbench saw
    "list": "- 1\n- 2\n", "scalar": "42\n", "syntax": "quotas: [1, 2\n", "tab": "quotas:\n\t地厅级: 1\n",
    "python": "!!python/object/apply:os.system ['echo hacked']\n",
    "bomb": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b]\n",
    "huge": "# " + "填" * 400_000 + "\n",
}
POLICIES = {
    "unknown_key": {"quota": 3}, "quota_negative": {"quotas": {"地厅级": {"poor": -1}}},
    "quota_1e12": {"quotas": {"地厅级": {"poor": 10 ** 12}}}, "quota_fraction": {"quotas": {"县处级": {"poor": 1.5}}},
    "quota_text": {"quotas": {"县处级": {"party": "三"}}}, "max_km_zero": {"max_km": 0}, "max_km_negative": {"max_km": -5},
    "max_km_inf": {"max_km": float("inf")}, "max_km_nan": {"max_km": float("nan")}, "max_km_far": {"max_km": 99999},
    "lines_inverted": {"poverty_lines_yuan": {"absolute": 2000, "low_income": 1000}},
    "villages_min_over_max": {"villages_per_unit": {"政府部门": {"min": 5, "max": 1}}},
    "locality_moon": {"locality": "moon"}, "bool_as_text": {"retired_cadres_link": "是的"},
    "table_for_value": {"max_km": {"km": 60}}, "allowed_names_text": {"publication_allowed_names": "张三"},
}


def _policies(bad: Path) -> None:
    for name, text in SETTINGS.items():
        (bad / f"policy_{name}.yaml").write_text(text, encoding="utf-8")
    for name, edits in POLICIES.items():
        (bad / f"policy_{name}.yaml").write_text(yaml.safe_dump(edits, allow_unicode=True), encoding="utf-8")


def _indicators(bad: Path) -> None:
    from lianhu_tools.assessment import load_indicators

    system = load_indicators()
    for name, text in SETTINGS.items():
        (bad / f"indicators_{name}.yaml").write_text(text, encoding="utf-8")
    (bad / "indicators_empty.yaml").write_text("", encoding="utf-8")

    def edited(change):
        changed = copy.deepcopy(system)
        change(changed)
        return changed
    variants = {
        "grade_ninety": edited(lambda s: s["grades"].update({"优秀": "ninety"})),
        "one_grade": edited(lambda s: s.update(grades={"合格": 0})),
        "grades_unordered": edited(lambda s: s.update(grades={"优秀": 50, "良好": 80, "较差": 0})),
        "grade_over_100": edited(lambda s: s["grades"].update({"优秀": 190})),
        "points_negative": edited(lambda s: s["cadre"]["indicators"][0].update(points=-400)),
        "points_true": edited(lambda s: s["cadre"]["indicators"][0].update(points=True)),
        "target_inf": edited(lambda s: s["unit"]["indicators"][0].update(target=float("inf"))),
        "target_zero": edited(lambda s: s["unit"]["indicators"][0].update(target=0)),
        "points_300": edited(lambda s: [i.update(points=100) for i in s["cadre"]["indicators"]]),
        "unknown_measure": edited(lambda s: s["cadre"]["indicators"][0].update(measure="bribes")),
        "deduction_1000": edited(lambda s: s["cadre"]["deductions"][0].update(points_each=1000)),
        "no_indicators": edited(lambda s: s["unit"].update(indicators=[])),
        "unknown_subject": edited(lambda s: s.update(village={"indicators": []})),
    }
    for name, changed in variants.items():
        (bad / f"indicators_{name}.yaml").write_text(yaml.safe_dump(changed, allow_unicode=True), encoding="utf-8")


def _pairings(w: Path, bad: Path) -> None:
    """The proposals, damaged as a careless planner damages them (CSV, as Excel saves them)."""
    pairs, links, teams = (pd.read_excel(w / name, dtype=str, engine="calamine").fillna("")
                           for name in ("pairs.xlsx", "links.xlsx", "teams.xlsx"))
    cadre, household, unit, village, period = "干部编号", "户编号", "单位编号", "村代码", "期别"
    first = pairs.iloc[0]
    variants = {
        "pairs_unknown_cadre": pairs.assign(**{cadre: ["C999999"] + list(pairs[cadre][1:])}),
        "pairs_unknown_household": pairs.assign(**{household: ["H999999999"] + list(pairs[household][1:])}),
        "pairs_blank_cadre": pairs.assign(**{cadre: [""] + list(pairs[cadre][1:])}),
        "pairs_formula": pairs.assign(**{cadre: ['=HYPERLINK("http://x","C1")'] + list(pairs[cadre][1:])}),
        "pairs_two_cadres": pd.concat([pairs, pd.DataFrame([first]).assign(**{cadre: pairs[cadre].iloc[-1]})]),
        "pairs_over_quota": pairs.assign(**{cadre: pairs[cadre].iloc[0]}),
        "links_unknown_village": links.assign(**{village: "999999999999"}),
        "links_unknown_unit": links.assign(**{unit: "U-nobody"}),
        "teams_period_xyz": teams.assign(**{period: "xyz"}),
        "teams_period_2025H3": teams.assign(**{period: "2025H3"}),
        "pairs_header_only": pairs.iloc[:0],
    }
    for name, frame in variants.items():
        frame.to_csv(bad / f"{name}.csv", index=False, encoding="utf-8-sig")


def _column(frame: pd.DataFrame, starts: str) -> str:
    return next(c for c in frame.columns if str(c).startswith(starts))


def _diaries(w: Path, bad: Path) -> None:
    diary = pd.read_excel(next((w / "diaries" / "工作记录").glob("*.xlsx")), dtype=str, header=1,
                          engine="calamine").fillna("").head(5)
    date, quantity, actor = "日期", "数量", "主体编号"
    variants = {
        "diary_next_year": diary.assign(**{date: "2027-06-01"}),
        "diary_impossible_date": diary.assign(**{date: "2025-13-45"}),
        "diary_funds_1e308": diary.assign(**{quantity: "1e308"}),
        "diary_quantity_negative": diary.assign(**{quantity: "-3"}),
        "diary_quantity_1e10": diary.assign(**{quantity: "10000000000"}),
        "diary_quantity_inf": diary.assign(**{quantity: "inf"}),
        "diary_unknown_actor": diary.assign(**{actor: "C999999"}),
        "diary_formula_actor": diary.assign(**{actor: "=1+1"}),
        "diary_no_date_column": diary.drop(columns=[date]),
        "diary_million_visits": diary.assign(**{quantity: "1000000"}),
        "diary_half_visits": diary.assign(**{quantity: "0.5"}),
    }
    for name, frame in variants.items():
        frame.to_csv(bad / f"{name}.csv", index=False, encoding="gb18030")


def _plans(w: Path, bad: Path) -> None:
    plan = pd.read_excel(w / "diaries" / "三年规划.xlsx", dtype=str, engine="calamine").fillna("")
    variants = {"plan_unknown_subject": plan.assign(对象编号="U-nobody"),
                "plan_year_3000": plan.assign(年度="3000"),
                "plan_header_only": plan.iloc[:0],
                "plan_funds_1e15": plan.assign(计划资金="1e15"), "plan_income_1e12": plan.assign(人均纯收入目标="1e12")}
    for name, frame in variants.items():
        frame.to_csv(bad / f"{name}.csv", index=False, encoding="utf-8-sig")


def _rosters(w: Path, bad: Path) -> None:
    """A roster folder with a problem in each table (and a folder holding no roster at all)."""
    broken = bad / "rosters_broken"
    shutil.copytree(w / "rosters", broken)
    households = pd.read_excel(broken / "农户名册.xlsx", dtype=str, engine="calamine").fillna("")
    households.loc[0, _column(households, "身份证号")] = "12345"
    households.loc[1, _column(households, "户编号")] = households.loc[0, _column(households, "户编号")]
    households.to_excel(broken / "农户名册.xlsx", index=False)
    cadres = pd.read_excel(broken / "干部名册.xlsx", dtype=str, engine="calamine").fillna("")
    cadres.loc[0, _column(cadres, "职级")] = "宇宙级"
    cadres.to_excel(broken / "干部名册.xlsx", index=False)
    (bad / "rosters_none").mkdir()
    (bad / "rosters_none" / "说明.txt").write_text("空\n", encoding="utf-8")


# ---------------------------------------------------------------- the catalogue

BAD_POLICIES = [f"policy_{name}" for name in (*SETTINGS, *POLICIES)]
BAD_INDICATORS = [f"indicators_{name}" for name in (*SETTINGS, "empty", "grade_ninety", "one_grade", "grades_unordered",
                                                    "grade_over_100", "points_negative", "points_true", "target_inf",
                                                    "target_zero", "points_300", "unknown_measure", "deduction_1000",
                                                    "no_indicators", "unknown_subject")]
BAD_TABLES = ["missing.xlsx", "folder.xlsx", "empty.csv", "empty.xlsx", "garbage.xlsx", "encrypted.xlsx", "nul.csv",
              "binary.csv", "notes.txt"]
BAD_STORES = ["missing.sqlite", "folder", "not_sqlite.sqlite", "too_new.sqlite"]
ROSTERS = "--rosters {w}/rosters"
PAIRS = "--pairs {w}/pairs.xlsx"
ACCEPT = "accept --term-start 2025 --db {db}"
ADJUST = "adjust --assessment 1 --kind cadre --out {w}/pub --db {db}"


TAKES_A_POLICY = {  # {x}: the bad policy file's option
    "validate": "validate {w}/rosters --save --db {db} {x}", "summary": "summary {w}/rosters {x}",
    "policy-show": "policy show {x}", "match-villages": f"match villages {ROSTERS} --out {{w}}/new.xlsx {{x}}",
    "match-households": f"match households {ROSTERS} --out {{w}}/new.xlsx {{x}}",
    "compare": f"compare {ROSTERS} --out {{w}}/cmp.xlsx {{x}}",
    "rotate": f"rotate {ROSTERS} --links {{w}}/links.xlsx --from 2026H1 --out {{w}}/t.xlsx {{x}}",
    "accept": f"{ACCEPT} {PAIRS} {{x}}", "assess": "assess --period 2025H1 --out {w}/pub2 --db {db} {x}",
    "dashboard": "dashboard --db {db} {x}",
}
READS_A_TABLE = {  # {x}: the file that is no table
    "validate": "validate {x} --save --db {db}", "accept-pairs": f"{ACCEPT} --pairs {{x}}",
    "accept-links": f"{ACCEPT} --links {{x}}", "accept-teams": f"{ACCEPT} --teams {{x}}",
    "match-households-links": f"match households {ROSTERS} --links {{x}} --out {{w}}/new.xlsx",
    "match-households-pins": f"match households {ROSTERS} --pins {{x}} --out {{w}}/new.xlsx",
    "rotate-links": f"rotate {ROSTERS} --links {{x}} --from 2026H1 --out {{w}}/t.xlsx",
    "archive-import": "archive import {x} --db {db}", "plan-import": "plan import {x} --term-start 2025 --db {db}",
    "match-villages-rosters": "match villages --rosters {x} --out {w}/new.xlsx",
}


def catalogue() -> list[Case]:
    cases = []
    for policy in BAD_POLICIES:  # every command that takes a policy
        cases += [Case(f"{name}/{policy}", command.replace("{x}", f"--policy-file {{w}}/bad/{policy}.yaml"))
                  for name, command in TAKES_A_POLICY.items()]
    for indicators in BAD_INDICATORS:
        cases.append(Case(f"assess/{indicators}", f"assess --period 2025 --out {{w}}/pub2 --db {{db}} "
                                                  f"--indicators {{w}}/bad/{indicators}.yaml"))
    for table in BAD_TABLES:  # a file that is no table, wherever a table is read
        cases += [Case(f"{name}/{table}", command.replace("{x}", f"{{w}}/bad/{table}")) for name, command in READS_A_TABLE.items()]
    for store in BAD_STORES:  # a store that is missing, a folder, not one, or newer than the program
        db = f"{{w}}/bad/{store}"
        cases += [Case(f"{command.split()[0]}-{command.split()[1] if ' ' in command else ''}/{store}",
                       command.replace("{db}", db)) for command in (
            "validate {w}/rosters --save --db {db}", "accept --term-start 2025 --pairs {w}/pairs.xlsx --db {db}",
            "archive import {w}/diaries/工作记录 --db {db}", "archive rollup --db {db}",
            "plan import {w}/diaries/三年规划.xlsx --term-start 2026 --db {db}", "assess --period 2025 --out {w}/p --db {db}",
            "adjust --assessment 1 --kind cadre --subject C1 --points 1 --reason r --out {w}/p --db {db}",
            "report --period 2025 --out {w}/r --db {db}", "dashboard --db {db}")
            if not (store == "missing.sqlite" and command.startswith("validate"))]
    cases += [  # proposals that break the rules, given to accept
        Case(f"accept/{name}", f"{ACCEPT} --{name.split('_')[0]} {{w}}/bad/{name}.csv") for name in (
            "pairs_unknown_cadre", "pairs_unknown_household", "pairs_blank_cadre", "pairs_formula", "pairs_two_cadres",
            "pairs_over_quota", "links_unknown_village", "links_unknown_unit", "teams_period_xyz", "teams_period_2025H3",
            "pairs_header_only")]
    cases += [
        Case("accept/pairs-as-links", f"{ACCEPT} --links {{w}}/pairs.xlsx"),
        Case("accept/links-as-pairs", f"{ACCEPT} --pairs {{w}}/links.xlsx"),
        Case("accept/teams-as-pairs", f"{ACCEPT} --pairs {{w}}/teams.xlsx"),
        Case("accept/nothing", f"{ACCEPT}"),
        Case("accept/term-negative", "accept --term-start -5 --pairs {w}/pairs.xlsx --db {db}"),
        Case("accept/term-99999", "accept --term-start 99999 --pairs {w}/pairs.xlsx --db {db}"),
        Case("accept/term-text", "accept --term-start 二〇二五 --pairs {w}/pairs.xlsx --db {db}"),
        Case("accept/status-bad", "accept --term-start 2025 --status maybe --pairs {w}/pairs.xlsx --db {db}"),
        Case("accept/pins-unknown", "match households --rosters {w}/rosters --pins {w}/bad/pairs_unknown_cadre.csv "
                                    "--out {w}/new.xlsx"),
        Case("accept/forbids-as-links", "match households --rosters {w}/rosters --forbids {w}/links.xlsx --out {w}/new.xlsx"),
    ]
    cases += [  # diaries and plans
        Case(f"archive-import/{name}", f"archive import {{w}}/bad/{name}.csv --db {{db}} --problems-out {{w}}/问题.xlsx",
             may_write=("问题.xlsx",)) for name in (
            "diary_next_year", "diary_impossible_date", "diary_funds_1e308", "diary_quantity_negative",
            "diary_quantity_1e10", "diary_quantity_inf", "diary_unknown_actor", "diary_formula_actor",
            "diary_no_date_column", "diary_million_visits", "diary_half_visits")]
    cases += [
        Case("archive-import/again", "archive import {w}/diaries/工作记录 --db {db}"),
        Case("archive-import/empty-folder", "archive import {w}/bad/folder --db {db}"),
        Case("archive-import/problems-csv", "archive import {w}/bad/diary_next_year.csv --db {db} --problems-out {w}/p.csv"),
        Case("archive-import/other-rosters", "archive import {w}/bad/diary_next_year.csv --rosters {w}/bad/rosters_broken "
                                             "--db {db}"),
        Case("archive-rollup/period", "archive rollup --period 2025H3 --db {db}"),
        Case("archive-rollup/by", "archive rollup --by galaxy --db {db}"),
        Case("archive-rollup/out-txt", "archive rollup --out {w}/rollup.txt --db {db}"),
        Case("archive-rollup/out-under-file", "archive rollup --out {w}/s.sqlite/rollup.xlsx --db {db}"),
    ] + [Case(f"plan-import/{name}", f"plan import {{w}}/bad/{name}.csv --term-start 2025 --db {{db}}")
         for name in ("plan_unknown_subject", "plan_year_3000", "plan_header_only", "plan_funds_1e15",
                      "plan_income_1e12")] + [
        Case("plan-import/term-negative", "plan import {w}/diaries/三年规划.xlsx --term-start -5 --db {db}"),
        Case("plan-import/term-99999", "plan import {w}/diaries/三年规划.xlsx --term-start 99999 --db {db}"),
        Case("plan-import/broken-rosters", "plan import {w}/diaries/三年规划.xlsx --term-start 2025 "
                                           "--rosters {w}/bad/rosters_broken --db {db}"),
        Case("plan-import/mistyped-db", "plan import {w}/diaries/三年规划.xlsx --term-start 2026 --db {w}/s.sqlit"),
        Case("archive-import/mistyped-db", "archive import {w}/diaries/工作记录 --db {w}/s.sqlit"),
        Case("plan-import/new-db-bad-plans", "plan import {w}/bad/plan_unknown_subject.csv --term-start 2025 "
                                             "--rosters {w}/rosters --db {w}/new/store.sqlite"),
        Case("archive-import/new-db-bad-diary", "archive import {w}/bad/diary_next_year.csv --rosters {w}/rosters "
                                                "--db {w}/new/store.sqlite"),
        Case("archive-import/other-store-rosters", "archive import {w}/bad/diary_unknown_actor.csv "
                                                   "--rosters {w}/bad/rosters_broken --db {db}"),
    ]
    cases += [  # rosters and options of the pairing commands
        Case("validate/broken", "validate {w}/bad/rosters_broken --save --db {db} --problems-out {w}/问题.xlsx",
             may_write=("问题.xlsx",)),
        Case("validate/none", "validate {w}/bad/rosters_none"),
        Case("validate/partial-save", "validate {w}/rosters --partial --save --db {db}"),
        Case("validate/memory-uri", "validate {w}/rosters --save --db 'sqlite:///file:x?mode=memory&uri=true'"),
        Case("validate/uri-parameters", "validate {w}/rosters --save --db 'sqlite:///{w}/new.sqlite?mode=ro&uri=true'"),
        Case("validate/in-memory", "validate {w}/rosters --save --db sqlite://"),
        Case("archive-rollup/no-driver", "archive rollup --db postgresql://planner:s3cret@127.0.0.1:1/city"),
        Case("validate/missing", "validate {w}/nowhere"),
        Case("validate/problems-csv", "validate {w}/bad/rosters_broken --problems-out {w}/p.csv"),
        Case("summary/broken", "summary {w}/bad/rosters_broken"),
        Case("match-villages/broken", "match villages --rosters {w}/bad/rosters_broken --out {w}/new.xlsx"),
        Case("match-households/broken", "match households --rosters {w}/bad/rosters_broken --out {w}/new.xlsx"),
        Case("match-villages/out-txt", "match villages --rosters {w}/rosters --out {w}/new.txt"),
        Case("match-villages/out-folder", "match villages --rosters {w}/rosters --out {w}/bad/folder.xlsx"),
        Case("match-villages/out-under-file", "match villages --rosters {w}/rosters --out {w}/s.sqlite/new.xlsx"),
        Case("match-villages/max-km-zero", "match villages --rosters {w}/rosters --out {w}/new.xlsx --max-km 0"),
        Case("match-villages/max-km-nan", "match villages --rosters {w}/rosters --out {w}/new.xlsx --max-km nan"),
        Case("match-households/max-km-inf", "match households --rosters {w}/rosters --out {w}/new.xlsx --max-km inf"),
        Case("match-households/max-km-far", "match households --rosters {w}/rosters --out {w}/new.xlsx --max-km 1e9"),
        Case("match-households/time-zero", "match households --rosters {w}/rosters --out {w}/new.xlsx --time-limit 0"),
        Case("match-households/time-nan", "match households --rosters {w}/rosters --out {w}/new.xlsx --time-limit nan"),
        Case("match-households/solver", "match households --rosters {w}/rosters --out {w}/new.xlsx --solver gurobi"),
        Case("match-households/locality", "match households --rosters {w}/rosters --out {w}/new.xlsx --policy moon"),
        Case("match-households/unit-villages-without-links",
             "match households --rosters {w}/rosters --out {w}/new.xlsx --policy unit_villages"),
        Case("compare/one-missing", "compare --rosters {w}/rosters --policy-file {w}/nowhere.yaml --out {w}/cmp.xlsx"),
        Case("compare/out-txt", "compare --rosters {w}/rosters --policy-file {w}/bad/policy_list.yaml --out {w}/cmp.txt"),
        Case("compare/figure-under-file", "compare --rosters {w}/rosters --policy-file {w}/bad/policy_unknown_key.yaml "
                                          "--out {w}/cmp.xlsx --figure {w}/s.sqlite/f.html"),
        Case("rotate/from-xyz", "rotate --rosters {w}/rosters --links {w}/links.xlsx --from xyz --out {w}/t.xlsx"),
        Case("rotate/from-H3", "rotate --rosters {w}/rosters --links {w}/links.xlsx --from 2025H3 --out {w}/t.xlsx"),
        Case("rotate/from-year-0", "rotate --rosters {w}/rosters --links {w}/links.xlsx --from 0H1 --out {w}/t.xlsx"),
        Case("rotate/periods-0", "rotate --rosters {w}/rosters --links {w}/links.xlsx --from 2026H1 --periods 0 --out {w}/t.xlsx"),
        Case("rotate/periods-negative", "rotate --rosters {w}/rosters --links {w}/links.xlsx --from 2026H1 --periods -3 "
                                        "--out {w}/t.xlsx"),
        Case("rotate/periods-100000", "rotate --rosters {w}/rosters --links {w}/links.xlsx --from 2026H1 --periods 100000 "
                                      "--out {w}/t.xlsx"),
        Case("rotate/handover-negative", "rotate --rosters {w}/rosters --links {w}/links.xlsx --from 2026H1 --handover -1 "
                                         "--out {w}/t.xlsx"),
        Case("rotate/pairs-as-links", "rotate --rosters {w}/rosters --links {w}/pairs.xlsx --from 2026H1 --out {w}/t.xlsx"),
    ]
    cases += [  # assessment, adjustment, report
        Case("assess/period-xyz", "assess --period xyz --out {w}/pub2 --db {db}"),
        Case("assess/period-H3", "assess --period 2025H3 --out {w}/pub2 --db {db}"),
        Case("assess/no-records", "assess --period 2030 --out {w}/pub2 --db {db}"),
        Case("assess/out-is-a-file", "assess --period 2025 --out {w}/pairs.xlsx --db {db}"),
        Case("assess/out-under-file", "assess --period 2025 --out {w}/s.sqlite/pub --db {db}"),
        Case("assess/indicators-missing", "assess --period 2025 --out {w}/pub2 --db {db} --indicators {w}/nowhere.yaml"),
        Case("assess/indicators-folder", "assess --period 2025 --out {w}/pub2 --db {db} --indicators {w}/bad/folder"),
        Case("adjust/points-nan", f"{ADJUST} --subject C1 --points nan --reason 核实"),
        Case("adjust/points-inf", f"{ADJUST} --subject C1 --points inf --reason 核实"),
        Case("adjust/points-10000", f"{ADJUST} --subject C1 --points 10000 --reason 核实"),
        Case("adjust/points-text", f"{ADJUST} --subject C1 --points 五 --reason 核实"),
        Case("adjust/no-reason", f"{ADJUST} --subject C1 --points 5 --reason ' '"),
        Case("adjust/unknown-subject", f"{ADJUST} --subject C999999 --points 5 --reason 核实"),
        Case("adjust/unknown-assessment", "adjust --assessment 99 --kind cadre --subject C1 --points 5 --reason 核实 "
                                          "--out {w}/pub --db {db}"),
        Case("adjust/kind", "adjust --assessment 1 --kind village --subject C1 --points 5 --reason 核实 --out {w}/pub --db {db}"),
        Case("adjust/out-is-a-file", "adjust --assessment 1 --kind unit --subject U1 --points 5 --reason 核实 "
                                     "--out {w}/pairs.xlsx --db {db}"),
        Case("report/period-xyz", "report --period xyz --out {w}/rep --db {db}"),
        Case("report/no-records", "report --period 2031H1 --out {w}/rep --db {db}"),
        Case("report/out-is-a-file", "report --period 2025 --out {w}/pairs.xlsx --db {db}"),
    ]
    cases += [  # the other commands' options
        Case("demo-data/size", "demo-data --size galaxy --out {w}/d"),
        Case("demo-data/format", "demo-data --size tiny --out {w}/d --format pdf"),
        Case("demo-data/encoding", "demo-data --size tiny --out {w}/d --format csv --encoding klingon"),
        Case("demo-data/encoding-ascii", "demo-data --size tiny --out {w}/d --format csv --encoding ascii"),
        Case("demo-data/out-is-a-file", "demo-data --size tiny --out {w}/pairs.xlsx"),
        Case("demo/size", "demo --size galaxy --out {w}/d"),
        Case("demo/policy", "demo --size tiny --out {w}/d --policy-file {w}/bad/policy_quota_1e12.yaml"),
        Case("demo/out-is-a-file", "demo --size tiny --out {w}/pairs.xlsx"),
        Case("template/out-folder", "template --out {w}/bad/folder.xlsx"),
        Case("template/out-under-file", "template --out {w}/s.sqlite/t.xlsx"),
        Case("policy-init/out-folder", "policy init --out {w}/bad/folder"),
        Case("fields/readme-missing", "fields --update-readme {w}/nowhere.md"),
        Case("fields/readme-folder", "fields --update-readme {w}/bad/folder"),
        Case("fields/readme-binary", "fields --update-readme {w}/bad/binary.csv"),
        Case("dashboard/port", "dashboard --db {db} --port 99999"),
        Case("dashboard/port-low", "dashboard --db {db} --port 80"),
        Case("dashboard/policy-missing", "dashboard --db {db} --policy-file {w}/nowhere.yaml"),
        Case("no-command", ""),
        Case("unknown-command", "frobnicate"),
    ]
    return cases


CASES = catalogue()


def test_the_catalogue_is_large():
    assert len(CASES) >= 150 and len({c.name for c in CASES}) == len(CASES)


def snapshot(w: Path) -> tuple[dict[str, str], str]:
    """Every file's digest (the stores by their contents, as SQL) and the store's contents."""
    files = {}
    for path in sorted(w.rglob("*")):
        if path.is_file() and not path.name.endswith(("-wal", "-shm", "-journal")):
            files[str(path.relative_to(w))] = _dump(path) if path.suffix == ".sqlite" else \
                hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            files[str(path.relative_to(w)) + "/"] = "folder"
    return files, files["s.sqlite"]


def _dump(path: Path) -> str:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    except sqlite3.DatabaseError:
        return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def never_served(monkeypatch):
    """A dashboard that got past its checks would replace this process with Voilà: it must not get there."""
    def refuse(*args, **kwargs):
        raise AssertionError("the dashboard was served although its inputs are bad")
    monkeypatch.setattr(os, "execve", refuse)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_input_is_refused_in_words_and_changes_nothing(case, workspace, capsys, monkeypatch, never_served,
                                                            tmp_path):
    monkeypatch.chdir(workspace)
    monkeypatch.setenv("LIANHU_ERROR_DIR", str(tmp_path / "errors"))
    argv = [part.format(w=workspace, db=workspace / "s.sqlite") for part in _split(case.argv)]
    before, _ = snapshot(workspace)
    try:
        code = cli.main(argv)
    except SystemExit as exit:  # argparse refuses the options themselves
        code = exit.code
    out, err = capsys.readouterr()
    said = out + err
    after, _ = snapshot(workspace)
    for name in case.may_write:
        after.pop(name, None)
        (workspace / name).unlink(missing_ok=True)
    assert "Traceback" not in said and code != 3, said[-3000:]
    assert code in (1, 2), f"accepted (exit {code}):\n{said[-2000:]}"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in said) or case.name in ("no-command",), said
    changed = sorted(set(before.items()) ^ set(after.items()))
    assert not changed, f"changed: {changed[:10]}\n{said[-1500:]}"


def _split(argv: str) -> list[str]:
    import shlex

    return shlex.split(argv)
