"""How the CLI shows things: rich tables, CSV and JSON."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from datetime import date, datetime

from rich.console import Console
from rich.table import Table
from rich.text import Text

FORMATS = ("table", "csv", "json")
# `minewire sql` shows at most this many rows as a table unless told otherwise (--max-rows); with no cap, a
# table is printed in pages of this many rows, so nothing holds the whole result.
TABLE_MAX_ROWS = 1000


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def rows(console: Console, columns: list[str], data: list[tuple], fmt: str = "table", title: str | None = None) -> None:
    """Print query rows as a table, CSV or JSON (one array of objects)."""
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(data)
    elif fmt == "json":
        sys.stdout.write(json.dumps([dict(zip(columns, r)) for r in data], default=str, indent=1) + "\n")
    elif fmt == "table":
        table = Table(title=title, show_lines=False)
        for c in columns:
            table.add_column(c, overflow="fold")
        for r in data:
            table.add_row(*(_cell(v) for v in r))
        console.print(table)
        console.print(f"{len(data)} rows")
    else:
        raise ValueError(f"unknown format {fmt!r}: use table, csv or json")


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use table, csv or json")


def stream(console: Console, columns: list[str], batches: Iterable[list[tuple]], fmt: str, max_rows: int) -> None:
    """Print rows as they come, a batch at a time: CSV, JSON (an array, one object a line) or tables.

    A table shows the first `max_rows` rows (0: all, in pages) and says how many were left out."""
    check_format(fmt)
    if fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for batch in batches:
            writer.writerows(batch)
    elif fmt == "json":
        sep = "[\n "
        for batch in batches:
            for row in batch:
                sys.stdout.write(sep + json.dumps(dict(zip(columns, row)), default=str, ensure_ascii=False))
                sep = ",\n "
        sys.stdout.write("[]\n" if sep == "[\n " else "\n]\n")
    else:
        _stream_table(console, columns, batches, max_rows)


def _stream_table(console: Console, columns: list[str], batches: Iterable[list[tuple]], max_rows: int) -> None:
    page_rows = max_rows or TABLE_MAX_ROWS
    page, shown = [], 0
    for batch in batches:
        while batch:
            room = page_rows - len(page)
            page, batch = page + batch[:room], batch[room:]
            if len(page) < page_rows:
                break
            _print_page(console, columns, page)
            shown, page = shown + len(page), []
            if max_rows and shown >= max_rows:
                cut = len(batch) + (batches.count_rest() if hasattr(batches, "count_rest") else
                                    sum(len(b) for b in batches))
                if cut:
                    console.print(f"showing {shown:,} of {shown + cut:,} rows: {cut:,} not shown (--max-rows 0 shows "
                                  "them all, --format csv streams them)", highlight=False)
                else:
                    console.print(f"{shown} rows")
                return
    if page or not shown:
        _print_page(console, columns, page)
    console.print(f"{shown + len(page)} rows")


def _print_page(console: Console, columns: list[str], page: list[tuple]) -> None:
    table = Table(show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in page:
        table.add_row(*(_cell(v) for v in r))
    console.print(table)


def deals_table(console: Console, name: str, deals: list[dict]) -> None:
    cols = ["deal_type", "seller", "buyer", "asset", "capacity_mw", "price_usd", "price_text", "country", "region",
            "confidence"]
    rows(console, cols, [tuple(d.get(c) for c in cols) for d in deals], "table", title=name)


def ingest_summary(console: Console, summary: dict, extracted: dict | None) -> None:
    console.print(
        f"sources polled: seen {summary['seen']}, stored {summary['stored']}, syndicated copies {summary['copies']}, "
        f"failed {summary['failed']}, unchanged {summary['skipped']} ({summary['requests']} requests, "
        f"{summary['not_modified']} not modified)"
    )
    for line in summary["source_errors"] + summary["failures"][:20]:
        console.print(f"  [yellow]![/yellow] {line}", highlight=False)
    if extracted is not None:
        console.print(f"extracted {extracted['documents']} documents: {extracted['mentions']} deal mentions, "
                      f"{extracted['new_deals']} new deals")


_SIGNS = {"USD": "$", "CAD": "C$", "AUD": "A$", "EUR": "€", "GBP": "£"}


def _money(value: float | None, currency: str = "USD") -> str:
    if value is None:
        return ""
    sign = _SIGNS.get(currency, currency + " ")
    return f"{sign}{value / 1e9:,.2f}B" if value >= 1e9 else f"{sign}{value / 1e6:,.1f}M"


def _price(deal: dict) -> str:
    """The price in dollars, or else as the document states it in its own currency ("C$45.0M")."""
    if deal.get("price_usd") is not None or not deal.get("price_text"):
        return _money(deal.get("price_usd"))
    from extractors.money import find_money, sum_plus_chain

    text = deal["price_text"]
    stated = find_money(text)
    if not stated:
        return text
    total, _ = sum_plus_chain(text, stated, stated[0])  # "A$40 million plus A$5 million": the whole price
    return _money(total, deal.get("currency") or stated[0].currency)


def tracker(console: Console, columns: list[str], data: list[tuple], title: str = "deal tracker") -> None:
    """The deal tracker as a person scans it: one line per deal, money in $M/$B, long names cut."""
    table = Table(title=title, expand=False, pad_edge=False)
    table.add_column("deal_id", min_width=16, no_wrap=True)  # the key for `minewire show`, whole
    for name, width in (("date", 10), ("type", 11), ("seller", 18), ("buyer", 18), ("asset / site", 19),
                        ("MW", 5), ("price", 8), ("cash", 8), ("$/MW", 8), ("place", 16), ("src", 3)):
        table.add_column(name, max_width=width, overflow="ellipsis", no_wrap=True,
                         justify="right" if name in ("MW", "price", "cash", "$/MW", "src") else "left")
    for row in data:
        d = dict(zip(columns, row))
        place = ", ".join(p for p in (d.get("region"), d.get("country")) if p)
        per_mw = d.get("usd_per_mw")
        table.add_row(d.get("deal_id") or "", _cell(d.get("announced_date")), d.get("deal_type") or "", d.get("seller") or "",
                      d.get("buyer") or "", d.get("asset") or "", _cell(d.get("capacity_mw")),
                      _price(d), _money(d.get("cash_usd")),
                      f"${per_mw / 1e6:,.2f}M" if per_mw else "", place, _cell(d.get("sources")))
    console.print(table)
    console.print(f"{len(data)} deals")


def deal_evidence(console: Console, found) -> None:
    """A deal (warehouse.evidence.DealSources): its fields with the document each came from, then every
    sentence that told it with its document, date and URL."""
    deal, letters = found.deal, {}
    set_by = {c["field"]: c for c in found.corrections if c["action"] == "set"}  # the latest per field
    for m in found.mentions:
        letters.setdefault(m.doc_id, f"[{len(letters) + 1}]")
    console.print(f"deal {deal['deal_id']}: {deal.get('deal_type') or 'deal'}, announced "
                  f"{_cell(deal.get('announced_date')) or 'on an unknown date'}, {deal['sources']} source(s), "
                  f"confidence {_cell(deal.get('confidence'))}"
                  + (f", {deal['review']} by review" if deal.get("review") else ""), highlight=False, markup=False)
    table = Table(show_header=True, pad_edge=False, box=None)
    for name in ("field", "value", "from"):
        table.add_column(name, overflow="fold")
    for name, value in deal.items():
        if name in ("deal_id", "sources", "confidence", "review") or value is None:
            continue
        source = found.field_sources.get(name)
        origin = f"{letters[source.doc_id]} {source.title or source.url}" if source else "computed"
        if name == "announced_date":
            origin = "earliest document"
        if name in set_by:
            c = set_by[name]
            origin = f"set by {c['reviewer']} on {_cell(c['decided_at'])[:10]}" + (f" ({c['note']})" if c['note'] else "")
        shown = _cell(value) if not isinstance(value, float) else f"{value:,.10g}"
        table.add_row(name, Text(shown), Text(origin))
    console.print(table)
    for c in found.corrections:
        what = f"set {c['field']}={c['value']!r}" if c["action"] == "set" else c["action"] + "ed"
        console.print(f"review: {what} by {c['reviewer']} at {_cell(c['decided_at'])}"
                      + (f": {c['note']}" if c["note"] else ""), highlight=False, markup=False, soft_wrap=True)
    console.print("evidence:", highlight=False, markup=False)
    for m in found.mentions:
        console.print(f"  {letters[m.doc_id]} {_cell(m.published_at) or 'undated'}  {m.source or 'files'}  "
                      f"{m.title or ''}", highlight=False, markup=False, soft_wrap=True)
        console.print(f"      {m.url}", highlight=False, markup=False, soft_wrap=True)
        console.print(f"      \"{m.sentence.strip()}\" (confidence {m.confidence:g}, extractor "
                      f"{m.extractor_version})", highlight=False, markup=False, soft_wrap=True)
