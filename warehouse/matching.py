"""Matching a mention to the deal it tells: the comparison, the keys that find candidates without a scan, the
index of known mentions, and the per-mention part of that work, which needs nothing stored.

Plain Python (no DuckDB, SQLAlchemy or Arrow): the extraction workers import it to run prepare_mentions on
their share of a batch, in parallel, so that the load, which holds the warehouse, only looks keys up."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from models.records import DealMention
from models.deal_types import key_family
from warehouse.identity import deal_key, party_key, short_hash


class MentionKey(NamedTuple):
    """What matching reads of a mention, computed once: its deal (None until matched), document, the family deal
    ids are keyed on, the party keys of seller, buyer and asset, and its figures."""

    deal_id: str | None
    doc_id: str
    family: str
    seller: str
    buyer: str
    asset: str
    capacity_mw: float | None
    price_usd: float | None


def mention_key(deal_id: str | None, doc_id: str, deal_type: str | None, seller: str | None, buyer: str | None,
                asset: str | None, capacity_mw: float | None, price_usd: float | None) -> MentionKey:
    """The MentionKey of a mention with these fields (a row of deal_evidence, or a new DealMention)."""
    return MentionKey(deal_id, doc_id, key_family(deal_type), party_key(seller), party_key(buyer),
                      party_key(asset) if asset else "", capacity_mw, price_usd)


def _figures_agree(a: float | None, b: float | None) -> bool:
    return bool(a and b and abs(a - b) <= 0.01 * (a if a > b else b))


def same_deal(m: MentionKey, c: MentionKey) -> bool:
    """Two mentions tell one deal: same family, no conflicting party, and a party plus a detail in common."""
    if m.family != c.family:
        return False
    shared = 0
    for a, b in ((m.seller, c.seller), (m.buyer, c.buyer)):
        if a and b:
            if a != b:
                return False
            shared += 1
    if shared == 2:
        return True
    asset = bool(m.asset and m.asset == c.asset)
    if not (shared or asset):
        return False
    # One party or the asset in common: a figure within 1% makes it the same deal.
    if _figures_agree(m.capacity_mw, c.capacity_mw) or _figures_agree(m.price_usd, c.price_usd):
        return True
    return shared == 1 and asset


# Figures within 1% of each other (what same_deal calls the same) are at most 0.34 buckets of this width apart
# on a log scale (-log 0.99 / log 1.03), so a stored figure indexed under its bucket is found by a look-up of the
# other's bucket and the neighbour nearer to it. (Indexing under both and looking up one finds the same, but
# doubles the index: every stored mention is indexed, only new ones look up.)
_BUCKET = math.log(1.03)
_log, _floor = math.log, math.floor


def match_keys(m: MentionKey) -> tuple[list[str], list[str]]:
    """(keys a stored mention is indexed under, keys a new mention looks up). Every way same_deal accepts a
    pair needs one key in common: both parties; a party (same role) and the asset; a party and a figure; the
    asset and a figure; the family is in each. A mention with both parties has its pair key first in both lists.

    Keys are strings joined with \x1f (party keys hold only letters, digits and spaces), the same in every
    process (Python's hash() of a tuple or string is not: each worker process has its own seed). A string
    caches its hash and compares as one block: matching into the index took 25-30% less than with tuple keys."""
    family, seller, buyer, asset = m.family, m.seller, m.buyer, m.asset
    heads, stored = [], []  # heads: a party in its role, or the asset, each with the family
    if seller:
        heads.append(f"{family}\x1fs\x1f{seller}")
        if buyer:
            stored.append(f"{family}\x1fp\x1f{seller}\x1f{buyer}")
    if buyer:
        heads.append(f"{family}\x1fb\x1f{buyer}")
    if asset:
        for head in heads:
            stored.append(f"{head}\x1fa\x1f{asset}")
        heads.append(f"{family}\x1fa\x1f{asset}")
    probe = stored[:]
    if heads:
        for kind, value in (("c", m.capacity_mw), ("p", m.price_usd)):
            if value and value > 0:
                x = _log(value) / _BUCKET
                b = _floor(x)
                near = b + 1 if x - b >= 0.5 else b - 1
                for head in heads:
                    key = f"{head}\x1f{kind}{b}"
                    stored.append(key)
                    probe += (key, f"{head}\x1f{kind}{near}")
    return stored, probe


class KnownMentions:
    """Stored mentions indexed by match_keys, so that a new mention is compared only with mentions that could
    be the same deal.

    A mention that names both parties matches a stored one that also names both only if family, seller and
    buyer are the same: the oldest such is the first under its pair key (`_first_pair`), with no comparison.
    Only the stored mentions lacking a party (`_partial`) can match it some other way, so those are the only
    candidates it is compared with. Most mentions name both parties, and a popular seller's older deals had
    been compared one by one with each of its new ones.

    Built from the warehouse once per load, or once per held writer session and then kept up to date by the
    loads themselves (nobody else can write while the session holds the file)."""

    def __init__(self, rows: list[MentionKey]):
        self.rows: list[MentionKey] = []
        self.deal_ids: set[str] = set()
        self.docs: set[str] = set()
        # match() reads these with .get: it adds nothing to them.
        self._index: defaultdict[str, list[int]] = defaultdict(list)  # every mention under every key
        self._partial: defaultdict[str, list[int]] = defaultdict(list)  # mentions lacking a party, under theirs
        self._first_pair: dict[str, int] = {}  # pair key -> the oldest mention with both parties under it
        for row in rows:
            self.add(row)

    def add(self, m: MentionKey) -> None:
        self.add_keyed(m, match_keys(m)[0])

    def add_keyed(self, m: MentionKey, keys: list[str]) -> None:
        index, n = self._index, len(self.rows)
        if m.seller and m.buyer:
            self._first_pair.setdefault(keys[0], n)
        else:
            partial = self._partial
            for key in keys:
                partial[key].append(n)
        for key in keys:
            index[key].append(n)
        self.rows.append(m)
        self.deal_ids.add(m.deal_id)
        self.docs.add(m.doc_id)

    def drop_docs(self, doc_ids: list[str]) -> set[str]:
        """Forget the mentions of these documents (they are being replaced); returns their deal ids."""
        gone = self.docs.intersection(doc_ids)
        if not gone:
            return set()
        old = {m.deal_id for m in self.rows if m.doc_id in gone}
        self.__init__([m for m in self.rows if m.doc_id not in gone])
        return old

    def match(self, m: MentionKey, probe: list[str]) -> str | None:
        """deal_id of the first (oldest) known mention of the same deal, as a scan in order would find."""
        rows, best = self.rows, len(self.rows)
        if m.seller and m.buyer:
            best = self._first_pair.get(probe[0], best)
            index = self._partial
        else:
            index = self._index
        for key in probe:  # each list ascends: stop at its first match or at the best so far
            for i in index.get(key, ()):
                if i >= best:
                    break
                if same_deal(m, rows[i]):
                    best = i
                    break
        return rows[best].deal_id if best < len(rows) else None


@dataclass
class PreparedMentions:
    """Per mention of a batch, in order: everything a load needs that depends on nothing stored."""

    version: str  # the extractor version the evidence ids were made with
    documents: int = 0
    mentions: list[MentionKey] = field(default_factory=list)  # with no deal_id
    keys: list[tuple[list[str], list[str]]] = field(default_factory=list)  # match_keys()
    own_ids: list[str] = field(default_factory=list)  # deal_key(): the deal's id if it matches no known mention
    evidence_ids: list[str] = field(default_factory=list)

    def extend(self, other: PreparedMentions) -> None:
        self.documents += other.documents
        self.mentions += other.mentions
        self.keys += other.keys
        self.own_ids += other.own_ids
        self.evidence_ids += other.evidence_ids


def prepare_mentions(doc_ids: list[str], deals: list[list[DealMention]], version: str) -> PreparedMentions:
    """The per-mention work of a load, for each document's deals: keys, own deal id, evidence id."""
    out = PreparedMentions(version, len(doc_ids))
    for doc_id, told in zip(doc_ids, deals):
        for i, deal in enumerate(told):
            m = mention_key(None, doc_id, deal.deal_type, deal.seller, deal.buyer, deal.asset, deal.capacity_mw,
                        deal.price_usd)
            out.mentions.append(m)
            out.keys.append(match_keys(m))
            out.own_ids.append(deal_key(deal, doc_id))
            out.evidence_ids.append(short_hash(doc_id, version, i, deal.start_char, deal.end_char))
    return out
