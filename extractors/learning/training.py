"""Training examples from a labelled corpus and fitting the deal models on them."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language

from .. import gazetteer
from ..candidates import Candidate, DocContext, Features, Option, keep_features
from ..decisions import OPTIONS, decide, field_options
from ..document import finish_deals
from ..linear import MODEL_NAMES, DealModels, LinearModel
from ..nlp import candidates_many
from ..version import EXTRACTOR_VERSION
from .corpus import LabelledDoc
from .scoring import match_deals, same_field

SEED = 13
C = 0.3  # inverse L2 strength, chosen on the cross-validated figure (see bench/README.md)


@dataclass
class DocExamples:
    """One document's candidates, context and labelled feature rows per model."""

    doc: LabelledDoc
    candidates: list[Candidate]
    ctx: DocContext
    rows: dict[str, list[tuple[Features, int]]] = field(default_factory=dict)


def doc_examples(doc: LabelledDoc, candidates: list[Candidate], ctx: DocContext) -> DocExamples:
    """Label each candidate by whether it matches a gold deal, and each field option by whether it is the gold value."""
    rows: dict[str, list[tuple[Features, int]]] = {name: [] for name in MODEL_NAMES}
    matched = {pi: gi for gi, pi in match_deals(doc.deals, [c.deal.to_json() for c in candidates])}
    for i, cand in enumerate(candidates):
        rows["keep"].append((keep_features(cand, ctx, candidates), int(i in matched)))
        if i not in matched:
            continue
        gold = doc.deals[matched[i]]
        for name in OPTIONS:
            if name == "capacity_mw" and not gazetteer.has_site(cand.deal.deal_type):
                continue
            options = field_options(cand, ctx, name)
            right = [o for o in options if same_field(name, gold.get(name), o.value)
                     or (o.value is None and gold.get(name) in (None, ""))]
            rows[name].extend(_pairs(right[0], options) if right else [])
    return DocExamples(doc, candidates, ctx, rows)


def _pairs(right: Option, options: list[Option]) -> list[tuple[Features, int]]:
    """Pairwise ranking rows: the right option's features minus each wrong one's (label 1), and the reverse (0)."""
    rows = []
    for wrong in options:
        if wrong is right:
            continue
        diff = dict(right.features)
        for k, v in wrong.features.items():
            diff[k] = diff.get(k, 0.0) - v
        rows.append((diff, 1))
        rows.append(({k: -v for k, v in diff.items()}, 0))
    return rows


def corpus_examples(docs: list[LabelledDoc], nlp: Language) -> list[DocExamples]:
    """Run the rules once over the corpus; the folds then only refit the models."""
    return [doc_examples(doc, cands, ctx) for doc, (cands, ctx) in zip(docs, candidates_many([d.text for d in docs], nlp))]


def fit(rows: list[tuple[Features, int]], c: float = C, seed: int = SEED) -> LinearModel:
    """An L2 logistic regression over the rows (scikit-learn), kept as named weights."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    labels = [y for _, y in rows]
    if len(set(labels)) < 2:  # nothing to learn from: a constant answer
        return LinearModel({"bias": 5.0 if labels and labels[0] else -5.0})
    vectorizer = DictVectorizer()
    x = vectorizer.fit_transform([f for f, _ in rows])
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000, random_state=seed).fit(x, labels)
    return LinearModel({name: float(w) for name, w in zip(vectorizer.get_feature_names_out(), model.coef_[0])})


def fit_models(examples: list[DocExamples], names: tuple[str, ...] = MODEL_NAMES, c: float = C,
               trained_on: dict | None = None) -> DealModels:
    """The named deal models fitted on the examples' rows (a decision without a model stays with the rules)."""
    models = {name: fit([row for ex in examples for row in ex.rows[name]], c) for name in names}
    return DealModels(EXTRACTOR_VERSION, models, trained_on or {})


def predict(ex: DocExamples, models: DealModels | None) -> list[dict]:
    """The document's deals as `minewire extract` prints them, decided by `models` (None: rules alone)."""
    deals = finish_deals(decide(ex.candidates, ex.ctx, models), ex.ctx, EXTRACTOR_VERSION)
    return [d.to_json() for d in deals]
