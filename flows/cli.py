"""The `minewire` command line: a thin layer over the pipeline's functions and flows."""

from __future__ import annotations

import functools
import json
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from flows.settings import Settings, read_settings
from flows import prefect_env, render

app = typer.Typer(help="minewire: a warehouse of mining-company deals from news, press wires and SEC filings.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
sources_app = typer.Typer(help="List and edit the watchlist (saved in ./minewire.toml).", no_args_is_help=True)
app.add_typer(sources_app, name="sources")
# Wide enough for the tracker when piped (rich assumes 80 columns without a terminal).
out = Console(width=None if sys.stdout.isatty() else 170)
err = Console(stderr=True)
_STATE: dict = {}


def settings() -> Settings:
    if "settings" not in _STATE:
        _STATE["settings"] = read_settings(**_STATE.get("overrides", {}))
    return _STATE["settings"]


def fails_cleanly(fn):
    """Turn any error into one line on stderr and exit code 1 (MINEWIRE_DEBUG=1 shows the traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except MemoryError:  # its message is empty: say what happened
            err.print("error: out of memory; narrow the work (a query's WHERE or LIMIT, fewer documents at once)",
                      highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None
        except Exception as exc:  # noqa: BLE001 - the CLI is the one place errors become exit codes
            if os.environ.get("MINEWIRE_DEBUG"):
                raise
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


@app.callback()
def main(warehouse: Optional[Path] = typer.Option(None, "--warehouse", "-w", help="DuckDB file (default: setting "
                                                  "warehouse_path, ./minewire.duckdb)")) -> None:
    """Settings come from MINEWIRE_* variables and ./minewire.toml; --warehouse overrides the file."""
    if warehouse:
        _STATE["overrides"] = {"warehouse_path": warehouse}


@app.command()
@fails_cleanly
def init() -> None:
    """Create the warehouse (or upgrade an older one in place).

    Example: minewire init
    """
    from flows.pipeline import prepare_warehouse

    prepare_warehouse(settings())
    out.print(f"warehouse ready: {settings().warehouse_path}")


@app.command()
@fails_cleanly
def demo(warehouse: Path = typer.Option(Path("minewire-demo.duckdb"), help="where the demo's warehouse goes")) -> None:
    """Serve the bundled sample on 127.0.0.1, run the real ingest and extraction flows, print the tracker.

    Example: minewire demo
    """
    prefect_env.prepare(own_home=True)
    prefect_env.start_tied_server()
    from flows.demo import run_demo

    run_demo(warehouse, out)


@app.command()
@fails_cleanly
def ingest(group: Optional[str] = typer.Option(None, help="only this group of sources: news or edgar"),
           source: Optional[list[str]] = typer.Option(None, "--source", "-s", help="only this source (repeatable)"),
           extract: bool = typer.Option(True, help="extract deals from the new documents afterwards")) -> None:
    """Poll the configured sources once, store new documents, then extract their deals.

    Example: minewire ingest --group news
    """
    prefect_env.prepare()
    prefect_env.start_tied_server()
    from flows.ingest import ingest_problem
    from flows.runner import run_ingest

    summary, extracted = run_ingest(settings(), group=group, sources=source, extract=extract)
    render.ingest_summary(out, summary, extracted)
    problem = ingest_problem(summary)
    if problem:
        err.print(f"error: {problem}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)


@app.command()
@fails_cleanly
def extract(paths: list[Path] = typer.Argument(..., help=".txt, .html or .htm files"),
            format: str = typer.Option("jsonl", "--format", "-f", help="jsonl or table")) -> None:
    """Extract deals from local files; jsonl prints {"doc": name, "deals": [...]} per file, in order.

    Example: minewire extract --format jsonl article.txt release.html
    """
    from flows.files import document_text, read_document
    from flows.pipeline import get_nlp
    from extractors import extract as extract_text, model_name

    nlp = get_nlp(settings().spacy_model)
    err.print(f"extraction model: {model_name(nlp)}", highlight=False)
    failed = 0
    for path in paths:
        try:
            text = document_text(*read_document(path))
            if not text.strip():
                err.print(f"warning: {path}: empty (no text to read), no deals", highlight=False, soft_wrap=True)
            deals = [d.to_json() for d in extract_text(text, nlp)]
        except ValueError as exc:
            err.print(f"error: {exc}", highlight=False, soft_wrap=True)
            failed, deals = failed + 1, []
        if format == "jsonl":
            sys.stdout.write(json.dumps({"doc": path.stem, "deals": deals}, ensure_ascii=False) + "\n")
        else:
            render.deals_table(out, path.name, deals)
    if failed:
        raise typer.Exit(1)


@app.command()
@fails_cleanly
def deals(company: Optional[str] = typer.Option(None, help="buyer, seller or asset contains this"),
          country: Optional[str] = typer.Option(None, help="country of the site, e.g. Paraguay"),
          since: Optional[datetime] = typer.Option(None, formats=["%Y-%m-%d"], help="announced on or after"),
          format: str = typer.Option("table", "--format", "-f", help="table, csv or json")) -> None:
    """The deal tracker: one row per deal with parties, site, MW, price, $/MW, place and sources.

    Example: minewire deals --company Bitfarms --since 2025-01-01
    """
    from warehouse.queries import deal_tracker

    columns, rows = deal_tracker(settings().warehouse_path, company=company, country=country,
                                 since=since.date() if since else None)
    if format == "table":
        render.tracker(out, columns, rows)
    else:
        render.rows(out, columns, rows, format)


@app.command()
@fails_cleanly
def sql(query: str = typer.Argument(..., help="any read-only SQL; views: deal_tracker, deal_sources, "
                                    "documents_by_source, failed_documents, sites"),
        format: str = typer.Option("table", "--format", "-f", help="table, csv or json"),
        max_rows: int = typer.Option(render.TABLE_MAX_ROWS, "--max-rows", min=0,
                                     help="table format: show at most this many rows (0: all); csv and json "
                                     "have no cap")) -> None:
    """Run SQL on the warehouse, opened read-only (writes are refused); rows stream to the output.

    Example: minewire sql "SELECT buyer, sum(price_usd) FROM deal_tracker GROUP BY 1" --format csv
    """
    from warehouse.queries import stream_sql

    render.check_format(format)
    with stream_sql(settings().warehouse_path, query, memory_limit=settings().sql_memory_limit) as (columns, rows):
        render.stream(out, columns, rows, format, max_rows)


@app.command()
@fails_cleanly
def export(out_dir: Path = typer.Argument(..., help="directory to write into"),
           format: str = typer.Option("parquet", "--format", "-f", help="parquet")) -> None:
    """Export every table and view as Parquet files.

    Example: minewire export --format parquet ./export
    """
    from warehouse.queries import export_parquet

    if format != "parquet":
        raise ValueError(f"unsupported export format {format!r}: use parquet")
    written = export_parquet(settings().warehouse_path, out_dir)
    out.print(f"wrote {len(written)} files to {out_dir}")


@app.command()
@fails_cleanly
def backfill(start: datetime = typer.Option(..., "--from", formats=["%Y-%m-%d"], help="first day"),
             end: datetime = typer.Option(..., "--to", formats=["%Y-%m-%d"], help="last day"),
             source: Optional[list[str]] = typer.Option(None, "--source", "-s", help="only this source"),
             company: Optional[list[str]] = typer.Option(None, "--company", "-c", help="only this company"),
             window_days: int = typer.Option(90, help="days per window"),
             extract: bool = typer.Option(True, help="extract deals from what was stored")) -> None:
    """Walk history window by window; rerun it after Ctrl-C and it resumes where it stopped.

    Example: minewire backfill --from 2024-01-01 --to 2025-12-31 --company "Riot Platforms"
    """
    prefect_env.prepare()
    prefect_env.start_tied_server()
    from flows.runner import run_backfill

    totals, extracted = run_backfill(settings(), start.date(), end.date(), sources=source, companies=company,
                                     window_days=window_days, extract=extract, console=out)
    out.print(f"backfill done: {totals['windows']} windows walked, {totals['skipped_windows']} already done, "
              f"{totals['stored']} documents stored, {totals['failed']} failures")
    if extracted:
        out.print(f"extracted {extracted['documents']} documents: {extracted['new_deals']} new deals")


@app.command()
@fails_cleanly
def reextract(older_than: Optional[str] = typer.Option(None, help="only documents extracted by a lower version")) -> None:
    """Re-extract stored documents with the current extractor (no refetching).

    Example: minewire reextract --older-than 0.3.0
    """
    prefect_env.prepare()
    prefect_env.start_tied_server()
    from flows.runner import run_reextract

    result = run_reextract(settings(), older_than)
    out.print(f"re-extracted {result['documents']} documents: {result['mentions']} deal mentions, "
              f"{result['new_deals']} new deals")


@app.command()
@fails_cleanly
def evaluate(corpus: Path = typer.Option(..., help="labelled corpus: NAME.txt beside NAME.json (dev format)"),
             folds: int = typer.Option(5, min=2, help="document folds for cross-validation"),
             format: str = typer.Option("table", "--format", "-f", help="table or json")) -> None:
    """Score the extractor on a labelled corpus: k-fold cross-validated (the measure), fitted to all, rules alone.

    Each fold's documents are extracted by models trained on the other folds and scored by the dev scorer's rules.
    Example: minewire evaluate --corpus ../shared/corpus/dev --folds 5
    """
    from extractors.learning.corpus import read_corpus
    from extractors.learning.evaluation import evaluate as run_evaluation, format_report
    from extractors.learning.folds import check_folds
    from flows.pipeline import get_nlp

    docs = read_corpus(corpus)
    check_folds(docs, folds, corpus)
    results = run_evaluation(docs, get_nlp(settings().spacy_model), folds)
    if format == "json":
        sys.stdout.write(json.dumps(results, indent=1) + "\n")
    else:
        out.print(format_report(results, folds), highlight=False)


@app.command()
@fails_cleanly
def train(corpus: Path = typer.Option(..., help="labelled corpus: NAME.txt beside NAME.json (dev format)"),
          folds: int = typer.Option(5, min=2, help="document folds for choosing which decisions to learn"),
          out_path: Optional[Path] = typer.Option(None, "--out", help="weights file (default: the shipped one)")) -> None:
    """Fit the deal models on a labelled corpus and write their weights (deterministic: same corpus, same file).

    Example: minewire train --corpus ../shared/corpus/dev
    """
    from extractors.decisions import WEIGHTS, shipped_models
    from extractors.learning.corpus import read_corpus
    from extractors.learning.folds import check_folds
    from extractors.learning.selection import train as run_training
    from flows.pipeline import get_nlp

    docs = read_corpus(corpus)
    check_folds(docs, folds, corpus)
    target = out_path or WEIGHTS
    models = run_training(docs, get_nlp(settings().spacy_model), corpus.name, folds)
    target.parent.mkdir(parents=True, exist_ok=True)
    models.save(target)
    shipped_models.cache_clear()
    learned = ", ".join(models.models) or "none beat the rules"
    trials = ", ".join(f"{name} {f1:.3f}" for name, f1 in models.trained_on["cv_all_fields_f1"].items())
    out.print(f"trained on {len(docs)} documents ({models.trained_on['deals']} deals)", highlight=False)
    out.print(f"cross-validated all-fields F1 per decision: {trials}", highlight=False)
    out.print(f"learned: {learned}; wrote {target}", highlight=False)


@sources_app.command("list")
@fails_cleanly
def sources_list() -> None:
    """List the sources minewire polls.

    Example: minewire sources list
    """
    from flows.watchlist import load_watchlist

    cols = ["name", "kind", "group", "company", "cik", "url"]
    render.rows(out, cols, [tuple(getattr(s, c) for c in cols) for s in load_watchlist(settings())])


@sources_app.command("add")
@fails_cleanly
def sources_add(name: str, kind: str = typer.Option(..., help="rss, atom or edgar"),
                url: Optional[str] = typer.Option(None, help="feed URL (rss/atom)"),
                cik: Optional[str] = typer.Option(None, help="EDGAR CIK (edgar)"),
                company: Optional[str] = typer.Option(None), group: str = typer.Option("news")) -> None:
    """Add a source to ./minewire.toml.

    Example: minewire sources add riot-edgar --kind edgar --cik 1167419 --company "Riot Platforms" --group edgar
    """
    from flows.settings import SourceConfig
    from flows.watchlist import add_source

    source = SourceConfig(name=name, kind=kind, url=url, cik=cik, company=company, group=group)
    add_source(Path("minewire.toml"), source, settings())
    out.print(f"added {name} to minewire.toml")


@sources_app.command("remove")
@fails_cleanly
def sources_remove(name: str) -> None:
    """Remove a source from ./minewire.toml.

    Example: minewire sources remove riot-edgar
    """
    from flows.watchlist import remove_source

    remove_source(Path("minewire.toml"), name)
    out.print(f"removed {name} from minewire.toml")
