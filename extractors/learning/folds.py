"""A fixed, document-level k-fold split, stratified so each fold has no-deal, one-deal and multi-deal documents."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .corpus import LabelledDoc

DEV_FOLDS = Path(__file__).parent / "dev_folds.json"


def _stratum(doc: LabelledDoc) -> int:
    return min(len(doc.deals), 2)  # none, one, several


def make_folds(docs: list[LabelledDoc], k: int = 5) -> list[list[str]]:
    """Document names per fold: within each stratum, documents in a hash order dealt round-robin."""
    folds: list[list[str]] = [[] for _ in range(k)]
    turn = 0
    for stratum in (0, 1, 2):
        members = sorted((d.name for d in docs if _stratum(d) == stratum),
                         key=lambda n: hashlib.sha256(n.encode()).hexdigest())
        for name in members:
            folds[turn % k].append(name)
            turn += 1
    return [sorted(f) for f in folds]


def check_folds(docs: list[LabelledDoc], k: int, corpus: object) -> None:
    """ValueError naming the corpus when it cannot make k folds of at least one document."""
    if k < 2 or len(docs) < k:
        raise ValueError(f"{corpus}: {len(docs)} labelled documents cannot make {k} folds; use --folds between 2 "
                         f"and {len(docs)}")


def load_folds(docs: list[LabelledDoc], k: int, path: Path = DEV_FOLDS) -> list[list[str]]:
    """The split saved in `path` when it covers exactly these documents in k folds, else a new one."""
    names = {d.name for d in docs}
    if path.exists():
        saved = json.loads(path.read_text())
        if len(saved) == k and {n for fold in saved for n in fold} == names:
            return saved
    return make_folds(docs, k)


def save_folds(folds: list[list[str]], path: Path = DEV_FOLDS) -> None:
    path.write_text(json.dumps(folds, indent=1) + "\n")
