"""Which decisions to learn: a model is used only where it beats the rules on the cross-validated figure."""

from __future__ import annotations

from spacy.language import Language

from ..linear import MODEL_NAMES, DealModels
from .corpus import LabelledDoc
from .evaluation import cross_validate
from .folds import load_folds
from .training import SEED, C, DocExamples, corpus_examples, fit_models

MIN_GAIN = 0.003  # all-fields micro F1 a model must add on held-out folds (about two fields in the dev corpus)


def select_models(examples: list[DocExamples], folds: list[list[str]], c: float = C) -> tuple[tuple[str, ...], dict]:
    """Greedy forward selection: add each model in turn when it raises the cross-validated all-fields F1."""
    selected: tuple[str, ...] = ()
    best = cross_validate(examples, folds, selected, c)["all_micro"]["f1"]
    trials = {"rules": round(best, 4)}
    for name in MODEL_NAMES:
        f1 = cross_validate(examples, folds, selected + (name,), c)["all_micro"]["f1"]
        trials[name] = round(f1, 4)
        if f1 >= best + MIN_GAIN:
            selected, best = selected + (name,), f1
    return selected, trials


def train(docs: list[LabelledDoc], nlp: Language, corpus: str, k: int = 5, c: float = C) -> DealModels:
    """Select the decisions worth learning by k-fold CV on the corpus, then fit those on all of it."""
    examples = corpus_examples(docs, nlp)
    selected, trials = select_models(examples, load_folds(docs, k), c)
    return fit_models(examples, selected, c, {
        "corpus": corpus, "documents": len(docs), "deals": sum(len(d.deals) for d in docs), "seed": SEED, "C": c,
        "folds": k, "cv_all_fields_f1": trials, "selected": list(selected)})
