"""The values a deal's field could take: every amount, capacity, country and organisation the document states,
each with the features that speak for it (options for the rankers in decisions.py)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from models.names import folded_words
from models.records import DealMention

from .candidates import (
    _WORD,
    Candidate,
    DocContext,
    Features,
    Option,
    _bucket,
    _words_around,
    deal_sentences,
    position_features,
)
from .money import sum_plus_chain
from .places import Place
from .terms import MIN_PRICE_USD, _cued, _usd_equivalent, price_like, written_start


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
        feats = position_features(s_index, best, members, follow, ctx, deal.deal_type)
        feats.update(_words_around(ctx.text, money.start, money.end))
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
        start = max(0, written_start(local))
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
        feats = position_features(s_index, best, members, follow, ctx, deal.deal_type)
        feats.update(_words_around(ctx.text, cap.start, cap.end))
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
            for name, value in position_features(s_index, best, members, follow, ctx, deal.deal_type).items():
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


def _region(deal: DealMention, country: str, places: list[Place], ctx: DocContext, best: int) -> str | None:
    """The deal's region when its country is `country`: the rules' choice, else the region named nearest."""
    if deal.country == country and deal.region:
        return deal.region
    regions = [p for p in places if p.kind == "region"]
    if not regions:
        return None
    return min(regions, key=lambda p: abs(ctx.sentence_of(p.start) - best)).name


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
                           "rule": float(folded_words(getattr(deal, role)) == folded_words(name)),
                           "rule_set": float(bool(getattr(deal, role))),
                           "rule_other": float(folded_words(getattr(deal, other)) == folded_words(name)),
                           "issuer": float(name == first_org),
                           f"count:{_bucket(len(places), (1, 2, 4))}": 1.0,
                           f"words:{_bucket(len(name.split()), (1, 2, 3))}": 1.0}
        for start, end in places:
            s_index = ctx.sentence_of(start)
            for k, v in position_features(s_index, best, members, follow, ctx, deal.deal_type).items():
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
