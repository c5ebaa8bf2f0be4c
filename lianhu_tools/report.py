"""The seed's report from data, and publication: rankings and report as Excel and one offline HTML page.

Published outputs carry cadres and units only — never a household's ID number, phone or head's
name (`check_no_personal_data` is run on every file written here).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from .rollup import rollup
from .assessment import SUBJECTS, ranked
from .assessment.indicators import grade_order
from .assessment.rank import MEASURED, RULE_EN, RULE_ZH
from .figures.dashboard import DashboardData
from .figures.pages import write_page
from .figures.published_page import ranking_page
from .figures.theme import county_order
from .periods import is_half, period_label, within
from .personal_data import check_no_personal_data
from .rosters import Rosters
from .schema import OUTCOMES
from .tables import atomic_write, excel_writer, write_frame

HEADERS = {"subject_id": "编号", "name": "名称", "unit_name": "单位", "county_name": "县区", "adjustment": "人工调整",
           "total": "总分", "grade": "等次", "rank_city": "全市排名", "rank_county": "县区内排名"}


def seed_report(store, period: str) -> tuple[list[str], pd.DataFrame]:
    """The seed's two summary paragraphs with the numbers of `period` (2025H1 or 2025) as the store holds them
    now (current pairings, links and teams, every record), and the numbers as a table."""
    columns = ["village_code", "actor_kind", "actor_id", "kind", "quantity", "days"]
    totals = rollup(store.activities(period, columns), "city").sum(numeric_only=True)
    return report_text(period, store.current("pairings"), store.current("links"), store.teams(), totals.to_dict())


def report_text(period: str, pairs: pd.DataFrame, links: pd.DataFrame, teams: pd.DataFrame,
                totals: dict[str, float]) -> tuple[list[str], pd.DataFrame]:
    """The seed's two paragraphs from the pairings, links, work teams and outcome totals given."""
    members = teams.loc[within(teams["period"].astype(str), period), "cadre_id"].nunique() if len(teams) else 0
    figures = {"领导干部（名）": pairs["cadre_id"].nunique(), "联村单位（个）": links["unit_id"].nunique(),
               "工作队员（名）": members, "联系村（个）": links["village_code"].nunique(),
               "党员小康建设户（户）": int((pairs["pool"] == "party").sum()),
               "贫困户（户）": int((pairs["pool"] == "poor").sum())}
    figures |= {label: float(totals.get(column, 0)) for column, label in OUTCOMES.values()}
    n = {key: f"{value:,.0f}" for key, value in figures.items()}
    text = [
        f"{period_label(period)}，全市{n['领导干部（名）']}名领导干部、{n['联村单位（个）']}个单位{n['工作队员（名）']}名工作队员，"
        f"共联系了{n['联系村（个）']}个村，党员小康建设户{n['党员小康建设户（户）']}户，贫困户{n['贫困户（户）']}户。",
        f"各级领导干部和部门单位共为基层和群众办实事{n['办实事（件）']}件，落实帮扶资金{n['帮扶资金（元）']}元，"
        f"举办农村实用技术培训班{n['培训班（期）']}期，培训基层干部群众{n['培训群众（人次）']}人（次），"
        f"赠送农业科技资料{n['发放技术资料（册）']}册，发展党员{n['发展党员（名）']}名，"
        f"培养致富带头人{n['培养致富带头人（名）']}名，帮助争取和落实项目{n['争取项目（项）']}项。",
    ]
    return text, pd.DataFrame({"项目": list(figures), "数量": list(figures.values())})


def publish(store, assessment_id: int, rosters: Rosters, out_dir: str | Path) -> list[Path]:
    """Rankings and the report for the city website, from what the assessment froze and nothing else (records
    imported or pairings changed since do not change it): Excel, and one self-contained HTML page that works
    offline and alone (`figures.published_page`). Checked for household personal data before anything is
    published."""
    return publish_run(store, store.assessment(assessment_id), rosters, out_dir)


def publish_run(store, run: dict, rosters: Rosters, out_dir: str | Path, keep: Callable[[], object] | None = None
                ) -> list[Path]:
    """Publish `run` (shaped as `store.assessment` returns one). The files are written and checked beside
    `out_dir`; then `keep()` runs (storing the run or its adjustment: nothing is stored when the check fails),
    and only then do they move in."""
    out = Path(out_dir)
    period, frozen, system = run["period"], run["frozen"], run["indicators"]
    tables = {kind: _public(table, system, kind) for kind, table in ranked(run).items()}
    text, figures = report_text(period, pd.DataFrame(frozen["pairs"]), pd.DataFrame(frozen["links"]),
                                pd.DataFrame(frozen["teams"]), frozen_totals(store, run))
    out.parent.mkdir(parents=True, exist_ok=True)
    _clear_stale_staging(out)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-publishing-{os.getpid()}-", dir=out.parent))  # beside it:
    # never inside the published folder, and moved in only once checked
    try:
        excel, page = staging / f"考核结果_{period}.xlsx", staging / f"考核结果_{period}.html"
        with excel_writer(excel) as writer:
            write_frame(writer, pd.DataFrame({"工作报告": text}), "工作报告")
            write_frame(writer, figures, "工作统计")
            for kind, table in tables.items():
                write_frame(writer, table, f"{SUBJECTS[kind]}排名")
        page.write_text(ranking_page(period, text, figures, tables, {kind: SUBJECTS[kind] for kind in tables},
                                     grade_order(system), county_order(rosters.villages),
                                     _notes(system, period, list(tables)), excel.name), encoding="utf-8")
        policy = frozen.get("inputs", {}).get("policy", {})  # the reviewed namesakes of the run's own policy
        check_no_personal_data([excel, page], rosters, policy.get("publication_allowed_names", []))
        out.mkdir(exist_ok=True)  # before the run is kept: what follows it is two renames
        if keep:
            keep()
        for path in (excel, page):
            os.replace(path, out / path.name)
        return [out / excel.name, out / page.name]
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _clear_stale_staging(out: Path) -> None:
    """Staging folders beside `out` left by a publication that was killed (its process is gone)."""
    for folder in out.parent.glob(f".{out.name}-publishing-*"):
        pid = folder.name.removeprefix(f".{out.name}-publishing-").split("-")[0]
        if not pid.isdigit() or not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process, or a platform without signals
        return True
    return True


def frozen_totals(store, stored: dict) -> dict[str, float]:
    """The outcome totals an assessment froze (one stored before this program froze them: recomputed from the
    period's records as the store holds them now)."""
    frozen = stored["frozen"]
    if "totals" in frozen:
        return frozen["totals"]
    records = store.activities(stored["period"], ["village_code", "actor_kind", "actor_id", "kind", "quantity", "days"])
    return rollup(records, "city").sum(numeric_only=True).to_dict()


def _public(table: pd.DataFrame, system: dict, kind: str) -> pd.DataFrame:
    """A ranking as published: each indicator's measured value （实际） beside its points （得分）, ranks with 并列
    beside them where shared (ranked as assessment.rank says)."""
    items = system[kind]["indicators"] + (system[kind].get("deductions") or [])
    columns = ["rank_city", "tied_city", "rank_county", "tied_county", "subject_id", "name",
               *(["unit_name"] if kind != "unit" else []), "county_name"]
    names = {}
    for i in items:
        columns += [MEASURED.format(i["id"]), i["id"]]
        names |= {MEASURED.format(i["id"]): f"{i['name']}（实际）", i["id"]: f"{i['name']}（得分）"}
    columns += ["adjustment", "total", "grade"]
    marks = {"tied_city": "并列", "tied_county": "县区内并列"}
    shown = table[columns].assign(**{c: table[c].map({True: "并列", False: ""}) for c in marks})
    return shown.rename(columns=HEADERS | names | marks)


def _notes(system: dict, period: str, kinds: list[str]) -> list[str]:
    """What the page says about its rankings: the rule, what the columns hold, each indicator's points and target."""
    share = 0.5 if is_half(period) else 1.0
    notes = [RULE_ZH, RULE_EN,
             "“（实际）”是实际完成的数值（如每户平均走访次数），“（得分）”是按指标体系折算的分数：达到目标值得满分，"
             "不足按比例得分；扣分项的“（实际）”是次数。早先保存的考核没有实际值，该列为空。"
             " (实际) is the measured value, (得分) the points it earns: full points at the target, in proportion below it."]
    for kind in kinds:
        targets = [i["target"] * (share if i.get("yearly", True) else 1) for i in system[kind]["indicators"]]
        parts = [f"{i['name']} {i['points']:g} 分（目标 {t:,.0f}）" if float(t).is_integer() else
                 f"{i['name']} {i['points']:g} 分（目标 {t:,.2f}）" for i, t in zip(system[kind]["indicators"], targets)]
        parts += [f"{i['name']} 每次扣 {i['points_each']:g} 分" for i in system[kind].get("deductions") or []]
        notes.append(f"{SUBJECTS[kind]}考核指标 / indicators：" + "；".join(parts) + "。")
    return notes


def write_dashboard_page(data: DashboardData, period: str | None, path: str | Path) -> Path:
    """The dashboard of `period` as one static page that works alone (plotly.js inline, nothing fetched). Checked
    for household personal data before it lands."""
    return write_page(path, data.page(period),
                      lambda page: check_no_personal_data([page], data.full_rosters(), data.policy.publication_allowed_names))
