"""Which deal cues of a sentence state a deal: negation, hedges, headings, background clauses, references back."""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span

from . import gazetteer

_NEGATED = re.compile(
    r"\b(reject\w*|declined|non-binding|nonbinding|unsolicited|withdr[ae]w\w*|terminat\w*|called off|walked away|"
    r"abandon\w*|losing|lost out|did not|didn[’']t|does not|doesn[’']t|no longer|failed to|fell through|"
    r"scrapped|rumou?r\w*|speculat\w*)\b",
    re.IGNORECASE,
)
# "To fund the purchase, X arranged…", "To equip the buildings, X will buy GPUs…": a transaction made as the
# means to another deal is part of that deal's story, not a deal of its own.
_MEANS = re.compile(r"^\W*(?:To|In order to)\s+(?:fund|finance|pay for|equip|fill|power|"
                    r"cover)\b", re.I)
_HEDGE = re.compile(
    # "may" only in lower case: "In May it sold…" names a month.
    r"\b(plans?|planned|planning|intends?|intended|considering|consider|exploring|explore|(?-i:may)|might|could|"
    r"potential(?:ly)?|possible|possibly|option|right|rights|whether|seeks?|seeking|looking|aims?|hopes?|if|"
    r"would like|interested)\b(?:\W+\w+){0,2}\W*$",
    re.IGNORECASE,
)
_NOT_AN_ASSET = re.compile(
    r"^\s*(?:any of its |all of its |some of its |its |some |about |approximately |roughly |over |more than )?"
    r"(?:[\d,.]+\s*)?(?:BTC|bitcoins?|ETH|ether|shares|stock|coins|tokens|holdings)\b"
    r"(?!\s*(?:miner|mining|mine|company|firm|operator|producer|host|data))",
    re.IGNORECASE,
)
_OWED = re.compile(r"^\s+(?:obligations?|payments?|liabilit\w+|expenses?|costs?|income|revenues?|price|"
                   r"consideration|proceeds)\b", re.I)
# Verbs that make a contract noun the thing done: "signed a power purchase agreement", "entered into a lease".
_SIGN_WORDS = {"signed", "signs", "sign", "signing", "inked", "inks", "executed", "executes", "struck", "strikes",
               "reached", "concluded", "finalized", "finalised", "secured", "secures", "announced", "lands", "landed",
               "won", "wins", "awarded"}
# "once the deal closes", "the transaction needs consent": a definite generic noun points back to a deal told before.
_BACK_NOUNS = {"deal", "transaction", "agreement", "contract"}
_SOME_CUSTOMERS = re.compile(r"\b(?:other|new|future|more|additional|potential|prospective|further)\s+$", re.I)
_NOMINAL_FORMS = {f.lower() for row in gazetteer.cues() if row["pos"] == "noun" for f in row["forms"]}


def stated_cues(doc: Doc, text: str, lead: bool) -> list[Span]:
    """The sentence's deal cues that may state a deal: none in a negated sentence, one that tells the means to
    another deal, or a heading; no hedged, owned, owed, non-asset or customers-in-general cue."""
    if _NEGATED.search(text) or _MEANS.match(text) or (not lead and heading(text)):
        return []
    cues = [c for c in doc.spans.get("minewire_cues", []) if not _hedged(text, c) and not _held(text, c)]
    cues = [c for c in cues if not (c.label_ in {"buy", "sell"} and _NOT_AN_ASSET.match(text[c.end_char:]))]
    # "lease obligations", "lease payments": the noun names money owed under a lease, not the lease deal.
    cues = [c for c in cues if not _OWED.match(text[c.end_char:])]
    # "room for other customers", "new tenants": customers in general, not a counterparty.
    return [c for c in cues if not (c.label_ == "customer" and _SOME_CUSTOMERS.search(text[:c.start_char]))]


def heading(text: str) -> bool:
    """ "Bitmain Miner Purchase Agreements": a section heading in the body names a topic, not a deal."""
    words = text.split()
    return 1 < len(words) <= 8 and not re.search(r"[.!?:;\d$€£]", text) and all(w[0].isupper() or w.lower() in
                                                                              {"of", "and", "the", "for", "to", "in"}
                                                                              for w in words)


def is_signed(cue: Span) -> bool:
    """A contract noun that is the object of signing ("has signed a seven-year PPA with…")."""
    noun = cue.root
    for _ in range(3):  # "a Purchase and Sale Agreement": the cue may modify the signed noun
        if noun.dep_ not in {"compound", "amod", "nmod", "conj", "cc"}:
            break
        noun = noun.head
    head = noun.head
    if head.lower_ == "into" and head.head.lower_.startswith("enter"):
        return True
    return head is not noun and head.lower_ in _SIGN_WORDS


def describes_party(cue: Span, orgs: list[Span]) -> bool:
    """ "X, a miner that has been adding AI hosting, signed…": a clause about a party is background, not the deal."""
    tok = cue.root
    for _ in range(6):
        if tok.dep_ in {"relcl", "acl"} and not _relative_subject(tok):
            return False  # "…, under which the Company agreed to acquire": a clause with its own subject
        if tok.dep_ in {"relcl", "acl", "appos"}:
            head = tok.head
            if head.dep_ == "appos":
                head = head.head
            return any(o.start <= head.i < o.end for o in orgs)
        if tok.head is tok:
            return False
        tok = tok.head
    return False


def aside_participle(cue: Span, orgs: list[Span]) -> bool:
    """ "X, acquired in 2021," / "X, bought last year,": a participle set off after a name, describing it."""
    doc = cue.doc
    if cue.start < 2 or doc[cue.start - 1].text != "," or not cue.text.lower().endswith(("ed", "ought", "old")):
        return False
    return any(o.end == cue.start - 1 for o in orgs)


def _relative_subject(verb) -> bool:
    """ "a miner that runs…" (the clause is about the noun) as against "under which the Company agreed…"."""
    return not any(c.dep_ in {"nsubj", "nsubjpass"} and c.lower_ not in {"that", "which", "who"} for c in verb.children)


def points_back(cue: Span) -> bool:
    """ "the deal", "this transaction" as the sentence's only trigger: a reference to a deal already told."""
    if cue.label_ != "deal" or cue.text.lower() not in _BACK_NOUNS or cue.start == 0:
        return False
    det = cue.doc[cue.start - 1].lower_
    return det in {"the", "this", "that"} and not is_signed(cue)


def quoted(text: str) -> bool:
    return bool(re.match(r"^\s*[“\"]", text) or re.search(r"[”\"],?\s+(?:said|says|added|noted)\b", text))


# "FCX holds a 70% stake in…", "return on investment": what a company owns or earns, not a deal.
_OWNERSHIP = re.compile(r"\b(?:holds?|held|holding|owns?|owned|owning|retains?|retained|keeps?|kept|has|had|"
                        r"return on|returns? on)\s+(?:an?\s+|its\s+|the\s+|their\s+)?(?:[\d.,]+\s*(?:%|per\s*cent|"
                        r"percent)\s+)?(?:[\w-]+\s+)?$", re.I)


def _held(text: str, cue: Span) -> bool:
    return cue.label_ == "invest" and bool(_OWNERSHIP.search(text[max(0, cue.start_char - 40):cue.start_char]))


def _hedged(text: str, cue: Span) -> bool:
    before = text[max(0, cue.start_char - 40):cue.start_char]
    return bool(_HEDGE.search(before)) and not re.search(r"\b(agreed|set|expects?)\s+to\s*$", before, re.I)


def is_nominal(cue: Span) -> bool:
    if cue.doc.has_annotation("TAG"):
        return cue.root.tag_.startswith("NN")
    return cue.text.lower() in _NOMINAL_FORMS and cue.text.lower() not in {"purchase", "lease", "host"}
