"""Candidate deals and, for each, the candidate values of its figures and place, described by features.

The rules propose (recall); the learned models in decisions.py choose (precision). Features are plain
strings with optional weights, the input of a linear model: where the value sits relative to the deal's
sentences, the words around it, what the rules made of it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property

from models.records import Deal

from .capacity import Capacity, find_capacity
from .merge import Cluster, norm_org
from .money import Money, find_money, sum_plus_chain
from .places import Place
from .terms import MIN_PRICE_USD, _cued, _usd_equivalent, price_like, written_start

Features = dict[str, float]
_WORD = re.compile(r"[a-z][a-z-]*")


@dataclass
class Candidate:
    """One deal the rules propose, with the mentions it was built from."""

    deal: Deal
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


def _words_around(text: str, start: int, end: int, prefix: str, n: int = 4) -> Features:
    before = _WORD.findall(text[max(0, start - 50):start].lower())[-n:]
    after = _WORD.findall(text[end:end + 50].lower())[:n]
    feats = {f"{prefix}b:{w}": 1.0 for w in before}
    feats.update({f"{prefix}a:{w}": 1.0 for w in after})
    if before:
        feats[f"{prefix}b1:{before[-1]}"] = 1.0
    if after:
        feats[f"{prefix}a1:{after[0]}"] = 1.0
    return feats


def deal_sentences(cand: Candidate, ctx: DocContext) -> tuple[int, set[int], set[int]]:
    """(the best mention's sentence, all mention sentences, follow-up sentences) of a candidate."""
    best = ctx.sentence_of(cand.deal.start or 0)
    members = {m.sent for m in cand.cluster.members}
    follow = {ctx.sentence_of(s) for s, _ in cand.cluster.follow}
    return best, members, follow


def position_features(sent: int, best: int, members: set[int], follow: set[int], ctx: DocContext,
                      deal_type: str, prefix: str) -> Features:
    """Where a value is stated relative to the deal's own sentences."""
    dist = min(abs(sent - m) for m in members) if members else 99
    where = "best" if sent == best else "member" if sent in members else "follow" if sent in follow else \
        "before" if members and sent < min(members) else "after"
    title = ctx.title_end >= 0 and ctx.spans and ctx.spans[sent][0] < ctx.title_end
    return {
        f"{prefix}where:{where}": 1.0,
        f"{prefix}where:{where}|{deal_type}": 1.0,
        f"{prefix}dist:{_bucket(dist, (0, 1, 2, 4, 8))}": 1.0,
        f"{prefix}title": float(bool(title)),
        f"{prefix}docpos:{_bucket(sent, (0, 2, 5, 10, 20))}": 1.0,
    }


def price_options(cand: Candidate, ctx: DocContext) -> list[Option]:
    """Every US-dollar amount of the document that could be this deal's headline price."""
    best, members, follow = deal_sentences(cand, ctx)
    deal = cand.deal
    counts = Counter(round(m.amount, -3) for m in ctx.moneys)
    options = []
    for i, money in enumerate(ctx.moneys):
        if money.currency != "USD":
            continue
        s_index = ctx.sentence_of(money.start)
        s_start, sentence = ctx.sentence(s_index)
        # The sentence's amounts with offsets into the sentence, as the clause readers take them.
        sentence_moneys = [replace(x, start=x.start - s_start, end=x.end - s_start) for x in ctx.moneys
                           if s_start <= x.start and x.end <= s_start + len(sentence)]
        local = next((x for x in sentence_moneys if x.start == money.start - s_start), None)
        if local is None:
            continue  # an amount across a sentence boundary
        equiv_of = next((p for p in ctx.moneys[max(0, i - 2):i] if p.currency != "USD"
                         and _usd_equivalent(ctx.text, p, [money]) is money), None)
        total, chain_end = sum_plus_chain(sentence, sentence_moneys, local)
        value = total
        feats = position_features(s_index, best, members, follow, ctx, deal.deal_type, "")
        feats.update(_words_around(ctx.text, money.start, money.end, ""))
        feats.update({
            "rule": float(deal.price_usd is not None and abs(deal.price_usd - value) < 1),
            "rule_set": float(deal.price_usd is not None),
            "price_like": float(price_like(sentence, local)),
            "cued": float(_cued(sentence, local)),
            "per_unit": float(money.per_unit),
            "small": float(value < MIN_PRICE_USD),
            f"qual:{money.qualifier}": 1.0,
            "chained": float(total != money.amount),
            "equivalent": float(equiv_of is not None),
            f"repeat:{_bucket(counts[round(money.amount, -3)], (1, 2, 3))}": 1.0,
            f"type:{deal.deal_type}": 1.0,
            "bias": 1.0,
        })
        start = written_start(sentence, local)
        text = sentence[start:chain_end]
        if equiv_of is not None:  # "C$4 million ($2.8 million)": the price as written is the foreign amount
            text = ctx.text[equiv_of.start:equiv_of.end]
        options.append(Option(value, feats, money.start, {"price_text": text, "currency": "USD", "price_amount": total}))
    return options


def capacity_options(cand: Candidate, ctx: DocContext) -> list[Option]:
    """Every MW figure of the document that could be this deal's site or contracted load."""
    best, members, follow = deal_sentences(cand, ctx)
    deal = cand.deal
    counts = Counter(c.mw for c in ctx.capacities)
    biggest = max((c.mw for c in ctx.capacities), default=0)
    options = []
    for cap in ctx.capacities:
        s_index = ctx.sentence_of(cap.start)
        feats = position_features(s_index, best, members, follow, ctx, deal.deal_type, "")
        feats.update(_words_around(ctx.text, cap.start, cap.end, ""))
        it_load = bool(re.match(r"^\s*(?:of\s+)?(?:critical\s+)?IT\b", ctx.text[cap.end:cap.end + 30], re.I))
        feats.update({
            "rule": float(deal.capacity_mw is not None and abs(deal.capacity_mw - cap.mw) < 0.01),
            "rule_set": float(deal.capacity_mw is not None),
            "aside": float(cap.aside),
            "it_load": float(it_load),
            "gw": float("g" in cap.text.lower()),
            "biggest": float(cap.mw == biggest and len(counts) > 1),
            f"repeat:{_bucket(counts[cap.mw], (1, 2, 3))}": 1.0,
            f"type:{deal.deal_type}": 1.0,
            "bias": 1.0,
        })
        options.append(Option(cap.mw, feats, cap.start))
    return options


_BASED = re.compile(r"(?:-based|based in|headquartered in|of)\s*$", re.I)


def country_options(cand: Candidate, ctx: DocContext) -> list[Option]:
    """Every country the document names (directly or by a state or province), with all its mentions' evidence."""
    best, members, follow = deal_sentences(cand, ctx)
    deal = cand.deal
    by_country: dict[str, list[Place]] = {}
    for place in ctx.places:
        by_country.setdefault(place.country, []).append(place)
    order = sorted(by_country, key=lambda c: min(p.start for p in by_country[c]))
    options = []
    for rank, country in enumerate(order):
        places = by_country[country]
        feats: Features = {"bias": 1.0, f"type:{deal.deal_type}": 1.0,
                           "rule": float(deal.country == country), "rule_set": float(deal.country is not None),
                           f"rank:{_bucket(rank, (0, 1, 2))}": 1.0,
                           f"count:{_bucket(len(places), (1, 2, 4))}": 1.0,
                           "only": float(len(order) == 1)}
        for place in places:
            s_index = ctx.sentence_of(place.start)
            for name, value in position_features(s_index, best, members, follow, ctx, deal.deal_type, "").items():
                feats[name] = max(feats.get(name, 0.0), value)
            feats[f"kind:{place.kind}"] = 1.0
            if place.anchored:
                feats["anchored"] = 1.0
                if s_index in members:
                    feats["anchored_member"] = 1.0
            if _BASED.search(ctx.text[max(0, place.start - 25):place.start]) or \
                    ctx.text[place.end:place.end + 6].startswith("-based"):
                feats["based"] = 1.0
            for w in _WORD.findall(ctx.text[max(0, place.start - 20):place.start].lower())[-2:]:
                feats[f"b:{w}"] = 1.0
        region = _region(deal, country, places, ctx, best)
        options.append(Option(country, feats, min(p.start for p in places), {"region": region}))
    return options


def _region(deal: Deal, country: str, places: list[Place], ctx: DocContext, best: int) -> str | None:
    """The deal's region when its country is `country`: the rules' choice, else the region named nearest."""
    if deal.country == country and deal.region:
        return deal.region
    regions = [p for p in places if p.kind == "region"]
    if not regions:
        return None
    return min(regions, key=lambda p: abs(ctx.sentence_of(p.start) - best)).name


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
    key = (norm_org(deal.buyer), norm_org(deal.seller))
    earlier = [o for o in others if o is not cand and (norm_org(o.deal.buyer), norm_org(o.deal.seller)) == key
               and others.index(o) < others.index(cand)]
    feats["repeat_parties"] = float(bool(earlier))
    for party in ("buyer", "seller"):
        name = getattr(deal, party) or ""
        words = name.split()
        if name:
            feats[f"{party}_words:{_bucket(len(words), (1, 2, 3, 5))}"] = 1.0
            feats[f"{party}_in_title"] = float(ctx.title_end > 0 and name in ctx.text[:ctx.title_end])
            feats[f"{party}_lower"] = float(any(w[:1].islower() for w in words))
    for w in set(_WORD.findall(deal.evidence.lower())):
        feats[f"ev:{w}"] = 0.3
    return feats


_PREPS = {"from", "to", "with", "by", "for", "of", "in", "into", "and"}


def party_options(cand: Candidate, ctx: DocContext, role: str) -> list[Option]:
    """Every organisation named in the deal's sentences, its follow-ups or the title, as this role's filler."""
    best, members, follow = deal_sentences(cand, ctx)
    deal = cand.deal
    other = "seller" if role == "buyer" else "buyer"
    near = members | follow | {0}
    by_name: dict[str, list[tuple[int, int]]] = {}
    for name, start, end in ctx.orgs:
        if ctx.sentence_of(start) in near or name in (deal.buyer, deal.seller):
            by_name.setdefault(name, []).append((start, end))
    first_org = ctx.orgs[0][0] if ctx.orgs else None
    frame = cand.cluster.members[0].frame
    options = []
    for name, places in by_name.items():
        feats: Features = {"bias": 1.0, f"type:{deal.deal_type}": 1.0,
                           "rule": float(norm_org(getattr(deal, role)) == norm_org(name)),
                           "rule_set": float(bool(getattr(deal, role))),
                           "rule_other": float(norm_org(getattr(deal, other)) == norm_org(name)),
                           "issuer": float(name == first_org),
                           f"count:{_bucket(len(places), (1, 2, 4))}": 1.0,
                           f"words:{_bucket(len(name.split()), (1, 2, 3))}": 1.0}
        for start, end in places:
            s_index = ctx.sentence_of(start)
            for k, v in position_features(s_index, best, members, follow, ctx, deal.deal_type, "").items():
                feats[k] = max(feats.get(k, 0.0), v)
            if s_index not in members:
                continue
            before = _WORD.findall(ctx.text[max(0, start - 25):start].lower())[-2:]
            prep = next((w for w in reversed(before) if w in _PREPS), None)
            feats[f"prep:{prep}"] = 1.0
            feats[f"prep:{prep}|{frame}"] = 1.0
            s_start = ctx.spans[s_index][0]
            if start - s_start < 4:
                feats["opens"] = 1.0
                feats[f"opens|{frame}"] = 1.0
            if ctx.text[end:end + 2] in ("'s", "’s"):
                feats["poss"] = 1.0
                feats[f"poss|{frame}"] = 1.0
        options.append(Option(name, feats, places[0][0]))
    return options


def null_option(cand: Candidate, name: str, options: list[Option]) -> Option:
    """The choice "the text does not say": competes with the values found, so a model can leave a field empty."""
    t = cand.deal.deal_type
    rule_set = float(getattr(cand.deal, name) not in (None, ""))
    return Option(None, {"null": 1.0, f"null|type:{t}": 1.0, "null|rule_set": rule_set,
                         f"null|options:{_bucket(len(options), (0, 1, 2, 4))}": 1.0}, 1 << 30)
