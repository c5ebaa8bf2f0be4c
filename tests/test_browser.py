"""The leadership dashboard in a real browser: Voilà serves the packaged notebook (lianhu_tools/app) on a
demo city's year, headless Chromium (Debian's, driven by Playwright through tests/browser.py) opens it and
changes the county; the headline and a chart must change to what the library computes, with nothing fetched
from the internet. The static dashboard and the pairing map are each copied alone into an empty folder and
opened from there (file://) with every other request refused, at 1366 and 1920 px: every chart drawn, each within
its cell. Screenshots of the dashboard, the static dashboard page and the pairing map go to
build/screenshots (or LIANHU_SCREENSHOTS; `make screenshots` refreshes the README's). Skipped where there is
no Chromium, except in CI (LIANHU_REQUIRE_BROWSER=1, set by .ci/run, which installs it)."""

from __future__ import annotations

import os
import shutil
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


CHARTS = """(scope) => [...document.querySelectorAll(scope + ' div.lianhu-chart')].map(div => {
    const box = div.getBoundingClientRect(), grid = div.parentElement, svg = div.querySelector('.main-svg');
    const tracks = getComputedStyle(grid).gridTemplateColumns.split(' ').map(parseFloat).filter(w => w > 0);
    const rect = (e) => { if (!e) return null; const r = e.getBoundingClientRect();
                          return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
    return {drawn: !!svg, width: box.width, plot: svg ? svg.getBoundingClientRect().width : 0, box: rect(div),
            cell: grid.classList.contains('charts') ? Math.max(...tracks) : grid.getBoundingClientRect().width,
            grid: rect(grid), svg: rect(svg), legend: rect(div.querySelector('.legend')),
            title: rect(div.querySelector('.gtitle')), toolbar: rect(div.querySelector('.modebar'))};
})"""
TABLES = """(scope) => [...document.querySelectorAll(scope + ' table.ranking')].map(t =>
    [t.getBoundingClientRect().width, t.parentElement.getBoundingClientRect().width])"""


def sent_alone(page_file: Path, folder: Path) -> Path:
    """`page_file` copied into an empty folder, as it arrives by USB or e-mail: nothing beside it."""
    folder.mkdir()
    alone = Path(shutil.copy(page_file, folder))
    assert [p.name for p in folder.iterdir()] == [page_file.name]
    return alone


@pytest.fixture
def offline(chrome):
    """A factory of pages at a given viewport that may load nothing but files (everything else is refused and
    recorded in `.outside`), recording console errors in `.errors`."""
    opened = []

    def open_page(width: int, height: int):
        page = chrome.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
        page.outside, page.errors = [], []
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                   else (page.outside.append(route.request.url), route.abort()))
        page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.close()


@pytest.fixture(scope="module")
def written(year, tmp_path_factory):
    """The static dashboard and the pairing map as the program writes them, and the dashboard they show."""
    from lianhu_tools.figures import pairing_map
    from lianhu_tools.figures.pages import write_figure_page
    from lianhu_tools.widgets.dashboard import Dashboard

    folder = tmp_path_factory.mktemp("written")
    board = Dashboard(year.store)
    board.write_html(folder / "领导看板.html")
    write_figure_page(pairing_map(year.rosters.villages, year.rosters.units, year.links), folder / "结对图.html")
    return folder, board


def charts_drawn(page, scope: str, count: int) -> list[dict]:
    """Once every chart in `scope` is drawn: each one's boxes, checked to fit (plot within its chart, chart within
    its grid cell, legend within the plot, the toolbar clear of the title) and that there are `count` of them."""
    from playwright.sync_api import TimeoutError as PageTimeout

    try:  # a resize is redrawn a moment later; a page that never fits fails on the boxes below
        page.wait_for_function(f"(scope) => ({CHARTS})(scope).every(c => c.drawn && c.plot <= c.width + 0.5)",
                               arg=scope, timeout=20_000)
    except PageTimeout:
        pass
    charts = page.evaluate(CHARTS, scope)
    assert len(charts) == count and all(c["drawn"] for c in charts), charts
    for c in charts:
        assert c["plot"] <= c["width"] + 0.5 and c["width"] <= c["cell"] + 0.5, c  # no plot wider than its cell
        assert c["grid"]["left"] - 0.5 <= c["box"]["left"] and c["box"]["right"] <= c["grid"]["right"] + 0.5
        if c["legend"]:  # the whole legend shows, inside the plot
            assert c["svg"]["left"] - 0.5 <= c["legend"]["left"] and c["legend"]["right"] <= c["svg"]["right"] + 0.5
            assert c["svg"]["top"] - 0.5 <= c["legend"]["top"]
        if c["title"] and c["toolbar"]:  # the toolbar, shown on hover, never covers the title
            t, b = c["title"], c["toolbar"]
            assert t["right"] <= b["left"] or b["right"] <= t["left"] or t["bottom"] <= b["top"] or b["bottom"] <= t["top"]
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")  # nothing wider than the window
    return charts


@pytest.mark.parametrize("width, height", [(1366, 768), (1920, 1080)])
def test_static_dashboard_sent_alone_draws_every_chart_in_its_cell(written, offline, tmp_path, width, height):
    folder, board = written
    page = offline(width, height)
    page.goto(sent_alone(folder / "领导看板.html", tmp_path / "usb").as_uri())
    city = charts_drawn(page, "#area-city", len(board.figures))
    assert len({round(c["width"]) for c in city}) == 1  # one width for every cell, the first chart's too
    assert all(shown <= box + 0.5 for shown, box in page.evaluate(TABLES, "#area-city"))  # the rankings fit
    if width == 1366:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "dashboard_static.png", full_page=True)

    county, code = board.data.counties[-1]  # drawn only now, hidden when the page loaded
    assert page.locator(f"#area-{code} .main-svg").count() == 0
    page.select_option("#area", label=county)
    assert page.locator(f"#area-{code}").is_visible() and not page.locator("#area-city").is_visible()
    assert page.locator(f"#area-{code} h3").inner_text().startswith(county)
    charts = charts_drawn(page, f"#area-{code}", len(board.data.view(code, 9, board.period.value).figures))
    assert [round(c["width"]) for c in charts] == [round(c["width"]) for c in city]
    assert all(shown <= box + 0.5 for shown, box in page.evaluate(TABLES, f"#area-{code}"))

    page.set_viewport_size({"width": 1000, "height": height})  # a narrower window: the charts follow it
    charts_drawn(page, f"#area-{code}", len(charts))
    assert page.outside == [] and page.errors == []


@pytest.mark.parametrize("width, height", [(1366, 768), (1920, 1080)])
def test_pairing_map_sent_alone_fills_the_window(written, offline, tmp_path, width, height):
    folder, _ = written
    page = offline(width, height)
    page.goto(sent_alone(folder / "结对图.html", tmp_path / "usb").as_uri())
    (chart,) = charts_drawn(page, "body", 1)
    assert chart["svg"]["bottom"] <= height  # the map and its legend within the first screen
    if width == 1366:
        page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")  # WebGL drawn
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "pairing_map.png")
    assert page.outside == [] and page.errors == []


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
