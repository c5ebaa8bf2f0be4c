"""The plan editor: pick a subject, edit its plan, save — checked exactly as a plan file would be."""

import pytest


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from lianhu_tools.demo.pipeline import start_demo_year

    return start_demo_year("tiny", tmp_path_factory.mktemp("year"))


def test_plan_editor_edits_saves_a_version_and_refuses_bad_rows(year):
    from lianhu_tools.widgets.plans import PlanEditor

    editor = PlanEditor(year.store, year.rosters)
    village = year.links["village_code"].iloc[0]
    row = year.rosters.villages.set_index("village_code").loc[village]
    editor.county.value, editor.township.value, editor.village.value = row["county_code"], row["township_code"], village
    assert editor.subject() == ("村", village) and "措施" in editor.table.value.splitlines()[0]
    before = len(year.store.plans(history=True))
    lines = editor.table.value.splitlines()
    editor.table.value = "\n".join(lines + [f"村,{village},2026,强化培训,举办电商培训,,,,,60,"])
    editor.save_button.click()
    assert "已保存" in editor.message.value
    assert "举办电商培训" in set(year.store.plans().query("subject_id == @village")["measure"])
    editor.table.value = "\n".join(lines + [f"村,{village},2031,强化培训,太远的计划,,,,,,"])
    editor.save_button.click()
    assert "未保存" in editor.message.value and "联系期" in editor.message.value
    assert len(year.store.plans(history=True)) == before + len(lines)  # one version saved, the bad one not


def test_an_edited_table_is_read_as_a_plan_file_would_be():
    from lianhu_tools.widgets.plans import table_of_text

    pasted = "对象类型\t对象编号\t年度\t任务\t措施\n村\t620502101201\t2026\t增加收入\t种植花椒\n\n"
    assert table_of_text(pasted).values.tolist() == [["村", "620502101201", "2026", "增加收入", "种植花椒"]]
    assert table_of_text("").empty
