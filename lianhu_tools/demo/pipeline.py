"""The main job, step by step, on rosters a city receives (here: the generated demo city): `run_demo` is
`make demo`; `start_demo_year` is what notebooks and tests start from. The demo builds its store aside and
puts it in place only when whole, and never replaces a store a demo did not make (`NotADemoStore`)."""

from __future__ import annotations

import ctypes
import fnmatch
import glob
import json
import multiprocessing
import os
import shutil
import signal
import sqlite3
import sys
import tempfile
import threading
import time
import warnings
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from ..archives import import_activity_files
from ..assessment import results, save_scored, score_period
from ..assessment.indicators import grade_order
from ..errors import NotADemoStore, RosterWarning
from ..figures import pairing_map
from ..figures.pages import write_figure_page
from ..pairing.households import match_households
from ..pairing.output import household_sheets, rotation_sheets, village_sheets, write_county_workbooks, write_tables
from ..pairing.rotation import rotate_teams
from ..pairing.villages import match_villages
from ..periods import assessment_label
from ..plans import load_plans, progress
from ..policy import Policy, load_policy
from ..report import publish_run
from ..rosters import Rosters, load_rosters, validate_paths
from ..schema import TABLES
from ..store import Store
from ..summary import county_summary
from ..tables import excel_writer, write_frame, write_problem_workbook, write_rosters
from ..template import write_template
from ..widgets.dashboard import Dashboard
from .activities import generate_activities, write_activity_workbooks
from .broken import write_broken_rosters
from .generator import demo_tables
from .plans import generate_plans, write_plan_workbook

DEMO_ORIGIN = "demo"  # noted in a demo's store: only such a store is ever replaced by a later demo
BUILDING = ".lianhu-demo-"  # a demo's store while it is built, with the builder's process number


def write_demo_rosters(size: str = "tiny", out: str | Path = "build/demo/rosters", seed: int = 2012,
                       file_format: str = "xlsx", encoding: str = "utf-8-sig") -> Path:
    """Write the demo city's roster files, as a city would receive them (ranks as real rosters write them);
    returns the folder."""
    write_rosters(demo_tables(size, seed), out, file_format, encoding=encoding)
    return Path(out)


def _cpu_seconds() -> float:
    """User and system CPU time of this process and of its finished children."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Steps:
    """The main job's steps as a progress bar on a terminal, its clock ticking through long steps;
    `say` prints above the bar. Off the terminal (logs, tests) only the messages are printed.
    `timings` holds (step or part, wall seconds, CPU seconds) for each one finished (bench/demo.py prints them)."""

    def __init__(self, total: int, say: Callable[[str], None] = print):
        from tqdm import tqdm

        self.bar = tqdm(total=total, bar_format="{desc} {bar:30} {n}/{total} 步 [{elapsed}]", disable=None)
        self._say, self._stop, self._begun = say, threading.Event(), False
        self.timings: list[tuple[str, float, float]] = []
        self._timed, self._wall, self._cpu = None, time.perf_counter(), _cpu_seconds()
        if not self.bar.disable:
            threading.Thread(target=self._tick, daemon=True).start()

    def part(self, name: str | None) -> None:
        """A part of the current step starts, timed on its own (the bar does not move)."""
        wall, cpu = time.perf_counter(), _cpu_seconds()
        if self._timed is not None:
            self.timings.append((self._timed, wall - self._wall, cpu - self._cpu))
        self._timed, self._wall, self._cpu = name, wall, cpu

    def _tick(self) -> None:
        while not self._stop.wait(1):
            self.bar.refresh()

    def step(self, description: str) -> None:
        """The next step starts (the one before is done)."""
        if self._begun:
            self.bar.update(1)
        self._begun = True
        self.bar.set_description_str(description)
        self.part(description)

    def say(self, message: str) -> None:
        with self.bar.external_write_mode():
            self._say(message)

    def close(self, done: bool = True) -> None:
        """Stop the clock; the bar fills only if every step finished."""
        self.part(None)
        self._stop.set()
        if done:
            self.bar.update(self.bar.total - self.bar.n)
        self.bar.close()


class Background:
    """Files the demo writes and does not read again, written by a second process while it goes on (`write`);
    `finish` waits for them and raises what went wrong in them; `close(done=False)` stops the process at once.
    In this process where there is one core only."""

    def __init__(self):
        self._pool, self._pending = None, []
        if (os.cpu_count() or 1) > 1:
            methods = multiprocessing.get_all_start_methods()  # fork where there is one: no imports again
            context = multiprocessing.get_context("fork" if "fork" in methods else None)
            self._pool = context.Pool(1, initializer=_background_start)

    def write(self, function: Callable, *args):
        """`function(*args)` in the background; what it returns is the answer's `get()`."""
        if self._pool is None:
            return _Done(function(*args))
        self._pending.append(self._pool.apply_async(function, args))
        return self._pending[-1]

    def finish(self) -> None:
        pending, self._pending = self._pending, []
        for result in pending:
            result.get()

    def close(self, done: bool = True) -> None:
        if self._pool is not None:
            self._pool.close() if done else self._pool.terminate()
            self._pool.join()


@dataclass
class _Done:
    value: object

    def get(self):
        return self.value


def _background_start() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the demo's to handle (one line, nothing left)
    if sys.platform.startswith("linux"):  # and it ends with the demo, even a killed one
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _pairings(rosters: Rosters, policy, out: Path, job: Steps, background: Background) -> tuple:
    """Units → villages, cadres → households in the linked villages, six half-year work-team terms,
    the pairing map and one workbook per county (the workbooks written in the background)."""
    say = job.say
    job.step("单位联村 / units → villages")
    villages = match_villages(rosters, policy)
    job.part("单位联村 写出 / written")
    background.write(write_tables, village_sheets(villages), out / "联村结果.xlsx")
    say(f"单位联村 / units → villages: {len(villages.links):,} 村已联系，{len(villages.unlinked):,} 村未联系，"
        f"{len(villages.short_units):,} 个单位未达下限（{villages.report.seconds:.1f} s，"
        f"{'已证明最优' if villages.report.proven_optimal else '未证明最优'}）→ {out / '联村结果.xlsx'}")
    job.step("干部联户 / cadres → households")
    households = match_households(rosters, policy, links=villages.links)
    job.part("干部联户 写出 / written")
    background.write(write_tables, household_sheets(households), out / "联户结果.xlsx")
    say(f"干部联户 / cadres → households: {len(households.pairs):,} 对，{len(households.uncovered):,} 户未覆盖 "
        f"→ {out / '联户结果.xlsx'}")
    job.step("工作队轮换 / work teams")
    rotation = rotate_teams(rosters, villages.links, "2025H1", 6, policy)
    job.part("工作队轮换 写出 / written")
    background.write(write_tables, rotation_sheets(rotation), out / "工作队轮换.xlsx")
    say(f"工作队轮换 / work teams 2025H1–2027H2: {len(rotation.schedule):,} 人次 → {out / '工作队轮换.xlsx'}")
    job.part("结对图 / pairing map")
    figure = pairing_map(rosters.villages, rosters.units, villages.links)
    write_figure_page(figure, out / "结对图.html")  # one file, plotly.js inside
    say(f"结对图（离线可用）/ offline map: {out / '结对图.html'}")
    job.step("各县区名单 / county workbooks")
    background.write(write_county_workbooks, rosters, villages.links, households.pairs, rotation.schedule,
                     households.uncovered, out / "各县区联村联户名单", households.marginal, villages.unlinked)
    say(f"各县区联村联户名单（{rosters.villages['county_code'].nunique()} 个县区，可直接下发）/ one workbook per county: "
        f"{out / '各县区联村联户名单'}")
    return villages.links, households.pairs, rotation.schedule


@dataclass
class DemoYear:
    """A demo city's first year in a fresh store: rosters, pairings, teams, work records, plans."""

    store: object
    rosters: Rosters
    links: pd.DataFrame
    pairs: pd.DataFrame
    teams: pd.DataFrame
    diaries: list[Path]
    records: int
    plan_file: Path
    folder: Path
    assessments: dict[str, int] = field(default_factory=dict)  # period → the assessment run in the demo store
    published: dict[str, list[Path]] = field(default_factory=dict)  # period → its published files


def demo_year(rosters: Rosters, links: pd.DataFrame, pairs: pd.DataFrame, teams: pd.DataFrame, out: str | Path,
              seed: int = 2012, assess: tuple[str, ...] = (), policy: Policy | None = None,
              publish_to: Path | None = None, part: Callable[[str], None] = lambda name: None,
              background: Background | None = None) -> DemoYear:
    """Store the pairings (locked for 2025–2027) and teams, write and import a year of work diaries and
    the three-year plans — through the same checks as an office's files — and run the assessments of the
    periods in `assess` (with `publish_to`: each published there, and stored only once its files pass the
    personal-data check). The store is built aside and put in place (out/lianhu.sqlite) only when whole.
    `part(name)` is told as each part starts (`Steps.part`)."""
    out = Path(out)
    target = out / "lianhu.sqlite"
    check_replaceable(target)
    _remove_abandoned_builds(out)
    building = out / f"{BUILDING}{os.getpid()}.sqlite"
    try:
        filled = _fill_demo_store(Store(building), rosters, links, pairs, teams, out, seed, assess, policy, publish_to, part,
                                  background)
    except BaseException:
        for part in out.glob(f"{building.name}*"):
            part.unlink(missing_ok=True)
        raise
    check_replaceable(target)  # still a demo's (or none) after the minutes this took
    for stale in (target.with_name(target.name + suffix) for suffix in ("-wal", "-shm", "-journal")):
        stale.unlink(missing_ok=True)
    os.replace(building, target)
    return DemoYear(Store(target), rosters, links, pairs, teams, filled.diaries, filled.records, filled.plan_file, out,
                    filled.assessments, filled.published)


@dataclass
class DemoArchives:
    """A demo year's work diaries (one workbook per county) and three-year plan file, as offices send them."""

    diaries: list[Path]
    records: int
    plan_file: Path
    assessments: dict[str, int] = field(default_factory=dict)
    published: dict[str, list[Path]] = field(default_factory=dict)


def write_demo_archives(rosters: Rosters, links: pd.DataFrame, pairs: pd.DataFrame, teams: pd.DataFrame,
                        out: str | Path, seed: int = 2012, part: Callable[[str], None] = lambda name: None,
                        background: Background | None = None) -> DemoArchives:
    """A year (2025) of work diaries under out/工作记录 and the plans 2025–2027 in out/三年规划.xlsx (with `background`:
    written there, finished once it is)."""
    out = Path(out)
    plan_file = out / "三年规划.xlsx"
    part("工作记录 生成 / diaries made")
    records = generate_activities(links, pairs, teams=teams, year=2025, seed=seed)
    part("工作记录 写出 / diaries written")
    if background is None:
        diaries = write_activity_workbooks(records, rosters.villages, out / "工作记录", rosters.households)
        part("三年规划 写出 / plans written")
        _write_demo_plans(links, pairs, rosters.households, seed, plan_file)
    else:  # every other county's diary in the background, then the plans there
        others = background.write(write_activity_workbooks, records, rosters.villages, out / "工作记录", rosters.households,
                                  slice(1, None, 2))
        background.write(_write_demo_plans, links, pairs, rosters.households, seed, plan_file)
        diaries = write_activity_workbooks(records, rosters.villages, out / "工作记录", rosters.households, slice(0, None, 2))
        part("工作记录 写出（等待后台）/ diaries written (waited for)")
        diaries = sorted(diaries + others.get())
    return DemoArchives(diaries, len(records), plan_file)


def _write_demo_plans(links: pd.DataFrame, pairs: pd.DataFrame, households: pd.DataFrame, seed: int, path: Path) -> None:
    write_plan_workbook(generate_plans(links, pairs, households, seed=seed), path)


def demo_pairings(rosters: Rosters) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Links, pairings and the first two work-team terms of a demo city, on the default policy."""
    links = match_villages(rosters).links
    pairs = match_households(rosters, links=links).pairs
    return links, pairs, rotate_teams(rosters, links, "2025H1", 2).schedule


def _fill_demo_store(store: Store, rosters: Rosters, links, pairs, teams, out: Path, seed: int,
                     assess: tuple[str, ...], policy: Policy | None, publish_to: Path | None = None,
                     part: Callable[[str], None] = lambda name: None, background: Background | None = None) -> DemoArchives:
    part("入库 / rosters, pairings, teams stored")
    store.note("origin", DEMO_ORIGIN)
    store.save_rosters(rosters)
    store.save_pairings(pairs, 2025, "locked", links=links)
    store.save_teams(teams)
    archives = write_demo_archives(rosters, links, pairs, teams, out, seed, part, background)
    part("工作记录 导入 / diaries imported")
    import_activity_files(store, out / "工作记录", rosters)
    if background is not None:
        part("三年规划 写出（等待后台）/ plans written (waited for)")
        background.finish()
    part("三年规划 导入 / plans imported")
    store.save_plans(load_plans(archives.plan_file, rosters, 2025), 2025, str(archives.plan_file))
    for period in assess:
        part(f"考核 {period} 计分 / scored")
        run = score_period(store, period, rosters, policy=policy)
        part(f"考核 {period} 发布 / published")
        if publish_to is None:
            archives.assessments[period] = save_scored(store, run)
            continue
        archives.published[period] = publish_run(
            store, run, rosters, publish_to, keep=lambda run=run, period=period: archives.assessments.update(
                {period: save_scored(store, run)}))
    store.engine.dispose()
    return archives


def _remove_abandoned_builds(out: Path) -> None:
    """Stores a killed demo was building here (its process gone): never put in place, of no use."""
    for build in out.glob(f"{BUILDING}*.sqlite"):
        pid = build.stem.removeprefix(BUILDING)
        if pid.isdigit() and not _alive(int(pid)):
            for part in out.glob(f"{build.name}*"):
                part.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_replaceable(path: Path) -> None:
    """Raise NotADemoStore unless `path` is absent or a store an earlier demo made: noted as the demo's, or (made
    before demos noted it) holding exactly a demo's three imports — its rosters, diaries and plans, from its folder."""
    if not path.exists():
        return
    try:  # read only, no lock or -wal file: a real store is not touched by looking
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)) as connection:
            found = connection.execute("SELECT value FROM meta WHERE key = 'origin'").fetchone()
            imports = connection.execute("SELECT kind, source FROM imports ORDER BY import_id").fetchall()
    except sqlite3.Error:  # not a store at all: not a demo's either
        found, imports = None, []
    if (found and found[0] == DEMO_ORIGIN) or _made_by_an_earlier_demo(imports, path.parent):
        return
    raise NotADemoStore(f"{path} 不是演示生成的数据库，演示不会覆盖它；请换一个输出文件夹（--out）/ {path} is not a "
                        f"store a demo made: the demo leaves it alone — choose another output folder (--out)")


def _made_by_an_earlier_demo(imports: list[tuple[str, str]], folder: Path) -> bool:
    """What `demo_year` imports into its store, and nothing else."""
    expected = [("rosters", folder / "rosters"), ("activities", folder / "工作记录"), ("plans", folder / "三年规划.xlsx")]
    if [kind for kind, _ in imports] != [kind for kind, _ in expected]:
        return False
    for (_, source), (_, place) in zip(imports, expected):
        files = [Path(f).resolve() for f in source.split(", ")]
        if not all(f == place.resolve() or place.resolve() in f.parents for f in files):
            return False
    return True


def start_demo_year(size: str = "small", folder: str | Path | None = None, seed: int = 2012,
                    assess: tuple[str, ...] = ()) -> DemoYear:
    """What the notebooks start from: a demo city's roster files written and loaded, both pairings,
    two half-year team terms, and its first year in a fresh store (in a temporary folder by default),
    with the assessments of the periods in `assess`."""
    folder = Path(folder or tempfile.mkdtemp(prefix="lianhu_"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RosterWarning)
        rosters = load_rosters(write_demo_rosters(size, folder / "rosters", seed))
    return demo_year(rosters, *demo_pairings(rosters), folder, seed, assess)


def _archives_and_assessment(rosters: Rosters, links, pairs, teams, policy, out: Path, job: Steps,
                             background: Background, size: str, seed: int) -> None:
    """A year of work records and plans in the store, mid-year and year-end assessments, the published
    results, the second year (`living_year`) and the dashboard as a static page."""
    say = job.say
    job.step("工作记录、规划与考核 / records, plans, assessments")
    started = time.perf_counter()
    year = demo_year(rosters, links, pairs, teams, out, assess=("2025H1", "2025"), policy=policy, publish_to=out / "公开发布",
                     part=job.part, background=background)
    store = year.store
    say(f"一年的工作记录 / a year of work records: {year.records:,} 条，{len(year.diaries)} 个县区工作日志 "
        f"→ {out / '工作记录'}，写出并导入 {out / 'lianhu.sqlite'}，年中、年终考核（{time.perf_counter() - started:.1f} s）")
    job.part("三年规划 进度 / plan progress")
    plans = store.plans()
    done = progress(plans, 2025)
    say(f"三年规划 / plans 2025–2027: {plans['subject_id'].nunique():,} 个对象，2025 年措施完成 "
        f"{done['completed'].sum() / max(done['measures'].sum(), 1):.0%} → {year.plan_file}")
    for period, assessment in year.assessments.items():
        label = f"{assessment_label(period)}考核 / {period} assessment"
        job.step(label)
        grades = results(store, assessment, rosters)["cadre"]["grade"].value_counts()
        written = year.published[period]
        order = grade_order(store.assessment(assessment)["indicators"])
        say(f"{label}: 干部 " + "，".join(f"{g} {grades.get(g, 0):,}" for g in order) + f" → {written[1]}")
    job.step("第二年：名册变化、重新结对、监测预警 / the second year")
    from .living_year import living_year

    started = time.perf_counter()
    second = living_year(store, size, out / "第二年", seed, policy, say)
    say(f"第二年 / the second year ({time.perf_counter() - started:.1f} s): {len(second.changes):,} 项变化，"
        f"{len(second.held_back)} 户脱贫待审批仍保持结对、{len(second.rejected)} 户未通过 → {out / '第二年'}")
    job.step("领导看板 / dashboard")
    page = Dashboard(store, policy=policy).write_html(out / "领导看板.html")
    store.engine.dispose()  # no connection left open on the folder when it is moved
    say(f"领导看板（静态网页，离线可用，按县区切换）/ the dashboard as a static page: {page}")


DEMO_FOLDER_MARK = ".lianhu-demo"  # in every folder a demo wrote: such a folder is the demo's to replace whole
EARLIER_DEMO_NAMES = {  # what a demo wrote before it marked its folders
    "lianhu.sqlite", "lianhu.sqlite-wal", "lianhu.sqlite-shm", "lianhu.sqlite-journal", "plotly.min.js", "rosters",
    "三年规划.xlsx", "公开发布", "各县区联村联户名单", "名册模板.xlsx", "名册汇总.xlsx", "工作记录", "工作队轮换.xlsx",
    "结对图.html", "联户结果.xlsx", "联村结果.xlsx", "问题名册示例", "问题清单示例.xlsx", "领导看板.html"}
LEFT_BY_A_KILLED_DEMO = (f"{BUILDING}*.sqlite*", ".公开发布-publishing-*", ".*.tmp")  # its store, staging, files being written


def check_demo_folder(out: Path) -> None:
    """Raise NotADemoStore unless `out` is absent, empty, or a folder a demo wrote (marked as the demo's, or holding
    only what a demo writes), with no store in it that a demo did not make: only such a folder is replaced whole."""
    if not out.exists():
        return
    check_replaceable(out / "lianhu.sqlite")
    names = {p.name for p in out.iterdir()} if out.is_dir() else None
    left = {name for name in names or () if any(fnmatch.fnmatchcase(name, pattern) for pattern in LEFT_BY_A_KILLED_DEMO)}
    if names is None or not (DEMO_FOLDER_MARK in names or names - left <= EARLIER_DEMO_NAMES):
        raise NotADemoStore(f"{out} 不是演示生成的文件夹，演示不会替换它；请换一个输出文件夹（--out）/ {out} is not a "
                            f"folder a demo wrote: the demo leaves it alone — choose another output folder (--out)")


def _sibling(out: Path, kind: str, pid: int | None = None) -> Path:
    """build/.demo-building-<pid> (the folder being built) or build/.demo-old-<pid> (the one it replaces)."""
    return out.parent / f".{out.name}-{kind}-{os.getpid() if pid is None else pid}"


def _remove_abandoned_folders(out: Path) -> None:
    """What a killed demo left beside `out`: its half-built folder is removed; the folder it was replacing is put
    back if it was killed between the two renames (else removed)."""
    for kind in ("old", "building"):
        for left in out.parent.glob(f".{glob.escape(out.name)}-{kind}-*"):
            pid = left.name.rsplit("-", 1)[-1]
            if not pid.isdigit() or (_alive(int(pid)) and int(pid) != os.getpid()):  # not yet ours: an earlier one's
                continue
            if kind == "old" and not out.exists():
                os.replace(left, out)
            else:
                shutil.rmtree(left, ignore_errors=True)


def _relocate_sources(store: Path, built: Path, out: Path) -> None:
    """The store names the files it imported where they will be (out/…), not where they were built."""
    with closing(sqlite3.connect(store)) as connection, connection:
        for before, after in ((str(built), str(out)), (json.dumps(str(built), ensure_ascii=False)[1:-1],
                                                            json.dumps(str(out), ensure_ascii=False)[1:-1])):
            connection.execute("UPDATE imports SET source = replace(source, ?, ?)", (before, after))
            connection.execute("UPDATE audit_log SET new_value = replace(new_value, ?, ?) WHERE action = 'import'",
                               (before, after))


def _swap_in(built: Path, out: Path) -> None:
    """Put the whole new folder where `out` was: the old one renamed aside, the new one renamed in, the old removed."""
    old = _sibling(out, "old")
    if out.exists():
        os.replace(out, old)
    try:
        os.replace(built, out)
    except BaseException:
        if old.exists() and not out.exists():
            os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def run_demo(size: str = "city", seed: int = 2012, out: str | Path = "build/demo",
             policy_file: str | Path | None = None, say: Callable[[str], None] = print,
             timings: list | None = None) -> Rosters:
    """The main job on the demo city: generate its files, validate, link units to villages, pair cadres with
    households, rotate work teams, a year of records and plans, mid-year and year-end assessment, then the
    county workbooks, the published report and the dashboard. All is built in a folder beside `out` and put in
    its place only when whole (`out` is never left half-written); `timings` gets each step's (`Steps.timings`)."""
    out = Path(out)
    if out.name in ("", "..", "."):  # its sibling folders need a name to go by
        out = out.resolve()
    check_demo_folder(out)  # before minutes of work, not after
    policy = load_policy(policy_file)
    _remove_abandoned_folders(out)
    work = _sibling(out, "building")
    shown = lambda message: say(message.replace(str(work), str(out)))  # noqa: E731 — paths as they will be
    job = Steps(12, shown)
    background = Background()
    try:
        work.mkdir(parents=True)
        (work / DEMO_FOLDER_MARK).write_text("lianhu demo\n", encoding="utf-8")
        job.step("生成演示城市 / demo city")
        job.say(f"生成演示城市（{size}，种子 {seed}）/ generating the demo city")
        tables = demo_tables(size, seed)
        job.part("名册 写出 / rosters written")
        folder = work / "rosters"
        write_rosters(tables, folder)
        job.say(f"名册已写入 / rosters written: {folder}")

        job.step("载入并校验名册 / validating")
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RosterWarning)
            rosters = load_rosters(folder, policy=policy)
        job.say(f"载入并校验完毕 / loaded and validated in {time.perf_counter() - started:.1f} s: "
                + "，".join(f"{TABLES[n].zh} {len(t):,}" for n, t in rosters.tables().items())
                + f"；警告 {len(rosters.warnings)} 条")
        job.part("按县区汇总 / summary")
        summary = county_summary(rosters, policy, chinese=True)
        summary_path = work / "名册汇总.xlsx"
        with excel_writer(summary_path) as writer:
            write_frame(writer, summary, "按县区汇总")
        job.say(f"按县区汇总 / summary by county (also in {summary_path}):\n{summary.to_string(index=False)}")

        links, pairs, teams = _pairings(rosters, policy, work, job, background)
        _archives_and_assessment(rosters, links, pairs, teams, policy, work, job, background, size, seed)

        job.step("模板与示例 / template, examples")
        template = write_template(work / "名册模板.xlsx")
        broken = work / "问题名册示例"
        write_broken_rosters(broken)
        problems = write_problem_workbook(validate_paths(broken), work / "问题清单示例.xlsx")
        job.part("后台写出（等待）/ background writes (waited for)")
        background.finish()
        background.close()
        job.part("替换输出文件夹 / swapped in")
        _relocate_sources(work / "lianhu.sqlite", work, out)
        check_demo_folder(out)  # still a demo's (or none) after the minutes this took
        _swap_in(work, out)
    except BaseException:
        job.close(done=False)
        background.close(done=False)
        shutil.rmtree(work, ignore_errors=True)
        raise
    job.close()
    if timings is not None:
        timings.extend(job.timings)
    say(f"空白名册模板 / blank template: {out / template.relative_to(work)}")
    say(f"有问题的名册示例及其问题清单 / a broken roster and its problem list: {out / broken.relative_to(work)}, "
        f"{out / problems.relative_to(work)}")
    say(f"全部输出在 / everything is in {out}：各县区联村联户名单/、公开发布/、第二年/、领导看板.html、结对图.html、lianhu.sqlite")
    say("下一步 / next: make lab（JupyterLab，打开 notebooks/）· make dashboard（领导看板 / leadership dashboard，"
        "http://127.0.0.1:8866/）")
    return rosters


def demo_dashboard(size: str = "small") -> Dashboard:
    """The dashboard on a demo city's first year, with its mid-year and year-end assessments."""
    year = start_demo_year(size, assess=("2025H1", "2025"))
    return Dashboard(year.store, year.rosters)
