"""The deal types, each with its two families, as data (deal_types.jsonl), for the extractor and the warehouse.

A type has two families because two different questions are asked of it:
- `family`: may two clauses of *one document* be the same deal? A lease and a hosting contract of one site
  are often the same capacity deal told twice ("capacity"); a sale, an acquisition and a merger are "sale".
- `key_family`: which mentions across *documents* share a deal id (warehouse/identity.py)? A sale, an
  acquisition and a merger are one "transfer"; a lease and a hosting contract stay apart. Deal ids are hashes
  over it, and reviewers' corrections refer to those ids, so this column must not change.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

_PATH = Path(__file__).with_name("deal_types.jsonl")


@lru_cache(maxsize=1)
def deal_types() -> dict[str, dict]:
    """Deal type -> its families, what its seller and buyer are ("landlord"/"tenant", "recipient"/"financier"…)
    and whether it has a site (a capacity of its own)."""
    rows = [json.loads(line) for line in _PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["deal_type"]: row for row in rows}


def family(deal_type: str | None) -> str | None:
    """Within one document: the family whose clauses may tell one deal (an unknown type is its own family)."""
    row = deal_types().get(deal_type or "")
    return row["family"] if row else deal_type


def key_family(deal_type: str | None) -> str:
    """Across documents: the family a deal id is keyed on ("" for no type; an unknown type is its own)."""
    row = deal_types().get(deal_type or "")
    return row["key_family"] if row else (deal_type or "")
