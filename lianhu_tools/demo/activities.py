"""A year of demo work records (工作记录) for a paired city, and the county work diaries that hold them.

    links = match_villages(rosters).links
    pairs = match_households(rosters, links=links).pairs
    teams = rotate_teams(rosters, links, "2025H1", 2).schedule
    activities = generate_activities(links, pairs, teams, year=2025, seed=0)
    write_activity_workbooks(activities, rosters.villages, "out", households=rosters.households)

Each cadre visits his households, each unit works in its linked villages, each work-team member in
his village during his half year. The records are built as a plan — one row per pairing and kind of
work, with a realistic yearly count — whose rows are repeated by their counts (or resampled to an
exact number of records); dates, tasks, quantities, days and notes are then drawn for all records at
once, kind by kind. Not everyone works as hard: each cadre, unit and team member does a share of the
planned work (`EFFORT`, the same share for all his pairings), so that a year has people below target,
一般 and 较差 grades, and few ties.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..periods import check_half, year_of
from ..schema import ACTIVITIES
from ..tables import display_frame, excel_writer, write_frame
from . import text

SHEET_NAME = "工作记录"
EXCEL_MAX_ROWS = 1_048_576
NOTE_BLANK_SHARE = 0.15  # records typed without an evidence note
# Relative work per month: light at Spring Festival and in the summer harvest, busy in spring and autumn.
MONTH_WEIGHTS = (0.5, 0.6, 1.2, 1.4, 1.2, 0.9, 0.8, 0.8, 1.2, 1.4, 1.2, 0.8)


def uniform(low: int, high: int) -> dict[int, float]:
    """Every whole number from `low` to `high` equally likely."""
    return dict.fromkeys(range(low, high + 1), 1 / (high - low + 1))


@dataclass(frozen=True)
class Work:
    """One kind of record an actor makes for a target: how many a year (or half year) and their values."""

    kind: str  # ACTIVITY_KINDS key
    count: dict[int, float] | None  # records per pairing -> probability; None: as many as the work before
    tasks: dict[str, float]  # TASKS key -> probability
    quantity: tuple[int, int] = (1, 1)  # whole numbers, inclusive
    log_quantity: bool = False  # spread evenly on a log scale, rounded to 1,000 (funds in 元)
    days: dict[int, float] | None = None  # days in the village per record -> probability
    notes: tuple[str, ...] = ()


PHOTOS = tuple(f"照片{n}张" for n in range(2, 7))
VISIT_NOTES = ("入户走访记录表", "联系卡签字", "民情日记", *PHOTOS)

# About a fifth of cadre–household pairings fall short of 4 visits or 10 days a year.
CADRE_WORK = (
    Work("走访", {2: .03, 3: .07, 4: .18, 5: .26, 6: .25, 7: .21},
         {"宣传政策": .35, "增加收入": .3, "办实事": .25, "制定规划": .05, "强化培训": .05},
         days={1: .1, 2: .45, 3: .45}, notes=VISIT_NOTES),
)
UNIT_WORK = (
    Work("走访", {3: .04, 4: .06, 5: .08, 6: .14, 7: .18, 8: .2, 9: .16, 10: .14},
         {"宣传政策": .2, "制定规划": .2, "增加收入": .2, "夯实基础": .15, "办实事": .15, "培育典型": .1},
         days=uniform(3, 10), notes=("驻村工作日志", "座谈会记录", "村两委会议记录", *PHOTOS)),
    Work("办实事", uniform(2, 8), {"办实事": 1}, quantity=(1, 3),
         notes=("办实事台账", "群众签字确认单", *PHOTOS)),
    Work("资金", uniform(1, 4), {"资金扶持": 1}, quantity=(5_000, 200_000), log_quantity=True,
         notes=("资金拨付凭证", "银行转账回单", "资金使用公示")),
    Work("培训班", uniform(1, 4), {"强化培训": 1}, notes=("培训通知", "培训签到表", *PHOTOS)),
    Work("培训人次", None, {"强化培训": 1}, quantity=(20, 120), notes=("培训签到表",)),
    Work("发放资料", uniform(1, 3), {"强化培训": .6, "宣传政策": .4}, quantity=(50, 500),
         notes=("资料发放登记表",)),
    Work("争取项目", uniform(0, 2), {"增加收入": .6, "资金扶持": .4}, notes=("项目批复文件", "项目申报书")),
    Work("发展党员", {0: .4, 1: .4, 2: .2}, {"夯实基础": 1}, notes=("支部大会记录", "入党志愿书")),
    Work("培养致富带头人", uniform(0, 3), {"培育典型": 1}, notes=("致富带头人登记表", "典型事迹材料")),
    Work("其他", uniform(0, 2), {"制定规划": .7, "夯实基础": .3}, notes=("村发展规划", "工作会议记录")),
)
TEAM_WORK = (  # per half-year term
    Work("走访", uniform(4, 8),
         {"宣传政策": .25, "增加收入": .25, "办实事": .2, "夯实基础": .15, "制定规划": .15},
         days=uniform(3, 10), notes=("驻村工作日志", "民情日记", *PHOTOS)),
    Work("办实事", uniform(0, 3), {"办实事": 1}, notes=("办实事台账", "群众签字确认单")),
)
ALL_WORK = CADRE_WORK + UNIT_WORK + TEAM_WORK
# Share of the planned work an actor really does -> probability: most do it all, some fall short, a few
# hardly turn up (each planned record kept with this probability). On the default indicators about one
# cadre in eight ends below 优秀 and one in twenty 较差, as published results of real years show.
EFFORT = {1.0: .72, .9: .12, .75: .09, .6: .05, .35: .02}


def generate_activities(links: pd.DataFrame, pairs: pd.DataFrame, teams: pd.DataFrame | None = None,
                        year: int = 2025, seed: int = 0, rows: int | None = None) -> pd.DataFrame:
    """A year of work records, with the ACTIVITIES columns and canonical values.

    links: unit_id, village_code (units → villages); pairs: cadre_id, household_id (cadres → households);
    teams: period (2025H1), village_code, cadre_id — members in terms outside `year` are left out.
    rows: exactly this many records, the pairings' counts scaled up or down (at random, in proportion).
    """
    _require(links, ("unit_id", "village_code"), "links")
    _require(pairs, ("cadre_id", "household_id"), "pairs")
    if teams is not None:
        _require(teams, ("period", "village_code", "cadre_id"), "teams")
    plan_rng, record_rng, effort_rng = np.random.default_rng(seed).spawn(3)
    plan = _plan(links, pairs, teams, year, plan_rng)
    counts = _with_effort(effort_rng, plan)
    if rows is not None:
        counts = _rescale(plan_rng, counts, rows)
    return _records(plan, counts, year, record_rng)


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} 缺少列 / lacks columns: {', '.join(missing)}")


# ---------------------------------------------------------------- the plan: who works for whom, how often

def _plan(links: pd.DataFrame, pairs: pd.DataFrame, teams: pd.DataFrame | None, year: int,
          rng: np.random.Generator) -> pd.DataFrame:
    """One row per pairing and kind of work: actor, target, work (index into ALL_WORK), date window, count."""
    year_days = _days_in_year(year)
    links = links.drop_duplicates(["unit_id", "village_code"])
    parts = [
        _pairings(rng, "干部", pairs["cadre_id"], "户", pairs["household_id"], 0, year_days, CADRE_WORK),
        _pairings(rng, "单位", links["unit_id"], "村", links["village_code"], 0, year_days, UNIT_WORK),
    ]
    if teams is not None:
        terms = _terms(teams, year)
        parts.append(_pairings(rng, "工作队员", terms["cadre_id"], "村", terms["village_code"],
                               terms["first_day"], terms["end_day"], TEAM_WORK))
    return pd.concat(parts, ignore_index=True)


def _pairings(rng: np.random.Generator, actor_kind: str, actors: pd.Series, target_kind: str, targets: pd.Series,
              first_day, end_day, works: tuple[Work, ...]) -> pd.DataFrame:
    """Plan rows for every pairing (actor, target) and every work in `works`."""
    n = len(actors)
    first = next(k for k, w in enumerate(ALL_WORK) if w is works[0])  # works are consecutive in ALL_WORK
    frame = pd.DataFrame({"actor_kind": actor_kind, "actor_id": np.asarray(actors, dtype=str),
                          "target_kind": target_kind, "target_id": np.asarray(targets, dtype=str),
                          "first_day": np.broadcast_to(first_day, n), "end_day": np.broadcast_to(end_day, n)})
    parts = []
    for k, w in enumerate(works):
        count = _draw(rng, w.count, n) if w.count else parts[-1]["count"].to_numpy()  # e.g. people per class
        parts.append(frame.assign(work=first + k, count=count, copies=w.count is None, block=n))
    return pd.concat(parts, ignore_index=True)


def _with_effort(rng: np.random.Generator, plan: pd.DataFrame) -> np.ndarray:
    """The plan's counts as done: each actor's share of them (`EFFORT`, drawn once per actor), each planned
    record kept with that probability; a count that copies the work before (people per class) follows it."""
    actors = pd.MultiIndex.from_frame(plan[["actor_kind", "actor_id"]])
    codes, unique = pd.factorize(actors)
    share = _draw(rng, EFFORT, len(unique))[codes]
    counts = rng.binomial(plan["count"].to_numpy(), share)
    copied = np.flatnonzero(plan["copies"].to_numpy())
    counts[copied] = counts[copied - plan["block"].to_numpy()[copied]]  # the same pairing, the work before
    return counts


def _terms(teams: pd.DataFrame, year: int) -> pd.DataFrame:
    """Team members serving in `year`, with the days of their half year."""
    halves = teams["period"].astype(str).map({p: check_half(p) for p in teams["period"].astype(str).unique()})
    mid = (np.datetime64(f"{year}-07-01") - np.datetime64(f"{year}-01-01")).astype(int)
    second = halves.str.endswith("H2").to_numpy()
    return teams.assign(first_day=np.where(second, mid, 0),
                        end_day=np.where(second, _days_in_year(year), mid))[(halves.map(year_of) == year).to_numpy()]


def _rescale(rng: np.random.Generator, counts: np.ndarray, rows: int) -> np.ndarray:
    """Counts summing to exactly `rows`, drawn in proportion to the realistic counts."""
    if rows < 0:
        raise ValueError("rows cannot be negative")
    if counts.sum() == 0:
        if rows:
            raise ValueError("no pairings to make records for / 没有联系对象，无法生成记录")
        return counts
    return rng.multinomial(rows, counts / counts.sum())


# ---------------------------------------------------------------- the records

def _records(plan: pd.DataFrame, counts: np.ndarray, year: int, rng: np.random.Generator) -> pd.DataFrame:
    """The plan's rows repeated by `counts`, each with its own date, task, quantity, days and note."""
    take = np.repeat(np.arange(len(plan)), counts)
    work = plan["work"].to_numpy()[take]
    slot = np.arange(len(take)) - np.repeat(np.cumsum(counts) - counts, counts)  # the k-th record of its pairing
    day = _dates(rng, plan["first_day"].to_numpy()[take], plan["end_day"].to_numpy()[take], year, slot, counts[take])
    n = len(take)
    task, note = np.empty(n, dtype=object), np.empty(n, dtype=object)
    quantity, days = np.empty(n), np.full(n, np.nan)
    for k, w in enumerate(ALL_WORK):
        at = np.flatnonzero(work == k)
        task[at] = _draw(rng, w.tasks, len(at))
        quantity[at] = _quantities(rng, w, len(at))
        if w.days:
            days[at] = _draw(rng, w.days, len(at))
        note[at] = _notes(rng, w.notes, len(at))
    order = np.lexsort((take, day))  # by date, then by pairing
    kinds = np.array([w.kind for w in ALL_WORK], dtype=object)
    columns = {
        "record_id": _record_ids(year, n),
        "date": (np.datetime64(f"{year}-01-01") + day[order]).astype("datetime64[ns]"),
        **{c: plan[c].to_numpy()[take[order]] for c in ("actor_kind", "actor_id", "target_kind", "target_id")},
        "task": task[order], "kind": kinds[work[order]], "quantity": quantity[order], "days": days[order],
        "note": note[order],
    }
    frame = pd.DataFrame({f.name: columns[f.name] for f in ACTIVITIES.fields})
    return frame.astype({f.name: "str" for f in ACTIVITIES.fields if f.kind in ("id", "category", "text")})


def _draw(rng: np.random.Generator, choices: dict, n: int) -> np.ndarray:
    values = list(choices)
    p = np.array(list(choices.values()), dtype=float)
    return np.asarray(values)[rng.choice(len(values), size=n, p=p / p.sum())]


def _quantities(rng: np.random.Generator, w: Work, n: int) -> np.ndarray:
    low, high = w.quantity
    if w.log_quantity:
        return np.clip(np.round(np.exp(rng.uniform(np.log(low), np.log(high), size=n)), -3), low, high)
    return rng.integers(low, high + 1, size=n).astype(float)


def _notes(rng: np.random.Generator, notes: tuple[str, ...], n: int) -> np.ndarray:
    """An evidence note for most records, None for some."""
    picked = np.array(notes or ("",), dtype=object)[rng.integers(0, max(len(notes), 1), size=n)]
    picked[(rng.random(n) < NOTE_BLANK_SHARE) | (picked == "")] = None
    return picked


def _dates(rng: np.random.Generator, first_day: np.ndarray, end_day: np.ndarray, year: int,
           slot: np.ndarray | None = None, of: np.ndarray | None = None) -> np.ndarray:
    """A day of the year in [first_day, end_day) for each record, busier in spring and autumn; the `slot`-th of
    `of` records of a pairing in the slot-th of `of` equal shares of that work time (a cadre visiting twice
    comes once in each half year, not twice in March)."""
    cdf = np.concatenate([[0.0], np.cumsum(_day_weights(year))])
    share = rng.random(len(first_day)) if slot is None else (slot + rng.random(len(first_day))) / np.maximum(of, 1)
    u = cdf[first_day] + share * (cdf[end_day] - cdf[first_day])
    return np.clip(np.searchsorted(cdf, u, side="right") - 1, first_day, end_day - 1)


def _day_weights(year: int) -> np.ndarray:
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    month = days.astype("datetime64[M]").astype(int) % 12
    return np.array(MONTH_WEIGHTS)[month]


def _days_in_year(year: int) -> int:
    return int((np.datetime64(f"{year + 1}-01-01") - np.datetime64(f"{year}-01-01")).astype(int))


def _record_ids(year: int, n: int) -> np.ndarray:
    """R2025-0000001, R2025-0000002, …"""
    width = max(7, len(str(n)))
    return text.strings(text.constant(f"R{year}-", n), text.digits(np.arange(1, n + 1), width))


# ---------------------------------------------------------------- county work diaries

def write_activity_workbooks(activities: pd.DataFrame, villages: pd.DataFrame, folder: str | Path,
                             households: pd.DataFrame | None = None, counties: slice = slice(None)) -> list[Path]:
    """One work diary per county, `{county_code}_工作记录.xlsx`: a title row, the Chinese headers, the records.

    villages: village_code, county_code, county_name; households (household_id, village_code) place
    the records for households; `counties`: which of the counties (in code order) to write, e.g. slice(0, None, 2).
    Returns the paths written.
    """
    county = _county_of_target(activities, villages, households)
    names = villages.drop_duplicates("county_code").set_index("county_code")["county_name"]
    paths = []
    for code, part in list(activities.groupby(county.to_numpy(), sort=True))[counties]:
        years = "—".join(map(str, sorted(set(part["date"].dt.year))))
        path = Path(folder) / f"{code}_{SHEET_NAME}.xlsx"
        _write_diary(part, f"{names[code]} {years}年联村联户工作记录", path)
        paths.append(path)
    return paths


def _county_of_target(activities: pd.DataFrame, villages: pd.DataFrame,
                      households: pd.DataFrame | None) -> pd.Series:
    village = activities["target_id"].where(activities["target_kind"] == "村")
    if households is not None:
        home = households.set_index("household_id")["village_code"]
        village = village.fillna(activities["target_id"].map(home))
    county = village.map(villages.set_index("village_code")["county_code"])
    if county.isna().any():
        raise ValueError(f"{county.isna().sum()} 条记录的对象找不到所在县区（户的记录需提供 households）/ "
                         "records whose target has no known county (household records need `households`)")
    return county


def _write_diary(records: pd.DataFrame, title: str, path: Path) -> None:
    if len(records) > EXCEL_MAX_ROWS - 2:
        raise ValueError(f"{path.name}: {len(records)} 条记录超过Excel单表上限 / more records than an Excel sheet holds")
    shown = display_frame(records, ACTIVITIES)
    with excel_writer(path, date_format="yyyy-mm-dd", datetime_format="yyyy-mm-dd") as writer:
        book, sheet = writer.book, write_frame(writer, shown, SHEET_NAME, startrow=1)
        sheet.write_string(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
        sheet.freeze_panes(2, 0)
        as_text = book.add_format({"num_format": "@"})
        for i, f in enumerate(ACTIVITIES.fields):
            width = 18 if f.kind in ("id", "date") else 12
            sheet.set_column(i, i, width, as_text if f.kind == "id" else None)
