"""From one document's processed sentences to its deals: mentions, merging, filtering and confidence."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from models.names import folded_words
from models.records import DealMention

from . import gazetteer
from .candidates import Candidate, DocContext
from .deals import Clause, sentence_clauses
from .decisions import decide, shipped_models
from .linear import DealModels
from .merge import Cluster, abbreviations, cluster_clauses, follow_up, same_org, to_deal
from .parties import ISSUER, PRONOUN
from .party_kinds import direct_by_kind
from .places import find_places, written_names
from .text import doc_text

LEAD_SENTENCES = 3  # the title and the first body sentences state the main deal
MAX_MENTIONS = 200  # per document: more means a list or table, not prose; the rest is ignored
MAX_DEALS = 50
MAX_CANDIDATES = 100


def document_deals(text: str, spans: list[tuple[int, int]], docs: dict[int, Doc], rules_doc: Doc,
                   version: str, models: DealModels | None = None) -> list[DealMention]:
    """Deals of one document from its sentence spans, model-processed sentence docs and whole-text rules doc.

    `models` (the shipped weights unless given) decide which candidates are deals and which figures and
    place are theirs; without weights the hand-written keep test and the rules' values stand.
    """
    candidates, ctx = document_candidates(text, spans, docs, rules_doc)
    models = shipped_models() if models is None else models
    return finish_deals(decide(candidates, ctx, models), ctx, version)


def finish_deals(deals: list[DealMention], ctx: DocContext, version: str) -> list[DealMention]:
    """Stamp the version, write countries as the text does, and drop repeats."""
    for deal in deals:
        deal.extractor_version = version
        deal.country = ctx.country_forms.get(deal.country, deal.country)
    return dedupe(deals)


def document_candidates(text: str, spans: list[tuple[int, int]], docs: dict[int, Doc],
                        rules_doc: Doc) -> tuple[list[Candidate], DocContext]:
    """Every deal the rules propose in one document, and what the document states around them."""
    aliases = abbreviations(text)
    share_orgs(list(docs.values()), aliases)
    issuer = _issuer(rules_doc)
    labels = {o.label_ for d in [rules_doc, *docs.values()] for o in d.spans.get("minewire_orgs", [])}
    mentions: list[Clause] = []
    for index in sorted(docs):
        start = spans[index][0]
        for m in sentence_clauses(docs[index], start, index, lead=index < LEAD_SENTENCES):
            m.deal.buyer, m.deal.seller = aliases.get(m.deal.buyer, m.deal.buyer), aliases.get(m.deal.seller, m.deal.seller)
            _resolve_issuer(m.deal, _topic(text, spans, index, labels) or issuer, PRONOUN)
            _resolve_issuer(m.deal, issuer)
            _drop_non_parties(m.deal)
            direct_by_kind(m.deal)
            mentions.append(m)
    clusters = cluster_clauses(mentions[:MAX_MENTIONS])
    taken = {m.sent for m in mentions if m.deal.buyer or m.deal.seller}
    places = find_places(rules_doc)
    surface = surface_names(rules_doc)
    candidates = []
    for cluster in clusters:
        follow_up(cluster, text, spans, taken - {m.sent for m in cluster.members})
        deal = to_deal(cluster, places, places)
        if not (deal.buyer or deal.seller) or same_org(deal.buyer, deal.seller):
            continue
        rule_keep = keep(deal, cluster)
        deal.confidence = confidence(deal, cluster)
        deal.buyer, deal.seller = surface.get(deal.buyer, deal.buyer), surface.get(deal.seller, deal.seller)
        candidates.append(Candidate(deal, cluster, rule_keep))
    _drop_totals(candidates)
    ctx = DocContext(text, spans, places, written_names(rules_doc), _named_orgs(rules_doc, docs, spans, surface))
    return candidates[:MAX_CANDIDATES], ctx


def _drop_totals(candidates: list[Candidate]) -> None:
    """ "Buys a facility and 3,400 machines for $25.1M", then "$16.2 million" and "$8.9 million": a headline
    total of priced items told one by one is not a deal of its own."""
    for cand in candidates:
        total = cand.deal.price_usd
        parts = [c.deal.price_usd for c in candidates if c is not cand and c.deal.price_usd and c.rule_keep
                 and c.cluster.members[0].listed and (same_org(c.deal.buyer, cand.deal.buyer)
                                                      or same_org(c.deal.seller, cand.deal.seller))]
        if total and len(parts) >= 2 and abs(sum(parts) - total) <= 0.01 * total:
            cand.rule_keep = False


def _named_orgs(rules_doc: Doc, docs: dict[int, Doc], spans: list[tuple[int, int]],
                surface: dict[str, str]) -> list[tuple[str, int, int]]:
    """(name as reported, start, end) of every organisation the whole text or a parsed sentence names."""
    found = {(surface.get(o.label_, o.label_), o.start_char, o.end_char) for o in rules_doc.spans.get("minewire_orgs", [])}
    for index, doc in docs.items():
        offset = spans[index][0]
        found.update((surface.get(o.label_, o.label_), offset + o.start_char, offset + o.end_char)
                     for o in doc.spans.get("minewire_orgs", []))
    return sorted(found, key=lambda o: (o[1], o[2], o[0]))  # a total order: the same run after run


def _issuer(rules_doc: Doc) -> str | None:
    """The company the text is about: the first organisation it names (datelines are not orgs)."""
    orgs = rules_doc.spans.get("minewire_orgs", [])
    return orgs[0].label_ if len(orgs) else None


def _topic(text: str, spans: list[tuple[int, int]], index: int, labels: set[str]) -> str | None:
    """The organisation the previous sentence opens with as its subject ("Talen has been busy…. In March it sold…")."""
    if index == 0:
        return None
    before = text[spans[index - 1][0]:spans[index - 1][1]].lstrip()
    for label in sorted(labels, key=len, reverse=True):
        first = label.split()[0]
        for form in (label, first if len(first) > 3 and first.isalpha() else None):
            if form and re.match(re.escape(form) + r"(?:[\s,]+(?:Inc|Corp|Ltd)\.?)?\s+(?:has|had|is|was|said|says|"
                                 r"will|would|also|then|agreed|announced|reported)\b", before):
                return label
    return None


def _resolve_issuer(deal: DealMention, issuer: str | None, placeholder: str = ISSUER) -> None:
    """ "it has agreed to sell…": the pronoun stands for the issuer, unless the issuer is already the other side."""
    for role, other in (("buyer", deal.seller), ("seller", deal.buyer)):
        if getattr(deal, role) == placeholder:
            setattr(deal, role, None if same_org(issuer, other) else issuer)


def _drop_non_parties(deal: DealMention) -> None:
    """An exchange, a wire service or an unresolved defined term ("the Sites") is no party."""
    for role in ("buyer", "seller"):
        if gazetteer.is_not_party(getattr(deal, role)):
            setattr(deal, role, None)


def surface_names(rules_doc: Doc) -> dict[str, str]:
    """Registry name -> the form the text first uses ("MARA Holdings, Inc." -> "Marathon Digital Holdings").

    A later form that extends the first ("Bitfarms", then "Bitfarms Ltd.") wins. The registry name is only for
    matching; reports quote the document.
    """
    forms: dict[str, str] = {}
    for span in rules_doc.spans.get("minewire_companies", []):
        best = forms.get(span.label_)
        if best is None or (folded_words(span.text).startswith(folded_words(best)) and len(span.text) > len(best)):
            forms[span.label_] = span.text
    return forms


def share_orgs(docs: list[Doc], aliases: dict[str, str]) -> None:
    """An organisation recognised in one sentence is recognised in all ("Copec" -> "Empresas Copec")."""
    labels = {o.text: o.label_ for doc in docs for o in doc.spans.get("minewire_orgs", []) if len(o.text) > 2}
    labels.update({short: labels.get(full, full) for short, full in aliases.items() if full in labels})
    labels.update(_first_words(labels))
    if not labels:
        return
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(t) for t in sorted(labels, key=len, reverse=True)) + r")\b")
    for doc in docs:
        orgs = list(doc.spans.get("minewire_orgs", []))
        taken = {i for o in orgs for i in range(o.start, o.end)}
        for m in pattern.finditer(doc_text(doc)):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is None or taken & set(range(span.start, span.end)):
                continue
            start = span.start
            while start > 0 and doc[start - 1].is_title and doc[start - 1].is_alpha and start - 1 not in taken \
                    and start - 1 > 0:
                start -= 1
            label = labels[m.group(0)] if start == span.start else doc[start:span.end].text
            orgs.append(Span(doc, start, span.end, label=label))
            taken.update(range(start, span.end))
        doc.spans["minewire_orgs"] = sorted(orgs, key=lambda o: o.start)


# First words that do not name one company on their own.
_GENERIC = {"the", "first", "north", "south", "east", "west", "new", "global", "american", "united", "national",
            "general", "digital", "power", "energy", "bitcoin", "mining", "gold", "silver", "copper", "data", "core",
            "applied", "central", "great", "royal", "pan", "southern", "northern", "western", "eastern", "item"}


def _first_words(labels: dict[str, str]) -> dict[str, str]:
    """ "Kestrel Power Corp." is "Kestrel" later on: a distinctive first word stands for its organisation."""
    owners: dict[str, set[str]] = {}
    for text, label in labels.items():
        words = text.split()
        if len(words) > 1 and len(words[0]) > 3 and words[0][0].isupper() and words[0].isalpha() \
                and words[0].lower() not in _GENERIC and words[0] not in gazetteer.place_index():
            owners.setdefault(words[0], set()).add(label)
    legal = re.compile(r"\b(?:Inc|Corp|Corporation|Ltd|Limited|LLC|plc|Group|Holdings)\.?$")
    # Of several orgs sharing the word (a headline's "Kestrel Power Agrees"), the one with a legal suffix.
    return {w: max(sorted(o), key=lambda label: bool(legal.search(label))) for w, o in owners.items()
            if w not in labels and (len(o) == 1 or any(legal.search(label) for label in o))}


def keep(deal: DealMention, cluster: Cluster) -> bool:
    """A deal (with a named party: candidates have one) needs a figure; a main deal stated by a verb may go
    without figures."""
    if deal.deal_type == "financing":
        # Both sides, or one side of a financing whose amount names its instrument (an offering, a placement).
        tied = any(m.tied for m in cluster.members)
        return bool(deal.price_text and (deal.buyer and deal.seller or tied and (deal.buyer or deal.seller)))
    if deal.deal_type == "other":
        return any("price_text" in m.here for m in cluster.members)
    if deal.price_text or deal.capacity_mw:
        return True
    # Without figures only the document's main deal counts, and only when both sides are named.
    lead = any(m.lead and m.verbal for m in cluster.members)
    return lead and bool(deal.buyer) and bool(deal.seller)


def confidence(deal: DealMention, cluster: Cluster) -> float:
    """Higher when the parse gave the roles and the figures sit in the evidence sentence; lower for fallbacks."""
    best = next(m for m in cluster.members if m.deal.sentence == deal.sentence and m.deal.start_char == deal.start_char)
    score = 0.3
    score += 0.2 if best.parsed else 0.0
    score += 0.1 if best.deal.buyer and best.deal.seller else 0.0
    score += 0.15 if "price_text" in best.here else 0.0
    score += 0.05 if "capacity_mw" in best.here else 0.0
    score += 0.1 if best.verbal else 0.0
    score += 0.05 * min(len(cluster.members) - 1, 2)
    borrowed = {"buyer", "seller", "price_usd", "price_text", "capacity_mw"} & set(cluster.extra)
    score -= 0.1 * min(len(borrowed), 2)  # read from a later sentence, by a looser rule
    return round(max(0.05, min(0.95, score)), 2)


def dedupe(deals: list[DealMention]) -> list[DealMention]:
    """Two clusters that ended up with the same parties, type and figures are one deal."""
    seen: dict[tuple, DealMention] = {}
    for deal in deals:
        key = (deal.deal_type, folded_words(deal.buyer), folded_words(deal.seller), deal.price_usd, deal.capacity_mw)
        seen.setdefault(key, deal)
    return list(seen.values())[:MAX_DEALS]
