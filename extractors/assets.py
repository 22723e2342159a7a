"""What a deal is about, as the asset column reports it: the named site of a contract, and the words after a
sale's trigger only when they name a thing."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

# Contracts (leases, hosting, power) are about a place: a name ending in one of these.
SITE_HEADS = {"campus", "site", "facility", "park", "plant", "mine", "project", "center", "centre", "complex"}
# Words that may stand between a site's name and its head: "Lake Mariner data center campus", "Harlan Creek
# ethanol plant", "a bitcoin mining facility in …".
_SITE_WORDS = {"data", "center", "centre", "mining", "bitcoin", "cryptocurrency", "crypto", "ethanol", "gas", "power",
               "energy", "solar", "wind", "hydro", "industrial", "computing", "compute", "hosting", "hpc", "ai",
               "gold", "copper", "lithium", "processing", "technology", "innovation", "business", "datacenter"}
_PROPER_TAGS = {"NNP", "NNPS"}
_UNITS = {"mw", "gw", "kw", "mwh", "btc", "eh/s", "ph/s"}  # tagged as proper nouns: "a 100 MW facility"
# What the words after a trigger are when they name no thing: the contract itself, or a generic noun.
_NO_THING = {"contract", "contracts", "agreement", "agreements", "deal", "deals", "transaction", "transactions",
             "business", "capacity", "asset", "assets", "arrangement", "arrangements", "services", "service",
             "value", "price", "consideration", "terms", "amount", "proceeds", "payment", "payments"}
# A first word that starts a clause or a quantity, not a name: "while Mawson transfers…", "into ERCOT",
# "totaling roughly 590 megawatts".
_NOT_A_START_TAGS = {"IN", "RB", "VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD", "WDT", "WRB", "TO", "CC"}
_QUANTITY = re.compile(r"^[\d.,\s]*(?:mw|megawatts?|gw|gigawatts?|kw|mwh|%|per\s*cent|percent)?$", re.I)


def contract_site(doc: Doc, parties: list[Span | None]) -> str | None:
    """The site a lease, hosting or power contract is for, as the sentence names it: a proper name ending in a
    site word ("the company's Lake Mariner data center campus", "its planned Ray campus"), else a site word with
    its place ("a campus in Ellendale, North Dakota"); None when the sentence names no site. The name may be
    an org the model found ("Red Mesa"), but not one of the parties."""
    in_org = {i for o in parties if o is not None for i in range(o.start, o.end)}
    site = None
    for tok in doc:
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        if tok.lower_ not in SITE_HEADS or tok.i in in_org or (nxt is not None and (
                _proper(nxt) or nxt.lower_ in SITE_HEADS)):
            continue  # "Site Acquisition Corp", "data center campus": the name ends at a later word
        start = tok.i
        while start > 0 and (_proper(doc[start - 1]) or doc[start - 1].lower_ in _SITE_WORDS) \
                and start - 1 not in in_org:
            start -= 1
        named = next((t.i for t in doc[start:tok.i] if _proper(t)), None)
        if named is not None:
            return doc[named:tok.i + 1].text
        if site is None:
            place = _place_after(doc, tok.i + 1)
            if place is not None:
                site = doc[start:place].text
    return site


def _proper(tok: Token) -> bool:
    """A word of a name: tagged a proper noun, or capitalised inside the sentence; never a unit."""
    if tok.lower_ in _UNITS:
        return False
    # The small model tags some name words as adjectives ("Red Mesa"): a capitalised word inside a sentence is
    # part of a name either way.
    if tok.doc.has_annotation("TAG") and tok.tag_ in _PROPER_TAGS:
        return True
    return tok.is_title and tok.i > 0 and not tok.is_sent_start


def _place_after(doc: Doc, i: int) -> int | None:
    """End of "in Ellendale, North Dakota" starting at token i, or None: "in" and a run of proper names, with at
    most one comma inside it."""
    if i >= len(doc) or doc[i].lower_ not in {"in", "near"}:
        return None
    end, commas = i + 1, 0
    while end < len(doc):
        if _proper(doc[end]):
            end += 1
        elif doc[end].text == "," and commas == 0 and end + 1 < len(doc) and _proper(doc[end + 1]):
            end, commas = end + 1, 1
        else:
            break
    return end if end > i + 1 else None


def asset_text(words: Span | None) -> str | None:
    """The words as the asset column shows them: without the punctuation around them."""
    return (words.text.strip(" ,;:.'’\"") or None) if words is not None else None


def names_a_thing(words: Span | None) -> bool:
    """Whether the words after a trigger name a thing: not the contract itself ("agreements"), not its price
    ("the contract value"), not a clause ("while Mawson transfers…", "into ERCOT"), not a bare quantity
    ("60 megawatt")."""
    text = asset_text(words) or ""
    if not any(ch.isalnum() for ch in text) or text.lower() in _NO_THING or _QUANTITY.match(text):
        return False
    first = words[0]
    if not (first.is_lower and words.doc.has_annotation("TAG")) or first.dep_ == "amod":
        return True  # "remaining 30% interest", "operating sites": a participle that describes the thing
    return first.tag_ not in _NOT_A_START_TAGS

