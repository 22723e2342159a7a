"""Which mentions are one deal: party and family keys, and the short stable hashes ids are made of.

Plain Python (no DuckDB, SQLAlchemy or Arrow): the extraction workers import it to key each mention beside
the extraction (warehouse.matching.prepare_mentions)."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from models.records import DealMention

_SUFFIXES = {"inc", "incorporated", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "llc",
             "lp", "sa", "ag", "nv", "se", "the", "holdings", "group"}
TRANSFER_TYPES = {"asset_sale", "acquisition", "merger"}
_GENERIC_FIRST = {"american", "first", "global", "new", "north", "south", "united", "great", "royal", "canadian",
                  "pan", "gold", "mining", "power", "energy", "digital", "data", "bit", "us", "hut", "core"}


def short_hash(*parts: object) -> str:
    """16 hex characters of sha256 over the parts (None as empty): the same in every process and run."""
    return hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()[:16]


@lru_cache(maxsize=65536)  # every load compares each new mention with the stored ones: names repeat
def norm_party(name: str | None) -> str:
    """'Bitfarms Ltd.' -> 'bitfarms': the key used to merge mentions of one deal across outlets."""
    if not name:
        return ""
    words = re.sub(r"[^a-z0-9 ]+", " ", name.lower()).split()
    return " ".join(w for w in words if w not in _SUFFIXES)


@lru_cache(maxsize=65536)
def party_key(name: str | None) -> str:
    """Outlets write 'Hashgrid' and 'Hashgrid Mining Corp.': the distinctive first word carries the identity."""
    words = norm_party(name).split()
    if not words:
        return ""
    return " ".join(words[:2]) if words[0] in _GENERIC_FIRST or len(words[0]) <= 2 else words[0]


def deal_family(deal_type: str | None) -> str:
    """Outlets call one transfer a sale, an acquisition or a merger: those compare as one family."""
    return "transfer" if deal_type in TRANSFER_TYPES else (deal_type or "")


def deal_key(deal: DealMention, doc_id: str) -> str:
    """Mentions with the same parties (or, lacking them, the same asset) are one deal."""
    family = deal_family(deal.deal_type)
    seller, buyer = party_key(deal.seller), party_key(deal.buyer)
    if seller and buyer:
        return short_hash(family, seller, buyer)
    asset = norm_party(deal.asset)
    if asset and (seller or buyer):
        return short_hash(family, seller or buyer, asset)
    # Too little to merge on safely: the deal stays tied to its document.
    return short_hash(family, seller, buyer, asset, deal.capacity_mw, deal.price_usd, doc_id)
