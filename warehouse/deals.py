"""Loading extracted deals: replace a document's mentions, each assigned to the deal it tells (the `deals`
view merges them)."""

from __future__ import annotations

import math
import operator
from collections import defaultdict

import pyarrow as pa
import sqlalchemy as sa

from models.records import Deal
from warehouse.engine import raw_connection
from warehouse.load import _hash, _insert, deal_family, deal_key, now_utc, party_key
from warehouse.views import DEAL_FIELDS as _FIELDS

_EVIDENCE_SCHEMA = pa.schema([
    ("evidence_id", pa.string()), ("deal_id", pa.string()), ("doc_id", pa.string()), ("sentence", pa.string()),
    ("start_char", pa.int32()), ("end_char", pa.int32()), ("extractor_version", pa.string()),
    ("deal_type", pa.string()), ("buyer", pa.string()), ("seller", pa.string()), ("asset", pa.string()),
    ("capacity_mw", pa.float64()), ("price_usd", pa.float64()), ("cash_usd", pa.float64()),
    ("price_text", pa.string()), ("currency", pa.string()), ("price_amount", pa.float64()),
    ("country", pa.string()), ("region", pa.string()), ("confidence", pa.float64()),
])


def _mention(deal_id: str | None, doc_id: str, deal_type: str | None, seller: str | None, buyer: str | None,
             asset: str | None, capacity_mw: float | None, price_usd: float | None) -> tuple:
    """What matching reads of a mention, computed once: (deal_id, doc_id, family, seller, buyer and asset keys,
    capacity, price)."""
    return (deal_id, doc_id, deal_family(deal_type), party_key(seller), party_key(buyer),
            party_key(asset) if asset else "", capacity_mw, price_usd)


def _same_deal(m: tuple, c: tuple) -> bool:
    """Two mentions tell one deal: same family, no conflicting party, and a party plus a detail in common."""
    if m[2] != c[2]:
        return False
    shared = 0
    for i in (3, 4):  # seller, buyer
        a, b = m[i], c[i]
        if a and b:
            if a != b:
                return False
            shared += 1
    asset = bool(m[5] and m[5] == c[5])
    figure = any(m[i] and c[i] and abs(m[i] - c[i]) <= 0.01 * max(m[i], c[i]) for i in (6, 7))
    return shared == 2 or (shared == 1 and (asset or figure)) or (asset and figure)


# Figures within 1% of each other (what _same_deal calls the same) are at most 0.34 buckets of this width apart
# on a log scale (-log 0.99 / log 1.03), so a stored figure indexed under its bucket and the neighbour nearer to
# it is found by a look-up of the other's bucket alone.
_BUCKET = math.log(1.03)
_log, _floor = math.log, math.floor


def _keys(m: tuple) -> tuple[list[int], list[int]]:
    """(keys a stored mention is indexed under, keys a new mention looks up). Every way _same_deal accepts a
    pair needs one key in common: both parties; a party (same role) and the asset; a party and a figure; the
    asset and a figure; the family is in each. Keys are hashes: a collision only adds a candidate, which
    _same_deal then turns down."""
    family, seller, buyer, asset = m[2], m[3], m[4], m[5]
    heads, stored = [], []  # heads: a party in its role, or the asset, each with the family
    if seller:
        heads.append(hash((family, 3, seller)))
        if buyer:
            stored.append(hash((family, seller, buyer)))
    if buyer:
        heads.append(hash((family, 4, buyer)))
    if asset:
        for head in heads:
            stored.append(hash((head, asset)))
        heads.append(hash((family, 5, asset)))
    probe = stored[:]
    if heads:
        for kind in (6, 7):
            value = m[kind]
            if value and value > 0:
                x = _log(value) / _BUCKET
                b = _floor(x)
                near = b + 1 if x - b >= 0.5 else b - 1
                for head in heads:
                    key = hash((head, kind, b))
                    stored += (key, hash((head, kind, near)))
                    probe.append(key)
    return stored, probe


class _KnownMentions:
    """Stored mentions indexed by _keys, so that a new mention is compared only with mentions that could be
    the same deal.

    Built from the warehouse once per load, or once per held writer session and then kept up to date by the
    loads themselves (nobody else can write while the session holds the file)."""

    def __init__(self, rows: list[tuple]):
        self.rows: list[tuple] = []
        self.deal_ids: set[str] = set()
        self.docs: set[str] = set()
        self._index: defaultdict[int, list[int]] = defaultdict(list)  # match() reads it with .get: adds nothing
        for row in rows:
            self.add(row)

    def add(self, m: tuple) -> None:
        self.add_keyed(m, _keys(m)[0])

    def add_keyed(self, m: tuple, keys: list[int]) -> None:
        index, n = self._index, len(self.rows)
        for key in keys:
            index[key].append(n)
        self.rows.append(m)
        self.deal_ids.add(m[0])
        self.docs.add(m[1])

    def drop_docs(self, doc_ids: list[str]) -> set[str]:
        """Forget the mentions of these documents (they are being replaced); returns their deal ids."""
        gone = self.docs.intersection(doc_ids)
        if not gone:
            return set()
        old = {m[0] for m in self.rows if m[1] in gone}
        self.__init__([m for m in self.rows if m[1] not in gone])
        return old

    def match(self, m: tuple, probe: list[int]) -> str | None:
        """deal_id of the first (oldest) known mention of the same deal, as a scan in order would find."""
        index, rows, best = self._index, self.rows, len(self.rows)
        for key in probe:  # each list ascends: stop at its first match or at the best so far
            for i in index.get(key, ()):
                if i >= best:
                    break
                if _same_deal(m, rows[i]):
                    best = i
                    break
        return rows[best][0] if best < len(rows) else None


# DuckDB turns a list parameter into a LIST value id by value (~1 ms for a batch's 500 ids, a load's costliest
# parameter); one joined string split in SQL takes a tenth of that. Ids are hex hashes: never the separator.
ID_LIST = "string_split(?, chr(31))"


def id_list(ids: list[str]) -> str:
    """The value for an ID_LIST parameter (ids must not be empty: '' splits into one empty id)."""
    return "\x1f".join(ids)


# The held session's cache entry where pipeline.read_documents keeps the dates of the documents it read, for
# the load of their deals (load_extractions takes them out).
KEPT_DATES = "published"

# One row of the extraction log: (batch_id, extractor_version, extracted_at, documents, mentions,
# id_list(doc_ids)).
LOG_BATCH = ("INSERT INTO extraction_batches (batch_id, extractor_version, extracted_at, documents, mentions, doc_ids) "
             f"VALUES (?, ?, ?, ?, ?, {ID_LIST})")

# What an evidence row keeps of a Deal besides its keys, read in one call a deal.
_EVIDENCE_ATTRS = operator.attrgetter("evidence", "start", "end", "extractor_version", "confidence", *_FIELDS)
_MERGED_ATTRS = operator.attrgetter(*_FIELDS)


def _evidence_table(extractions: list[tuple[str, list[Deal]]], version: str, known: _KnownMentions,
                    new: dict[str, None]) -> tuple[pa.Table, list[tuple[str, str, Deal]]]:
    """The batch's evidence rows, each assigned to a known deal or a new one (collected in `new`), and the
    (deal_id, doc_id, deal) of each row."""
    ids, rows = [], []
    match, add, known_ids = known.match, known.add_keyed, known.deal_ids
    for doc_id, deals in extractions:
        for i, deal in enumerate(deals):
            m = _mention(None, doc_id, deal.deal_type, deal.seller, deal.buyer, deal.asset, deal.capacity_mw,
                         deal.price_usd)
            stored, probe = _keys(m)
            deal_id = match(m, probe) or deal_key(deal, doc_id)
            if deal_id not in known_ids:
                new[deal_id] = None
            add((deal_id,) + m[1:], stored)
            ids.append(_hash(doc_id, version, i, deal.start, deal.end))
            rows.append((deal_id, doc_id, deal))
    deal_ids, docs, told = zip(*rows) if rows else ((), (), ())
    sentence, start, end, versions, confidence, *fields = (zip(*map(_EVIDENCE_ATTRS, told)) if told
                                                           else [()] * (5 + len(_FIELDS)))
    cols = {"evidence_id": ids, "deal_id": deal_ids, "doc_id": docs, "sentence": sentence, "start_char": start,
            "end_char": end, "extractor_version": [v or version for v in versions],
            "confidence": [float(c or 0) for c in confidence], **dict(zip(_FIELDS, fields))}
    return pa.table(cols, schema=_EVIDENCE_SCHEMA), rows


def stored_mentions(raw) -> _KnownMentions:
    """Every stored mention, indexed for matching. Read through DuckDB's own cursor: it is the one read that
    grows with the warehouse, so a held writer session reads it once, not once per load."""
    rows = raw.execute("SELECT deal_id, doc_id, deal_type, seller, buyer, asset, capacity_mw, price_usd "
                       "FROM deal_evidence").fetchall()
    return _KnownMentions([_mention(*row) for row in rows])


def load_extractions(conn: sa.Connection, extractions: list[tuple[str, list[Deal]]], version: str,
                     cache: dict | None = None) -> list[dict]:
    """Store each document's deals (replacing older mentions) and log the batch as extracted by `version`;
    returns the deals that are new to the warehouse, as rows of the `deals` view.

    `cache` is a held writer session's: the stored mentions are read into it on first use and kept current,
    and the documents' dates are taken from it when pipeline.read_documents put them there.
    """
    if not extractions:
        return []
    raw = raw_connection(conn)
    known = cache.pop("mentions", None) if cache is not None else None
    if known is None:
        known = stored_mentions(raw)
    doc_ids = [doc_id for doc_id, _ in extractions]
    replaced = bool(known.docs.intersection(doc_ids))
    old = known.drop_docs(doc_ids)  # deals these documents told before: not new if told again
    new: dict[str, None] = {}
    evidence, rows = _evidence_table(extractions, version, known, new)
    if replaced:
        raw.execute(f"DELETE FROM deal_evidence WHERE doc_id IN (SELECT unnest({ID_LIST}))", [id_list(doc_ids)])
    if evidence.num_rows:  # by position: _EVIDENCE_SCHEMA lists the table's columns in order (a test checks)
        raw.from_arrow(evidence).insert_into("deal_evidence")
    now = now_utc()
    raw.execute(LOG_BATCH, [_hash(version, now.isoformat(), *doc_ids), version, now, len(doc_ids), evidence.num_rows,
                            id_list(doc_ids)])
    if cache is not None:  # only now: had a statement failed, the cache would not match the warehouse
        cache["mentions"] = known
    # Dates that pipeline.read_documents kept when it read these documents (a held session's, until it lets go).
    kept = cache.get(KEPT_DATES, {}) if cache is not None else {}
    published = {doc_id: kept.pop(doc_id) for doc_id in doc_ids if doc_id in kept}
    new_ids = [d for d in new if d not in old]
    if not new_ids:
        return []
    # Every mention of a new deal is in this batch: merged here, as the `deals` view would, rather than by a
    # query of the view (which aggregates every stored mention).
    wanted = set(new_ids)
    mentions = [row for row in rows if row[0] in wanted]
    told = sorted({doc_id for _, doc_id, _ in mentions})
    dates = {doc_id: published[doc_id] for doc_id in told if doc_id in published}
    unread = [doc_id for doc_id in told if doc_id not in dates]
    if unread:
        dates.update(raw.execute("SELECT doc_id, published_at FROM documents "
                                 f"WHERE doc_id IN (SELECT unnest({ID_LIST}))", [id_list(unread)]).fetchall())
    return _merge(new_ids, mentions, dates)


def _merge(deal_ids: list[str], mentions: list[tuple[str, str, Deal]], dates: dict) -> list[dict]:
    """Rows of the `deals` view (views.merged_deals) for these deals from all their (deal_id, doc_id, deal)
    mentions: each field from the most confident mention that has it, the date from the earliest document."""
    by_deal: dict[str, list[tuple[str, Deal]]] = {d: [] for d in deal_ids}
    for deal_id, doc_id, deal in sorted(mentions, key=lambda m: -float(m[2].confidence or 0)):
        by_deal[deal_id].append((doc_id, deal))
    rows = []
    for deal_id, told in by_deal.items():
        values = list(_MERGED_ATTRS(told[0][1]))
        for _, deal in told[1:]:  # most deals have one mention: only a second fills the first's gaps
            values = [v if v is not None else other for v, other in zip(values, _MERGED_ATTRS(deal))]
        published = [dates[doc_id] for doc_id, _ in told if dates.get(doc_id)]
        row = {"deal_id": deal_id}
        row.update(zip(_FIELDS, values))
        row.update(announced_date=min(published).date() if published else None,
                   confidence=float(told[0][1].confidence or 0), sources=len({doc_id for doc_id, _ in told}))
        rows.append(row)
    return rows


def load_companies(conn: sa.Connection, companies: list[dict]) -> int:
    """Upsert the bundled company registry into the companies table."""
    rows = [{"company_id": _hash(c["name"]), "name": c["name"], "aliases": "|".join(c.get("aliases") or []) or None,
             "ticker": c.get("ticker"), "cik": c.get("cik"), "kind": c.get("kind")} for c in companies]
    schema = pa.schema([(k, pa.string()) for k in ("company_id", "name", "aliases", "ticker", "cik", "kind")])
    return _insert(conn, "companies", rows, schema,
                   "ON CONFLICT (company_id) DO UPDATE SET aliases = excluded.aliases, ticker = excluded.ticker, "
                   "cik = excluded.cik, kind = excluded.kind")
