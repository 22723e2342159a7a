"""`minewire report`: one self-contained HTML file (plotly.js and our script inlined) with the charts, the
deal tracker as a sortable, filterable table, and each deal's evidence."""

from __future__ import annotations

from datetime import date, datetime, timezone
from html import escape
from pathlib import Path

from plotly.offline import get_plotlyjs

from flows.charts import CHARTS

COLUMNS = [  # (tracker column, header, numeric?)
    ("deal_id", "deal", False), ("announced_date", "date", False), ("deal_type", "type", False),
    ("seller", "seller", False), ("buyer", "buyer", False), ("asset", "asset / site", False),
    ("capacity_mw", "MW", True), ("price_usd", "price $M", True), ("usd_per_mw", "$M / MW", True),
    ("country", "country", False), ("region", "region", False), ("sources", "sources", True),
    ("confidence", "confidence", True), ("review", "review", False),
]

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1300px; padding: 0 16px; color: #222; }
h1 { margin-bottom: 0 } .meta { color: #666; margin-top: 4px }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); gap: 12px; }
.chart { border: 1px solid #ddd; border-radius: 6px; min-height: 380px; min-width: 0; overflow: hidden; }
#filter { font-size: 15px; padding: 6px 10px; width: 340px; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #e4e4e4; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; cursor: pointer; user-select: none; position: sticky; top: 0; }
th.asc::after { content: " ▲" } th.desc::after { content: " ▼" }
tr.reviewed td:last-child { font-weight: 600; color: #1a7f37; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.evidence section { border-top: 1px solid #ddd; padding: 6px 0; }
.evidence blockquote { margin: 4px 0 10px 16px; color: #333; }
.evidence .doc { color: #555; font-size: 13px; }
code { font-size: 12px }
"""

# Sorting by a header (numbers as numbers, blanks last) and filtering rows by every word typed.
SCRIPT = """
(function () {
  var table = document.getElementById('deals'), body = table.tBodies[0];
  var filter = document.getElementById('filter'), shown = document.getElementById('shown');
  function applyFilter() {
    var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean), n = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var text = row.textContent.toLowerCase();
      var match = words.every(function (w) { return text.indexOf(w) >= 0; });
      row.style.display = match ? '' : 'none';
      if (match) n++;
    });
    shown.textContent = n + ' of ' + body.rows.length + ' deals';
  }
  filter.addEventListener('input', applyFilter);
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.addEventListener('click', function () {
      var asc = !th.classList.contains('asc'), numeric = th.dataset.type === 'num';
      Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.classList.remove('asc', 'desc'); });
      th.classList.add(asc ? 'asc' : 'desc');
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].dataset.value, y = b.cells[col].dataset.value;
        if (x === '' || y === '') { return x === y ? 0 : (x === '' ? 1 : -1); }
        var d = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
        return asc ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  applyFilter();
  // Charts are drawn while the page is still laid out: fit each to its box once everything is in place.
  window.addEventListener('load', function () {
    document.querySelectorAll('.js-plotly-plot').forEach(function (p) { Plotly.Plots.resize(p); });
  });
})();
"""


def _value(name: str, value) -> tuple[str, str]:
    """(text shown, sort key) of one cell."""
    if value is None:
        return "", ""
    if name in ("price_usd", "usd_per_mw"):
        return f"{value / 1e6:,.2f}", repr(float(value))
    if isinstance(value, float):
        return f"{value:g}", repr(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat(), value.isoformat()
    return str(value), str(value)


def _table(deals: list[dict]) -> str:
    head = "".join(f'<th data-type="{"num" if num else "text"}">{escape(title)}</th>' for _, title, num in COLUMNS)
    rows = []
    for d in deals:
        cells = []
        for name, _, num in COLUMNS:
            shown, key = _value(name, d.get(name))
            if name == "deal_id":
                shown = f'<a href="#deal-{escape(shown)}" title="evidence">{escape(shown)}</a>'
            else:
                shown = escape(shown)
            cells.append(f'<td data-value="{escape(key)}"{" class=num" if num else ""}>{shown}</td>')
        reviewed = f' class="reviewed {escape(d["review"])}"' if d.get("review") else ""
        rows.append(f"<tr{reviewed}>{''.join(cells)}</tr>")
    return f'<table id="deals"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _evidence(deals: list[dict], mentions: dict) -> str:
    parts = []
    for d in deals:
        title = " → ".join(escape(p) for p in (d.get("seller") or "?", d.get("buyer") or "?"))
        items = []
        for m in mentions.get(d["deal_id"], []):
            when = escape(_value("published_at", m.published_at)[0] or "undated")
            name = escape(m.title or m.url)
            link = f'<a href="{escape(m.url)}">{name}</a>' if m.url.startswith(("http://", "https://")) else name
            items.append(f'<div class="doc">{when} · {escape(m.source or "files")} · {link} · '
                         f'confidence {m.confidence:g}</div><blockquote>{escape(m.sentence.strip())}</blockquote>')
        parts.append(f'<section id="deal-{escape(d["deal_id"])}"><h3><code>{escape(d["deal_id"])}</code> '
                     f'{escape(d.get("deal_type") or "deal")}: {title}</h3>{"".join(items)}</section>')
    return "".join(parts)


def build_report(deals: list[dict], mentions: dict, *, since: date | None = None) -> str:
    """The report as one HTML string that opens without a network."""
    config = {"displaylogo": False, "responsive": True}
    drawn = [make(deals).to_html(full_html=False, include_plotlyjs=False, div_id=name, config=config)
             for name, make in CHARTS.items()]
    charts = "".join(f'<div class="chart">{html}</div>' for html in drawn)
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    scope = f"announced on or after {since.isoformat()}" if since else "all deals"
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>minewire deal report</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style>
<script>{get_plotlyjs()}</script></head>
<body><h1>minewire deal report</h1>
<p class="meta">{len(deals)} deals, {scope}; made {made}. Click a deal's id for the sentences it was read from.</p>
<h2>Charts</h2><div class="charts">{charts}</div>
<h2>Deal tracker</h2>
<input id="filter" type="search" placeholder="filter: company, place, type…" aria-label="filter deals">
<span id="shown"></span>
{_table(deals)}
<h2>Evidence</h2><div class="evidence">{_evidence(deals, mentions)}</div>
<script>{SCRIPT}</script>
</body></html>
"""


def write_report(warehouse: Path | str, out: Path, since: date | None = None) -> int:
    """Write the report of the warehouse's deals (announced on or after `since`) to `out`; returns the deals."""
    from warehouse.evidence import tracker_with_evidence

    deals, mentions = tracker_with_evidence(warehouse, since)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build_report(deals, mentions, since=since), encoding="utf-8")
    return len(deals)
