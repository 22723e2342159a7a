"""The extractor's commands: extract (local files), evaluate and train (labelled corpora)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Literal, Optional

import typer

from flows import render
from flows.cli.app import app, err, fails_cleanly, out, settings
from flows.cli.progress import progress_bars


@app.command()
@fails_cleanly
def extract(paths: list[str] = typer.Argument(..., metavar="FILE|DIR|-", help=".txt, .html, .htm or .pdf files, "
                                              "directories of them, or - for standard input"),
            format: Literal["jsonl", "table"] = typer.Option("jsonl", "--format", "-f",
                                        help="jsonl or table")) -> None:
    """Extract deals from local files; jsonl prints {"doc": id, "deals": [...]} per file, in order. A file's id is
    its path from the files' common folder without the extension ("a/index", "b/index"); standard input's is "-".

    Example: minewire extract --format jsonl article.txt release.html filing.pdf pages/
    """
    from extractors import model_name
    from flows.pipeline import get_nlp
    from flows.sources.files import list_inputs

    inputs, warnings = list_inputs(paths)
    for warning in warnings:
        err.print(f"warning: {warning}", highlight=False, soft_wrap=True)
    nlp = get_nlp(settings().spacy_model)
    err.print(f"extraction model: {model_name(nlp)}", highlight=False)
    failed = 0
    with progress_bars() as progress:
        for done, item in enumerate(inputs, 1):
            deals = _file_deals(item, nlp)
            failed += deals is None
            deals = deals or []
            if format == "jsonl":
                sys.stdout.write(json.dumps({"doc": item.doc_id, "deals": deals}, ensure_ascii=False) + "\n")
                sys.stdout.flush()
            else:
                render.deals_table(out, item.doc_id, deals)
            progress("files", done, len(inputs), item.doc_id)
    if failed:
        raise typer.Exit(1)


def _file_deals(item, nlp) -> list[dict] | None:
    """One input's deals as JSON (None: it could not be read), with warnings and errors on stderr."""
    from extractors import extract as extract_text
    from extractors.sentences import MAX_TEXT_CHARS
    from flows.sources.files import input_text

    try:
        text, warnings = input_text(item, sys.stdin.buffer, MAX_TEXT_CHARS)
        for warning in warnings:
            err.print(f"warning: {warning}", highlight=False, soft_wrap=True)
        return [d.to_json() for d in extract_text(text, nlp)]
    except ValueError as exc:
        err.print(f"error: {exc}", highlight=False, soft_wrap=True)
        return None


@app.command()
@fails_cleanly
def evaluate(corpus: Path = typer.Option(..., help="labelled corpus: NAME.txt beside NAME.json (dev format)"),
             folds: int = typer.Option(5, min=2, help="document folds for cross-validation"),
             format: Literal["table", "json"] = typer.Option("table", "--format", "-f",
                                         help="table or json")) -> None:
    """Score the extractor on a labelled corpus: k-fold cross-validated (the measure), fitted to all, rules alone.

    Each fold's documents are extracted by models trained on the other folds and scored by the dev scorer's rules.
    Example: minewire evaluate --corpus ../shared/corpus/dev --folds 5
    """
    from extractors.learning.corpus import read_corpus
    from extractors.learning.evaluation import evaluate as run_evaluation
    from extractors.learning.evaluation import format_report
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
