"""The one party-name normaliser: the extractor's comparisons and the warehouse's deal-id keys both use it."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

LEGAL_SUFFIXES = frozenset({"inc", "incorporated", "ltd", "limited", "corp", "corporation", "co", "company", "plc",
                            "llc", "lp", "sa", "ag", "nv", "se", "the", "holdings", "group"})
_NOT_WORD = re.compile(r"[^a-z0-9 ]+")


@lru_cache(maxsize=65536)  # every load compares each new mention with the stored ones: names repeat
def party_words(name: str | None, fold_accents: bool = False) -> str:
    """'Bitfarms Ltd.' -> 'bitfarms': lower-case words without legal suffixes or punctuation.

    fold_accents=False is the deal-id key (warehouse/identity.py): an accented letter is dropped like
    punctuation, and it must stay so, since stored deal ids are hashes of it. fold_accents=True is the
    extractor's comparison: accents are folded to ASCII first ('Société' -> 'societe')."""
    if not name:
        return ""
    if fold_accents:
        name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(w for w in _NOT_WORD.sub(" ", name.lower()).split() if w not in LEGAL_SUFFIXES)


def folded_words(name: str | None) -> str:
    """The extractor's comparison of names: party_words with accents folded ('Société Générale' = 'Societe
    Generale')."""
    return party_words(name, fold_accents=True)
