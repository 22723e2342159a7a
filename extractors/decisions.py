"""The learned decisions over the rules' candidates: which deals to keep, which figure and place is each deal's."""

from __future__ import annotations

import logging
from dataclasses import replace
from functools import lru_cache, partial
from pathlib import Path

from models.names import folded_words
from models.records import DealMention

from . import gazetteer
from .candidates import Candidate, DocContext, Option, keep_features
from .linear import DealModels
from .options import capacity_options, country_options, null_option, party_options, price_options
from .version import EXTRACTOR_VERSION

log = logging.getLogger(__name__)

WEIGHTS = Path(__file__).parent / "weights" / "deal_models.json"
OPTIONS = {"price_usd": price_options, "capacity_mw": capacity_options, "country": country_options,
           "buyer": partial(party_options, role="buyer"), "seller": partial(party_options, role="seller")}


@lru_cache(maxsize=4)
def shipped_models(path: Path = WEIGHTS) -> DealModels | None:
    """The committed weights, or None when the file is absent or made for another extractor version
    (extraction then runs on the rules alone, and says so)."""
    if not path.exists():
        return None
    models = DealModels.load(path)
    if models.version != EXTRACTOR_VERSION:
        log.warning("%s was trained for extractor %s, this is %s: learned decisions are off until "
                    "`minewire train` is run", path, models.version, EXTRACTOR_VERSION)
        return None
    return models


def field_options(cand: Candidate, ctx: DocContext, name: str) -> list[Option]:
    """The values a field could take, and "not stated" (value None) among them."""
    options = OPTIONS[name](cand, ctx)
    return options + [null_option(cand, name, options)]


def best_option(options: list[Option], model) -> tuple[Option | None, float]:
    """The best-ranked option (None when "not stated" ranks first) and its score."""
    score, _, option = max(((model.score(o.features), -o.start, o) for o in options), key=lambda s: (s[0], s[1]))
    return (option if option.value is not None else None), score


def choose_fields(cand: Candidate, ctx: DocContext, models: DealModels) -> DealMention:
    """The candidate's deal with each figure and the place set to the value the models find most probable."""
    deal = replace(cand.deal)
    chosen: dict[str, tuple[Option | None, float]] = {}
    for name in OPTIONS:
        if name not in models.models:
            continue  # no model for this field: the rules' value stands
        if name == "capacity_mw" and not gazetteer.has_site(deal.deal_type):
            continue
        chosen[name] = best_option(field_options(cand, ctx, name), models[name])
        _set(deal, name, chosen[name][0])
    buyer, seller = chosen.get("buyer", (None, 0.0)), chosen.get("seller", (None, 0.0))
    if buyer[0] and seller[0] and folded_words(buyer[0].value) == folded_words(seller[0].value):
        _set(deal, "seller" if buyer[1] >= seller[1] else "buyer", None)  # one organisation, one side
    return deal


def _set(deal: DealMention, name: str, option: Option | None) -> None:
    if name == "price_usd":
        if option is None:
            if deal.currency in (None, "USD"):
                deal.price_usd = deal.price_text = deal.price_amount = None
            else:
                deal.price_usd = None  # a foreign price stays as written, with no dollar figure
        elif deal.price_usd is None or abs(deal.price_usd - option.value) >= 1:
            deal.price_usd = option.value
            deal.price_text, deal.currency, deal.price_amount = (option.extra["price_text"], option.extra["currency"],
                                                                option.extra["price_amount"])
    elif name in ("buyer", "seller"):
        setattr(deal, name, option.value if option else None)
    elif name == "capacity_mw":
        deal.capacity_mw = option.value if option else None
    elif name == "country":
        deal.country = option.value if option else None
        deal.region = option.extra.get("region") if option else None


def decide(candidates: list[Candidate], ctx: DocContext, models: DealModels | None) -> list[DealMention]:
    """The deals a document states: kept candidates with their chosen values; a decision without a model
    (or with no models at all) is the rules' own."""
    keep = models.models.get("keep") if models else None
    deals = []
    for cand in candidates:
        if keep is None:
            if not cand.rule_keep:
                continue
            confidence = cand.deal.confidence
        else:
            confidence = keep.probability(keep_features(cand, ctx, candidates))
            if confidence < keep.threshold:
                continue
        deal = choose_fields(cand, ctx, models) if models else cand.deal
        deal.confidence = round(confidence, 2)
        deals.append(deal)
    return deals
