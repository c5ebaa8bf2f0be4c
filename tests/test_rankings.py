"""Rankings: the tie-break on a hand-built run (assessment.rank via `ranked`), and the published page of the small
demo — one self-contained file, measured values beside points, shared ranks marked 并列, names plain enough for
the personal-data check."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pandas as pd
import pytest

from lianhu_tools.assessment import ranked, results
from lianhu_tools.errors import PersonalDataLeak
from lianhu_tools.personal_data import check_no_personal_data
from lianhu_tools.report import publish

SYSTEM = {"cadre": {"indicators": [{"id": "a", "name": "甲", "points": 50, "measure": "visits_per_household", "target": 4},
                                   {"id": "b", "name": "乙", "points": 50, "measure": "days_per_household", "target": 10}],
                    "deductions": []},
          "grades": {"优秀": 90, "良好": 80, "一般": 70, "较差": 0}}


def hand_run(rows: list[tuple[str, str, float, float, float | None, float | None]]) -> dict:
    """A run of cadres (id, county, points a, points b, measured a, measured b), as `store.assessment` gives it."""
    scores = pd.DataFrame([(i, ind, points, value) for i, _, pa, pb, va, vb in rows
                           for ind, points, value in (("a", pa, va), ("b", pb, vb))],
                          columns=["subject_id", "indicator", "points", "value"]).assign(subject_kind="cadre")
    subjects = pd.DataFrame({"subject_kind": "cadre", "subject_id": [r[0] for r in rows], "name": [r[0] for r in rows],
                             "unit_name": "单位", "county_name": [r[1] for r in rows]})
    return {"indicators": SYSTEM, "scores": scores, "frozen": {"subjects": subjects.to_dict("list")},
            "adjustments": pd.DataFrame(columns=["subject_kind", "subject_id", "points"])}


def test_equal_totals_are_broken_by_the_first_indicator_then_measured_values_and_the_rest_share():
    table = ranked(hand_run([
        ("D", "乙县", 20, 20, 4, 4),   # 40, as C in every respect: shares C's rank
        ("B", "乙县", 30, 40, 2.4, 8),  # 70, as A, but fewer points on the first indicator
        ("A", "甲县", 40, 30, 3.2, 6),  # 70
        ("C", "甲县", 20, 20, 4, 4),   # 40
        ("E", "乙县", 20, 20, 5, 4),   # 40, more visits measured than C and D
    ]))["cadre"].set_index("subject_id")
    assert table["rank_city"].to_dict() == {"A": 1, "B": 2, "E": 3, "C": 4, "D": 4}  # competition ranks: no 5
    assert table.index.tolist() == ["A", "B", "E", "C", "D"]  # published in rank order, the tied by number
    assert table["tied_city"].to_dict() == {"A": False, "B": False, "E": False, "C": True, "D": True}
    assert table["rank_county"].to_dict() == {"A": 1, "C": 2, "B": 1, "E": 2, "D": 3}
    assert not table["tied_county"].any()  # C and D are in different counties
    assert table.loc["A", ["a", "a_measured", "total"]].tolist() == [40, 3.2, 70]


def test_a_run_stored_without_measured_values_still_ranks_on_points():
    table = ranked(hand_run([("A", "甲县", 40, 30, None, None), ("B", "甲县", 30, 40, None, None),
                             ("C", "甲县", 30, 40, None, None)]))["cadre"].set_index("subject_id")
    assert table["a_measured"].isna().all()
    assert table["rank_city"].to_dict() == {"A": 1, "B": 2, "C": 2} and table.loc["B", "tied_city"]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    from lianhu_tools.demo.pipeline import start_demo_year

    year = start_demo_year("small", tmp_path_factory.mktemp("year"), assess=("2025",))
    out = tmp_path_factory.mktemp("public") / "公开发布"
    written = publish(year.store, year.assessments["2025"], year.rosters, out)
    return year, out, written


def embedded(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="rankings">(.*?)</script>', page, re.S).group(1))


def test_the_published_page_stands_alone_small_with_measured_values_and_points(published):
    year, out, written = published
    assert sorted(p.name for p in out.iterdir()) == ["考核结果_2025.html", "考核结果_2025.xlsx"]  # no plotly.min.js
    page = (out / "考核结果_2025.html").read_text(encoding="utf-8")
    assert not re.search(r"\b(src|href)\s*=", page, re.I) and "@import" not in page and "url(" not in page
    assert "plotly" not in page.lower()
    tables = results(year.store, year.assessments["2025"])
    rows = sum(len(t) for t in tables.values())
    assert len(page.encode()) < 30_000 + 120 * rows  # the city's 33,000 rows: under 4 MB by this bound (1.4 measured)
    data = embedded(page)
    assert set(data) == set(tables)
    columns = data["cadre"]["columns"]
    for name in ("每户走访次数", "每户在村天数", "联系户数达到名额"):
        assert f"{name}（实际）" in columns and f"{name}（得分）" in columns
    cadres = tables["cadre"]
    assert data["cadre"]["text"][columns.index("名称")] == cadres["name"].tolist()  # names plain, in rank order
    assert "排名规则" in page and "并列" in page


def test_the_published_workbook_marks_shared_ranks(published):
    _, out, _ = published
    cadres = pd.read_excel(out / "考核结果_2025.xlsx", sheet_name="干部排名", engine="calamine")
    assert {"每户走访次数（实际）", "每户走访次数（得分）", "全市排名", "并列", "县区内排名", "县区内并列"} <= set(cadres.columns)
    shared = cadres["全市排名"].duplicated(keep=False)
    assert shared.any() and (cadres["并列"].fillna("") == shared.map({True: "并列", False: ""})).all()
    assert cadres["全市排名"].is_monotonic_increasing and cadres.loc[0, "全市排名"] == 1
    assert (cadres["全市排名"] == 1).sum() < 0.05 * len(cadres)  # no mass tie at the top
    tied = cadres[shared].groupby("全市排名")
    assert all((group[["总分", "每户走访次数（实际）", "每户在村天数（实际）"]].nunique() == 1).all() for _, group in tied)


def test_the_personal_data_check_reads_every_name_on_the_page(published):
    """The page's texts are plain: a household head named like a published unit is found on the page alone."""
    year, out, _ = published
    page = out / "考核结果_2025.html"
    check_no_personal_data([page], year.rosters)
    unit = year.rosters.units["unit_name"].iloc[-1]
    assert unit in page.read_text(encoding="utf-8")
    households = year.rosters.households.copy()
    households.loc[households.index[0], "head_name"] = unit
    with pytest.raises(PersonalDataLeak):
        check_no_personal_data([page], replace(year.rosters, households=households))
