"""`minewire report`: one HTML file that opens offline, checked in real headless Chromium."""

from __future__ import annotations

import json
import re

import duckdb
import pytest

from tests.flows import chromium
from tests.flows.test_cli import run

# Runs first in <head>: records every uncaught error, failed load and console.error.
CATCH_ERRORS = """<script>
window.__errors = [];
window.addEventListener('error', function (e) {
  window.__errors.push(String(e.message || (e.target && (e.target.src || e.target.href)) || e));
}, true);
window.addEventListener('unhandledrejection', function (e) { window.__errors.push('rejection: ' + e.reason); });
var __consoleError = console.error;
console.error = function () {
  window.__errors.push(Array.prototype.join.call(arguments, ' ')); __consoleError.apply(console, arguments);
};
</script>"""

# Runs after the page loaded: what a reader would see, then types a filter and sorts; writes the findings into
# the DOM, where --dump-dom shows them.
CHECK = """<script>
window.addEventListener('load', function () { setTimeout(function () {
  function visible() {
    return Array.prototype.filter.call(document.querySelectorAll('#deals tbody tr'),
                                       function (r) { return r.style.display !== 'none'; });
  }
  var result = {errors: window.__errors, charts: []};
  document.querySelectorAll('.js-plotly-plot').forEach(function (p) {
    var box = p.getBoundingClientRect();
    result.charts.push({id: p.id, width: box.width, height: box.height,
                        title: (p.querySelector('.gtitle') || {}).textContent || '',
                        marks: p.querySelectorAll('.point, .sankey-link, .bars path').length});
  });
  result.rows = document.querySelectorAll('#deals tbody tr').length;
  var filter = document.getElementById('filter');
  filter.value = 'paraguay';
  filter.dispatchEvent(new Event('input'));
  result.filtered = visible().map(function (r) { return r.cells[0].textContent; });
  result.shown = document.getElementById('shown').textContent;
  filter.value = '';
  filter.dispatchEvent(new Event('input'));
  result.unfiltered = visible().length;
  var mw = Array.prototype.find.call(document.querySelectorAll('#deals th'), function (th) {
    return th.textContent === 'MW'; });
  mw.click(); mw.click();  // descending
  result.mw_desc = visible().map(function (r) { return r.cells[mw.cellIndex].textContent; });
  var link = document.querySelector('#deals tbody a');
  result.link = link.getAttribute('href');
  result.link_target = !!document.getElementById(link.getAttribute('href').slice(1));
  result.link_target_sentences = document.querySelectorAll(link.getAttribute('href') + ' blockquote').length;
  var out = document.createElement('pre');
  out.id = 'check-result';
  out.textContent = JSON.stringify(result);
  document.body.appendChild(out);
}, 500); });
</script>"""


@pytest.fixture(scope="module")
def report(demo_warehouse, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    result = run("-w", str(demo_warehouse), "report", "--out", str(path))
    assert result.returncode == 0, result.stderr
    assert "13 deals" in result.stdout or "deals" in result.stdout
    return path


@pytest.fixture(scope="module")
def checked(report, tmp_path_factory):
    """What the check script found in Chromium."""
    html = report.read_text(encoding="utf-8")
    page = report.with_name("checked.html")
    page.write_text(html.replace("<head>", "<head>" + CATCH_ERRORS, 1).replace("</body>", CHECK + "</body>", 1),
                    encoding="utf-8")
    dom = chromium.dump_dom(page, tmp_path_factory.mktemp("chromium-profile"))
    found = re.search(r'<pre id="check-result">(.*?)</pre>', dom, re.S)
    assert found, "the check script did not run: " + dom[-1500:]
    return json.loads(found.group(1).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


def _deal_ids(path) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return [i for (i,) in con.execute("SELECT deal_id FROM deal_tracker").fetchall()]
    finally:
        con.close()


def test_report_is_one_file_that_loads_nothing_from_elsewhere(report, demo_warehouse):
    html = report.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]*\bsrc=", html) and not re.search(r"<link[^>]*stylesheet", html)
    assert "Plotly" in html and len(html) > 1_000_000  # plotly.js itself is inlined
    for deal_id in _deal_ids(demo_warehouse):
        assert f'href="#deal-{deal_id}"' in html and f'id="deal-{deal_id}"' in html


def test_report_loads_in_chromium_without_a_console_error(checked):
    assert checked["errors"] == []


def test_report_shows_four_drawn_charts_in_chromium(checked):
    charts = {c["id"]: c for c in checked["charts"]}
    assert set(charts) == {"per-quarter", "price-per-mw", "capacity-by-company", "buyers-sellers"}
    for chart in charts.values():
        assert chart["width"] > 300 and chart["height"] > 300 and chart["marks"] > 0 and chart["title"], chart


def test_report_table_filters_sorts_and_links_to_evidence_in_chromium(checked, demo_warehouse):
    ids = _deal_ids(demo_warehouse)
    assert checked["rows"] == checked["unfiltered"] == len(ids)
    assert len(checked["filtered"]) == 1 and checked["shown"] == f"1 of {len(ids)} deals"
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        paraguay = con.execute("SELECT deal_id FROM deal_tracker WHERE country = 'Paraguay'").fetchone()[0]
    finally:
        con.close()
    assert checked["filtered"] == [paraguay]
    mw = [float(v) for v in checked["mw_desc"] if v]
    assert mw == sorted(mw, reverse=True) and len(mw) >= 5
    assert checked["mw_desc"][len(mw):] == [""] * (len(ids) - len(mw))  # deals without MW sort last
    assert checked["link_target"] and checked["link_target_sentences"] >= 1


def test_report_screenshot_in_chromium(report, tmp_path_factory, capsys):
    shot = chromium.screenshot(report, tmp_path_factory.mktemp("chromium-shot"), report.with_name("report.png"))
    with capsys.disabled():  # shown in the test run's output, even under -q
        print(f"\nreport screenshot: {shot}")


def test_cli_report_since_keeps_only_later_deals(demo_warehouse, tmp_path):
    out = tmp_path / "since.html"
    result = run("-w", str(demo_warehouse), "report", "--out", str(out), "--since", "2025-01-01")
    assert result.returncode == 0, result.stderr
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        later = {i for (i,) in con.execute(
            "SELECT deal_id FROM deal_tracker WHERE announced_date >= DATE '2025-01-01'").fetchall()}
    finally:
        con.close()
    html = out.read_text(encoding="utf-8")
    shown = set(re.findall(r'<section id="deal-([0-9a-f]+)"', html))
    assert shown == later and 0 < len(later) < len(_deal_ids(demo_warehouse))
    assert f"{len(later)} deals" in result.stdout
