"""A roster change's steps (the policy's `change_steps`: 核查 → 评议 → 公示 → 审批 by default), in order, each
dated, by whom, with a reason; the last approves it. What may be passed is checked here, every problem at once."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ..policy import Policy
from .kinds import KINDS, STATES

REJECTED = "未通过"  # the step a rejection is recorded as


def steps_of(kind: str, policy: Policy) -> list[str]:
    return policy.change_steps(KINDS[kind].group)


def next_step(kind: str, passed: str | None, policy: Policy) -> str | None:
    """The step a change is at (None: all passed)."""
    steps = steps_of(kind, policy)
    done = steps.index(passed) + 1 if passed in steps else 0
    return steps[done] if done < len(steps) else None


def with_next_steps(changes: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """The changes with `next_step` (the step each is at; none once approved or rejected) and `last_step` (whether
    that step approves)."""
    at = [next_step(kind, step, policy) if state == "open" else None
          for kind, step, state in zip(changes["kind"], changes["step"], changes["state"])]
    last = [bool(s) and steps_of(kind, policy)[-1] == s for kind, s in zip(changes["kind"], at)]
    return changes.assign(next_step=at, last_step=last)


def step_problems(changes: pd.DataFrame, wanted: list[int], step: str, on: dt.date, reason: str, policy: Policy,
                  history: pd.DataFrame, today: dt.date, earliest: dt.date | None = None) -> list[str]:
    """Why `step` cannot be passed on `on` for the changes numbered `wanted` (empty: it can). `changes` holds every
    change (state, step, kind, received); `history` every step passed (change_id, step, done_on); `earliest`: the
    first day of the program's first term (no step is dated before it: a mistyped year)."""
    problems = [] if wanted or step == REJECTED else ["没有选出任何变化 / no change was chosen"]
    if not str(reason or "").strip():
        problems.append("须说明理由（如会议、核查结论）/ a reason is needed (the meeting, the finding)")
    if on > today:
        problems.append(f"日期 {on} 在今天之后 / the date {on} is after today")
    if earliest is not None and on < earliest:
        problems.append(f"日期 {on} 早于本轮联村联户开始的 {earliest}（年份写错了？）/ the date {on} is before the program's "
                        f"first term began ({earliest}): a mistyped year?")
    known = changes.set_index("id")
    missing = [i for i in wanted if i not in known.index]
    if missing:
        problems.append(f"没有这些变化编号 / no changes numbered: {', '.join(map(str, missing[:20]))}")
    notice, days = policy.notice
    last_done = history.sort_values("done_on").groupby("change_id")["done_on"].last() if len(history) else pd.Series(dtype=object)
    for i in [i for i in wanted if i in known.index]:
        row = known.loc[i]
        zh, en = f"变化 {i}（{KINDS[row['kind']].zh}）", f"change {i} ({row['kind']})"
        if row["state"] != "open":
            problems.append(f"{zh}已{STATES[row['state']][0].removeprefix('已')}，不能再办理 / {en} is {row['state']}: "
                            f"nothing more to pass")
            continue
        at = next_step(row["kind"], row["step"], policy)
        if at != step:
            problems.append(f"{zh}的下一步是“{at}”，不是“{step}” / {en}: its next step is {at}, not {step}")
            continue
        before = last_done.get(i)
        before = pd.Timestamp(before).date() if before is not None else None
        if before is not None and on < before:
            problems.append(f"{zh}：日期 {on} 早于上一步的 {before} / {en}: {on} is before its previous step ({before})")
        elif step == notice and before is not None and (on - before).days < days:
            problems.append(f"{zh}：公示须满 {days} 天（上一步 {before}，最早 {before + dt.timedelta(days=days)}）/ {en}: the "
                            f"notice must stand {days} days (from {before}: {before + dt.timedelta(days=days)} at the earliest)")
    return problems

