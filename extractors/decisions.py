"""The learned decisions over the rules' candidates: which deals to keep, which figure and place is each deal's."""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from models.records import Deal

from .candidates import Candidate, DocContext, Option, capacity_options, country_options, keep_features, price_options
from .linear import DealModels

WEIGHTS = Path(__file__).parent / "weights" / "deal_models.json"
OPTIONS = {"price_usd": price_options, "capacity_mw": capacity_options, "country": country_options}
# Loans and machine orders have no site: their capacity and place are never asked for.
NO_SITE = {"financing", "other"}


@lru_cache(maxsize=4)
def shipped_models(path: Path = WEIGHTS) -> DealModels | None:
    """The committed weights, or None when the file is absent (extraction then runs on the rules alone)."""
    return DealModels.load(path) if path.exists() else None


def best_option(options: list[Option], model) -> tuple[Option | None, float]:
    """The most probable option and its probability; (None, p) when even the best is below the threshold."""
    scored = [(model.probability(o.features), -o.start, o) for o in options]
    if not scored:
        return None, 0.0
    p, _, option = max(scored, key=lambda s: (s[0], s[1]))
    return (option if p >= model.threshold else None), p


def choose_fields(cand: Candidate, ctx: DocContext, models: DealModels) -> Deal:
    """The candidate's deal with each figure and the place set to the value the models find most probable."""
    deal = replace(cand.deal)
    for name, make in OPTIONS.items():
        if name not in models.models:
            continue  # no model for this field: the rules' value stands
        if deal.deal_type in NO_SITE and name in {"capacity_mw", "country"}:
            continue
        option, _ = best_option(make(cand, ctx), models[name])
        _set(deal, name, option)
    return deal


def _set(deal: Deal, name: str, option: Option | None) -> None:
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
    elif name == "capacity_mw":
        deal.capacity_mw = option.value if option else None
    elif name == "country":
        deal.country = option.value if option else None
        deal.region = option.extra.get("region") if option else None


def decide(candidates: list[Candidate], ctx: DocContext, models: DealModels | None) -> list[Deal]:
    """The deals a document states: kept candidates with their chosen values and the keep probability."""
    if models is None:
        return [c.deal for c in candidates if c.rule_keep]
    deals = []
    for cand in candidates:
        keep = models.models.get("keep")
        p = keep.probability(keep_features(cand, ctx, candidates)) if keep else cand.deal.confidence
        if (p < keep.threshold) if keep else not cand.rule_keep:
            continue
        deal = choose_fields(cand, ctx, models)
        deal.confidence = round(p, 2)
        deals.append(deal)
    return deals
