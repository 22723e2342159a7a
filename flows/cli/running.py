"""The commands that run the pipeline: init, demo, ingest, backfill, reextract, compact.

Without PREFECT_API_URL the runs happen in this process through flows/plain.py (Prefect is not even
imported); with it, flows/runner.py runs the Prefect flows on that server. Both run the same bodies.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from flows import prefect_env, render
from flows.cli.app import app, err, fails_cleanly, out, settings, usage
from flows.cli.progress import progress_bars, status


def _runner():
    """flows.runner (the flows, on PREFECT_API_URL's server) or flows.plain (this process, no Prefect)."""
    if prefect_env.api_url():
        prefect_env.prepare()
        from flows import runner

        return runner
    from flows import plain

    return plain


@app.command()
@fails_cleanly
def init() -> None:
    """Create the warehouse (or upgrade an older one in place).

    Example: minewire init
    """
    from flows.pipeline import prepare_warehouse

    prepare_warehouse(settings())
    out.print(f"warehouse ready: {settings().warehouse}")


@app.command()
@fails_cleanly
def demo(warehouse: Path = typer.Option(Path("minewire-demo.duckdb"), help="where the demo's warehouse goes")) -> None:
    """Serve the bundled sample on 127.0.0.1, run the real ingest and extraction flows under Prefect (a temporary
    server, or PREFECT_API_URL's), print the tracker.

    Example: minewire demo
    """
    started = time.perf_counter()  # the demo's time includes the server's start: the user waits for it too
    prefect_env.prepare(own_home=True)
    if not prefect_env.api_url():
        with status("starting a temporary Prefect server for the demo's flows …"):
            prefect_env.start_tied_server()
    from flows.demo import run_demo

    run_demo(warehouse, out, progress_bars, started=started)


def _check_sources(group: str | None = None, names: list[str] | None = None,
                   companies: list[str] | None = None) -> None:
    """Refuse an unknown group, source or company, and EDGAR sources without the SEC's User-Agent, before any
    run starts (a flow would log a traceback; each EDGAR source would fail alone with the same message)."""
    from flows.sources.errors import MissingUserAgent, check_user_agent
    from flows.jobs import backfill_sources
    from flows.runs import select_sources

    chosen = backfill_sources(settings(), names, companies) if companies else select_sources(settings(), group, names)
    edgar = [s for s in chosen if s.kind == "edgar"]
    if edgar:
        try:
            check_user_agent(settings())
        except MissingUserAgent as exc:
            hint = "" if group or names else " (or poll the news alone: --group news)"
            raise MissingUserAgent(f"{len(edgar)} EDGAR source(s) chosen: {exc}{hint}") from None


@app.command()
@fails_cleanly
def ingest(group: Optional[str] = typer.Option(None, help="only this group of sources: news or edgar"),
           source: Optional[list[str]] = typer.Option(None, "--source", "-s", help="only this source (repeatable)"),
           extract: bool = typer.Option(True, help="extract deals from the new documents afterwards")) -> None:
    """Poll the configured sources once, store new documents, then extract their deals.

    Example: minewire ingest --group news
    """
    from flows.jobs import ingest_problem

    _check_sources(group, source)
    with progress_bars() as progress:
        summary, extracted = _runner().run_ingest(settings(), group=group, sources=source, extract=extract,
                                                  progress=progress)
    render.ingest_summary(out, summary, extracted)
    problem = ingest_problem(summary)
    if problem:
        err.print(f"error: {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


@app.command()
@fails_cleanly
def backfill(start: datetime = typer.Option(..., "--from", formats=["%Y-%m-%d"], help="first day"),
             end: datetime = typer.Option(..., "--to", formats=["%Y-%m-%d"], help="last day"),
             source: Optional[list[str]] = typer.Option(None, "--source", "-s", help="only this source"),
             company: Optional[list[str]] = typer.Option(None, "--company", "-c", help="only this company"),
             window_days: int = typer.Option(90, min=1, help="days per window"),
             extract: bool = typer.Option(True, help="extract deals from what was stored")) -> None:
    """Walk history window by window; rerun it after Ctrl-C and it resumes where it stopped.

    Example: minewire backfill --from 2024-01-01 --to 2025-12-31 --company "Riot Platforms"
    """
    if end < start:
        raise usage(f"--to {end:%Y-%m-%d} is before --from {start:%Y-%m-%d}")
    _check_sources(None, source, company)
    with progress_bars() as progress:
        totals, extracted = _runner().run_backfill(settings(), start.date(), end.date(), sources=source,
                                                   companies=company, window_days=window_days, extract=extract,
                                                   progress=progress)
    out.print(f"backfill done: {totals['windows']} windows walked, {totals['skipped_windows']} already done, "
              f"{totals['stored']} documents stored, {totals['failed']} failures")
    if extracted:
        out.print(f"extracted {extracted['documents']} documents: {extracted['new_deals']} new deals")


@app.command()
@fails_cleanly
def reextract(older_than: Optional[str] = typer.Option(None, help="only documents extracted by a lower version")
              ) -> None:
    """Re-extract stored documents with the current extractor (no refetching).

    Example: minewire reextract --older-than 0.3.0
    """
    with progress_bars() as progress:
        result = _runner().run_reextract(settings(), older_than, progress=progress)
    out.print(f"re-extracted {result['documents']} documents: {result['mentions']} deal mentions, "
              f"{result['new_deals']} new deals")


@app.command()
@fails_cleanly
def compact(keep_days: float = typer.Option(7.0, help="keep snapshots (time travel) this many days back")) -> None:
    """Compact a lake: merge small Parquet files, expire older snapshots, delete files nothing uses.

    Example: minewire -w "ducklake:postgres:dbname=minewire host=db.internal" compact --keep-days 7
    """
    from flows.maintenance import compact as run_compact

    done = run_compact(settings(), keep_days)
    # Small loads keep their rows inlined in the catalog; compaction writes them out first, so a young lake can
    # end with more files than it started with.
    flushed = " (rows inlined in the catalog written out to files)" if done["files_after"] > done["files_before"] else ""
    out.print(f"data files {done['files_before']} -> {done['files_after']}{flushed}, snapshots "
              f"{done['snapshots_before']} -> {done['snapshots_after']}", highlight=False)
