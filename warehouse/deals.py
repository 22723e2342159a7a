"""Loading extracted deals: replace a document's mentions, each assigned to the deal it tells (the `deals`
view merges them)."""

from __future__ import annotations

import operator

import pyarrow as pa
import sqlalchemy as sa

from models.records import DEAL_FIELDS
from models.records import DealMention
from models.tables import DealEvidence
from warehouse.engine import raw_connection
from warehouse.identity import short_hash
from warehouse.load import _insert, now_utc
from warehouse.views import merged_deals
from warehouse.matching import Extractions, KnownMentions, PreparedMentions, mention, prepare_mentions

_ARROW_TYPES = {sa.String: pa.string(), sa.Text: pa.string(), sa.Integer: pa.int32(), sa.Double: pa.float64()}
# The deal_evidence table's columns in order (models.tables.DealEvidence, built on the one deal field list).
_EVIDENCE_SCHEMA = pa.schema([(c.name, _ARROW_TYPES[type(c.type)]) for c in DealEvidence.__table__.columns])


# DuckDB turns a list parameter into a LIST value id by value (~1 ms for a batch's 500 ids, a load's costliest
# parameter); one joined string split in SQL takes a tenth of that. Ids are hex hashes: never the separator.
ID_LIST = "string_split(?, chr(31))"


def id_list(ids: list[str]) -> str:
    """The value for an ID_LIST parameter (ids must not be empty: '' splits into one empty id)."""
    return "\x1f".join(ids)


# One row of the extraction log: (batch_id, extractor_version, extracted_at, documents, mentions,
# id_list(doc_ids)).
LOG_BATCH = ("INSERT INTO extraction_batches (batch_id, extractor_version, extracted_at, documents, mentions, doc_ids) "
             f"VALUES (?, ?, ?, ?, ?, {ID_LIST})")

# What an evidence row keeps of a Deal besides its keys, read in one call a deal.
_EVIDENCE_ATTRS = operator.attrgetter("sentence", "start_char", "end_char", "extractor_version", "confidence", *DEAL_FIELDS)


def _evidence_table(extractions: list[tuple[str, list[DealMention]]], prepared: PreparedMentions, known: KnownMentions,
                    new: dict[str, None]) -> pa.Table:
    """The batch's evidence rows, each assigned to a known deal or a new one (collected in `new`)."""
    rows = []
    match, add, known_ids = known.match, known.add_keyed, known.deal_ids
    told = [(doc_id, deal) for doc_id, deals in extractions for deal in deals]
    for (doc_id, deal), m, (stored, probe), own in zip(told, prepared.mentions, prepared.keys, prepared.own_ids):
        deal_id = match(m, probe) or own
        if deal_id not in known_ids:
            new[deal_id] = None
        add((deal_id,) + m[1:], stored)
        rows.append((deal_id, doc_id, deal))
    version = prepared.version
    deal_ids, docs, deals = zip(*rows) if rows else ((), (), ())
    sentence, start, end, versions, confidence, *fields = (zip(*map(_EVIDENCE_ATTRS, deals)) if deals
                                                           else [()] * (5 + len(DEAL_FIELDS)))
    cols = {"evidence_id": prepared.evidence_ids, "deal_id": deal_ids, "doc_id": docs, "sentence": sentence,
            "start_char": start, "end_char": end, "extractor_version": [v or version for v in versions],
            "confidence": [float(c or 0) for c in confidence], **dict(zip(DEAL_FIELDS, fields))}
    return pa.table(cols, schema=_EVIDENCE_SCHEMA)


def _prepared(extractions: list[tuple[str, list[DealMention]]], version: str) -> PreparedMentions:
    """The extraction workers' preparation of these mentions if they made one for this version, else made here."""
    prepared = extractions.prepared if isinstance(extractions, Extractions) else None
    if (prepared is None or prepared.version != version or prepared.documents != len(extractions)
            or len(prepared.mentions) != sum(len(deals) for _, deals in extractions)):
        doc_ids, deals = zip(*extractions)
        prepared = prepare_mentions(list(doc_ids), list(deals), version)
    return prepared


def stored_mentions(raw) -> KnownMentions:
    """Every stored mention, indexed for matching. Read through DuckDB's own cursor: it is the one read that
    grows with the warehouse, so a held writer session reads it once, not once per load."""
    rows = raw.execute("SELECT deal_id, doc_id, deal_type, seller, buyer, asset, capacity_mw, price_usd "
                       "FROM deal_evidence").fetchall()
    return KnownMentions([mention(*row) for row in rows])


def load_mentions(conn: sa.Connection, extractions: list[tuple[str, list[DealMention]]], version: str,
                     cache: dict | None = None) -> list[dict]:
    """Store each document's deals (replacing older mentions) and log the batch as extracted by `version`;
    returns the deals that are new to the warehouse, as rows of the `deals` view.

    `cache` is a held writer session's: the stored mentions are read into it on first use and kept current.
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
    evidence = _evidence_table(extractions, _prepared(extractions, version), known, new)
    if replaced:
        raw.execute(f"DELETE FROM deal_evidence WHERE doc_id IN (SELECT unnest({ID_LIST}))", [id_list(doc_ids)])
    if evidence.num_rows:  # by position: _EVIDENCE_SCHEMA lists the table's columns in order (a test checks)
        raw.from_arrow(evidence).insert_into("deal_evidence")
    now = now_utc()
    raw.execute(LOG_BATCH, [short_hash(version, now.isoformat(), *doc_ids), version, now, len(doc_ids),
                            evidence.num_rows, id_list(doc_ids)])
    if cache is not None:  # only now: had a statement failed, the cache would not match the warehouse
        cache["mentions"] = known
    new_ids = [d for d in new if d not in old]
    if not new_ids:
        return []
    # Every mention of a new deal is in this batch: the view's own merge (views.merged_deals) over the batch's
    # rows, rather than a query of the view (which aggregates every stored mention).
    raw.register("batch_evidence", evidence)
    try:
        merged = raw.execute(merged_deals("batch_evidence", where=f"WHERE e.deal_id IN (SELECT unnest({ID_LIST}))"),
                             [id_list(new_ids)])
        names = [c[0] for c in merged.description]
        by_id = {row[0]: dict(zip(names, row), review=None) for row in merged.fetchall()}
    finally:
        raw.unregister("batch_evidence")
    return [by_id[d] for d in new_ids]  # a deal new to the warehouse has had no review


def upsert_companies(conn: sa.Connection, companies: list[dict]) -> int:
    """Upsert the bundled company registry into the companies table."""
    rows = [{"company_id": short_hash(c["name"]), "name": c["name"],
             "aliases": "|".join(c.get("aliases") or []) or None,
             "ticker": c.get("ticker"), "cik": c.get("cik"), "kind": c.get("kind")} for c in companies]
    schema = pa.schema([(k, pa.string()) for k in ("company_id", "name", "aliases", "ticker", "cik", "kind")])
    return _insert(conn, "companies", rows, schema, ("company_id",),
                   "aliases = excluded.aliases, ticker = excluded.ticker, "
                   "cik = excluded.cik, kind = excluded.kind", skip_unchanged=True)
