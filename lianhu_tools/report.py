"""The seed's report from data, and publication: rankings and report as Excel and one offline HTML page.

Published outputs carry cadres and units only — never a household's ID number, phone or head's
name (`check_no_personal_data` is run on every file written here).
"""

from __future__ import annotations

import html
import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from .archives import rollup
from .assessment import SUBJECTS, ranked
from .assessment.indicators import grade_order
from .figures.dashboard import DashboardData
from .figures.theme import PAGE_FONT, bars, grade_colours
from .periods import assessment_label, period_label, within
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
    imported or pairings changed since do not change it): Excel, and an HTML page that works offline. Checked
    for household personal data before anything is published."""
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
        page.write_text(_page(period, text, figures, tables, grade_order(system)), encoding="utf-8")
        policy = frozen.get("inputs", {}).get("policy", {})  # the reviewed namesakes of the run's own policy
        check_no_personal_data([excel, page], rosters, policy.get("publication_allowed_names", []))
        write_plotly_js(out)  # before the run is kept: what follows it is two renames
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
    """A ranking as published: indicator columns named as points (they hold points, not the measure), ties
    marked 并列 beside their shared rank."""
    names = {i["id"]: f"{i['name']}（得分）" for i in system[kind]["indicators"] + (system[kind].get("deductions") or [])}
    table = table.round(1)
    table.insert(table.columns.get_loc("rank_city") + 1, "tied", table["rank_city"].duplicated(keep=False).map({True: "并列", False: ""}))
    return table.rename(columns=HEADERS | names | {"tied": "并列"})


def _page(period: str, text: list[str], figures: pd.DataFrame, tables: dict[str, pd.DataFrame], grades: list[str]) -> str:
    charts = []
    for kind, table in tables.items():
        counts = table.groupby(["县区", "等次"]).size().reset_index(name="人数")
        counts = counts.sort_values("等次", key=lambda g: g.map({grade: k for k, grade in enumerate(grades)}), kind="stable")
        figure = bars(counts, "县区", "人数", f"{SUBJECTS[kind]}考核等次（按县区）", "等次", grade_colours(grades), stacked=True)
        charts.append(figure.to_html(full_html=False, include_plotlyjs=False))
    sections = "".join(f"<h2>{SUBJECTS[kind]}排名</h2>{table.to_html(index=False, border=0, classes='ranking')}"
                       for kind, table in tables.items())
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>联村联户考核结果 · {period_label(period)}</title>
<script src="plotly.min.js"></script>
<style>body{{font-family:{PAGE_FONT};margin:2em;max-width:70em}}
table.ranking{{border-collapse:collapse}} table.ranking td,table.ranking th{{padding:2px 8px;border-bottom:1px solid #ddd}}</style>
</head><body><h1>联村联户考核结果 · {period_label(period)}（{assessment_label(period)}）</h1>{paragraphs}
{figures.to_html(index=False, border=0, classes='ranking', float_format=lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}")}{''.join(charts)}{sections}</body></html>"""


def write_plotly_js(folder: Path) -> None:
    """plotly.min.js beside the pages that load it: they work with no internet."""
    from plotly.offline import get_plotlyjs

    with atomic_write(Path(folder) / "plotly.min.js") as tmp:
        tmp.write_text(get_plotlyjs(), encoding="utf-8")


def write_dashboard_page(data: DashboardData, period: str | None, path: str | Path) -> Path:
    """The dashboard of `period` as one static page that works offline, plotly.min.js beside it. Checked for
    household personal data before it lands."""
    path = Path(path)
    with atomic_write(path) as tmp:
        tmp.write_text(data.page(period), encoding="utf-8")
        check_no_personal_data([tmp], data.rosters, data.policy.publication_allowed_names)
    write_plotly_js(path.parent)
    return path
