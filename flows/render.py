"""How the CLI shows things: rich tables, CSV and JSON."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable
from datetime import date, datetime

from rich.console import Console
from rich.table import Table

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
    cols = ["deal_type", "seller", "buyer", "asset", "capacity_mw", "price_usd", "country", "region", "confidence"]
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


def _money(value: float | None) -> str:
    if value is None:
        return ""
    return f"${value / 1e9:,.2f}B" if value >= 1e9 else f"${value / 1e6:,.1f}M"


def tracker(console: Console, columns: list[str], data: list[tuple], title: str = "deal tracker") -> None:
    """The deal tracker as a person scans it: one line per deal, money in $M/$B, long names cut."""
    table = Table(title=title, expand=False, pad_edge=False)
    for name, width in (("date", 10), ("type", 11), ("seller", 22), ("buyer", 22), ("asset / site", 26),
                        ("MW", 6), ("price", 9), ("cash", 8), ("$/MW", 8), ("place", 22), ("src", 3)):
        table.add_column(name, max_width=width, overflow="ellipsis", no_wrap=True,
                         justify="right" if name in ("MW", "price", "cash", "$/MW", "src") else "left")
    for row in data:
        d = dict(zip(columns, row))
        place = ", ".join(p for p in (d.get("region"), d.get("country")) if p)
        per_mw = d.get("usd_per_mw")
        table.add_row(_cell(d.get("announced_date")), d.get("deal_type") or "", d.get("seller") or "",
                      d.get("buyer") or "", d.get("asset") or "", _cell(d.get("capacity_mw")),
                      _money(d.get("price_usd")), _money(d.get("cash_usd")),
                      f"${per_mw / 1e6:,.2f}M" if per_mw else "", place, _cell(d.get("sources")))
    console.print(table)
    console.print(f"{len(data)} deals")
