"""Figure pages that work alone (figures/pages.py): one file, plotly.js inside once, the figures' data intact and
checked for personal data before anything lands. Drawn in a browser by tests/test_browser.py."""

import json
import re

import plotly.graph_objects as go
import pytest
from standalone import assert_works_alone

from lianhu_tools.errors import PersonalDataLeak
from lianhu_tools.figures.pages import figure_page, plotly_js, write_figure_page, write_page
from lianhu_tools.personal_data import check_no_personal_data


def test_a_figure_page_is_one_file_with_its_figure_inside(tmp_path):
    figure = go.Figure(go.Bar(x=["秦州区", "麦积区"], y=[3, 4]), layout_title_text="覆盖 / covered")
    page = assert_works_alone(write_figure_page(figure, tmp_path / "图.html"))
    assert [p.name for p in tmp_path.iterdir()] == ["图.html"]
    assert "<title>覆盖 / covered</title>" in page
    (data,) = re.findall(r"<script type='application/json'>(.*?)</script>", page, re.DOTALL)
    assert json.loads(data)["data"][0]["x"] == ["秦州区", "麦积区"]
    again = write_figure_page(figure, tmp_path / "again.html")
    assert again.read_bytes() == (tmp_path / "图.html").read_bytes()  # the same figure, the same page


def test_text_in_a_figure_cannot_end_its_script():
    figure = go.Figure(layout_title_text="</script><script>alert(1)</script>")
    page = figure_page(figure, "t").replace(plotly_js(), "")
    assert "<script>alert(1)" not in page
    data = re.search(r"<script type='application/json'>(.*?)</script>", page, re.DOTALL).group(1)
    assert json.loads(data)["layout"]["title"]["text"] == "</script><script>alert(1)</script>"


def test_a_page_carrying_a_household_head_is_refused_and_not_written(rosters, tmp_path):
    """The check reads the page without plotly.js (the library, not data) but with every figure's text."""
    path = tmp_path / "看板.html"
    leaking = figure_page(go.Figure(layout_title_text="走访张三户"), "看板")  # 张三 heads a household
    seen = []

    def check(page):
        seen.append(page.read_text(encoding="utf-8"))
        check_no_personal_data([page], rosters)

    with pytest.raises(PersonalDataLeak):
        write_page(path, leaking, check)
    assert not path.exists() and list(tmp_path.glob(".*.tmp")) == []
    assert plotly_js() not in seen[0] and "Plotly.newPlot" in seen[0]
    write_page(path, figure_page(go.Figure(layout_title_text="走访农户"), "看板"), check)
    assert path.read_text(encoding="utf-8").count(plotly_js()) == 1
