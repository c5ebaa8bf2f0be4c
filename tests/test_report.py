"""Publication: the seed's report and the rankings, read only from what an assessment froze; nothing personal
in any published file."""

import re
from dataclasses import replace

import pandas as pd
import pytest

from lianhu_tools.assessment import run_assessment
from lianhu_tools.errors import PersonalDataLeak
from lianhu_tools.personal_data import check_no_personal_data
from lianhu_tools.report import publish, seed_report

from conftest import V1, record


def published_report(folder) -> pd.DataFrame:
    return pd.read_excel(next(folder.glob("考核结果_*.xlsx")), sheet_name=None, engine="calamine")


def test_a_late_import_and_an_adjustment_republish_the_frozen_numbers(store, tmp_path):
    store, rosters = store
    assessment = run_assessment(store, "2025", rosters)
    publish(store, assessment, rosters, tmp_path / "first")
    late = [record("单位", "U1", "村", V1, "资金", "2025-11-20", quantity=90000),
            record("干部", "C2", "户", "H2", "走访", "2025-12-01", days=2)]
    store.add_activities(pd.DataFrame(late).assign(record_id=["L1", "L2"]), source="late diary")
    store.save_pairings(pd.DataFrame({"cadre_id": ["C2"], "household_id": ["H1"]}), 2025, "confirmed")
    store.adjust(assessment, "cadre", "C2", 10, "抽查补录走访记录")
    publish(store, assessment, rosters, tmp_path / "again")
    first, again = published_report(tmp_path / "first"), published_report(tmp_path / "again")
    assert again["工作报告"].equals(first["工作报告"]) and again["工作统计"].equals(first["工作统计"])
    assert "落实帮扶资金50,000元" in again["工作报告"].iloc[1, 0]  # not the 140,000 stored since
    before, after = (book["干部排名"].set_index("编号") for book in (first, again))
    assert after.loc["C2", "人工调整"] == 10 and after.loc["C2", "总分"] == before.loc["C2", "总分"] + 10
    assert seed_report(store, "2025")[0][1] != first["工作报告"].iloc[1, 0]  # the live report does see them


def test_an_assessment_freezes_its_whole_inputs_record(store):
    store, rosters = store
    store.save_teams(pd.DataFrame({"period": ["2025H2"], "unit_id": ["U1"], "village_code": [V1], "cadre_id": ["C2"]}))
    frozen = store.assessment(run_assessment(store, "2025", rosters))["frozen"]
    assert frozen["teams"]["cadre_id"] == ["C2"]  # read from the store, not left to the caller
    inputs = frozen["inputs"]
    assert inputs["roster_import"] == store.latest_import("rosters") and inputs["activity_imports"] == [2]
    assert inputs["records"] == 13 and inputs["policy"]["max_km"] == 60 and inputs["plan_imports"] == []
    assert frozen["totals"]["funds_yuan"] == 50000 and frozen["totals"]["visits"] == 11


def test_published_rankings_and_report_carry_no_household_data(store, tmp_path):
    store, rosters = store
    assessment = run_assessment(store, "2025", rosters)
    written = publish(store, assessment, rosters, tmp_path / "public")
    assert {p.name for p in written} == {"考核结果_2025.xlsx", "考核结果_2025.html"}
    page = (tmp_path / "public" / "考核结果_2025.html").read_text(encoding="utf-8")
    assert "cdn" not in page.lower() and not (tmp_path / "public" / "plotly.min.js").exists()  # one file, alone
    assert not re.search(r"\b(src|href)\s*=", page, re.I)
    assert "王五" in page and "中共秦州区委" in page  # cadres and units are published
    for household in rosters.households.itertuples():
        for secret in (household.id_number, household.phone, household.head_name):
            assert not isinstance(secret, str) or secret not in page
    text, figures = seed_report(store, "2025")
    assert text[0].startswith("2025年，全市2名领导干部、2个单位0名工作队员，共联系了2个村")
    assert "落实帮扶资金50,000元" in text[1]
    leaked = tmp_path / "leak.html"
    leaked.write_text(f"<table><tr><td>{rosters.households['head_name'].iloc[0]}</td></tr></table>", encoding="utf-8")
    with pytest.raises(PersonalDataLeak, match="personal data"):
        check_no_personal_data([leaked], rosters)

def test_assess_and_report_commands(store, tmp_path, capsys):
    from lianhu_tools.cli import main

    store, rosters = store
    db = str(store.url.database)
    assert main(["assess", "--period", "2025", "--out", str(tmp_path / "pub"), "--db", db]) == 0
    assert (tmp_path / "pub" / "考核结果_2025.html").exists() and "已冻结" in capsys.readouterr().out
    cadres = published_report(tmp_path / "pub")["干部排名"]
    assert {"每户走访次数（实际）", "每户走访次数（得分）"} <= set(cadres.columns) and set(cadres["并列"].dropna()) <= {"并列"}
    assert cadres.set_index("编号").loc["C1", ["每户走访次数（实际）", "每户走访次数（得分）"]].tolist() == [4, 40]
    assert (cadres["并列"] == "并列").sum() == cadres["全市排名"].duplicated(keep=False).sum()
    page = (tmp_path / "pub" / "考核结果_2025.html").read_text(encoding="utf-8")
    assert "<td>50,000</td>" in page  # the funds as people write them, not 50000.0
    assert main(["report", "--period", "2025", "--out", str(tmp_path / "rep"), "--db", db]) == 0
    assert "共联系了2个村" in (tmp_path / "rep" / "工作报告.txt").read_text(encoding="utf-8")
    broken = tmp_path / "指标.yaml"
    broken.write_text("grades: {}\n", encoding="utf-8")
    assert main(["assess", "--period", "2025", "--out", str(tmp_path / "x"), "--db", db, "--indicators", str(broken)]) == 1

def test_leaked_numbers_are_found_whatever_surrounds_them(store, tmp_path):
    _, rosters = store
    household = rosters.households.iloc[0]
    number, phone = household.id_number, household.phone
    wide = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    for text in (f"<p>身份证{number.lower()}号</p>", f"<td>电话:{phone}</td>", f"<td>档案局-{number}</td>",
                 f"<td>{number[:6]} {number[6:14]} {number[14:]}</td>", f"<td>{wide}</td>", f"<td>+86{phone}</td>",
                 f"<td>86-{phone}</td>", f"<td>{phone[:3]}-{phone[3:7]}-{phone[7:]}</td>", f"<td>0{phone}</td>",
                 f"<td>1{number}</td>", f"<td>站（{phone[:3]}—{phone[3:7]}—{phone[7:]}）</td>"):
        leaked = tmp_path / "leak.html"
        leaked.write_text(text, encoding="utf-8")
        with pytest.raises(PersonalDataLeak, match="personal data"):
            check_no_personal_data([leaked], rosters)

def test_a_name_inside_a_text_published_by_design_is_no_leak(store, tmp_path):
    """Two-character names hide inside ordinary words: 康建 inside the report's own 党员小康建设户, 王峰 inside a
    school of 王峰镇. Those are no leak; the same name in a unit's own name is."""
    from dataclasses import replace

    _, rosters = store
    households = rosters.households.copy()
    households["head_name"] = ["康建", "王峰", "赵六"]
    villages = rosters.villages.copy()
    villages["township_name"] = "王峰镇"
    rosters = replace(rosters, households=households, villages=villages)
    page = tmp_path / "p.html"
    page.write_text("<p>党员小康建设户1户</p><table><tr><td>武山县王峰镇中心小学</td><td>王峰镇</td></tr></table>",
                    encoding="utf-8")
    check_no_personal_data([page], rosters)
    page.write_text("<table><tr><td>王峰种植专业合作社</td></tr></table>", encoding="utf-8")
    with pytest.raises(PersonalDataLeak, match="王峰种植专业合作社"):
        check_no_personal_data([page], rosters)
    check_no_personal_data([page], rosters, allowed=["王峰"])
    for written in ("王 峰帮扶站", "王\u3000峰帮扶站", "王\u200b峰帮扶站", "王·峰帮扶站", "走访王峰户次数"):
        page.write_text(f"<table><tr><td>{written}</td></tr></table>", encoding="utf-8")
        with pytest.raises(PersonalDataLeak):
            check_no_personal_data([page], rosters)
    households["head_name"] = ["康建", "孫　寶", "赵六"]  # padded with a full-width space, in traditional characters
    page.write_text("<table><tr><td>孙宝种植合作社</td></tr></table>", encoding="utf-8")
    with pytest.raises(PersonalDataLeak):
        check_no_personal_data([page], replace(rosters, households=households))


def test_adjust_command_needs_a_reason_and_republishes(store, tmp_path, capsys):
    from lianhu_tools.cli import main

    store, rosters = store
    db = str(store.url.database)
    assessment = run_assessment(store, "2025", rosters)
    common = ["adjust", "--assessment", str(assessment), "--kind", "cadre", "--points", "10", "--out", str(tmp_path / "p"),
              "--db", db]
    assert main(common + ["--subject", "C2", "--reason", " "]) == 2
    assert main(common + ["--subject", "C9", "--reason", "核实"]) == 2
    assert main(common + ["--subject", "C2", "--reason", "抽查补录走访记录"]) == 0
    assert published_report(tmp_path / "p")["干部排名"].set_index("编号").loc["C2", "总分"] == 53


def test_a_head_named_inside_a_unit_name_stops_publication_and_nothing_is_stored(store, tmp_path, capsys):
    """A unit named after a household head: found inside the longer text; the assessment is not stored, nothing
    is published (or left staged beside it) until the planner lists the reviewed namesake in the policy."""
    from lianhu_tools.cli import main

    store, rosters = store
    units = rosters.units.copy()
    units.loc[0, "unit_name"] = f"{rosters.households['head_name'].iloc[0]}种植专业合作社"
    store.save_rosters(replace(rosters, units=units))
    db, out = str(store.url.database), tmp_path / "公开发布"
    assert main(["assess", "--period", "2025", "--out", str(out), "--db", db]) == 1
    said = capsys.readouterr().err
    assert "种植专业合作社" in said and "publication_allowed_names" in said
    assert store.assessments().empty and not list(out.glob("*"))
    assert not [p for p in tmp_path.iterdir() if "publishing" in p.name]  # the staging beside it is gone too
    allowed = tmp_path / "政策.yaml"
    allowed.write_text(f"publication_allowed_names: [{rosters.households['head_name'].iloc[0]}]\n", encoding="utf-8")
    assert main(["assess", "--period", "2025", "--out", str(out), "--db", db, "--policy-file", str(allowed)]) == 0
    assert len(store.assessments()) == 1 and (out / "考核结果_2025.xlsx").exists()


def test_a_leak_found_on_republishing_stores_no_adjustment(store, tmp_path, capsys):
    from lianhu_tools.cli import main

    store, rosters = store
    assessment = run_assessment(store, "2025", rosters)
    households = rosters.households.copy()
    households.loc[0, "head_name"] = "市财"  # a later snapshot: a head named like part of a published unit name
    store.save_rosters(replace(rosters, households=households))
    code = main(["adjust", "--assessment", str(assessment), "--kind", "cadre", "--subject", "C2", "--points", "5",
                 "--reason", "补录", "--out", str(tmp_path / "p"), "--db", str(store.url.database)])
    assert code == 1 and "未发布" in capsys.readouterr().err
    assert store.assessment(assessment)["adjustments"].empty and not list((tmp_path / "p").glob("*"))


def test_no_report_for_a_period_without_records(store, tmp_path, capsys):
    from lianhu_tools.cli import main

    store, _ = store
    assert main(["report", "--period", "2030", "--out", str(tmp_path / "rep"), "--db", str(store.url.database)]) == 1
    assert "没有任何工作记录" in capsys.readouterr().err and not (tmp_path / "rep").exists()
