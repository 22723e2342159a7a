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
