"""Our spaCy rule components; each writes its own span group and never touches doc.ents.

| factory               | span group            | span label             |
|-----------------------|-----------------------|------------------------|
| minewire_companies    | minewire_companies    | registry name          |
| minewire_places       | minewire_places       | canonical place name   |
| minewire_figures      | minewire_money, minewire_capacity | MONEY / CAPACITY |
| minewire_cues         | minewire_cues         | frame (buy, sell, …)   |
| minewire_orgs         | minewire_orgs         | normalised org name    |
"""

from __future__ import annotations

import re

from spacy.attrs import ORTH
from spacy.language import Language
from spacy.strings import hash_string
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from . import gazetteer
from .capacity import CAPACITY_RE
from .money import MONEY_RE
from .text import doc_text

RULE_COMPONENTS = ("minewire_companies", "minewire_places", "minewire_figures", "minewire_cues", "minewire_orgs")

# Capitalised names ending in one of these words are organisations even without NER.
_ORG_HEADS = {
    "Inc", "Inc.", "Corp", "Corp.", "Corporation", "Ltd", "Ltd.", "Limited", "LLC", "LP", "plc", "PLC", "AG", "SA",
    "S.A.", "NV", "Group", "Holdings", "Authority", "Fund", "Utilities", "Partners", "Capital", "Energy", "Power",
    "Mining", "Resources", "Minerals", "Technologies", "Infrastructure", "Digital", "Platforms", "Cooperative",
    "Electric", "Company", "Co.", "Metals", "Gold", "Silver", "Copper", "Enterprises", "Industries", "Ventures",
    "Investments", "Management", "Systems", "Solutions", "Networks", "Blockchain", "Trust", "Bank",
}
_HEAD_HASHES = frozenset(hash_string(h) for h in _ORG_HEADS)
# Words that end the names of compute and cloud companies ("Meridian AI Cloud", "Vantor Hosting"). The small model
# tags some of those names as people, or misses them. In a headline ("Signs Hosting Agreement") a capitalised run
# before one of these words is not a name: there they count only for a span NER found.
_SERVICE_HEADS = {"Cloud", "Hosting", "Compute", "Computing", "Labs", "Datacenters"}
_SERVICE_HASHES = frozenset(hash_string(h) for h in _SERVICE_HEADS)
_ANY_HEAD_HASHES = _HEAD_HASHES | _SERVICE_HASHES
_PERSON_ORG_HEADS = _ORG_HEADS | _SERVICE_HEADS | {"AI"}
# A name ending in one of these is a site ("Willow Creek Data Center", "Paso Pe Site"), never a party. Not "Mine"
# or "Project": taking "the Kurmuk Project" out of the parties re-clustered a stream's mentions for the worse.
_SITE_HEADS = {"campus", "site", "facility", "center", "centre"}
# NER sometimes tags these as ORG; they are never a party to a deal.
_NOT_PARTIES = {
    "bitcoin", "btc", "nasdaq", "nyse", "tsx", "tsxv", "asx", "sec", "globe newswire", "business wire", "reuters",
    "pr newswire", "eh/s", "ph/s", "th/s", "hpc", "ai", "mw", "gw", "ceo", "cfo", "asic", "asics", "gpu", "gpus",
    "company", "the company", "board", "nvidia gpus", "rhea-ai", "stock titan", "ipo", "llc", "inc", "ltd",
}


# A wire dateline ("FORT LAUDERDALE, FL, Dec. 19, 2023 (GLOBE NEWSWIRE) --", "PERTH --") names where the
# issuer sits, not a party or the deal's site. All-caps city words, then an optional comma tail, then a dash.
_DATELINE_RE = re.compile(
    r"(?m)^[ \t]*[A-Z][A-Z.'-]+(?:[ \t][A-Z][A-Z.'-]+){0,3}(?:,[^\n]{0,90}?)?[ \t]*(?:--|—|–|\(GLOBE NEWSWIRE\))")


def _set_group(doc: Doc, name: str, spans: list[Span]) -> None:
    doc.spans[name] = filter_spans(spans)


def dateline_chars(text: str) -> list[tuple[int, int]]:
    """Character ranges of wire datelines at the start of a line."""
    return [(m.start(), m.end()) for m in _DATELINE_RE.finditer(text)]


def _outside_datelines(doc: Doc, spans: list[Span]) -> list[Span]:
    ranges = dateline_chars(doc_text(doc))
    if not ranges:
        return spans
    return [s for s in spans if not any(a <= s.start_char and s.end_char <= b for a, b in ranges)]


class CompanyMatcher:
    """Registry companies by exact (case-sensitive) name, alias or ticker-like alias; names of two words or more
    also in any capitalisation ("Hive Blockchain" is "HIVE Blockchain")."""

    def __init__(self, nlp: Language):
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        for form, row in gazetteer.company_index().items():
            pattern = nlp.make_doc(form)
            self.matcher.add(row["name"], [pattern])
            if len(pattern) > 1:
                self.folded.add(row["name"], [pattern])

    def __call__(self, doc: Doc) -> Doc:
        found = self.matcher(doc) + [(mid, s, e) for mid, s, e in self.folded(doc) if doc[s].is_title or doc[s].is_upper]
        spans = [Span(doc, s, e, label=mid) for mid, s, e in found if not _defined_short_name(doc, s, e)]
        _set_group(doc, "minewire_companies", spans)
        return doc


def _defined_short_name(doc: Doc, start: int, end: int) -> bool:
    """ "Minera Agua Rica Alumbrera (MARA)": a bracketed short name defined for the words before it."""
    return 1 < start and end < len(doc) and doc[start - 1].text == "(" and doc[end].text == ")" \
        and doc[start - 2].is_title


class PlaceMatcher:
    """Countries and regions by name, plus "Town, TX"-style state and province codes."""

    def __init__(self, nlp: Language):
        self.matcher = PhraseMatcher(nlp.vocab, attr="ORTH")
        for form, row in gazetteer.place_index().items():
            self.matcher.add(row["name"], [nlp.make_doc(form)])
        self.code_names = {code: row["name"] for code, row in gazetteer.abbrev_index().items()}
        # Found by regex, then checked on the tokens: a token Matcher starting at every capitalised word cost
        # a sixth of the rule pass.
        self.code_re = re.compile(r",[ \t]*(" + "|".join(sorted(self.code_names)) + r")\b")

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, s, e, label=pid) for pid, s, e in self.matcher(doc)]
        spans += self._codes(doc)
        _set_group(doc, "minewire_places", _outside_datelines(doc, spans))
        return doc

    def _codes(self, doc: Doc) -> list[Span]:
        """ "Garden City, TX": a code token after a comma after a capitalised word."""
        spans = []
        for m in self.code_re.finditer(doc_text(doc)):
            code = doc.char_span(m.start(1), m.end(1))
            if code is not None and len(code) == 1 and code.start >= 2 and doc[code.start - 1].text == "," \
                    and doc[code.start - 2].is_title:
                spans.append(Span(doc, code.start, code.end, label=self.code_names[code.text]))
        return spans


class FigureFinder:
    """Money and capacity figures found by regex over the text, aligned to tokens."""

    def __call__(self, doc: Doc) -> Doc:
        for group, label, regex in (("minewire_money", "MONEY", MONEY_RE), ("minewire_capacity", "CAPACITY", CAPACITY_RE)):
            spans = []
            for m in regex.finditer(doc_text(doc)):
                span = doc.char_span(m.start(), m.end(), label=label, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
            _set_group(doc, group, spans)
        return doc


class CueMatcher:
    """Deal cue words and phrases ("acquire", "lease agreement", "power purchase agreement")."""

    def __init__(self, nlp: Language):
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        for row in gazetteer.cues():
            self.matcher.add(row["frame"], [nlp.make_doc(form) for form in row["forms"]])

    def __call__(self, doc: Doc) -> Doc:
        spans = [Span(doc, s, e, label=fid) for fid, s, e in self.matcher(doc)]
        _set_group(doc, "minewire_cues", spans)
        return doc


class OrgFinder:
    """Organisations: registry companies first, then NER ORGs, then capitalised names with an org word."""

    def __call__(self, doc: Doc) -> Doc:
        known = list(doc.spans.get("minewire_companies", []))
        taken = {i for s in known for i in range(s.start, s.end)}
        places = {(p.start, p.end) for p in doc.spans.get("minewire_places", [])}
        others = [_clean(e) for e in doc.ents if e.label_ == "ORG" or _org_like_person(e)] + _suffix_orgs(doc)
        # A registry match wins over any NER or suffix span that overlaps it (it carries the canonical name).
        others = [
            s for s in others if s is not None and _is_party(s) and (s.start, s.end) not in places
            and not taken & set(range(s.start, s.end))
        ]
        _set_group(doc, "minewire_orgs", _outside_datelines(doc, known + others))
        return doc


def _org_like_person(span: Span) -> bool:
    return span.label_ == "PERSON" and len(span) > 1 and span[-1].text in _PERSON_ORG_HEADS


def _clean(span: Span) -> Span | None:
    """Trim a leading "the" and a trailing possessive from an NER span; relabel it with its text."""
    start, end = span.start, span.end
    doc = span.doc
    # "the" before the name; a dangling "and" or possessive after it. (A nationality stays: "Canadian Solar".)
    while start < end and doc[start].lower_ in {"the", "a", "an"}:
        start += 1
    while end > start and (doc[end - 1].text in {"'s", "’s", "'", "’", ",", "&"} or doc[end - 1].lower_ == "and"):
        end -= 1
    if start >= end:
        return None
    text = doc[start:end].text
    return Span(doc, start, end, label=text)


def _is_party(span: Span) -> bool:
    text = span.text.strip()
    return (
        len(text) > 1 and text.lower() not in _NOT_PARTIES and not gazetteer.is_not_party(text)
        and not (len(span) > 1 and span[-1].lower_ in _SITE_HEADS)
        and not re.fullmatch(r"[\d\W]+", text)
        and any(ch.isupper() for ch in text)
    )


def _suffix_orgs(doc: Doc) -> list[Span]:
    """Runs of capitalised tokens ending with an org word ("Monroe County Port Authority")."""
    spans = []
    orths = doc.to_array(ORTH).tolist()  # hashes, not Token objects: building a Token per word cost the most
    heads = [i for i, h in enumerate(orths) if h in _ANY_HEAD_HASHES]  # one pass over the words
    if any(orths[i] in _SERVICE_HASHES for i in heads) and _headline(doc):
        heads = [i for i in heads if orths[i] in _HEAD_HASHES]
    for i in heads:
        tok = doc[i]
        if tok.i == 0:
            continue
        start = tok.i
        while start > 0 and (doc[start - 1].is_title or doc[start - 1].is_upper) and doc[start - 1].is_alpha:
            start -= 1
        if start < tok.i and not (start == tok.i - 1 and doc[start].lower_ in {"the", "a"}):
            if doc[start].lower_ == "the":
                start += 1
            spans.append(Span(doc, start, tok.i + 1, label=doc[start:tok.i + 1].text))
    return spans


def _headline(doc: Doc) -> bool:
    """Most words capitalised, as in a title."""
    words = [t for t in doc if t.is_alpha and len(t) > 3]
    return len(words) >= 3 and sum(t.is_title for t in words) > 0.6 * len(words)


@Language.factory("minewire_companies", assigns=["doc.spans"])
def make_company_matcher(nlp: Language, name: str) -> CompanyMatcher:
    return CompanyMatcher(nlp)


@Language.factory("minewire_places", assigns=["doc.spans"])
def make_place_matcher(nlp: Language, name: str) -> PlaceMatcher:
    return PlaceMatcher(nlp)


@Language.factory("minewire_figures", assigns=["doc.spans"])
def make_figure_finder(nlp: Language, name: str) -> FigureFinder:
    return FigureFinder()


@Language.factory("minewire_cues", assigns=["doc.spans"])
def make_cue_matcher(nlp: Language, name: str) -> CueMatcher:
    return CueMatcher(nlp)


@Language.factory("minewire_orgs", assigns=["doc.spans"])
def make_org_finder(nlp: Language, name: str) -> OrgFinder:
    return OrgFinder()
