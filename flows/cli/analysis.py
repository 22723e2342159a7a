"""The analyst's commands: deals, show, report, review, sql, export, migrate."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Literal, Optional

import typer

from flows import render
from flows.cli.app import app, fails_cleanly, out, settings, usage

TableFormat = Literal["table", "csv", "json"]


@app.command()
@fails_cleanly
def deals(company: Optional[str] = typer.Option(None, help="buyer, seller or asset contains this"),
          country: Optional[str] = typer.Option(None, help="country of the site, e.g. Paraguay"),
          since: Optional[datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="announced on or after"),
          format: TableFormat = typer.Option("table", "--format", "-f",
                                     help="table, csv or json")) -> None:
    """The deal tracker: one row per deal with parties, site, MW, price, $/MW, place and sources.

    Example: minewire deals --company Bitfarms --since 2025-01-01
    """
    from warehouse.queries import deal_tracker

    columns, rows = deal_tracker(settings().warehouse, company=company, country=country,
                                 since=since.date() if since else None)
    if format == "table":
        render.tracker(out, columns, rows)
    else:
        render.rows(out, columns, rows, format)


@app.command()
@fails_cleanly
def show(deal_id: str = typer.Argument(..., help="a deal's id (first column of `minewire deals`), or its first "
                                       "characters")) -> None:
    """One deal: its fields with the document each came from, and every sentence that told it (date, URL).

    Example: minewire show 76f381d8a1305cd4
    """
    from warehouse.evidence import deal_evidence

    render.deal_evidence(out, deal_evidence(settings().warehouse_path, deal_id))


@app.command()
@fails_cleanly
def report(out_path: Path = typer.Option(Path("report.html"), "--out", "-o", help="HTML file to write"),
           since: Optional[datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="only deals announced on or after")
           ) -> None:
    """One self-contained HTML file (opens offline): charts, the deal tracker as a sortable, filterable table, and
    each deal's evidence.

    Example: minewire report --out report.html --since 2025-01-01
    """
    from flows.report import write_report

    count = write_report(settings().warehouse_path, out_path, since.date() if since else None)
    out.print(f"wrote {out_path}: {count} deals", highlight=False)


@app.command()
@fails_cleanly
def review(deal_id: Optional[str] = typer.Argument(None, help="the deal to decide on (or its first characters); "
                                                   "none: list the deals to review"),
           accept: bool = typer.Option(False, "--accept", help="the deal is right as shown"),
           reject: bool = typer.Option(False, "--reject", help="not a deal: drop it from the tracker and report"),
           set_: Optional[list[str]] = typer.Option(None, "--set", help="field=value over the extracted value "
                                                    "(repeatable; an empty value clears the field)"),
           note: Optional[str] = typer.Option(None, "--note", help="why, kept with the decision"),
           by: Optional[str] = typer.Option(None, "--by", help="who decides (default: MINEWIRE_REVIEWER or the "
                                            "login name)"),
           all_: bool = typer.Option(False, "--all", help="list accepted and rejected deals too"),
           format: TableFormat = typer.Option("table", "--format", "-f",
                                         help="table, csv or json (the list)")) -> None:
    """List deals least confident first, or decide on one: the decision (who, when, why) is kept in the
    corrections table and lies over what was extracted, through any re-extraction.

    Example: minewire review 76f381d8 --set capacity_mw=75 --note "the 6-K says 75 MW"
    """
    from warehouse.evidence import resolve_deal_id
    from warehouse.review import parse_setting, record_decision, review_queue

    path = settings().warehouse_path
    if deal_id is None:
        if accept or reject or set_:
            raise usage("give the DEAL_ID to decide on (the list comes without options)")
        columns, rows = review_queue(path, include_reviewed=all_)
        render.rows(out, columns, rows, format)
        return
    if accept + reject + bool(set_) != 1:
        raise usage("give one of --accept, --reject or --set field=value")
    changes = [parse_setting(s) for s in set_ or []]
    full_id = resolve_deal_id(path, deal_id)
    action = "accept" if accept else "reject" if reject else "set"
    reviewer = by or os.environ.get("MINEWIRE_REVIEWER") or _login()
    record_decision(path, full_id, action, settings=changes, note=note, reviewer=reviewer)
    done = {"accept": "accepted", "reject": "rejected"}.get(action) or "set " + ", ".join(
        f"{name}={value!r}" for name, value in changes)
    out.print(f"{full_id}: {done} by {reviewer}" + (f" ({note})" if note else ""), highlight=False, markup=False)


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (a container without USER): still keep the decision
        return "unknown"


@app.command()
@fails_cleanly
def sql(query: str = typer.Argument(..., help="any read-only SQL; views: deal_tracker, deal_sources, "
                                    "documents_by_source, failed_documents, sites"),
        format: TableFormat = typer.Option("table", "--format", "-f",
                                   help="table, csv or json"),
        at_snapshot: Optional[int] = typer.Option(None, "--at-snapshot", help="lake only: answer from this snapshot"),
        as_of: Optional[str] = typer.Option(None, "--as-of", help="lake only: answer from the lake as it was at this "
                                           "time, e.g. '2026-01-31 12:00:00+00'"),
        max_rows: int = typer.Option(render.TABLE_MAX_ROWS, "--max-rows", min=0,
                                     help="table format: show at most this many rows (0: all); csv and json "
                                     "have no cap")) -> None:
    """Run SQL on the warehouse, opened read-only (writes are refused); rows stream to the output.

    Example: minewire sql "SELECT buyer, sum(price_usd) FROM deal_tracker GROUP BY 1" --format csv
    On a lake, earlier states: minewire sql --at-snapshot 12 "SELECT count(*) FROM deals"
    (snapshot ids: minewire sql "SELECT snapshot_id, snapshot_time FROM lake.snapshots()")
    """
    from warehouse.queries import stream_sql

    if at_snapshot is not None and as_of is not None:
        raise usage("give --at-snapshot or --as-of, not both")
    with stream_sql(settings().warehouse, query, memory_limit=settings().sql_memory_limit, snapshot=at_snapshot,
                    as_of=as_of) as (columns, rows):
        render.stream(out, columns, rows, format, max_rows)


@app.command()
@fails_cleanly
def export(out_dir: Path = typer.Argument(..., help="directory to write into"),
           format: Literal["parquet"] = typer.Option("parquet", "--format", "-f",
                                         help="parquet")) -> None:
    """Export every table and view as Parquet files.

    Example: minewire export --format parquet ./export
    """
    from warehouse.queries import export_parquet

    written = export_parquet(settings().warehouse, out_dir)
    out.print(f"wrote {len(written)} files to {out_dir}")


@app.command()
@fails_cleanly
def migrate(to: str = typer.Option(..., "--to", help="the new warehouse: a DuckDB file or a ducklake:… URL"),
            to_data_path: Optional[Path] = typer.Option(None, help="the new lake's Parquet directory (default: "
                                                        "setting data_path, or beside a file catalog)")) -> None:
    """Copy the warehouse (-w) into a new one, a file into a lake or a lake into a file, and check the copy's
    row counts and deal ids.

    Example: minewire -w minewire.duckdb migrate --to "ducklake:postgres:dbname=minewire host=db.internal"
    """
    from warehouse.lake import as_lake, is_lake
    from warehouse.migrate import copy_warehouse

    target = as_lake(to, to_data_path or settings().data_path) if is_lake(to) else Path(to)
    counts = copy_warehouse(settings().warehouse, target)
    out.print(f"copied {sum(counts.values())} rows ({counts['documents']} documents, {counts['deal_evidence']} "
              f"deal mentions) into {target}; row counts and deal ids match", highlight=False)
