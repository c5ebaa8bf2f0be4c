"""The published page of an assessment (考核结果_<period>.html): one self-contained file, no plotly and nothing
loaded from anywhere — the report and its figures, the grade distribution per county as plain HTML bars (the
dashboard's grade colours and county order), the ranking rules and indicators, and the rankings per subject
and per county in collapsible sections, searchable, drawn in the browser page by page from data embedded in
the page.

Embedded data: every text (numbers, names, units, counties, grades) as plain JSON, so that the personal-data
check reads the page as it is; the numeric columns as gzip-compressed JSON in base64 (unpacked by the
browser's DecompressionStream). The script puts every text in the page with textContent, never as HTML.
"""

from __future__ import annotations

import base64
import gzip
import html
import json

import pandas as pd

from ..periods import assessment_label, period_label
from .theme import PAGE_FONT, grade_colours

PAGE_ROWS = 50  # rows per page of a ranking table
CODED = ("单位", "县区", "等次", "并列", "县区内并列")  # few distinct values: each row holds a number into a list
SEARCHED = ("编号", "名称", "单位")


def ranking_page(period: str, text: list[str], figures: pd.DataFrame, tables: dict[str, pd.DataFrame],
                 labels: dict[str, str], grades: list[str], counties: list[str], notes: list[str],
                 excel_name: str) -> str:
    """The page. `tables`: per kind of subject, its ranking as published (Chinese headers, rank order);
    `labels`: each kind's name (干部…); `grades` best first; `counties` in the dashboard's order; `notes`:
    the paragraphs explaining the rankings (rules, indicators), as text."""
    colours = grade_colours(grades)
    sections, data = [], {}
    for kind, table in tables.items():
        order = _county_order(table["县区"], counties)
        data[kind] = _columns(table)
        data[kind] |= {"label": labels[kind], "counties": order}
        parts = "".join(f"<details data-county='{k}'><summary>{html.escape(county)}（{(table['县区'] == county).sum():,}）"
                        f"</summary><div class='rows'></div></details>" for k, county in enumerate(order))
        sections.append(
            f"<section class='kind' data-kind='{html.escape(kind)}'><h2>{html.escape(labels[kind])}排名 / rankings "
            f"（{len(table):,}）</h2>{_grade_bars(table, grades, colours, order, labels[kind])}"
            f"<p><label>查找 / search: <input type='search' class='search' placeholder='姓名、单位或编号 / name, unit or id'></label> "
            f"<span class='found'></span></p><div class='results'></div>"
            f"<details data-county='all'><summary>全市（{len(table):,}）</summary><div class='rows'></div></details>{parts}</section>")
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text)
    explained = "".join(f"<p>{html.escape(p)}</p>" for p in notes)
    numbers = figures.to_html(index=False, border=0, classes="figures",
                              float_format=lambda v: f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}")
    legend = "".join(f"<span class='key'><i style='background:{colours[g]}'></i>{html.escape(g)}</span>" for g in grades)
    title = f"联村联户考核结果 · {period_label(period)}（{assessment_label(period)}）"
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{html.escape(title)}</title>
<style>{STYLE.replace("FONT", PAGE_FONT)}</style></head><body>
<h1>{html.escape(title)}</h1>{paragraphs}{numbers}
<h2>说明 / notes</h2><div class="notes">{explained}</div>
<p class="legend">等次 / grades: {legend}</p>
<noscript><p class="warn">排名表要在启用 JavaScript 的浏览器中显示；完整排名见同一文件夹的 {html.escape(excel_name)}。
Rankings need JavaScript: the full rankings are in {html.escape(excel_name)}.</p></noscript>
<p class="warn" id="loading">正在载入排名……若一直显示这句话，说明浏览器太旧（不支持本页的排名表），完整排名见 {html.escape(excel_name)}。
Loading the rankings… if this stays, the browser is too old for them: see {html.escape(excel_name)}.</p>
{''.join(sections)}
<script type="application/json" id="rankings">{_script_json(data)}</script>
<script>{SCRIPT.replace("PAGE_ROWS", str(PAGE_ROWS))}</script>
</body></html>"""


def _county_order(counties: pd.Series, order: list[str]) -> list[str]:
    """The counties of a ranking in the dashboard's order; any others (e.g. a unit no longer on the rosters) after."""
    present = list(dict.fromkeys(counties))
    return [c for c in order if c in present] + [c for c in present if c not in order]


def _columns(table: pd.DataFrame) -> dict:
    """A ranking as column arrays: texts plain (few-valued ones as numbers into a list of their values), the
    numeric columns packed (gzip + base64 of their JSON)."""
    text, numeric = [], []
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numeric.append([None if pd.isna(v) else int(v) if float(v).is_integer() else float(v) for v in values])
            text.append(None)
        elif column in CODED:
            codes, uniques = pd.factorize(values.fillna("").astype(str))
            text.append({"values": list(uniques), "codes": codes.tolist()})
        else:
            text.append(values.fillna("").astype(str).tolist())
    packed = base64.b64encode(gzip.compress(json.dumps(numeric, separators=(",", ":")).encode(), 9, mtime=0)).decode()
    return {"columns": list(table.columns), "text": text, "numbers": packed,
            "search": [k for k, c in enumerate(table.columns) if c in SEARCHED],
            "county": list(table.columns).index("县区")}


def _script_json(data: dict) -> str:
    """JSON safe inside a script element: no <, > or & (a name cannot close the element)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _grade_bars(table: pd.DataFrame, grades: list[str], colours: dict[str, str], counties: list[str], label: str) -> str:
    """The grades of each county as one bar of coloured parts, widths in proportion to the counts (the largest
    county's bar the full width)."""
    counts = table.groupby(["县区", "等次"]).size().unstack(fill_value=0).reindex(index=counties, fill_value=0)
    largest = max(int(counts.sum(axis=1).max()), 1)
    rows = []
    for county, row in counts.iterrows():
        parts = "".join(
            f"<span style='width:{100 * row[g] / largest:.2f}%;background:{colours.get(g, '#999')}' "
            f"title='{html.escape(county)} {html.escape(g)} {row[g]:,}'>{row[g]:,}</span>"
            for g in [*grades, *sorted(set(counts.columns) - set(grades))] if g in row and row[g])
        summary = "，".join(f"{g} {row[g]:,}" for g in grades if g in row)
        rows.append(f"<tr><th>{html.escape(county)}</th><td class='bar'>{parts}</td><td class='n'>{summary}</td></tr>")
    return (f"<table class='grades'><caption>{html.escape(label)}考核等次（按县区）/ grades by county</caption>"
            f"{''.join(rows)}</table>")


STYLE = """body{font-family:FONT;margin:2em;max-width:90em;color:#2a3f5f}
table{border-collapse:collapse} td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left}
table.figures td:last-child,table.ranking td.num{text-align:right;font-variant-numeric:tabular-nums}
table.grades{width:100%;margin:0.5em 0 1em} table.grades caption{text-align:left;font-weight:bold;padding:4px 0}
table.grades th{width:9em;font-weight:normal;border:0} table.grades td{border:0}
td.bar{width:60%} td.bar span{display:inline-block;height:1.4em;line-height:1.4em;color:#fff;font-size:0.8em;
overflow:hidden;white-space:nowrap;text-align:center;vertical-align:middle}
td.n{color:#555;font-size:0.85em} .legend i{display:inline-block;width:1em;height:1em;margin:0 4px 0 12px;vertical-align:middle}
details{margin:0.3em 0} summary{cursor:pointer;font-weight:bold;padding:2px 0}
table.ranking{font-size:0.85em;margin:0.3em 0} table.ranking td{white-space:nowrap} .rows,.results{overflow-x:auto} table.ranking th{background:#f3f5f9;position:sticky;top:0}
.pager button{margin:0 4px} .warn{color:#9d0208} .notes p{margin:0.3em 0} .found{color:#555}"""

# Every text goes in through textContent; the only markup is built with createElement.
SCRIPT = """(async function () {
  const data = JSON.parse(document.getElementById('rankings').textContent);
  async function unpack(b64) {
    const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return JSON.parse(await new Response(stream).text());
  }
  const fmt = v => v === null || v === undefined ? '' : typeof v === 'number'
    ? v.toLocaleString('en-US', {maximumFractionDigits: 2}) : v;
  for (const [kind, d] of Object.entries(data)) {
    const numbers = await unpack(d.numbers);
    let next = 0;  // the numeric columns, in order
    d.cols = d.text.map(t => t === null ? numbers[next++] : Array.isArray(t) ? t : t.codes.map(c => t.values[c]));
    d.isNumber = d.text.map(t => t === null);
    d.rows = d.cols[0].length;
    d.haystack = Array.from({length: d.rows}, (_, r) => d.search.map(k => String(d.cols[k][r]).toLowerCase()).join('\\u0001'));
  }
  function table(d, rows, box) {
    box.replaceChildren();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE_ROWS));
    let page = 0;
    const grid = document.createElement('table'); grid.className = 'ranking';
    const head = grid.createTHead().insertRow();
    for (const c of d.columns) { const th = document.createElement('th'); th.textContent = c; head.appendChild(th); }
    const body = grid.createTBody();
    const pager = document.createElement('p'); pager.className = 'pager';
    const back = document.createElement('button'), next = document.createElement('button'), where = document.createElement('span');
    back.textContent = '上一页 / previous'; next.textContent = '下一页 / next';
    back.onclick = () => { if (page > 0) { page--; draw(); } };
    next.onclick = () => { if (page < pages - 1) { page++; draw(); } };
    pager.append(back, where, next);
    function draw() {
      body.replaceChildren();
      for (const r of rows.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS)) {
        const tr = body.insertRow();
        d.cols.forEach((col, k) => { const td = tr.insertCell(); td.textContent = fmt(col[r]); if (d.isNumber[k]) td.className = 'num'; });
      }
      where.textContent = ` 第 ${page + 1} / ${pages} 页，共 ${rows.length.toLocaleString('en-US')} 条 / page ${page + 1} of ${pages} `;
      back.disabled = page === 0; next.disabled = page >= pages - 1;
    }
    draw();
    box.append(grid, pager);
  }
  for (const section of document.querySelectorAll('section.kind')) {
    const d = data[section.dataset.kind];
    for (const part of section.querySelectorAll('details')) {
      part.addEventListener('toggle', () => {
        if (!part.open || part.dataset.drawn) return;
        part.dataset.drawn = 'yes';
        const county = part.dataset.county === 'all' ? null : d.counties[Number(part.dataset.county)];
        const rows = [];
        for (let r = 0; r < d.rows; r++) if (county === null || d.cols[d.county][r] === county) rows.push(r);
        table(d, rows, part.querySelector('.rows'));
      });
    }
    const input = section.querySelector('.search'), found = section.querySelector('.found'), results = section.querySelector('.results');
    let timer;
    input.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const q = input.value.trim().toLowerCase();
        if (!q) { results.replaceChildren(); found.textContent = ''; return; }
        const rows = [];
        for (let r = 0; r < d.rows; r++) if (d.haystack[r].includes(q)) rows.push(r);
        found.textContent = `找到 ${rows.length.toLocaleString('en-US')} 条 / ${rows.length} found`;
        if (rows.length) table(d, rows, results); else results.replaceChildren();
      }, 150);
    });
  }
  document.getElementById('loading').hidden = true;
  document.body.dataset.ready = 'yes';
})();"""
