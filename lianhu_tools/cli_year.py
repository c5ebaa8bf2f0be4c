"""The living year's commands: `lianhu changes …` takes in a new year's roster and lists what changed, passes or
rejects each change's steps and writes the 公示名单 of the villages on notice; `lianhu repair` re-pairs after the
approvals; `lianhu warn` raises the early warnings and writes the must-visit lists; `lianhu trail` checks the
stored work records."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from .cli_common import _whole
from .errors import UsageError
from .changes.kinds import KINDS, STATES


def add_commands(sub, out_folder, db_help: str) -> None:
    """The `changes` command and its actions, on the parser's subcommands `sub`."""
    p = sub.add_parser("changes", help="名册变化及其办理（核查、评议、公示、审批）/ roster changes and their steps")
    actions = p.add_subparsers(dest="changes_command", required=True, metavar="ACTION")

    a = actions.add_parser("import", help="导入新一年的名册，列出变化 / take in a new roster and list what changed")
    a.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    a.add_argument("--out", type=out_folder, help="各县区的变化清单写到这里 / write each county's change list here")
    _common(a, db_help)
    a.set_defaults(run=_import)

    a = actions.add_parser("list", help="列出变化 / list the changes of the latest roster")
    a.add_argument("--state", choices=tuple(STATES), help="; ".join(f"{k} {v[0]}" for k, v in STATES.items()))
    a.add_argument("--kind", choices=tuple(KINDS), metavar="KIND", help="变化类别 / kind: " + ", ".join(KINDS))
    a.add_argument("--county", help="县区代码 / a county's code")
    a.add_argument("--out", type=out_folder, help="各县区的变化清单写到这里 / write each county's change list here")
    a.add_argument("--format", choices=("text", "json"), default="text")
    _common(a, db_help)
    a.set_defaults(run=_list)

    a = actions.add_parser("pass", help="办理一步（最后一步即审批）/ pass a step (the last one approves)")
    a.add_argument("step", help="步骤名称，如 核查、评议、公示、审批 / the step's name")
    _chosen(a)
    _common(a, db_help)
    a.set_defaults(run=_pass)

    a = actions.add_parser("reject", help="不予通过（变化不算数）/ reject: the changes do not count")
    _chosen(a)
    _common(a, db_help)
    a.set_defaults(run=_reject)

    a = actions.add_parser("notice", help="公示名单（按村，张贴用，不上网）/ the notice lists, a sheet per village, for the notice boards")
    a.add_argument("--out", type=out_folder, required=True)
    a.add_argument("--start", type=_date, default=dt.date.today(), help="公示开始日期 / the notice's first day (YYYY-MM-DD)")
    _common(a, db_help)
    a.set_defaults(run=_notice)


def add_repair_command(sub, out_folder, db_help: str) -> None:
    p = sub.add_parser("repair", help="审批后重新结对（保留仍有效的结对，只调整变化的）/ re-pair after approved changes, "
                                      "keeping every pairing still valid")
    p.add_argument("--out", type=out_folder, required=True,
                   help="联户方案.xlsx（可用 lianhu accept --pairs 采纳）和各县区调整名单 / the proposal and each county's 调整名单")
    p.add_argument("--solver", choices=("auto", "network", "cbc", "highs"), default="auto")
    _common(p, db_help)
    p.set_defaults(run=_repair)


def add_warn_command(sub, out_folder, db_help: str) -> None:
    p = sub.add_parser("warn", help="防返贫监测：预警和必访名单 / early warnings and the must-visit lists")
    p.add_argument("--period", required=True, help="期别 / period: 2025H2, 2026H1 …")
    p.add_argument("--as-of", type=_date, help="截至日期（默认期末）/ the day the warnings are raised on (default: the period's "
                                               "last day)")
    p.add_argument("--out", type=out_folder, required=True, help="各县区必访名单 / each county's must-visit lists")
    _common(p, db_help)
    p.set_defaults(run=_warn)


def add_trail_command(sub, out_file, db_help: str) -> None:
    p = sub.add_parser("trail", help="留痕核查：工作记录是否可信 / paper-trail checks on the stored work records")
    p.add_argument("--period", help="期别（默认全部）/ the period (default: every record)")
    p.add_argument("--out", type=out_file, help="核查结果 .xlsx：逐条发现、按干部和单位汇总 / findings and the summaries")
    _common(p, db_help)
    p.set_defaults(run=_trail)


def add_sample_command(sub, out_folder, out_file, db_help: str) -> None:
    p = sub.add_parser("sample", help="抽样核查：抽样、抽查表、估计 / the sampled check: draw, survey sheets, estimates")
    actions = p.add_subparsers(dest="sample_command", required=True, metavar="ACTION")
    a = actions.add_parser("draw", help="抽样并写出各县区抽查表 / draw a sample and write each county's survey sheet")
    a.add_argument("--period", required=True, help="期别 / period: 2025, 2026H1 …")
    a.add_argument("--per-county", type=_whole(1, 100_000, "每个县区的抽样户数"), required=True,
                   help="每个县区抽多少户 / households per county")
    a.add_argument("--seed", type=_whole(0, 2**32 - 1, "随机种子"), default=2012,
                   help="随机种子（同一种子抽到同样的户）/ the seed: the same draws the same")
    a.add_argument("--out", type=out_folder, required=True)
    _common(a, db_help)
    a.set_defaults(run=_sample_draw)
    a = actions.add_parser("import", help="导入填好的抽查表（全部或全不）/ the filled survey sheets, all or nothing")
    a.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    a.add_argument("--sample", type=int, help="抽样编号（默认最近一次）/ the sample (default: the latest)")
    _common(a, db_help)
    a.set_defaults(run=_sample_import)
    a = actions.add_parser("estimate", help="各县区识别准确率、退出准确率、满意度（95%% 置信区间）/ the estimates per county")
    a.add_argument("--sample", type=int)
    a.add_argument("--out", type=out_file, help="估计结果 .xlsx")
    _common(a, db_help)
    a.set_defaults(run=_sample_estimate)


def _common(parser, db_help: str) -> None:
    parser.add_argument("--policy-file", type=Path, help="政策文件：办理步骤、公示天数、贫困线 / steps, notice days, lines")
    parser.add_argument("--db", default=None, help=db_help)


def _chosen(parser) -> None:
    parser.add_argument("--ids", type=int, nargs="+", default=[], metavar="N", help="变化编号 / change numbers")
    parser.add_argument("--kind", choices=tuple(KINDS), metavar="KIND", help="该类别、处于这一步的全部变化 / every change of "
                                                                              "this kind at this step")
    parser.add_argument("--county", help="只办该县区的 / only this county's (with --kind)")
    parser.add_argument("--on", type=_date, default=dt.date.today(), help="办理日期（会议、公示期满之日）/ the day it was done")
    parser.add_argument("--reason", required=True, help="理由或依据（会议、核查结论）/ the reason")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"须为日期 YYYY-MM-DD / must be a date YYYY-MM-DD, not {text!r}") from None


def _policy_and_store(args, create: bool = False):
    from .cli_common import _policy, _store

    return _policy(args.policy_file), _store(args, create=create)


def _import(args) -> int:
    from .cli_common import _existing, _load
    from .changes.sheets import write_change_lists

    rosters, policy = _load(_existing(args.paths), args.policy_file)
    _, store = _policy_and_store(args)
    received = store.receive_rosters(rosters, policy, ", ".join(map(str, args.paths)))
    changes = received.changes
    counts = changes["kind"].value_counts()
    print(f"收到的名册（导入 {received.received}）与库中名册（导入 {received.base}）相比 / the roster received against the store's:")
    for kind in KINDS:
        if counts.get(kind):
            print(f"  {KINDS[kind].zh} / {KINDS[kind].en}: {counts[kind]:,}")
    print(f"共 {len(changes):,} 项变化；{received.carried:,} 项沿用此前已办理的步骤，{received.applied:,} 项无需办理、已生效 / "
          f"{len(changes):,} changes; {received.carried:,} keep the steps they had passed, {received.applied:,} need no step")
    if args.out:
        written = write_change_lists(changes, store.rosters(received.received), store.rosters(received.base), args.out)
        print(f"变化清单 / change lists: {len(written)} 个文件 → {args.out}")
    return 0


def _list(args) -> int:
    from .cli_common import _for_people
    from .changes.sheets import change_table, write_change_lists

    policy, store = _policy_and_store(args)
    changes = store.roster_change_list(policy, args.state)
    if changes.empty:
        print("没有名册变化（先用 lianhu changes import 导入新名册）/ no roster changes (lianhu changes import takes a new roster)")
        return 0
    if args.kind:
        changes = changes[changes["kind"] == args.kind]
    if args.county:
        changes = changes[changes["county_code"] == args.county]
    received, base = int(changes["received"].iloc[0]) if len(changes) else 0, int(changes["base"].iloc[0]) if len(changes) else 0
    if args.out:
        written = write_change_lists(changes, store.rosters(received), store.rosters(base), args.out) if len(changes) else []
        print(f"变化清单 / change lists: {len(written)} 个文件 → {args.out}")
        return 0
    if args.format == "json":
        print(changes.drop(columns=["before", "after"]).to_json(orient="records", force_ascii=False, date_format="iso"))
        return 0
    print(_for_people(change_table(changes, store.rosters(received), store.rosters(base))) if len(changes) else "没有 / none")
    return 0


def _ids(args, store, policy, step: str | None) -> list[int]:
    """The changes chosen: --ids, and/or every open change of --kind (in --county) at `step`."""
    if not args.ids and not args.kind:
        raise UsageError("须给出 --ids 或 --kind / give --ids or --kind")
    if args.county and not args.kind:
        raise UsageError("--county 须与 --kind 同用 / --county goes with --kind")
    ids = list(args.ids)
    if args.kind:
        listed = store.roster_change_list(policy, "open")
        mine = listed[(listed["kind"] == args.kind) & ((listed["next_step"] == step) if step else True)]
        if args.county:
            mine = mine[mine["county_code"] == args.county]
        ids += mine["id"].astype(int).tolist()
        if mine.empty:
            raise UsageError(f"没有处于“{step or '办理中'}”的{KINDS[args.kind].zh} / no {args.kind} change at this step")
    return ids


def _pass(args) -> int:
    policy, store = _policy_and_store(args)
    steps = [step for group in ("households", "people", "details") for step in policy.change_steps(group)]
    if args.step not in steps:
        raise UsageError(f"没有“{args.step}”这一步；政策的步骤是 {'、'.join(dict.fromkeys(steps))} / no step {args.step}: the "
                         f"policy's steps are {', '.join(dict.fromkeys(steps))}")
    done = store.pass_step(_ids(args, store, policy, args.step), args.step, args.on, args.reason, policy)
    print(f"已通过“{args.step}”：{done['passed']:,} 项；审批生效 {done['approved']:,} 项，结束结对 {done['pairings_ended']:,} 对 / "
          f"passed {args.step}: {done['passed']:,}; approved {done['approved']:,}; pairings ended {done['pairings_ended']:,}")
    return 0


def _reject(args) -> int:
    policy, store = _policy_and_store(args)
    count = store.reject_changes(_ids(args, store, policy, None), args.on, args.reason, policy)
    print(f"不予通过 {count:,} 项（名册仍按原样计）/ rejected {count:,}: the roster counts as it was")
    return 0


def _notice(args) -> int:
    from .changes.sheets import write_notices

    policy, store = _policy_and_store(args)
    changes = store.roster_change_list(policy, "open")
    if changes.empty:
        print("没有待公示的变化 / nothing on notice", file=sys.stderr)
        return 0
    received, base = int(changes["received"].iloc[0]), int(changes["base"].iloc[0])
    written = write_notices(changes, store.rosters(received), store.rosters(base), policy, args.out, args.start)
    print(f"公示名单 / notice lists: {len(written)} 个县区 → {args.out}（只张贴于村务公开栏，不上网 / for the villages' notice "
          f"boards only, never the website）" if written else "没有处于公示这一步的变化 / no change is at the notice step")
    return 0



def _repair(args) -> int:
    from .pairing.output import household_sheets, write_tables
    from .pairing.problem import PairingOptions
    from .pairing.repair import repair_households, write_adjustments

    policy, store = _policy_and_store(args)
    repaired = repair_households(store, policy, PairingOptions(engine=args.solver))
    proposal = Path(args.out) / "联户方案.xlsx"
    write_tables(household_sheets(repaired.result), proposal)
    written = write_adjustments(repaired.adjustments, Path(args.out) / "调整名单")
    counts = repaired.adjustments["change"].value_counts()
    print(f"保留结对 {repaired.kept:,} 对；结束 {counts.get('结束 / ends', 0):,}，接替 {counts.get('接替 / taken over', 0):,}，"
          f"新结对 {counts.get('新结对 / new', 0):,}；未覆盖 {len(repaired.result.uncovered):,} 户 / kept {repaired.kept:,} pairs; "
          f"{counts.get('结束 / ends', 0):,} end, {counts.get('接替 / taken over', 0):,} taken over, {counts.get('新结对 / new', 0):,} "
          f"new; {len(repaired.result.uncovered):,} households uncovered")
    print(f"方案 / proposal: {proposal}（lianhu accept --pairs {proposal} 采纳 / accept it）；调整名单 / adjustment lists: "
          f"{len(written)} 个县区 → {Path(args.out) / '调整名单'}")
    return 0


def _warn(args) -> int:
    from .cli_common import _period
    from .monitoring import household_warnings, level_counts, must_visit_sheets
    from .pairing.output import write_tables
    from .periods import last_day

    period = _period(args.period)
    policy, store = _policy_and_store(args)
    as_of = args.as_of or last_day(period)
    rosters = store.rosters()
    previous = store.previous_year_rosters()
    pairs, teams = store.current("pairings"), store.teams()
    flagged = household_warnings(rosters, policy, as_of, store.activities(), pairs, previous, store.plans())
    counts = store.save_warnings(period, flagged, as_of)
    standing = store.warnings(period)
    written = [path for county, sheets in must_visit_sheets(standing, rosters, teams, period).items()
               for path in write_tables(sheets, Path(args.out) / f"{county}_{_county_name(rosters, county)}_必访名单.xlsx")]
    table = level_counts(standing)
    print(f"{period} 预警（截至 {as_of}）/ warnings as of {as_of}: 新增 {counts['new']:,}，更新 {counts['updated']:,}，走访后消除 "
          f"{counts['cleared']:,}；未消除 {len(standing):,} 户 / {counts['new']:,} new, {counts['updated']:,} updated, "
          f"{counts['cleared']:,} cleared by a visit; {len(standing):,} open")
    for county, row in table.iterrows():
        print(f"  {_county_name(rosters, county)}: " + "，".join(f"{level} {row[level]:,}" for level in table.columns))
    print(f"必访名单 / must-visit lists: {len(written)} 个县区 → {args.out}")
    return 0


def _county_name(rosters, county: str) -> str:
    names = rosters.villages.drop_duplicates("county_code").set_index("county_code")["county_name"]
    return str(names.get(county, county))


def _trail(args) -> int:
    from .cli_common import _period
    from .pairing.output import write_tables
    from .paper_trail import CHECKS, findings_table, integrity_summary, trail_findings

    policy, store = _policy_and_store(args)
    records = store.activities(_period(args.period) if args.period else None)
    rosters = store.rosters()
    found = trail_findings(records, rosters, policy, store.ended_pairings())
    summary = integrity_summary(found, rosters)
    print(f"留痕核查 / paper-trail checks: {len(records):,} 条记录，{len(found):,} 项发现 / {len(records):,} records, "
          f"{len(found):,} findings")
    for check, (zh, en) in CHECKS.items():
        count = int((found["check"] == check).sum())
        if count:
            print(f"  {zh} / {en}: {count:,}")
    if args.out:
        names = {"cadre": "按干部汇总", "unit": "按单位汇总"}
        write_tables({"核查发现": findings_table(found, records, rosters),
                      **{names[kind]: table.rename(columns={c: CHECKS[c][0] for c in CHECKS}).reset_index()
                         for kind, table in summary.items()}}, args.out)
        print(f"核查结果 / findings: {args.out}")
    return 0


def _sample_draw(args) -> int:
    from .cli_common import _period
    from .pairing.output import write_tables
    from .sampling import draw_sample, sampling_frame, survey_sheets

    period = _period(args.period)
    policy, store = _policy_and_store(args)
    rosters = store.rosters()
    exited = set(store.roster_change_list(policy, "approved").query("kind == 'household_exit'")["subject_id"])
    drawn = draw_sample(sampling_frame(rosters, policy, exited), args.per_county, args.seed)
    sample_id = store.save_sample(period, args.seed, args.per_county, drawn, store.latest_import("rosters"))
    names = rosters.villages.drop_duplicates("county_code").set_index("county_code")["county_name"]
    written = [path for county, sheet in survey_sheets(drawn, rosters, store.current("pairings")).items()
               for path in write_tables({"抽查表": sheet}, Path(args.out) / f"{county}_{names[county]}_抽查表.xlsx")]
    print(f"抽样 {sample_id}：{len(drawn):,} 户（每县区 {args.per_county}，种子 {args.seed}）/ sample {sample_id}: {len(drawn):,} "
          f"households → {len(written)} 个县区抽查表 {args.out}")
    return 0


def _sample_import(args) -> int:
    from .sampling import read_survey

    _, store = _policy_and_store(args)
    info, drawn = store.sample(args.sample)
    answers = read_survey(args.paths, drawn, set(store.sample_answers(info["sample_id"])["household_id"]))
    store.save_answers(info["sample_id"], answers, ", ".join(map(str, args.paths)))
    print(f"已导入抽样 {info['sample_id']} 的 {len(answers):,} 户答卷 / {len(answers):,} answers of sample {info['sample_id']}")
    return 0


def _sample_estimate(args) -> int:
    from .pairing.output import write_tables
    from .sampling import estimates

    _, store = _policy_and_store(args)
    info, drawn = store.sample(args.sample)
    table = estimates(drawn, store.sample_answers(info["sample_id"]))
    if table.empty:
        print("还没有答卷（lianhu sample import）/ no answers yet")
        return 0
    names = store.rosters().villages.drop_duplicates("county_code").set_index("county_code")["county_name"]
    shown = table.assign(county=table["county_code"].map(names))
    for row in shown.itertuples():
        print(f"  {row.county} {row.label}: {row.share:.1%}（{row.yes}/{row.asked}，95% 置信区间 {row.low:.1%}–{row.high:.1%}）")
    if args.out:
        write_tables({"抽样估计": shown.rename(columns={"county": "县区", "label": "估计", "asked": "调查户数", "yes": "是",
                                                   "share": "比例", "low": "95%下限", "high": "95%上限"})
                      [["县区", "估计", "调查户数", "是", "比例", "95%下限", "95%上限"]]}, args.out)
        print(f"估计结果 / estimates: {args.out}")
    return 0
