"""Candidate deals and, for each, the candidate values of its figures and place, described by features.

The rules propose (recall); the learned models in decisions.py choose (precision). Features are plain
strings with optional weights, the input of a linear model: where the value sits relative to the deal's
sentences, the words around it, what the rules made of it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from models.names import folded_words
from models.records import DealMention

from .capacity import Capacity, find_capacity
from .merge import Cluster
from .money import Money, find_money
from .places import Place

Features = dict[str, float]
_WORD = re.compile(r"[a-z][a-z-]*")


@dataclass
class Candidate:
    """One deal the rules propose, with the mentions it was built from."""

    deal: DealMention
    cluster: Cluster
    rule_keep: bool  # the hand-written keep() test's verdict, one feature among others


@dataclass
class Option:
    """One value a field could take for a deal, and what speaks for it."""

    value: object
    features: Features
    start: int  # where the text states it (the first statement, for a place)
    extra: dict = field(default_factory=dict)  # price_text, region… that come with this value


@dataclass
class DocContext:
    """What a document states anywhere: its sentences, places and organisations (amounts and capacities on demand)."""

    text: str
    spans: list[tuple[int, int]]
    places: list[Place]
    country_forms: dict[str, str] = field(default_factory=dict)  # "Ivory Coast" -> "Côte d'Ivoire" as written
    orgs: list[tuple[str, int, int]] = field(default_factory=list)  # (name to report, start, end) of each org named

    def __post_init__(self) -> None:
        self.starts = [s for s, _ in self.spans]
        self.title_end = self.text.find("\n\n") if "\n\n" in self.text[:400] else -1

    @cached_property
    def moneys(self) -> list[Money]:
        return find_money(self.text)

    @cached_property
    def capacities(self) -> list[Capacity]:
        return find_capacity(self.text)

    def sentence_of(self, pos: int) -> int:
        return max(0, bisect_right(self.starts, pos) - 1)

    def sentence(self, index: int) -> tuple[int, str]:
        s, e = self.spans[index] if index < len(self.spans) else (0, 0)
        return s, self.text[s:e]


def _bucket(n: float, edges: tuple) -> str:
    for edge in edges:
        if n <= edge:
            return str(edge)
    return f">{edges[-1]}"


def _words_around(text: str, start: int, end: int, n: int = 4) -> Features:
    before = _WORD.findall(text[max(0, start - 50):start].lower())[-n:]
    after = _WORD.findall(text[end:end + 50].lower())[:n]
    feats = {f"b:{w}": 1.0 for w in before}
    feats.update({f"a:{w}": 1.0 for w in after})
    if before:
        feats[f"b1:{before[-1]}"] = 1.0
    if after:
        feats[f"a1:{after[0]}"] = 1.0
    return feats


def deal_sentences(cand: Candidate, ctx: DocContext) -> tuple[int, set[int], set[int]]:
    """(the best mention's sentence, all mention sentences, follow-up sentences) of a candidate."""
    best = ctx.sentence_of(cand.deal.start_char or 0)
    members = {m.sent for m in cand.cluster.members}
    follow = {ctx.sentence_of(s) for s, _ in cand.cluster.follow}
    return best, members, follow


def position_features(sent: int, best: int, members: set[int], follow: set[int], ctx: DocContext,
                      deal_type: str) -> Features:
    """Where a value is stated relative to the deal's own sentences."""
    dist = min(abs(sent - m) for m in members) if members else 99
    where = "best" if sent == best else "member" if sent in members else "follow" if sent in follow else \
        "before" if members and sent < min(members) else "after"
    title = ctx.title_end >= 0 and ctx.spans and ctx.spans[sent][0] < ctx.title_end
    return {
        f"where:{where}": 1.0,
        f"where:{where}|{deal_type}": 1.0,
        f"dist:{_bucket(dist, (0, 1, 2, 4, 8))}": 1.0,
        "title": float(bool(title)),
        f"docpos:{_bucket(sent, (0, 2, 5, 10, 20))}": 1.0,
    }


def keep_features(cand: Candidate, ctx: DocContext, others: list[Candidate]) -> Features:
    """What speaks for a candidate being a deal the document states (not a plan, a total or a repeat)."""
    deal, cluster = cand.deal, cand.cluster
    members = cluster.members
    t = deal.deal_type
    feats: Features = {
        "bias": 1.0,
        f"type:{t}": 1.0,
        "rule_keep": float(cand.rule_keep),
        f"rule_keep|{t}": float(cand.rule_keep),
        "buyer": float(bool(deal.buyer)), "seller": float(bool(deal.seller)),
        "both": float(bool(deal.buyer and deal.seller)),
        "price": float(deal.price_usd is not None), "price_text": float(bool(deal.price_text)),
        "capacity": float(deal.capacity_mw is not None), "asset": float(bool(deal.asset)),
        "country": float(bool(deal.country)),
        f"mentions:{_bucket(len(members), (1, 2, 3))}": 1.0,
        "lead": float(any(m.lead for m in members)),
        "verbal": float(any(m.verbal for m in members)),
        "parsed": float(any(m.parsed for m in members)),
        "quoted": float(all(m.quoted for m in members)),
        "listed": float(any(m.listed for m in members)),
        "here_price": float(any("price_text" in m.here for m in members)),
        "here_capacity": float(any("capacity_mw" in m.here for m in members)),
        f"frame:{members[0].frame}": 1.0,
        f"docpos:{_bucket(min(m.sent for m in members), (0, 2, 5, 10, 20))}": 1.0,
        f"candidates:{_bucket(len(others), (1, 2, 4, 8))}": 1.0,
    }
    key = (folded_words(deal.buyer), folded_words(deal.seller))
    earlier = others[:others.index(cand)] if cand in others else []
    feats["repeat_parties"] = float(any((folded_words(o.deal.buyer), folded_words(o.deal.seller)) == key for o in earlier))
    for party in ("buyer", "seller"):
        name = getattr(deal, party) or ""
        words = name.split()
        if name:
            feats[f"{party}_words:{_bucket(len(words), (1, 2, 3, 5))}"] = 1.0
            feats[f"{party}_in_title"] = float(ctx.title_end > 0 and name in ctx.text[:ctx.title_end])
            feats[f"{party}_lower"] = float(any(w[:1].islower() for w in words))
    for w in set(_WORD.findall(deal.sentence.lower())):
        feats[f"ev:{w}"] = 0.3
    return feats
