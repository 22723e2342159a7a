"""Which mentions are one deal: party and family keys, and the short stable hashes ids are made of.

Plain Python (no DuckDB, SQLAlchemy or Arrow): the extraction workers import it to key each mention beside
the extraction (warehouse.matching.prepare_mentions)."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from models.deal_types import key_family
from models.names import party_words
from models.records import DealMention

_GENERIC_FIRST = {"american", "first", "global", "new", "north", "south", "united", "great", "royal", "canadian",
                  "pan", "gold", "mining", "power", "energy", "digital", "data", "bit", "us", "hut", "core"}


def short_hash(*parts: object) -> str:
    """16 hex characters of sha256 over the parts (None as empty): the same in every process and run."""
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:16]


@lru_cache(maxsize=65536)
def party_key(name: str | None) -> str:
    """Outlets write 'Hashgrid' and 'Hashgrid Mining Corp.': the distinctive first word carries the identity."""
    words = party_words(name).split()
    if not words:
        return ""
    return " ".join(words[:2]) if words[0] in _GENERIC_FIRST or len(words[0]) <= 2 else words[0]


def deal_key(deal: DealMention, doc_id: str) -> str:
    """Mentions with the same parties (or, lacking them, the same asset) are one deal."""
    family = key_family(deal.deal_type)
    seller, buyer = party_key(deal.seller), party_key(deal.buyer)
    if seller and buyer:
        return short_hash(family, seller, buyer)
    asset = party_words(deal.asset)
    if asset and (seller or buyer):
        return short_hash(family, seller or buyer, asset)
    # Too little to merge on safely: the deal stays tied to its document.
    return short_hash(family, seller, buyer, asset, deal.capacity_mw, deal.price_usd, doc_id)
