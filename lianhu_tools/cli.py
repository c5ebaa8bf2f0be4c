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
from pathlib import Path

from .cli_common import _existing, _for_people, _load, _NEW_STORES, _period, _policy, _store, _store_url, _undo_new_stores, _whole
from .errors import (HubError, InputError, NotAllowed, NotInStore, PersonalDataLeak, Problem, StoreBusy,
                     StoreConflict, StoreTooNew, UsageError, masked)
from .pairing.problem import ENGINES, SolverError
from .policy import LimitError, check_max_km
from .roles import ROLES, role_label
from .serve import KernelLimits
from .tables import write_problem_workbook


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    code = 1
    try:
        code = args.run(args)
        return code
    except InputError as exc:  # a bad policy file, pins that cannot hold, files imported before…
        json_out = getattr(args, "format", "") == "json"
        _print_problems(exc.problems, "json" if json_out else "text", sys.stdout if json_out else sys.stderr)
        return 1
    except (UsageError, NotInStore, LimitError) as exc:
        print(f"lianhu: {exc}", file=sys.stderr)
        return 2
    except HubError as exc:  # the hub cannot start as told, an account cannot be changed: every reason
        print("\n".join(f"lianhu: {reason}" for reason in exc.reasons), file=sys.stderr)
        return 2
    except (SolverError, PersonalDataLeak, StoreBusy, StoreTooNew, StoreConflict, NotAllowed) as exc:  # said in words
        print(f"lianhu: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `lianhu … | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("lianhu: 已中断，未完成的写入没有留下 / interrupted; nothing half-written was kept", file=sys.stderr)
        return 130
    except Exception as exc:  # a fault of this program: one line, the full report in a private file
        if os.environ.get("LIANHU_DEBUG"):
            raise
        report = _error_report(exc, sys.argv[:1] + list(argv if argv is not None else sys.argv[1:]))
        print(f"lianhu: 内部错误，请把报告文件发给维护者 / internal error, please send the report to the maintainers: "
              f"{type(exc).__name__}: {str(exc)[:200]}\n  报告 / report: {report}", file=sys.stderr)
        return 3
    finally:
        if code:
            _undo_new_stores()
        _NEW_STORES.clear()


def _error_report(exc: Exception, argv: list[str]) -> str:
    """The traceback of an unexpected error, written to a file only its owner may read (LIANHU_ERROR_DIR, else
    ~/.local/state/lianhu/errors); passwords in store URLs are masked. Returns where (or why not)."""
    import platform
    import traceback

    folder = Path(os.environ.get("LIANHU_ERROR_DIR") or Path.home() / ".local" / "state" / "lianhu" / "errors")
    shown = [masked(arg) for arg in argv]
    text = (f"lianhu {_version()} · Python {platform.python_version()} · {platform.platform()}\n"
            f"{time.strftime('%Y-%m-%d %H:%M:%S %z')}\ncommand: {' '.join(shown)}\n\n"
            + masked("".join(traceback.format_exception(exc))))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = folder / f"lianhu-error-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        return str(path)
    except OSError as error:
        return f"未能写出 / could not be written ({error.strerror}); LIANHU_DEBUG=1 shows it here"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lianhu-tools")
    except PackageNotFoundError:
        return "(not installed)"


def _out_file(text: str, suffixes: tuple[str, ...] = (), what: str = "") -> Path:
    """An output file: of one of `suffixes`, not a folder, in a folder that is one (else exit 2)."""
    path = Path(text)
    if suffixes and path.suffix.lower() not in suffixes:
        raise argparse.ArgumentTypeError(f"须为 {what} 文件 / must be a {what} file, not {text!r}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} 是文件夹，须为文件名 / is a folder: give a file name")
    return _placeable(path)


def _out_folder(text: str) -> Path:
    """An output folder: not a file, and where one can be made (else exit 2)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} 是文件，须为文件夹 / is a file: give a folder")
    return _placeable(path)


def _placeable(path: Path) -> Path:
    """`path` can be written: its nearest existing folder is a folder this user may write in."""
    existing = next((p for p in path.absolute().parents if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise argparse.ArgumentTypeError(f"{existing} 是文件，不是文件夹 / is a file, not a folder: {path}")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"没有权限写入 {existing} / no permission to write in {existing}")
    return path


def _table_path(text: str) -> Path:
    """--out for a table: .xlsx, .xlsm or .csv (else exit 2)."""
    return _out_file(text, (".xlsx", ".xlsm", ".csv"), ".xlsx 或 .csv / .xlsx or .csv")


def _workbook_path(text: str) -> Path:
    """--problems-out, the template: an .xlsx workbook (else exit 2)."""
    return _out_file(text, (".xlsx",), ".xlsx")


def _page_path(text: str) -> Path:
    return _out_file(text, (".html",), ".html")


def _seconds(text: str) -> float:
    """--time-limit: a number of seconds above 0 (else exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"须为大于 0 的秒数 / must be a number of seconds above 0, not {text!r}")
    return value


def _max_km(text: str) -> float:
    """--max-km: refused at once (exit 2) unless a number of km above 0."""
    try:
        return check_max_km(float(text))
    except (ValueError, LimitError) as exc:
        raise argparse.ArgumentTypeError(str(exc) if isinstance(exc, LimitError) else
                                         f"须为公里数 / must be a number of km, not {text!r}") from None


class _Parser(argparse.ArgumentParser):
    """argparse, saying what is wrong in Chinese too (exit 2); its subcommands' parsers are of this class."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数有误 / bad arguments: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="lianhu", description="联村联户工作台 / lianhu workbench")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser("demo-data", help="生成演示城市名册 / write the demo city's roster files")
    p.add_argument("--size", default="tiny", help="tiny | small | city | province")
    p.add_argument("--out", required=True, type=_out_folder)
    p.add_argument("--seed", type=int, default=2012)
    p.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    p.add_argument("--encoding", default="utf-8-sig", help="CSV encoding, e.g. utf-8-sig or gb18030")
    p.add_argument("--archives-out", type=_out_folder,
                   help="也写出一年的工作记录和三年规划（先结对）/ also write a year of work diaries and the plans here")
    p.add_argument("--second-year-out", type=_out_folder,
                   help="也写出第二年的名册（脱贫、新识别、干部调动……）/ also write the second year's rosters here")
    p.set_defaults(run=_demo_data)

    p = sub.add_parser("validate", help="检查名册文件 / check roster files and list every problem")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--problems-out", type=_workbook_path, help="问题清单 workbook (.xlsx) to send back to offices")
    p.add_argument("--partial", action="store_true",
                   help="只查给出的名册（如某县只报了户表）/ check only the rosters given; else all four must be there")
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
    p.add_argument("--unlock-reason", help="替代已锁定结对的理由（记入历史）/ why locked rows may be replaced (kept in their history)")
    p.add_argument("--policy-file", type=Path, help="政策文件：名额、距离上限、每单位联村数 / quotas, distance, villages per unit")
    p.add_argument("--db", default=None)
    p.set_defaults(run=_accept)

    p = sub.add_parser("template", help="空白名册模板 / blank Excel template")
    p.add_argument("--out", required=True, type=_workbook_path)
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
    init.add_argument("--out", required=True, type=_out_file)
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
    p.add_argument("--figure", type=_page_path, help="比较图（离线网页 .html）/ the figure as an offline page")
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
    a.add_argument("--skip-existing", action="store_true",
                   help="年内累计的文件：只导入库中还没有的记录 / a year-to-date file: import only the records not yet stored")
    a.set_defaults(run=_archive_import)
    a = archive_sub.add_parser("rollup", help="工作量汇总 / roll-up of the archives")
    a.add_argument("--period", help="2025H1、2025H2 or 2025 (default: all)")
    a.add_argument("--by", default="county", choices=("city", "county", "township", "village", "unit", "cadre"))
    a.add_argument("--out", type=_table_path, help="Excel or CSV (default: print)")
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
    p.add_argument("--out", type=_out_folder, required=True, help="folder for the rankings (Excel, offline HTML)")
    p.add_argument("--indicators", type=Path, help="指标体系文件 / indicator system (YAML); default the built-in one")
    p.add_argument("--policy-file", type=Path)
    p.set_defaults(run=_assess)

    p = sub.add_parser("adjust", help="考核结果人工调整（须说明理由，留痕）并重新发布 / adjust a result, with its reason")
    p.add_argument("--assessment", type=int, required=True, help="考核编号 / the assessment's number (assess prints it)")
    p.add_argument("--kind", choices=("cadre", "unit", "team_member"), required=True)
    p.add_argument("--subject", required=True, help="干部编号或单位编号 / cadre or unit number")
    p.add_argument("--points", type=float, required=True, help="加减分，如 5 或 -3")
    p.add_argument("--reason", required=True, help="理由 / why (required, kept in the audit log)")
    p.add_argument("--out", type=_out_folder, required=True, help="重新发布到此文件夹 / republish here")
    p.set_defaults(run=_adjust)

    p = sub.add_parser("report", help="工作报告 / the seed's report with this period's numbers")
    p.add_argument("--period", required=True, help="2025H1 or 2025")
    p.add_argument("--out", type=_out_folder, required=True, help="folder for 工作报告.txt and 工作统计.xlsx")
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
                   help="同时打开的看板页面上限（含备好的页面），超过时显示“访问人数已满” / pages open at once, those kept "
                        "ready included (one kernel each, ~200 MiB on the demo city), 1–100; past them a busy page")
    p.add_argument("--ready", type=_whole(0, 100, "备好的页面数"), default=None,
                   help=f"预先画好、随到随看的页面数（数据变化后重画）/ pages kept drawn for the next visitors (drawn "
                        f"again when the store changes), 0–100, at most --max-viewers (default {KernelLimits.ready}); "
                        f"30 for a meeting of 30 leaders")
    p.add_argument("--abandoned-timeout", type=_whole(10, 3600, "无人连接的页面回收秒数"),
                   default=KernelLimits.abandoned_seconds,
                   help="页面关闭或未打开完，多少秒后回收 / seconds before a kernel no page is connected to is culled, 10–3600")
    p.add_argument("--idle-timeout", type=_whole(300, 86400, "打开但无人操作的页面回收秒数"),
                   default=KernelLimits.connected_seconds,
                   help="页面开着但无人操作，多少秒后回收 / seconds before an open page left unused loses its kernel, 300–86400")
    p.add_argument("--cull-interval", type=_whole(5, 600, "检查间隔秒数"), default=KernelLimits.interval_seconds,
                   help="多久检查一次 / seconds between checks for idle kernels, 5–600")
    p.set_defaults(run=_dashboard)

    p = sub.add_parser("lab", help="JupyterLab（中文界面）/ JupyterLab in Simplified Chinese, on the notebooks")
    p.add_argument("folder", nargs="?", type=Path, default=Path("notebooks"), help="notebooks/ by default")
    p.add_argument("--db", help="the notebooks' store (default: LIANHU_DB, else data/lianhu.sqlite if it exists; "
                                "without one they run on a demo city)")
    p.set_defaults(run=_lab)

    p = sub.add_parser("users", help="用户、角色和区域 / the people who may write, their roles and areas")
    users_sub = p.add_subparsers(dest="users_command", required=True)
    u = users_sub.add_parser("add", help="添加用户或改变其角色、区域 / add a person, or change their role and area")
    u.add_argument("name", help="登录名（PostgreSQL 上即数据库登录名）/ the login (on PostgreSQL, the database login)")
    u.add_argument("--role", required=True, choices=list(ROLES),
                   help="; ".join(f"{code} {zh} {en}" for code, (zh, en) in ROLES.items()))
    u.add_argument("--area", default="", help="区域：县区代码（县区录入员必填），不填为全市 / the area: a county's code (a county "
                                              "office's is required); none: the whole city")
    u.add_argument("--password-stdin", action="store_true",
                   help="PostgreSQL 新登录名的密码从标准输入读一行（默认询问）/ read a new PostgreSQL login's password from stdin")
    u.add_argument("--db", default=None)
    u.set_defaults(run=_users_add)
    u = users_sub.add_parser("list", help="列出用户 / list the people")
    u.add_argument("--db", default=None)
    u.set_defaults(run=_users_list)
    u = users_sub.add_parser("remove", help="停用用户（记录保留）/ deactivate a person (their records stay)")
    u.add_argument("name")
    u.add_argument("--db", default=None)
    u.set_defaults(run=_users_remove)

    p = sub.add_parser("check", help="检查数据库是否完好 / check the store's integrity")
    p.add_argument("--db", default=None)
    p.set_defaults(run=_check)

    p = sub.add_parser("hub", help="把工作台提供给全市网络（JupyterHub，须登录）/ serve the workbench to the city's network, "
                                   "with logins")
    p.add_argument("--db", default=None, help="本市数据库，各人的服务器都用它（默认 LIANHU_DB、data/lianhu.sqlite）；地址中不能有密码 / "
                                               "the city's store for every server; no password in the URL")
    p.add_argument("--ip", default="127.0.0.1", help="0.0.0.0 to serve the office network")
    p.add_argument("--port", type=_whole(1024, 65535, "端口"), default=8000)
    p.add_argument("--data", type=Path, default=Path("data/hub"),
                   help="账号数据库和各人的工作文件夹（只有本账号可读，0700）/ accounts and working folders (private, 0700)")
    p.add_argument("--notebooks", type=Path, default=Path("notebooks"), help="规划员等在 JupyterLab 中打开的文件夹 / "
                                                                              "what planners open in JupyterLab")
    p.add_argument("--policy-file", type=Path, help="政策文件（各服务器的 LIANHU_POLICY）/ the city's policy file")
    p.add_argument("--pgpassfile", type=Path, default=os.environ.get("PGPASSFILE") or None,
                   help="PostgreSQL 密码文件（权限 0600；默认 PGPASSFILE）/ PostgreSQL's password file (mode 0600)")
    p.add_argument("--idle-timeout", type=_whole(300, 86400, "空闲服务器停止秒数"), default=3600,
                   help="无人使用多少秒后停止其服务器 / seconds unused before a server is stopped, 300–86400")
    p.add_argument("--admin", default="admin", help="管理员账号名（批准注册、管理账号和组）/ the admin account's name")
    p.add_argument("--signup", action="store_true",
                   help="开放注册页（每个注册须管理员批准）/ open the sign-up form (each sign-up authorised by the admin)")
    p.set_defaults(run=_hub)
    hub_sub = p.add_subparsers(metavar="ACTION")
    a = hub_sub.add_parser("add-user", help="新建账号或改角色、密码（SQLite 数据库；PostgreSQL 上各人用数据库登录名，见 lianhu "
                                            "users add）/ add an account, or change its role or password (a SQLite store; on "
                                            "PostgreSQL people are the store's logins: lianhu users add)")
    a.add_argument("name", help="用户名：小写字母、数字、. _ - / lower-case letters, digits, . _ -")
    a.add_argument("--role", choices=tuple(ROLES), help="角色 / role: " + "，".join(f"{code} {zh}" for code, (zh, _) in ROLES.items()))
    a.add_argument("--admin", dest="make_admin", action="store_true", help="设为管理员 / make the account an admin")
    a.add_argument("--password-stdin", action="store_true",
                   help="从标准输入读密码（一行），否则提示输入 / read the password from standard input (one line)")
    a.add_argument("--data", type=Path, default=argparse.SUPPRESS, help="同 lianhu hub --data / as for lianhu hub")
    a.set_defaults(run=_hub_add_user)
    a = hub_sub.add_parser("users", help="列出账号和角色 / list the accounts and their roles")
    a.add_argument("--data", type=Path, default=argparse.SUPPRESS, help="同 lianhu hub --data / as for lianhu hub")
    a.set_defaults(run=_hub_users)

    from .cli_year import add_commands, add_repair_command, add_sample_command, add_trail_command, add_warn_command

    add_commands(sub, _out_folder, "数据库 / store URL or SQLite file (default data/lianhu.sqlite)")
    add_repair_command(sub, _out_folder, "数据库 / store URL or SQLite file (default data/lianhu.sqlite)")
    add_warn_command(sub, _out_folder, "数据库 / store URL or SQLite file (default data/lianhu.sqlite)")
    add_trail_command(sub, _workbook_path, "数据库 / store URL or SQLite file (default data/lianhu.sqlite)")
    add_sample_command(sub, _out_folder, _workbook_path, "数据库 / store URL or SQLite file (default data/lianhu.sqlite)")

    p = sub.add_parser("demo", help="在演示城市上运行主流程 / run the main job on the demo city")
    p.add_argument("--size", default="city")
    p.add_argument("--seed", type=int, default=2012)
    p.add_argument("--out", type=_out_folder, default=Path("build/demo"))
    p.add_argument("--policy-file", type=Path)
    p.set_defaults(run=_demo)
    return parser


def _wrote(path: Path) -> int:
    print(f"已写入 / wrote {path}")
    return 0


def _template(args) -> int:
    from .template import write_template

    return _wrote(write_template(args.out))


def _demo_data(args) -> int:
    from .demo import PRESETS
    from .demo.pipeline import demo_pairings, write_demo_archives, write_demo_rosters

    if args.size not in PRESETS:
        raise UsageError(f"演示城市规模须为 / size must be one of {' | '.join(PRESETS)}, not {args.size!r}")
    try:
        "联村联户䶮".encode(args.encoding)
    except (LookupError, UnicodeEncodeError):
        raise UsageError(f"编码 {args.encoding!r} 不存在或写不出中文，可用 utf-8-sig、gb18030 / the encoding is unknown "
                         f"or cannot write Chinese names: use utf-8-sig or gb18030") from None
    folder = write_demo_rosters(args.size, args.out, args.seed, args.format, args.encoding)
    for path in sorted(folder.iterdir()):
        print(path)
    if args.second_year_out:
        from .demo.pipeline import demo_tables
        from .demo.second_year import second_year_tables
        from .tables import write_rosters

        second = second_year_tables(demo_tables(args.size, args.seed), args.seed)
        write_rosters(second.tables, args.second_year_out, args.format, encoding=args.encoding)
        for path in sorted(Path(args.second_year_out).iterdir()):
            print(path)
    if args.archives_out:
        rosters = _load([folder], None)[0]
        archives = write_demo_archives(rosters, *demo_pairings(rosters), args.archives_out, args.seed)
        for path in archives.diaries + [archives.plan_file]:
            print(path)
    return 0


def _validate(args) -> int:
    from .rosters import ALL_TABLES, tables_found
    from .schema import TABLES

    if args.partial and args.save:
        raise UsageError("--save 须有全部四张名册，不能与 --partial 同用 / --save needs all four rosters: not with --partial")
    policy = _policy(args.policy_file)
    found, problems = tables_found(_existing(args.paths), () if args.partial else ALL_TABLES, policy)
    if not found:  # not one sheet looked like a roster (headers garbled by a wrong encoding, say)
        problems.append(Problem.about("missing_table", "没有认出任何名册（表头是否乱码或不是名册？）",
                                      "no roster was recognised (are the headers garbled, or are these not rosters?)",
                                      file=", ".join(map(str, args.paths))))
    print("找到 / found: " + ("，".join(f"{TABLES[name].zh}表 {rows:,} 行" for name, rows in found.items()) or "没有名册 / none"),
          file=sys.stderr if args.format == "json" else sys.stdout)
    _print_problems(problems, args.format)
    if args.problems_out:
        if problems:
            write_problem_workbook(problems, args.problems_out)
        print(f"问题清单 / problem list: {args.problems_out}" if problems else
              "名册无误，未写问题清单 / clean: no problem list written", file=sys.stderr)
    if any(p.severity == "error" for p in problems):
        return 1
    if args.save:
        rosters = _load(args.paths, args.policy_file)[0]
        print(f"名册已存入数据库（快照 {_store(args).save_rosters(rosters)}）/ rosters saved as a snapshot", file=sys.stderr)
    return 0


def _accept(args) -> int:
    from .errors import PairingInputError
    from .pairing.accept import check_accepted, with_periods, with_pools
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
    if read["teams"] is not None:
        read["teams"] = with_periods(read["teams"])
    stored = {"pairs": store.current("pairings"), "links": store.current("links"), "teams": store.teams()}
    problems = check_accepted(rosters, policy, args.term_start, **read, sources={k: str(v) for k, v in files.items() if v},
                              stored=stored, unlock_reason=args.unlock_reason or "")
    if problems:
        raise PairingInputError(problems)
    store.accept(args.term_start, args.status, **read, reason=args.unlock_reason or "")
    saved = {"pairs": ("联户", "对", "pairs"), "links": ("联村", "个村", "links"), "teams": ("工作队", "人次", "team places")}
    print("已存入数据库 / saved: " + "，".join(f"{saved[name][0]} {len(frame):,} {saved[name][1]}" for name, frame in read.items()
                                            if frame is not None)
          + " / " + ", ".join(f"{len(frame):,} {saved[name][2]}" for name, frame in read.items() if frame is not None))
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
        from .tables import atomic_write

        try:
            text = _existing([args.update_readme])[0].read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise UsageError(f"{args.update_readme} 不是可读的文本文件 / is not a readable text file") from None
        with atomic_write(args.update_readme) as tmp:
            tmp.write_text(readme_with_reference(text), encoding="utf-8")
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
    _say_report("单位联村 / units → villages", result.report)
    print(f"{len(result.links):,} 个村已联系，{len(result.unlinked):,} 个未联系，{len(result.short_units):,} 个单位未达下限 / "
          f"{len(result.links):,} villages linked, {len(result.unlinked):,} not, {len(result.short_units):,} units below "
          f"their minimum → {args.out}")
    return 0


def _match_households(args) -> int:
    from .pairing.explain import POOL_ZH
    from .pairing.households import LOCALITY_ZH, match_households
    from .pairing.output import household_sheets, read_pairs, write_tables

    options = _options(args)
    rosters, policy = _load(args.rosters, args.policy_file)
    read = {name: read_pairs(_existing([path])[0], required) if path else None for name, path, required in (
        ("links", args.links, ("unit_id", "village_code")), ("existing", args.existing, ("cadre_id", "household_id")),
        ("pins", args.pins, ("cadre_id", "household_id")), ("forbids", args.forbids, ("cadre_id", "household_id")))}
    result = match_households(rosters, policy, locality=args.locality, max_km=args.max_km, options=options, **read)
    if read["links"] is None and (args.locality or policy.locality) == "auto":
        print(f"没有给 --links：按距离（{result.max_km:g} km 以内）联户；给出联村结果（match villages 的输出）则只联本单位所联系村的农户 / "
              f"no --links: households within {result.max_km:g} km are paired; with the unit–village links, only households "
              "in the unit's own villages", file=sys.stderr)
    write_tables(household_sheets(result), args.out, args.lang)
    for pool, report in result.reports.items():
        _say_report(f"干部联{POOL_ZH[pool]}（{LOCALITY_ZH[result.locality]}，{result.max_km:g} km）/ cadres → {pool} households "
                    f"({result.locality}, {result.max_km:g} km)", report)
    print(f"{len(result.pairs):,} 对结对，{len(result.uncovered):,} 户未覆盖 / {len(result.pairs):,} pairs, "
          f"{len(result.uncovered):,} households uncovered → {args.out}")
    return 0


def _compare(args) -> int:
    from .figures.pages import write_figure_page
    from .figures.pairing import policy_comparison
    from .pairing.compare import COMPARE_LABELS, compare_policies
    from .pairing.output import write_tables
    from .store import Store

    options = _options(args)
    policies = {"默认 / default": _policy(None)} if len(args.policy_files) == 1 else {}
    for path in args.policy_files:  # named by the file; the same name twice keeps its folder
        name = path.stem if sum(p.stem == path.stem for p in args.policy_files) == 1 else str(path.with_suffix(""))
        policies[name] = _policy(path)
    rosters = _load(args.rosters, None)[0]
    try:
        current = Store(_store_url(args), create=False).current("pairings")
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
        write_figure_page(policy_comparison(comparison.table), args.figure)  # one file, plotly.js inside
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
    terms, places, short = rotation.schedule["period"].nunique(), len(rotation.schedule), len(rotation.shortages)
    print(f"{terms} 期，{places:,} 人次，{short:,} 个村派员不足 / {terms} terms, {places:,} team places, "
          f"{short:,} villages short of members → {args.out}")
    return 0


def _archive_import(args) -> int:
    from .archives import ArchiveError, import_activity_files

    store = _store(args, create=bool(args.rosters))  # checked against --rosters, else the store's: a new one has none
    try:
        rosters, first = _checked_rosters(args, store, ArchiveError)
        import_id, skipped, found = import_activity_files(store, _existing(args.paths), rosters, first, args.skip_existing)
    except ArchiveError as exc:
        return _refused(exc, args)
    rows = store.count_rows(import_id) if import_id else 0
    number = store.import_number(import_id) if import_id else 0
    print((f"已导入 {rows:,} 条工作记录（第 {number} 次导入工作记录）/ imported {rows:,} records (activity import {number})"
           if import_id
           else "没有新记录 / no new records")
          + (f"；跳过库中已有的 {skipped:,} 条 / {skipped:,} already in the store were skipped" if args.skip_existing else "")
          + ("；名册已作为库中第一份快照存入 / the rosters were saved as the store's first snapshot" if first else ""))
    if found:  # imported all the same: the findings are for the offices to look into
        print(f"留痕核查 / paper-trail checks: {len(found):,} 条记录值得核实（已导入）/ records worth a look (imported):")
        _print_problems(found, "text")
        if args.problems_out:
            write_problem_workbook(found, args.problems_out)
            print(f"问题清单 / problem list: {args.problems_out}", file=sys.stderr)
    return 0


def _checked_rosters(args, store, error):
    """What an import is checked against: the store's latest rosters. --rosters must be those, or the store's
    first (then saved in the same transaction as the import: whether to save them is the second value)."""
    if not args.rosters:
        return store.rosters(), False
    given = _load(args.rosters, None)[0]
    if store.latest_import("rosters") is None:
        return given, True
    if not given.same_as(store.rosters()):
        raise error([Problem.about(
            "rosters_not_stored", "所给名册与库中最新名册不同：先用 lianhu validate 名册 --save 存为新快照，或不给 --rosters（用库中名册）",
            "these rosters differ from the store's latest snapshot: save them first (lianhu validate ROSTERS --save), "
            "or leave --rosters out to use the store's", file=", ".join(map(str, args.rosters)))])
    return given, False


def _archive_rollup(args) -> int:
    from .rollup import rollup
    from .pairing.output import LABELS, write_tables

    store = _store(args, create=False)
    table = rollup(store.activities(_period(args.period) if args.period else None), args.by, store.rosters())
    if args.out:
        write_tables({"工作量汇总": table}, args.out, "zh")
        return _wrote(args.out)
    if args.format == "json":
        print(table.to_json(orient="records", force_ascii=False))
    else:
        print(_for_people(table.rename(columns=LABELS)) if len(table) else "没有工作记录 / no work records")
    return 0


def _plan_import(args) -> int:
    from .plans import PlanError, load_plans

    store = _store(args, create=bool(args.rosters))  # checked against --rosters, else the store's
    try:
        rosters, first = _checked_rosters(args, store, PlanError)
        plans = load_plans(_existing(args.paths), rosters, args.term_start)
    except PlanError as exc:
        return _refused(exc, args)
    import_id = store.save_plans(plans, args.term_start, ", ".join(map(str, args.paths)), rosters if first else None)
    print(f"已保存 {plans[['subject_kind', 'subject_id']].drop_duplicates().shape[0]:,} 个对象的规划新版本，"
          f"{len(plans):,} 条措施（第 {store.import_number(import_id)} 次导入规划）/ saved as a new version "
          f"(plan import {store.import_number(import_id)})"
          + ("；名册已作为库中第一份快照存入 / the rosters were saved as the store's first snapshot" if first else ""))
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
    from .assessment import SUBJECTS, load_indicators, ranked, save_scored, score_period
    from .assessment.indicators import grade_order
    from .assessment.run import NothingToAssess
    from .report import publish_run

    store = _store(args, create=False)
    rosters = store.rosters()
    system = load_indicators(_existing([args.indicators])[0] if args.indicators else None)
    try:
        run = score_period(store, _period(args.period), rosters, system, _policy(args.policy_file))
    except NothingToAssess as exc:
        print(exc, file=sys.stderr)
        return 1
    saved = []  # stored only once the published files are checked
    for path in publish_run(store, run, rosters, args.out, keep=lambda: saved.append(save_scored(store, run))):
        _wrote(path)
    for kind, table in ranked(run).items():
        counts = table["grade"].value_counts()
        print(f"{SUBJECTS[kind]}（{len(table):,}）：" + "，".join(f"{g} {counts[g]:,}" for g in grade_order(system) if g in counts)
              + f"；第 1 名 {(table['rank_city'] == 1).sum():,} 名，名次并列 {table['tied_city'].sum():,} 名"
              f" / rank 1: {(table['rank_city'] == 1).sum():,}, sharing a rank: {table['tied_city'].sum():,}")
    print(f"考核编号 / assessment {saved[0]}（已冻结 / frozen）")
    return 0


def _adjust(args) -> int:
    import pandas as pd
    from sqlalchemy.exc import NoResultFound

    from .report import publish_run
    from .store import AdjustmentError, check_adjustment

    try:
        check_adjustment(args.points, args.reason)
    except AdjustmentError as exc:
        raise UsageError(str(exc)) from None
    store = _store(args, create=False)
    try:
        run = store.assessment(args.assessment)
    except NoResultFound:
        raise UsageError(f"没有编号为 {args.assessment} 的考核 / no assessment {args.assessment}") from None
    scores = run["scores"]
    if not ((scores["subject_kind"] == args.kind) & (scores["subject_id"] == args.subject)).any():
        raise UsageError(f"考核 {args.assessment} 中没有 {args.kind} {args.subject} / not assessed there")
    earlier = run["adjustments"]
    try:
        check_adjustment(args.points, args.reason, float(earlier.loc[(earlier["subject_kind"] == args.kind)
                                                                     & (earlier["subject_id"] == args.subject), "points"].sum()))
    except AdjustmentError as exc:
        raise UsageError(str(exc)) from None
    adjustment = {"subject_kind": args.kind, "subject_id": args.subject, "points": args.points}
    run["adjustments"] = pd.concat([run["adjustments"], pd.DataFrame([adjustment])], ignore_index=True)
    for path in publish_run(store, run, store.rosters(), args.out,  # stored once the republished files are checked
                            keep=lambda: store.adjust(args.assessment, **adjustment, reason=args.reason)):
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


def _dashboard(args) -> int:
    from .policy import load_policy
    from .serve import default_store, voila, without_password
    from .store import Store

    db = without_password(args.db or default_store())
    if db:
        Store(db, create=False)  # a wrong path is said here, not in the leader's browser
    if args.policy_file:
        load_policy(args.policy_file)  # every problem in it listed now
    ready = min(KernelLimits.ready, args.max_viewers) if args.ready is None else args.ready
    limits = KernelLimits(args.max_viewers, args.abandoned_timeout, args.idle_timeout, args.cull_interval, ready)
    if limits.ready > limits.max_kernels:
        raise UsageError(f"--ready {limits.ready} 超过 --max-viewers {limits.max_kernels} / --ready is more than --max-viewers")
    command, env = voila(db, args.port, args.ip, args.policy_file and str(args.policy_file), limits)
    print(f"领导看板 / dashboard: http://{'127.0.0.1' if args.ip == '0.0.0.0' else args.ip}:{args.port}/ "
          f"（Ctrl-C 停止 / to stop）\n数据 / data: {env['LIANHU_DB'] or '演示城市（先运行 lianhu demo 或 make demo 可看全市演示数据）/ a small demo city'}\n"
          f"同时至多 {limits.max_kernels} 个页面；关闭或未打开完的页面 {limits.abandoned_seconds} 秒后回收，开着无人操作的 "
          f"{limits.connected_seconds} 秒后回收；{limits.ready} 个页面预先画好 / at most {limits.max_kernels} pages at once; a "
          f"kernel no page is connected to is culled after {limits.abandoned_seconds} s idle, one an open page leaves unused "
          f"after {limits.connected_seconds} s; {limits.ready} pages kept drawn",
          flush=True)
    if os.name == "nt":  # Windows has no exec: wait for Voilà
        import subprocess

        return subprocess.call(command, env=env)
    os.execve(command[0], command, env)  # Voilà in this process: Ctrl-C or a kill stops the server itself


def _lab(args) -> int:
    """JupyterLab on the notebooks, its interface in Simplified Chinese (the language pack is in the notebook extra)."""
    from .serve import chinese_jupyterlab

    chinese_jupyterlab()
    command = [sys.executable, "-m", "jupyterlab", str(_existing([args.folder])[0])]
    from .serve import without_password

    db = without_password(args.db or os.environ.get("LIANHU_DB") or ("data/lianhu.sqlite" if Path("data/lianhu.sqlite").is_file() else ""))
    if db and "://" not in db:
        db = str(_existing([Path(db)])[0].resolve())  # the notebooks' kernels run in their own folder
    env = os.environ | {"LIANHU_DB": db}  # what open_workspace and open_dashboard read
    print(f"笔记本使用数据库 / the notebooks use the store: {masked(db)}" if db else
          "没有本市数据库（data/lianhu.sqlite），笔记本在演示城市上运行 / no store: the notebooks run on a demo city")
    if hasattr(os, "getuid") and os.getuid() == 0:
        command.append("--allow-root")
    if os.name == "nt":
        import subprocess

        return subprocess.call(command, env=env)
    os.execve(command[0], command, env)


def _users_add(args) -> int:
    store = _store(args)
    password = None
    if store.postgres and not store.users()["name"].eq(args.name).any():
        password = (sys.stdin.readline().rstrip("\n") if args.password_stdin else _ask_password(args.name)) or None
    store.add_user(args.name, args.role, args.area, password)
    print(f"用户 {args.name}：{role_label(args.role)}，区域 {args.area or '全市 / the whole city'} / user {args.name} saved")
    return 0


def _ask_password(name: str) -> str | None:
    """A PostgreSQL login's password, typed twice, never echoed; empty keeps an existing login's."""
    import getpass

    if not sys.stdin.isatty():
        raise UsageError("没有终端可输入密码：请用 --password-stdin 从标准输入给出 / no terminal to type the password on: "
                         "give it on standard input with --password-stdin")
    first = getpass.getpass(f"{name} 的数据库密码（已有登录名时回车不改）/ database password for {name} (Enter keeps an "
                            f"existing login's): ")
    if first != getpass.getpass("再输入一次 / again: "):
        raise UsageError("两次输入的密码不同 / the two passwords differ")
    return first


def _users_list(args) -> int:
    people = _store(args, create=False).users()
    if people.empty:
        print("还没有用户：本数据库由一个办公室使用，其规划员可做一切 / no users yet: one office's store, its planner does "
              "everything")
        return 0
    people = people.assign(role=people["role"].map(role_label), area=people["area"].replace("", "全市"),
                           active=people["active"].map({True: "是", False: "否（已停用）"}))
    print(people[["name", "role", "area", "active", "added_by"]].rename(columns={
        "name": "用户 / user", "role": "角色 / role", "area": "区域 / area", "active": "在用 / active",
        "added_by": "添加人 / added by"}).to_string(index=False))
    return 0


def _users_remove(args) -> int:
    _store(args, create=False).deactivate_user(args.name)
    print(f"已停用用户 {args.name}（其记录保留）/ {args.name} deactivated (their records stay)")
    return 0


def _check(args) -> int:
    problems = _store(args, create=False).integrity_problems()
    for problem in problems:
        print(f"  {problem}")
    print(f"数据库有 {len(problems)} 处问题 / {len(problems)} problems in the store" if problems else
          "数据库完好 / the store is intact")
    return 1 if problems else 0



def _hub(args) -> int:
    """JupyterHub from the configuration in the package, with these settings (checked first)."""
    from dataclasses import replace

    from .hub.proxy import ensure_proxy
    from .hub.settings import SETTINGS_VARIABLE, HubSettings
    from .hub.spawn import CONFIG
    from .serve import chinese_jupyterlab, default_store

    settings = HubSettings.checked(args.db or default_store(), args.data, args.notebooks, args.policy_file,
                                   args.pgpassfile, args.admin, ip=args.ip, port=args.port,
                                   idle_timeout=args.idle_timeout, signup=args.signup)
    settings = replace(settings, proxy=str(ensure_proxy(say=lambda text: print(text, flush=True))))
    settings.make_data_folder()
    chinese_jupyterlab()
    command = [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG / "jupyterhub_config.py")]
    env = {k: v for k, v in os.environ.items() if k not in ("LIANHU_DB", "PGPASSFILE")} | \
        {SETTINGS_VARIABLE: settings.to_environment()}
    people = _hub_accounts(settings.data)
    print(f"工作台 / workbench: http://{'127.0.0.1' if args.ip == '0.0.0.0' else args.ip}:{args.port}/ （Ctrl-C 停止 / to stop）\n"
          f"数据 / data: {masked(settings.store)}；账号和工作文件夹 / accounts and folders: {settings.data}\n"
          f"领导只看到看板，其他角色打开 JupyterLab（{settings.notebooks}）；无人使用 {args.idle_timeout} 秒后停止其服务器 / "
          f"leaders get the dashboard only, other roles JupyterLab; a server unused for {args.idle_timeout} s is stopped"
          + (f"\n各人用自己的数据库登录名和密码登录（lianhu users add 添加），角色和区域以数据库为准 / people log in "
             f"with their own database logins (lianhu users add), their role and area the store's" if settings.postgres else
             "" if people else f"\n还没有账号：先运行 lianhu hub add-user {args.admin} --admin，再为每人 add-user NAME --role 角色 / "
                              f"no accounts yet: lianhu hub add-user {args.admin} --admin, then add-user NAME --role ROLE"),
          flush=True)
    if os.name == "nt":
        raise UsageError("JupyterHub 不能在 Windows 上运行 / JupyterHub does not run on Windows")
    os.execve(command[0], command, env)


def _hub_accounts(data: Path) -> list:
    from .hub.accounts import accounts

    return accounts(data)


def _hub_add_user(args) -> int:
    from .hub.accounts import accounts, add_user

    exists = any(account.name == args.name for account in accounts(args.data))
    password = _new_password(args, exists)
    account = add_user(args.data, args.name, args.role, password, args.make_admin)
    role = role_label(account.role) if account.role else "无角色（不能启动服务器）/ no role (cannot start a server)"
    print(f"{'已更新' if exists else '已新建'}账号 / {'changed' if exists else 'added'} account {account.name}: {role}"
          + ("，管理员 / admin" if account.admin else "") + ("" if password is None else "；密码已设定 / password set"))
    return 0


def _new_password(args, exists: bool) -> str | None:
    """The password from standard input (--password-stdin) or typed twice (never shown); None keeps an existing
    account's."""
    import getpass

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass("密码 / password" + ("（回车不改 / Enter keeps it）" if exists else "") + ": ")
        if password and getpass.getpass("再输一次 / again: ") != password:
            raise UsageError("两次输入的密码不同 / the two passwords differ")
    else:
        password = ""
    if not password and not exists:
        raise UsageError("新账号须设密码：在终端里运行，或加 --password-stdin / a new account needs a password: run it in "
                         "a terminal, or give --password-stdin")
    return password or None


def _hub_users(args) -> int:
    people = _hub_accounts(args.data)
    if not people:
        print(f"{args.data} 中还没有账号 / no accounts in {args.data}")
    for account in people:
        print(f"{account.name}\t{role_label(account.role) if account.role else '无角色 / no role'}"
              + ("\t管理员 / admin" if account.admin else "")
              + ("" if account.authorised else "\t待批准 / awaiting authorisation"))
    return 0


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
