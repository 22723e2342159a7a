"""Cross-validated scores of the extractor on a labelled corpus, with the fit-to-all and rules-only figures beside."""

from __future__ import annotations

from spacy.language import Language

from ..decisions import shipped_models
from ..linear import MODEL_NAMES, DealModels
from .corpus import LabelledDoc
from .folds import load_folds
from .scoring import ALL_FIELDS, Tally
from .training import C, DocExamples, corpus_examples, fit_models, predict


def cross_validate(examples: list[DocExamples], folds: list[list[str]], names: tuple[str, ...] = MODEL_NAMES,
                   c: float = C) -> dict:
    """Score each fold's documents with models fitted on the other folds; the figures of all folds together."""
    tally = Tally()
    for fold in folds:
        held = set(fold)
        models = fit_models([ex for ex in examples if ex.doc.name not in held], names, c)
        for ex in examples:
            if ex.doc.name in held:
                tally.add(ex.doc.deals, predict(ex, models))
    return tally.report()


def score_all(examples: list[DocExamples], models: DealModels | None) -> dict:
    """Score every document with one set of models (None: the rules alone)."""
    tally = Tally()
    for ex in examples:
        tally.add(ex.doc.deals, predict(ex, models))
    return tally.report()


def evaluate(docs: list[LabelledDoc], nlp: Language, k: int = 5, names: tuple[str, ...] | None = None,
             c: float = C) -> dict[str, dict]:
    """{"cv": k-fold figures, "fit": fitted-to-all figures, "rules": the rules alone}; the CV one is the measure.

    `names`: the learned decisions to use (default: those the shipped weights use).
    """
    if names is None:
        shipped = shipped_models()
        names = tuple(shipped.models) if shipped else ()
    examples = corpus_examples(docs, nlp)
    folds = load_folds(docs, k)
    return {"cv": cross_validate(examples, folds, names, c), "fit": score_all(examples, fit_models(examples, names, c)),
            "rules": score_all(examples, None), "models": list(names)}


def format_report(results: dict[str, dict], k: int) -> str:
    """A plain-text table: F1 (and P/R for the CV column) per field, deals, micro figures, invented deals."""
    cv, fit, rules = results["cv"], results["fit"], results["rules"]
    learned = ", ".join(results.get("models") or []) or "none (every decision by the rules)"
    lines = [f"learned decisions: {learned}",
             f"documents: {cv['documents']}   {k}-fold cross-validated (the measure) | fitted to all | rules alone",
             f"{'':18s} {'P':>6s} {'R':>6s} {'F1':>6s} | {'F1':>6s} | {'F1':>6s}"]

    def row(name: str, a: dict, b: dict, r: dict) -> str:
        return (f"{name:18s} {a['precision']:6.3f} {a['recall']:6.3f} {a['f1']:6.3f} | {b['f1']:6.3f} | "
                f"{r['f1']:6.3f}")

    for field in ALL_FIELDS:
        lines.append(row(field, cv["fields"][field], fit["fields"][field], rules["fields"][field]))
    lines.append(row("deals", cv["deals"], fit["deals"], rules["deals"]))
    lines.append(row("core fields micro", cv["core_micro"], fit["core_micro"], rules["core_micro"]))
    lines.append(row("all fields micro", cv["all_micro"], fit["all_micro"], rules["all_micro"]))
    lines.append(f"{'invented (no-deal)':18s} {cv['invented_on_negative_docs']:>20d} | "
                 f"{fit['invented_on_negative_docs']:6d} | {rules['invented_on_negative_docs']:6d}")
    return "\n".join(lines)
