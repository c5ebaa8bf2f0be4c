"""The `lianhu` command: each subcommand is a thin call into the package.

Exit codes: 0 done (or rosters clean), 1 problems found in the input, 2 usage error.
Subcommands import what they need inside their function: `lianhu validate` or `--help` start in a fraction
of the time it takes to load the solver, the store and the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

from .errors import InputError, NotInStore, PersonalDataLeak, RosterWarning, StoreBusy, StoreTooNew
from .pairing.problem import ENGINES, SolverError
from .policy import LimitError, check_max_km
from .serve import KernelLimits
from .tables import write_problem_workbook


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except InputError as exc:  # a bad policy file, pins that cannot hold, files imported before…
        json_out = getattr(args, "format", "") == "json"
        _print_problems(exc.problems, "json" if json_out else "text", sys.stdout if json_out else sys.stderr)
        return 1
    except (UsageError, NotInStore, LimitError) as exc:
        print(f"lianhu: {exc}", file=sys.stderr)
        return 2
    except (SolverError, PersonalDataLeak, StoreBusy, StoreTooNew) as exc:  # said in words
        print(f"lianhu: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("lianhu: 已中断，未完成的写入没有留下 / interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except Exception as exc:  # a fault of this program: said in one line (the traceback with LIANHU_DEBUG=1)
        if os.environ.get("LIANHU_DEBUG"):
            raise
        print(f"lianhu: 内部错误，请把这条信息报告给维护者 / internal error, please report it: {type(exc).__name__}: {exc}",
              file=sys.stderr)
        return 3


class UsageError(Exception):
    pass


def _table_path(text: str) -> Path:
    """--out for a table: .xlsx, .xlsm or .csv (else exit 2)."""
    path = Path(text)
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".csv"):
        raise argparse.ArgumentTypeError(f"须为 .xlsx 或 .csv 文件 / must be an .xlsx or .csv file, not {text!r}")
    return path


def _workbook_path(text: str) -> Path:
    """--problems-out: an .xlsx workbook (else exit 2)."""
    path = Path(text)
    if path.suffix.lower() != ".xlsx":
        raise argparse.ArgumentTypeError(f"须为 .xlsx 文件 / must be an .xlsx file, not {text!r}")
    return path


def _seconds(text: str) -> float:
    """--time-limit: a number of seconds above 0 (else exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"须为大于 0 的秒数 / must be a number of seconds above 0, not {text!r}")
    return value


def _whole(low: int, high: int, what: str):
    """An argparse type: a whole number from `low` to `high` (else exit 2)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what}须为 {low} 到 {high} 之间的整数 / must be a whole number from {low} "
                                             f"to {high}, not {text!r}")
        return value
    return parse


def _max_km(text: str) -> float:
    """--max-km: refused at once (exit 2) unless a number of km above 0."""
    try:
        return check_max_km(float(text))
    except (ValueError, LimitError) as exc:
        raise argparse.ArgumentTypeError(str(exc) if isinstance(exc, LimitError) else
                                         f"须为公里数 / must be a number of km, not {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lianhu", description="联村联户工作台 / lianhu workbench")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser("demo-data", help="生成演示城市名册 / write the demo city's roster files")
    p.add_argument("--size", default="tiny", help="tiny | small | city | province")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--seed", type=int, default=2012)
    p.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    p.add_argument("--encoding", default="utf-8-sig", help="CSV encoding, e.g. utf-8-sig or gb18030")
    p.add_argument("--archives-out", type=Path,
                   help="也写出一年的工作记录和三年规划（先结对）/ also write a year of work diaries and the plans here")
    p.set_defaults(run=_demo_data)

    p = sub.add_parser("validate", help="检查名册文件 / check roster files and list every problem")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--problems-out", type=_workbook_path, help="问题清单 workbook (.xlsx) to send back to offices")
    p.add_argument("--require-all", action="store_true", help="all four rosters must be present")
    p.add_argument("--policy-file", type=Path, help="poverty lines decide which households need a cause")
    p.add_argument("--save", action="store_true", help="名册无误时存入数据库（新快照）/ when clean, keep a snapshot in the store")
    p.add_argument("--db", default=None, help="数据库 / store URL or SQLite file (default data/lianhu.sqlite)")
    p.set_defaults(run=_validate)

    p = sub.add_parser("accept", help="采纳结对方案存入数据库 / accept a pairing proposal into the store")
    p.add_argument("--pairs", type=Path, help="联户结果 (match households --out)")
    p.add_argument("--links", type=Path, help="联村结果 (match villages --out)")
    p.add_argument("--teams", type=Path, help="工作队轮换 (rotate --out)")
    p.add_argument("--term-start", type=int, required=True, help="三年联系期的第一年 / first year of the term (2000–2100)")
    p.add_argument("--status", choices=("confirmed", "locked"), default="confirmed")
    p.add_argument("--policy-file", type=Path, help="政策文件：名额、距离上限、每单位联村数 / quotas, distance, villages per unit")
    p.add_argument("--db", default=None)
    p.set_defaults(run=_accept)

    p = sub.add_parser("template", help="空白名册模板 / blank Excel template")
    p.add_argument("--out", required=True, type=Path)
    p.set_defaults(run=_template)

    p = sub.add_parser("summary", help="名册汇总（按县区）/ roster summary by county")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--policy-file", type=Path)
    p.set_defaults(run=_summary)

    p = sub.add_parser("policy", help="政策 / the effective policy")
    policy_sub = p.add_subparsers(metavar="ACTION")
    show = policy_sub.add_parser("show", help="print the effective policy")
    show.add_argument("--policy-file", type=Path)
    show.add_argument("--format", choices=("json", "yaml"), default="yaml")
    show.set_defaults(run=_policy_show)
    init = policy_sub.add_parser("init", help="write a commented policy file to edit")
    init.add_argument("--out", required=True, type=Path)
    init.set_defaults(run=_policy_init)

    p = sub.add_parser("match", help="结对 / pair units with villages, cadres with households")
    match_sub = p.add_subparsers(metavar="WHAT")
    for what, helptext in (("villages", "单位联村 / units → villages"), ("households", "干部联户 / cadres → households")):
        m = match_sub.add_parser(what, help=helptext)
        m.add_argument("--rosters", required=True, type=Path, nargs="+")
        m.add_argument("--out", required=True, type=_table_path, help=".xlsx (Chinese headers) or .csv")
        m.add_argument("--lang", choices=("zh", "en"), default="zh")
        m.add_argument("--policy-file", type=Path)
        m.add_argument("--max-km", type=_max_km, help="距离上限 km（默认取政策）/ the distance limit, km (default: the policy's)")
        m.add_argument("--solver", choices=ENGINES, default="auto",
                       help="auto：网络求解器（OR-Tools）；cbc/highs：PuLP 模型 / the engine")
        m.add_argument("--time-limit", type=_seconds, default=600.0,
                       help="PuLP 模型每一级的求解时间上限（秒）/ per level, for the PuLP model (seconds)")
        if what == "villages":
            m.add_argument("--targets", choices=("poor", "all"), default="poor", help="poor villages, or all villages")
            m.set_defaults(run=_match_villages)
        else:
            m.add_argument("--links", type=Path, help="the unit→village links (output of match villages)")
            m.add_argument("--policy", dest="locality", choices=("unit_villages", "distance", "county"))
            m.add_argument("--existing", type=Path, help="earlier pairings to keep for the 3-year term")
            m.add_argument("--pins", type=Path, help="pairs that must be kept")
            m.add_argument("--forbids", type=Path, help="pairs that must not be made")
            m.set_defaults(run=_match_households)

    p = sub.add_parser("compare", help="政策比较：同一名册按几种政策结对 / pair the rosters under several policies, side by side")
    p.add_argument("--rosters", required=True, type=Path, nargs="+")
    p.add_argument("--policy-file", dest="policy_files", required=True, type=Path, nargs="+",
                   help="两个或更多政策文件（只给一个时与默认政策比较）/ policy files (one: compared with the defaults)")
    p.add_argument("--out", type=_table_path, default=Path("政策比较.xlsx"), help="比较表 (.xlsx or .csv)")
    p.add_argument("--figure", type=Path, help="比较图（离线网页 .html）/ the figure as an offline page")
    p.add_argument("--db", default=None, help="数据库：统计现有结对须调整多少（默认 data/lianhu.sqlite，如有）")
    p.add_argument("--solver", choices=ENGINES, default="auto")
    p.add_argument("--time-limit", type=_seconds, default=600.0)
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.set_defaults(run=_compare)

    p = sub.add_parser("rotate", help="工作队轮换 / half-year work-team schedule")
    p.add_argument("--rosters", required=True, type=Path, nargs="+")
    p.add_argument("--links", required=True, type=Path)
    p.add_argument("--from", dest="first", required=True, help="first period, e.g. 2025H1")
    p.add_argument("--periods", type=_whole(1, 20, "期数"), default=6, help="half-year terms, 1–20 (a 3-year term: 6)")
    p.add_argument("--handover", type=_whole(0, 10, "交接人数"), default=1, help="members who stay one more term to hand over")
    p.add_argument("--out", required=True, type=_table_path)
    p.add_argument("--lang", choices=("zh", "en"), default="zh")
    p.add_argument("--policy-file", type=Path)
    p.set_defaults(run=_rotate)

    p = sub.add_parser("archive", help="工作档案 / activity records (四级建档)")
    archive_sub = p.add_subparsers(metavar="ACTION")
    a = archive_sub.add_parser("import", help="导入工作记录 / import work diaries (all or nothing)")
    a.add_argument("paths", nargs="+", type=Path, metavar="FILE", help="工作日志、联系卡 (.xlsx/.csv) or folders")
    a.add_argument("--rosters", nargs="+", type=Path, help="名册，用于核对主体和对象（默认用库中最新名册）")
    a.add_argument("--problems-out", type=_workbook_path, help="有问题时写出问题清单 (.xlsx)")
    a.set_defaults(run=_archive_import)
    a = archive_sub.add_parser("rollup", help="工作量汇总 / roll-up of the archives")
    a.add_argument("--period", help="2025H1、2025H2 or 2025 (default: all)")
    a.add_argument("--by", default="county", choices=("city", "county", "township", "village", "unit", "cadre"))
    a.add_argument("--out", type=Path, help="Excel or CSV (default: print)")
    a.set_defaults(run=_archive_rollup)
    for a in archive_sub.choices.values():
        a.add_argument("--db", default=None, help="数据库 / store URL or SQLite file (default data/lianhu.sqlite)")
        a.add_argument("--format", choices=("text", "json"), default="text")

    p = sub.add_parser("plan", help="三年规划、年度计划 / plans")
    plan_sub = p.add_subparsers(metavar="ACTION")
    a = plan_sub.add_parser("import", help="导入规划（新版本，全部或全不）/ import plans as a new version, all or nothing")
    a.add_argument("paths", nargs="+", type=Path, metavar="FILE")
    a.add_argument("--term-start", type=int, required=True, help="三年联系期的第一年 / first year of the term, e.g. 2025")
    a.add_argument("--rosters", nargs="+", type=Path, help="名册（默认用库中最新名册）")
    a.add_argument("--problems-out", type=_workbook_path, help="有问题时写出问题清单 (.xlsx)")
    a.add_argument("--db", default=None)
    a.add_argument("--format", choices=("text", "json"), default="text")
    a.set_defaults(run=_plan_import)

    p = sub.add_parser("assess", help="考核 / mid-year or year-end assessment, published without personal data")
    p.add_argument("--period", required=True, help="2025H1 (年中 mid-year) or 2025 (年终 year-end)")
    p.add_argument("--out", type=Path, required=True, help="folder for the rankings (Excel, offline HTML)")
    p.add_argument("--indicators", type=Path, help="指标体系文件 / indicator system (YAML); default the built-in one")
    p.add_argument("--policy-file", type=Path)
    p.set_defaults(run=_assess)

    p = sub.add_parser("adjust", help="考核结果人工调整（须说明理由，留痕）并重新发布 / adjust a result, with its reason")
    p.add_argument("--assessment", type=int, required=True, help="考核编号 / the assessment's number (assess prints it)")
    p.add_argument("--kind", choices=("cadre", "unit", "team_member"), required=True)
    p.add_argument("--subject", required=True, help="干部编号或单位编号 / cadre or unit number")
    p.add_argument("--points", type=float, required=True, help="加减分，如 5 或 -3")
    p.add_argument("--reason", required=True, help="理由 / why (required, kept in the audit log)")
    p.add_argument("--out", type=Path, required=True, help="重新发布到此文件夹 / republish here")
    p.set_defaults(run=_adjust)

    p = sub.add_parser("report", help="工作报告 / the seed's report with this period's numbers")
    p.add_argument("--period", required=True, help="2025H1 or 2025")
    p.add_argument("--out", type=Path, required=True, help="folder for 工作报告.txt and 工作统计.xlsx")
    p.set_defaults(run=_report)
    for p in (sub.choices["assess"], sub.choices["report"], sub.choices["adjust"]):
        p.add_argument("--db", default=None, help="数据库 / store URL or SQLite file (default data/lianhu.sqlite)")

    p = sub.add_parser("fields", help="字段说明 / field reference (Markdown)")
    p.add_argument("--update-readme", type=Path, help="rewrite the reference block of this README")
    p.set_defaults(run=_fields)

    p = sub.add_parser("dashboard", help="领导看板（Voilà，隐藏代码）/ serve the leadership dashboard")
    p.add_argument("--db", default=None, help="数据库 / store (default: LIANHU_DB, data/lianhu.sqlite, else build/demo/lianhu.sqlite)")
    p.add_argument("--port", type=_whole(1024, 65535, "端口"), default=8866)
    p.add_argument("--ip", default="127.0.0.1", help="0.0.0.0 to serve the office network")
    p.add_argument("--policy-file", type=Path, help="政策文件（贫困线等）/ the policy the city uses")
    p.add_argument("--max-viewers", type=_whole(1, 100, "同时打开的看板页面上限"), default=KernelLimits.max_kernels,
                   help="同时打开的看板页面上限，超过时显示“访问人数已满” / pages open at once (one kernel each, ~0.5 GB "
                        "on the demo city), 1–100; past them a busy page")
    p.add_argument("--abandoned-timeout", type=_whole(10, 3600, "无人连接的页面回收秒数"),
                   default=KernelLimits.abandoned_seconds,
                   help="页面关闭或未打开完，多少秒后回收 / seconds before a kernel no page is connected to is culled, 10–3600")
    p.add_argument("--idle-timeout", type=_whole(300, 86400, "打开但无人操作的页面回收秒数"),
                   default=KernelLimits.connected_seconds,
                   help="页面开着但无人操作，多少秒后回收 / seconds before an open page left unused loses its kernel, 300–86400")
    p.add_argument("--cull-interval", type=_whole(5, 600, "检查间隔秒数"), default=KernelLimits.interval_seconds,
                   help="多久检查一次 / seconds between checks for idle kernels, 5–600")
    p.set_defaults(run=_dashboard)

    p = sub.add_parser("demo", help="在演示城市上运行主流程 / run the main job on the demo city")
    p.add_argument("--size", default="city")
    p.add_argument("--seed", type=int, default=2012)
    p.add_argument("--out", type=Path, default=Path("build/demo"))
    p.add_argument("--policy-file", type=Path)
    p.set_defaults(run=_demo)
    return parser


def _wrote(path: Path) -> int:
    print(f"已写入 / wrote {path}")
    return 0


def _template(args) -> int:
    from .template import write_template

    return _wrote(write_template(args.out))


def _existing(paths: list[Path]) -> list[Path]:
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"找不到 / not found: {', '.join(missing)}")
    return paths


def _demo_data(args) -> int:
    from .demo import PRESETS
    from .demo.pipeline import demo_pairings, write_demo_archives, write_demo_rosters

    if args.size not in PRESETS:
        raise UsageError(f"unknown size '{args.size}' ({' | '.join(PRESETS)})")
    folder = write_demo_rosters(args.size, args.out, args.seed, args.format, args.encoding)
    for path in sorted(folder.iterdir()):
        print(path)
    if args.archives_out:
        rosters = _load([folder], None)[0]
        archives = write_demo_archives(rosters, *demo_pairings(rosters), args.archives_out, args.seed)
        for path in archives.diaries + [archives.plan_file]:
            print(path)
    return 0


def _validate(args) -> int:
    from .rosters import ALL_TABLES, validate_paths

    policy = _policy(args.policy_file)
    problems = validate_paths(_existing(args.paths), ALL_TABLES if args.require_all else (), policy)
    _print_problems(problems, args.format)
    if args.problems_out and problems:
        write_problem_workbook(problems, args.problems_out)
        print(f"问题清单 / problem list: {args.problems_out}", file=sys.stderr)
    if any(p.severity == "error" for p in problems):
        return 1
    if args.save:
        rosters = _load(args.paths, args.policy_file)[0]
        print(f"名册已存入数据库（快照 {_store(args).save_rosters(rosters)}）/ rosters saved as a snapshot", file=sys.stderr)
    return 0


def _accept(args) -> int:
    from .errors import PairingInputError
    from .pairing.accept import check_accepted, with_pools
    from .pairing.output import read_pairs

    files = {"pairs": args.pairs, "links": args.links, "teams": args.teams}
    if not any(files.values()):
        raise UsageError("须给出 --pairs、--links 或 --teams / give --pairs, --links or --teams")
    columns = {"pairs": ("cadre_id", "household_id"), "links": ("unit_id", "village_code"),
               "teams": ("period", "unit_id", "village_code", "cadre_id")}
    store = _store(args, create=False)
    rosters, policy = store.rosters(), _policy(args.policy_file)
    read = {name: read_pairs(_existing([path])[0], columns[name]) if path else None for name, path in files.items()}
    if read["pairs"] is not None:
        read["pairs"] = with_pools(rosters, policy, read["pairs"])
    problems = check_accepted(rosters, policy, args.term_start, **read, sources={k: str(v) for k, v in files.items() if v})
    if problems:
        raise PairingInputError(problems)
    store.accept(args.term_start, args.status, **read)
    print("已存入数据库 / saved: " + "，".join(f"{name} {len(frame):,}" for name, frame in read.items() if frame is not None))
    return 0


def _print_problems(problems, fmt: str, stream=None) -> None:
    stream = stream or sys.stdout
    if fmt == "json":
        json.dump([p.to_dict() for p in problems], stream, ensure_ascii=False, indent=1)
        print(file=stream)
        return
    for p in problems:
        print(("警告 " if p.severity == "warning" else "") + str(p), file=stream)
    errors = sum(p.severity == "error" for p in problems)
    print(f"{errors} 个问题，{len(problems) - errors} 条警告 / {errors} problems, {len(problems) - errors} warnings"
          if problems else "名册无误 / rosters are clean", file=stream)


def _policy(policy_file: Path | None):
    from .policy import load_policy

    return load_policy(_existing([policy_file])[0] if policy_file else None)


def _load(paths: list[Path], policy_file: Path | None):
    from .rosters import load_rosters

    policy = _policy(policy_file)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RosterWarning)
        return load_rosters(_existing(paths), policy=policy), policy


def _summary(args) -> int:
    from .summary import county_summary

    rosters, policy = _load(args.paths, args.policy_file)
    print(county_summary(rosters, policy, chinese=True).to_string(index=False))
    return 0


def _policy_show(args) -> int:
    from .policy import policy_file_text

    policy = _policy(args.policy_file)
    print(policy.to_json() if args.format == "json" else policy_file_text(policy))
    return 0


def _policy_init(args) -> int:
    from .policy import policy_file_text
    from .tables import atomic_write

    with atomic_write(args.out) as tmp:
        tmp.write_text(policy_file_text(), encoding="utf-8")
    return _wrote(args.out)


def _fields(args) -> int:
    from .docs import field_reference_markdown, readme_with_reference

    if args.update_readme:
        _existing([args.update_readme])
        args.update_readme.write_text(readme_with_reference(args.update_readme.read_text(encoding="utf-8")),
                                      encoding="utf-8")
        return _wrote(args.update_readme)
    print(field_reference_markdown())
    return 0


def _say_report(name: str, report) -> None:
    print(f"{name}: {report.summary()}", file=sys.stderr)


def _options(args):
    """The engine, checked before any work (e.g. HiGHS asked for but not installed)."""
    from .pairing.problem import PairingOptions
    from .pairing.solve import check_engine

    options = PairingOptions(engine=args.solver, time_limit_s=args.time_limit)
    check_engine(options)
    return options


def _match_villages(args) -> int:
    from .pairing.output import village_sheets, write_tables
    from .pairing.villages import match_villages

    options = _options(args)
    rosters, policy = _load(args.rosters, args.policy_file)
    result = match_villages(rosters, policy, args.targets, args.max_km, options)
    write_tables(village_sheets(result), args.out, args.lang)
    _say_report("units → villages", result.report)
    print(f"{len(result.links):,} 个村已联系，{len(result.unlinked):,} 个未联系，{len(result.short_units):,} 个单位未达下限 / "
          f"{len(result.links):,} villages linked, {len(result.unlinked):,} not, {len(result.short_units):,} units below "
          f"their minimum → {args.out}")
    return 0


def _match_households(args) -> int:
    from .pairing.households import match_households
    from .pairing.output import household_sheets, read_pairs, write_tables

    options = _options(args)
    rosters, policy = _load(args.rosters, args.policy_file)
    read = {name: read_pairs(_existing([path])[0], required) if path else None for name, path, required in (
        ("links", args.links, ("unit_id", "village_code")), ("existing", args.existing, ("cadre_id", "household_id")),
        ("pins", args.pins, ("cadre_id", "household_id")), ("forbids", args.forbids, ("cadre_id", "household_id")))}
    result = match_households(rosters, policy, locality=args.locality, max_km=args.max_km, options=options, **read)
    write_tables(household_sheets(result), args.out, args.lang)
    for pool, report in result.reports.items():
        _say_report(f"cadres → {pool} households ({result.locality}, {result.max_km:g} km)", report)
    print(f"{len(result.pairs):,} 对结对，{len(result.uncovered):,} 户未覆盖 / {len(result.pairs):,} pairs, "
          f"{len(result.uncovered):,} households uncovered → {args.out}")
    return 0


def _compare(args) -> int:
    from .figures.pairing import policy_comparison
    from .pairing.compare import COMPARE_LABELS, compare_policies
    from .pairing.output import write_tables
    from .store import DEFAULT_URL, Store

    options = _options(args)
    policies = {"默认 / default": _policy(None)} if len(args.policy_files) == 1 else {}
    for path in args.policy_files:  # named by the file; the same name twice keeps its folder
        name = path.stem if sum(p.stem == path.stem for p in args.policy_files) == 1 else str(path.with_suffix(""))
        policies[name] = _policy(path)
    rosters = _load(args.rosters, None)[0]
    try:
        current = Store(args.db or DEFAULT_URL, create=False).current("pairings")
    except NotInStore:  # no store of its own yet: the churn column stays empty (a wrong --db is said)
        if args.db:
            raise
        current = None
    comparison = compare_policies(rosters, policies, current, options=options)
    table = comparison.table if args.lang == "en" else comparison.table.rename(columns=COMPARE_LABELS)
    write_tables({"政策比较": table}, args.out, "en")
    print(table.set_index(table.columns[0]).T.to_string())
    _wrote(args.out)
    if args.figure:
        policy_comparison(comparison.table).write_html(args.figure, include_plotlyjs="directory")
        _wrote(args.figure)
    return 0


def _rotate(args) -> int:
    from .pairing.output import read_pairs, rotation_sheets, write_tables
    from .pairing.rotation import rotate_teams
    from .periods import PeriodError

    rosters, policy = _load(args.rosters, args.policy_file)
    links = read_pairs(_existing([args.links])[0], ("unit_id", "village_code"))
    try:
        rotation = rotate_teams(rosters, links, args.first, args.periods, policy, args.handover)
    except PeriodError as exc:
        raise UsageError(str(exc)) from None
    write_tables(rotation_sheets(rotation), args.out, args.lang)
    print(f"{rotation.schedule['period'].nunique()} 期，{len(rotation.schedule):,} 人次，"
          f"{len(rotation.shortages):,} 个村派员不足 → {args.out}")
    return 0


def _store(args, create: bool = True):
    """The store of --db (default data/lianhu.sqlite); commands that only read never create one."""
    from .store import DEFAULT_URL, Store

    return Store(args.db or DEFAULT_URL, create=create)


def _archive_import(args) -> int:
    from .archives import ArchiveError, import_activity_files

    store = _store(args, create=bool(args.rosters))  # checked against --rosters, else the store's: a new one has none
    try:
        import_id = import_activity_files(store, _existing(args.paths), _load(args.rosters, None)[0] if args.rosters else None)
    except ArchiveError as exc:
        return _refused(exc, args)
    rows = store.count_rows(import_id)
    print(f"已导入 {rows:,} 条工作记录（第 {import_id} 次导入）/ imported {rows:,} records (import {import_id})")
    return 0


def _archive_rollup(args) -> int:
    from .archives import rollup
    from .pairing.output import write_tables

    table = rollup(_store(args, create=False).activities(_period(args.period) if args.period else None), args.by)
    if args.out:
        write_tables({"工作量汇总": table}, args.out, "en" if args.out.suffix == ".csv" else "zh")
        return _wrote(args.out)
    print(table.to_json(orient="records", force_ascii=False) if args.format == "json" else table.to_string(index=False))
    return 0


def _plan_import(args) -> int:
    from .plans import PlanError, load_plans

    store = _store(args, create=bool(args.rosters))  # checked against --rosters, else the store's
    rosters = _load(args.rosters, None)[0] if args.rosters else store.rosters()
    try:
        plans = load_plans(_existing(args.paths), rosters, args.term_start)
    except PlanError as exc:
        return _refused(exc, args)
    import_id = store.save_plans(plans, args.term_start, ", ".join(map(str, args.paths)))
    print(f"已保存 {plans[['subject_kind', 'subject_id']].drop_duplicates().shape[0]:,} 个对象的规划新版本，"
          f"{len(plans):,} 条措施（第 {import_id} 次导入）/ saved as a new version (import {import_id})")
    return 0


def _refused(exc, args) -> int:
    """Every problem of a refused import; the problem list for the offices when asked."""
    _print_problems(exc.problems, args.format)
    if args.problems_out:
        write_problem_workbook(exc.problems, args.problems_out)
        print(f"问题清单 / problem list: {args.problems_out}", file=sys.stderr)
    print("未导入任何记录 / nothing was imported", file=sys.stderr)
    return 1


def _assess(args) -> int:
    from .assessment import load_indicators, results, run_assessment
    from .assessment.run import NothingToAssess
    from .report import publish

    store = _store(args, create=False)
    rosters = store.rosters()
    system = load_indicators(_existing([args.indicators])[0] if args.indicators else None)
    try:
        assessment = run_assessment(store, _period(args.period), rosters, system, _policy(args.policy_file))
    except NothingToAssess as exc:
        print(exc, file=sys.stderr)
        return 1
    for kind, table in results(store, assessment, rosters).items():
        print(f"{kind}: {len(table):,} — " + "，".join(f"{g} {n:,}" for g, n in table["grade"].value_counts().items()))
    for path in publish(store, assessment, rosters, args.out):
        _wrote(path)
    print(f"考核编号 / assessment {assessment}（已冻结 / frozen）")
    return 0


def _adjust(args) -> int:
    from sqlalchemy.exc import NoResultFound

    from .report import publish
    from .store import AdjustmentError

    store = _store(args, create=False)
    try:
        scores = store.assessment(args.assessment)["scores"]
    except NoResultFound:
        raise UsageError(f"没有编号为 {args.assessment} 的考核 / no assessment {args.assessment}") from None
    if not ((scores["subject_kind"] == args.kind) & (scores["subject_id"] == args.subject)).any():
        raise UsageError(f"考核 {args.assessment} 中没有 {args.kind} {args.subject} / not assessed there")
    try:
        store.adjust(args.assessment, args.kind, args.subject, args.points, args.reason)
    except AdjustmentError as exc:
        raise UsageError(str(exc)) from None
    for path in publish(store, args.assessment, store.rosters(), args.out):
        _wrote(path)
    return 0


def _report(args) -> int:
    from .report import seed_report

    store = _store(args, create=False)
    period = _period(args.period)
    if store.activities(period, ["period"]).empty:
        print(f"{period} 没有任何工作记录，不写报告（先导入工作日志）/ no work records for {period}: import them first",
              file=sys.stderr)
        return 1
    text, figures = seed_report(store, period)
    args.out.mkdir(parents=True, exist_ok=True)
    from .tables import atomic_write, excel_writer

    with atomic_write(args.out / "工作报告.txt") as tmp:
        tmp.write_text("\n\n".join(text) + "\n", encoding="utf-8")
    with excel_writer(args.out / "工作统计.xlsx") as writer:
        figures.to_excel(writer, sheet_name="工作统计", index=False)
    print("\n\n".join(text))
    return _wrote(args.out / "工作统计.xlsx")


def _period(period: str) -> str:
    from .periods import PeriodError, check_period

    try:
        return check_period(period)
    except PeriodError as exc:
        raise UsageError(str(exc)) from None


def _dashboard(args) -> int:
    from .policy import load_policy
    from .serve import default_store, voila
    from .store import Store

    db = args.db or default_store()
    if db:
        Store(db, create=False)  # a wrong path is said here, not in the leader's browser
    if args.policy_file:
        load_policy(args.policy_file)  # every problem in it listed now
    limits = KernelLimits(args.max_viewers, args.abandoned_timeout, args.idle_timeout, args.cull_interval)
    command, env = voila(db, args.port, args.ip, args.policy_file and str(args.policy_file), limits)
    print(f"领导看板 / dashboard: http://{'127.0.0.1' if args.ip == '0.0.0.0' else args.ip}:{args.port}/ "
          f"（Ctrl-C 停止 / to stop）\n数据 / data: {env['LIANHU_DB'] or '演示城市（先运行 lianhu demo 或 make demo 可看全市演示数据）/ a small demo city'}\n"
          f"同时至多 {limits.max_kernels} 个页面；关闭或未打开完的页面 {limits.abandoned_seconds} 秒后回收，开着无人操作的 "
          f"{limits.connected_seconds} 秒后回收 / at most {limits.max_kernels} pages at once; a kernel no page is connected to "
          f"is culled after {limits.abandoned_seconds} s idle, one an open page leaves unused after {limits.connected_seconds} s",
          flush=True)
    if os.name == "nt":  # Windows has no exec: wait for Voilà
        import subprocess

        return subprocess.call(command, env=env)
    os.execve(command[0], command, env)  # Voilà in this process: Ctrl-C or a kill stops the server itself


def _demo(args) -> int:
    from .demo import PRESETS
    from .demo.pipeline import NotADemoStore, run_demo

    if args.size not in PRESETS:
        raise UsageError(f"演示城市规模须为 / size must be one of {' | '.join(PRESETS)}, not {args.size!r}")
    try:
        run_demo(args.size, args.seed, args.out, args.policy_file, say=_say())
    except NotADemoStore as exc:
        raise UsageError(str(exc)) from None
    return 0


def _say():
    start = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - start:6.1f}s] {message}", flush=True)
    return say


if __name__ == "__main__":
    sys.exit(main())
