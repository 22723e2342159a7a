"""How the CLI shows things: rich tables, CSV and JSON."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date, datetime

from rich.console import Console
from rich.table import Table


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
