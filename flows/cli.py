"""The `minewire` command line: a thin layer over the pipeline's functions and flows."""

from __future__ import annotations

import functools
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console

from flows.settings import Settings, read_settings
from flows import prefect_env, render

app = typer.Typer(help="minewire: a warehouse of mining-company deals from news, press wires and SEC filings.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]})
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


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        from extractors.version import EXTRACTOR_VERSION

        out.print(f"minewire {version('minewire')} (extractor {EXTRACTOR_VERSION})", highlight=False)
        raise typer.Exit()


@app.callback()
def main(warehouse: Optional[str] = typer.Option(
        None, "--warehouse", "-w", help="DuckDB file, or a DuckLake: ducklake:postgres:dbname=… host=…, "
        "ducklake:sqlite:PATH, ducklake:PATH.ducklake (default: setting warehouse_path, ./minewire.duckdb)"),
         show_version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                           help="print minewire's version and exit")) -> None:
    """Settings come from MINEWIRE_* variables and ./minewire.toml; --warehouse overrides the warehouse."""
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
    out.print(f"warehouse ready: {settings().warehouse}")


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
def extract(paths: list[str] = typer.Argument(..., metavar="FILE|DIR|-", help=".txt, .html, .htm or .pdf files, "
                                              "directories of them, or - for standard input"),
            format: str = typer.Option("jsonl", "--format", "-f", help="jsonl or table")) -> None:
    """Extract deals from local files; jsonl prints {"doc": id, "deals": [...]} per file, in order. A file's id is
    its path from the files' common folder without the extension ("a/index", "b/index"); standard input's is "-".

    Example: minewire extract --format jsonl article.txt release.html filing.pdf pages/
    """
    from flows.files import input_text, list_inputs
    from flows.pipeline import get_nlp
    from extractors import extract as extract_text, model_name
    from extractors.sentences import MAX_TEXT_CHARS

    inputs, warnings = list_inputs(paths)
    for warning in warnings:
        err.print(f"warning: {warning}", highlight=False, soft_wrap=True)
    nlp = get_nlp(settings().spacy_model)
    err.print(f"extraction model: {model_name(nlp)}", highlight=False)
    failed = 0
    for item in inputs:
        try:
            text, warnings = input_text(item, sys.stdin.buffer, MAX_TEXT_CHARS)
            for warning in warnings:
                err.print(f"warning: {warning}", highlight=False, soft_wrap=True)
            deals = [d.to_json() for d in extract_text(text, nlp)]
        except ValueError as exc:
            err.print(f"error: {exc}", highlight=False, soft_wrap=True)
            failed, deals = failed + 1, []
        if format == "jsonl":
            sys.stdout.write(json.dumps({"doc": item.doc_id, "deals": deals}, ensure_ascii=False) + "\n")
        else:
            render.deals_table(out, item.doc_id, deals)
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
           format: str = typer.Option("table", "--format", "-f", help="table, csv or json (the list)")) -> None:
    """List deals least confident first, or decide on one: the decision (who, when, why) is kept in the
    corrections table and lies over what was extracted, through any re-extraction.

    Example: minewire review 76f381d8 --set capacity_mw=75 --note "the 6-K says 75 MW"
    """
    from warehouse.evidence import resolve_deal_id
    from warehouse.review import parse_setting, record_decision, review_queue

    path = settings().warehouse_path
    if deal_id is None:
        if accept or reject or set_:
            raise ValueError("give the DEAL_ID to decide on (the list comes without options)")
        columns, rows = review_queue(path, include_reviewed=all_)
        render.rows(out, columns, rows, format)
        return
    if accept + reject + bool(set_) != 1:
        raise ValueError("give one of --accept, --reject or --set field=value")
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
        format: str = typer.Option("table", "--format", "-f", help="table, csv or json"),
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
        raise ValueError("give --at-snapshot or --as-of, not both")
    render.check_format(format)
    with stream_sql(settings().warehouse, query, memory_limit=settings().sql_memory_limit, snapshot=at_snapshot,
                    as_of=as_of) as (columns, rows):
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


@app.command()
@fails_cleanly
def compact(keep_days: float = typer.Option(7.0, help="keep snapshots (time travel) this many days back")) -> None:
    """Compact a lake: merge small Parquet files, expire older snapshots, delete files nothing uses.

    Example: minewire -w "ducklake:postgres:dbname=minewire host=db.internal" compact --keep-days 7
    """
    from flows.maintenance import compact as run_compact

    done = run_compact(settings(), keep_days)
    out.print(f"data files {done['files_before']} -> {done['files_after']}, snapshots {done['snapshots_before']} "
              f"-> {done['snapshots_after']}", highlight=False)


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
