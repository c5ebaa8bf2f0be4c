"""The leadership dashboard in a real browser: Voilà serves the packaged notebook (lianhu_tools/app) on a
demo city's year, headless Chromium (Debian's, driven by Playwright through tests/browser.py) opens it and
changes the county; the headline and a chart must change to what the library computes, with nothing fetched
from the internet. Screenshots of the dashboard, the static dashboard page and the pairing map go to
build/screenshots (or LIANHU_SCREENSHOTS; `make screenshots` refreshes the README's). Skipped where there is
no Chromium, except in CI (LIANHU_REQUIRE_BROWSER=1, set by .ci/run, which installs it)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser import browser, choose, chromium, first_chart_x, serving, wait_for_dashboard
from test_dashboard import headline_numbers

pytestmark = pytest.mark.skipif(chromium() is None and not os.environ.get("LIANHU_REQUIRE_BROWSER"),
                                reason="no Chromium here (apt-get install chromium fonts-noto-cjk)")
SCREENSHOTS = Path(os.environ.get("LIANHU_SCREENSHOTS", "build/screenshots"))
LOCAL = ("http://127.0.0.1", "blob:", "data:", "file://", "about:")


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    from lianhu_tools.assessment import run_assessment
    from lianhu_tools.demo.pipeline import start_demo_year

    year = start_demo_year(os.environ.get("LIANHU_BROWSER_SIZE", "small"), tmp_path_factory.mktemp("year"))
    for period in ("2025H1", "2025"):
        year.assessments[period] = run_assessment(year.store, period, year.rosters)
    return year


@pytest.fixture(scope="module")
def chrome():
    with browser() as instance:
        yield instance


@pytest.fixture
def page(chrome):
    """A page that records every request leaving this machine."""
    page = chrome.new_page(viewport={"width": 1400, "height": 1900}, locale="zh-CN")  # the whole dashboard
    page.outside = []
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else page.outside.append(r.url))
    yield page
    page.close()


def headline(page) -> dict[str, str]:
    return {key: page.locator(f".{key}").inner_text() for key in ("covered", "villages", "members", "records")}


def test_dashboard_served_by_voila_follows_the_county_filter(year, page, capsys):
    from lianhu_tools.widgets.dashboard import Dashboard

    board = Dashboard(year.store)  # what the library says the page must show
    county_code, county = board.county.options[1][1], board.county.options[1][0]
    city = headline_numbers(board)
    board.county.value = county_code
    in_county = headline_numbers(board)
    assert in_county != city

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with serving(str(year.folder / "lianhu.sqlite")) as served:
        page.goto(served.url, wait_until="commit")
        wait_for_dashboard(page, served=served)
        assert headline(page) == city
        assert set(first_chart_x(page)) == set(year.rosters.villages["county_name"])
        assert page.locator("text=工作队派驻").count() and page.locator("text=干部排名前10").count()
        page.screenshot(path=SCREENSHOTS / "dashboard.png", full_page=True)

        seconds = choose(page, "县区", county)
        assert headline(page) == in_county
        townships = set(year.rosters.villages.query("county_code == @county_code")["township_name"])
        assert set(first_chart_x(page)) == townships  # the coverage chart went down a level
        township = page.locator(".widget-dropdown").filter(has=page.locator("label", has_text="乡镇")) \
            .locator("option").nth(1).inner_text()
        choose(page, "乡镇", township)
        page.screenshot(path=SCREENSHOTS / "dashboard_township.png", full_page=True)
    assert page.outside == []  # no CDN, no tile server
    with capsys.disabled():
        print(f"\n看板：县区筛选后重绘 / redraw after a county change ({len(year.rosters.households):,} households): "
              f"headline and charts {seconds:.2f} s")


def test_static_dashboard_and_pairing_map_work_offline(year, page, tmp_path):
    from lianhu_tools.widgets.dashboard import Dashboard
    from lianhu_tools.figures import pairing_map

    board = Dashboard(year.store)
    static = board.write_html(tmp_path / "领导看板.html")
    page.goto(static.as_uri())
    county_code, county = board.county.options[2][1], board.county.options[2][0]
    page.select_option("#area", label=county)
    section = page.locator(f"#area-{county_code}")
    section.locator(".js-plotly-plot").first.wait_for()
    assert section.is_visible() and not page.locator("#area-city").is_visible() and county in section.inner_text()
    width = section.locator(".js-plotly-plot").first.evaluate("e => e.getBoundingClientRect().width")
    assert width > 300  # drawn at full width although it was hidden when the page loaded
    page.screenshot(path=SCREENSHOTS / "dashboard_static.png", full_page=True)

    pairing_map(year.rosters.villages, year.rosters.units, year.links).write_html(
        tmp_path / "结对图.html", include_plotlyjs="directory")
    page.goto((tmp_path / "结对图.html").as_uri())
    page.locator(".js-plotly-plot").wait_for()
    page.wait_for_timeout(500)
    page.screenshot(path=SCREENSHOTS / "pairing_map.png")
    assert page.outside == []


def test_published_page_alone_offline_finds_a_cadre_and_opens_a_county(year, chrome, tmp_path):
    """The published page copied alone into an empty folder, every request but the file itself blocked: the
    rankings load, a search by a cadre's name finds his row, a county's section opens with its ranking."""
    import shutil

    from lianhu_tools.assessment import results
    from lianhu_tools.report import publish

    written = publish(year.store, year.assessments["2025"], year.rosters, tmp_path / "公开发布")
    alone = tmp_path / "empty"
    alone.mkdir()
    page_file = shutil.copy(next(p for p in written if p.suffix == ".html"), alone)
    cadres = results(year.store, year.assessments["2025"])["cadre"]
    cadre = cadres.iloc[len(cadres) // 2]
    county = next(c for c in year.rosters.villages["county_name"] if c in set(cadres["county_name"]))

    page = chrome.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    blocked = []
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else
               (blocked.append(route.request.url), route.abort()))
    try:
        page.goto(Path(page_file).as_uri())
        page.wait_for_function("document.body.dataset.ready === 'yes'")
        assert not page.locator("#loading").is_visible()
        cadre_section = page.locator("section.kind[data-kind='cadre']")
        cadre_section.locator(".search").fill(cadre["name"])
        row = cadre_section.locator(".results tr", has_text=cadre["subject_id"])
        row.wait_for()
        assert cadre["name"] in row.inner_text() and cadre["unit_name"] in row.inner_text()
        part = cadre_section.locator("details", has=page.locator("summary", has_text=county))
        part.locator("summary").click()
        rows = part.locator("table.ranking tbody tr")
        rows.first.wait_for()
        in_county = (cadres["county_name"] == county).sum()
        assert rows.count() == min(in_county, 50) and county in rows.first.inner_text()
        page.screenshot(path=SCREENSHOTS / "published.png", full_page=False)
    finally:
        page.close()
    assert blocked == []  # nothing asked of the network
