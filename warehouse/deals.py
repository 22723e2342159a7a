"""Loading extracted deals: replace a document's mentions, then rebuild the deals they touch."""

from __future__ import annotations

import pyarrow as pa
import sqlalchemy as sa

from models.records import Deal
from warehouse.engine import raw_connection
from warehouse.load import _hash, _insert, deal_family, deal_key, party_key

_EVIDENCE_SCHEMA = pa.schema([
    ("evidence_id", pa.string()), ("deal_id", pa.string()), ("doc_id", pa.string()), ("sentence", pa.string()),
    ("start_char", pa.int32()), ("end_char", pa.int32()), ("extractor_version", pa.string()),
    ("deal_type", pa.string()), ("buyer", pa.string()), ("seller", pa.string()), ("asset", pa.string()),
    ("capacity_mw", pa.float64()), ("price_usd", pa.float64()), ("cash_usd", pa.float64()),
    ("price_text", pa.string()), ("currency", pa.string()), ("price_amount", pa.float64()),
    ("country", pa.string()), ("region", pa.string()), ("confidence", pa.float64()),
])
_FIELDS = ("deal_type", "buyer", "seller", "asset", "capacity_mw", "price_usd", "cash_usd", "price_text",
           "currency", "price_amount", "country", "region")

# Each field from the most confident mention that has it; the date from the earliest document.
_REBUILD = f"""
INSERT INTO deals BY NAME
SELECT e.deal_id,
       {", ".join(f"arg_max(e.{f}, e.confidence) FILTER (WHERE e.{f} IS NOT NULL) AS {f}" for f in _FIELDS)},
       CAST(min(d.published_at) AS DATE) AS announced_date,
       max(e.confidence) AS confidence,
       count(DISTINCT e.doc_id) AS sources
FROM deal_evidence e JOIN documents d USING (doc_id)
WHERE e.deal_id IN (SELECT deal_id FROM _touched)
GROUP BY e.deal_id
"""


def _same_deal(m: dict, c: dict) -> bool:
    """Two mentions tell one deal: same family, no conflicting party, and a party plus a detail in common."""
    if deal_family(m["deal_type"]) != deal_family(c["deal_type"]):
        return False
    shared = 0
    for role in ("seller", "buyer"):
        a, b = party_key(m[role]), party_key(c[role])
        if a and b and a != b:
            return False
        shared += bool(a and a == b)
    asset = bool(m["asset"] and c["asset"] and party_key(m["asset"]) == party_key(c["asset"]))
    figure = any(m[f] and c[f] and abs(m[f] - c[f]) <= 0.01 * max(m[f], c[f]) for f in ("capacity_mw", "price_usd"))
    return shared == 2 or (shared == 1 and (asset or figure)) or (asset and figure)


class _KnownMentions:
    """Stored mentions indexed by deal family and each role's party key, so a new mention is compared only with
    mentions that share a family and a seller, buyer or asset key (every pair _same_deal accepts does)."""

    def __init__(self, rows: list[dict]):
        self.rows: list[dict] = []
        self._index: dict[tuple[str, str, str], list[int]] = {}
        for row in rows:
            self.add(row)

    @staticmethod
    def _keys(row: dict) -> list[tuple[str, str, str]]:
        family = deal_family(row["deal_type"])  # _same_deal wants the same family: part of the key
        keys = [(family, role, k) for role in ("seller", "buyer") if (k := party_key(row[role]))]
        return keys + [(family, "asset", party_key(row["asset"]))] if row["asset"] else keys

    def add(self, row: dict) -> None:
        for key in self._keys(row):
            self._index.setdefault(key, []).append(len(self.rows))
        self.rows.append(row)

    def match(self, row: dict) -> str | None:
        """deal_id of the first (oldest) known mention of the same deal, as a scan in order would find."""
        candidates = sorted({i for key in self._keys(row) for i in self._index.get(key, ())})
        return next((self.rows[i]["deal_id"] for i in candidates if _same_deal(row, self.rows[i])), None)


def _evidence_rows(doc_id: str, deals: list[Deal], version: str, known: _KnownMentions) -> list[dict]:
    rows = []
    for i, deal in enumerate(deals):
        row = {f: getattr(deal, f) for f in _FIELDS}
        deal_id = known.match(row) or deal_key(deal, doc_id)
        row.update(evidence_id=_hash(doc_id, version, i, deal.start, deal.end), deal_id=deal_id, doc_id=doc_id,
                   sentence=deal.evidence, start_char=deal.start, end_char=deal.end,
                   extractor_version=deal.extractor_version or version, confidence=float(deal.confidence or 0))
        rows.append(row)
        known.add(row)
    return rows


def _known_mentions(raw, excluding: str) -> list[dict]:
    """Mentions stored for other documents (not in the registered table `excluding`): what a new mention may
    be another telling of. Read through DuckDB's own cursor: it is the one read that grows with the warehouse."""
    cur = raw.execute("SELECT deal_id, deal_type, seller, buyer, asset, capacity_mw, price_usd FROM deal_evidence "
                      f"WHERE doc_id NOT IN (SELECT doc_id FROM {excluding})")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row)) for row in cur.fetchall()]


def load_extractions(conn: sa.Connection, extractions: list[tuple[str, list[Deal]]], version: str) -> list[str]:
    """Store each document's deals (replacing older mentions); returns ids of deals that are new."""
    if not extractions:
        return []
    raw = raw_connection(conn)
    raw.register("_batch", pa.table({"doc_id": pa.array([doc_id for doc_id, _ in extractions], pa.string())}))
    try:
        known = _KnownMentions(_known_mentions(raw, "_batch"))
        rows = [r for doc_id, deals in extractions for r in _evidence_rows(doc_id, deals, version, known)]
        old = {d for (d,) in raw.execute(
            "SELECT DISTINCT deal_id FROM deal_evidence WHERE doc_id IN (SELECT doc_id FROM _batch)").fetchall()}
        raw.execute("DELETE FROM deal_evidence WHERE doc_id IN (SELECT doc_id FROM _batch)")
        _insert(conn, "deal_evidence", rows, _EVIDENCE_SCHEMA, "ON CONFLICT DO NOTHING")
        raw.execute("UPDATE documents SET extracted_version = ? WHERE doc_id IN (SELECT doc_id FROM _batch)",
                    [version])
    finally:
        raw.unregister("_batch")
    touched = sorted(old | {r["deal_id"] for r in rows})
    if not touched:
        return []
    raw.register("_touched", pa.table({"deal_id": pa.array(touched, pa.string())}))
    try:
        before = {d for (d,) in raw.execute(
            "SELECT deal_id FROM deals WHERE deal_id IN (SELECT deal_id FROM _touched)").fetchall()}
        raw.execute("DELETE FROM deals WHERE deal_id IN (SELECT deal_id FROM _touched)")
        raw.execute(_REBUILD)
    finally:
        raw.unregister("_touched")
    return [d for d in dict.fromkeys(r["deal_id"] for r in rows) if d not in before]


def load_companies(conn: sa.Connection, companies: list[dict]) -> int:
    """Upsert the bundled company registry into the companies table."""
    rows = [{"company_id": _hash(c["name"]), "name": c["name"], "aliases": "|".join(c.get("aliases") or []) or None,
             "ticker": c.get("ticker"), "cik": c.get("cik"), "kind": c.get("kind")} for c in companies]
    schema = pa.schema([(k, pa.string()) for k in ("company_id", "name", "aliases", "ticker", "cik", "kind")])
    return _insert(conn, "companies", rows, schema,
                   "ON CONFLICT (company_id) DO UPDATE SET aliases = excluded.aliases, ticker = excluded.ticker, "
                   "cik = excluded.cik, kind = excluded.kind")
