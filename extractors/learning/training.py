"""Training examples from a labelled corpus and fitting the deal models on them."""

from __future__ import annotations

from dataclasses import dataclass, field

from spacy.language import Language

from ..candidates import Candidate, DocContext, Features, keep_features
from ..decisions import NO_SITE, OPTIONS, decide
from ..document import finish_deals
from ..linear import MODEL_NAMES, DealModels, LinearModel
from ..pipeline import EXTRACTOR_VERSION, candidates_many
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
        for name, make in OPTIONS.items():
            if cand.deal.deal_type in NO_SITE and name != "price_usd":
                continue
            for option in make(cand, ctx):
                rows[name].append((option.features, int(same_field(name, gold.get(name), option.value))))
    return DocExamples(doc, candidates, ctx, rows)


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


def fit_models(examples: list[DocExamples], c: float = C, trained_on: dict | None = None) -> DealModels:
    """Every deal model fitted on the examples' rows."""
    models = {name: fit([row for ex in examples for row in ex.rows[name]], c) for name in MODEL_NAMES}
    return DealModels(EXTRACTOR_VERSION, models, trained_on or {})


def predict(ex: DocExamples, models: DealModels | None) -> list[dict]:
    """The document's deals as `minewire extract` prints them, decided by `models` (None: rules alone)."""
    deals = finish_deals(decide(ex.candidates, ex.ctx, models), ex.ctx, EXTRACTOR_VERSION)
    return [d.to_json() for d in deals]


def train(docs: list[LabelledDoc], nlp: Language, corpus: str, c: float = C) -> DealModels:
    """The deal models fitted on every document of a corpus, recording what they were fitted on."""
    examples = corpus_examples(docs, nlp)
    return fit_models(examples, c, {"corpus": corpus, "documents": len(docs), "seed": SEED, "C": c,
                                    "deals": sum(len(d.deals) for d in docs)})
