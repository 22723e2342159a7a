"""Loading extracted deals: replace a document's mentions, each assigned to the deal it tells (the `deals`
view merges them)."""

from __future__ import annotations

import operator

import pyarrow as pa
import sqlalchemy as sa

from models.records import DEAL_FIELDS, DealMention
from models.tables import DealEvidence
from warehouse.batch import DealBatch
from warehouse.engine import raw_connection
from warehouse.held import HeldState
from warehouse.identity import short_hash
from warehouse.documents import _insert, now_utc
from warehouse.matching import KnownMentions, PreparedMentions, mention_key, prepare_mentions
from warehouse.merging import merge_mentions

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


def _evidence_table(batch: DealBatch, prepared: PreparedMentions, known: KnownMentions,
                    new: dict[str, None]) -> tuple[pa.Table, list[tuple[str, str, DealMention]]]:
    """The batch's evidence rows, each assigned to a known deal or a new one (collected in `new`), and the
    (deal_id, doc_id, mention) of each row."""
    rows = []
    match, add, known_ids = known.match, known.add_keyed, known.deal_ids
    told = [(doc_id, deal) for doc_id, deals in zip(batch.doc_ids, batch.mentions) for deal in deals]
    for (doc_id, deal), m, (stored, probe), own in zip(told, prepared.mentions, prepared.keys, prepared.own_ids):
        deal_id = match(m, probe) or own
        if deal_id not in known_ids:
            new[deal_id] = None
        add(m._replace(deal_id=deal_id), stored)
        rows.append((deal_id, doc_id, deal))
    version = prepared.version
    deal_ids, docs, deals = zip(*rows) if rows else ((), (), ())
    sentence, start, end, versions, confidence, *fields = (zip(*map(_EVIDENCE_ATTRS, deals)) if deals
                                                           else [()] * (5 + len(DEAL_FIELDS)))
    cols = {"evidence_id": prepared.evidence_ids, "deal_id": deal_ids, "doc_id": docs, "sentence": sentence,
            "start_char": start, "end_char": end, "extractor_version": [v or version for v in versions],
            "confidence": [float(c or 0) for c in confidence], **dict(zip(DEAL_FIELDS, fields))}
    return pa.table(cols, schema=_EVIDENCE_SCHEMA), rows


def _prepared(batch: DealBatch, version: str) -> PreparedMentions:
    """The extraction workers' preparation of these mentions if they made it for this batch and version, else
    made here."""
    prepared = batch.prepared
    if (prepared is None or prepared.version != version or prepared.documents != len(batch)
            or len(prepared.mentions) != batch.mention_count):
        prepared = prepare_mentions(batch.doc_ids, batch.mentions, version)
    return prepared


def stored_mentions(raw) -> KnownMentions:
    """Every stored mention, indexed for matching. Read through DuckDB's own cursor: it is the one read that
    grows with the warehouse, so a held writer session reads it once, not once per load."""
    rows = raw.execute("SELECT deal_id, doc_id, deal_type, seller, buyer, asset, capacity_mw, price_usd "
                       "FROM deal_evidence").fetchall()
    return KnownMentions([mention_key(*row) for row in rows])


def _write(raw, batch: DealBatch, evidence: pa.Table, replaced: bool, version: str) -> None:
    """Replace the batch's documents' rows in deal_evidence and log the batch as extracted by `version`."""
    if replaced:
        raw.execute(f"DELETE FROM deal_evidence WHERE doc_id IN (SELECT unnest({ID_LIST}))", [id_list(batch.doc_ids)])
    if evidence.num_rows:  # by position: _EVIDENCE_SCHEMA is read off the table's columns in order
        raw.from_arrow(evidence).insert_into("deal_evidence")
    now = now_utc()
    raw.execute(LOG_BATCH, [short_hash(version, now.isoformat(), *batch.doc_ids), version, now, len(batch),
                            evidence.num_rows, id_list(batch.doc_ids)])


def load_mentions(conn: sa.Connection, batch: DealBatch, version: str, held: HeldState | None = None) -> list[dict]:
    """Store each document's mentions (replacing older ones) and log the batch as extracted by `version`;
    returns the deals that are new to the warehouse, as rows of the `deals` view.

    `held` is a held writer session's state: the stored mentions are read into it on first use and kept current.
    """
    if not len(batch):
        return []
    raw = raw_connection(conn)
    known = held.known_mentions if held is not None else None
    if held is not None:
        held.known_mentions = None  # until this load is written: had a statement failed, it would not match
    if known is None:
        known = stored_mentions(raw)
    replaced = bool(known.docs.intersection(batch.doc_ids))
    old = known.drop_docs(batch.doc_ids)  # deals these documents told before: not new if told again
    new: dict[str, None] = {}
    evidence, rows = _evidence_table(batch, _prepared(batch, version), known, new)
    _write(raw, batch, evidence, replaced, version)
    if held is not None:
        held.known_mentions = known
    new_ids = [d for d in new if d not in old]
    if not new_ids:
        return []
    # Every mention of a new deal is in this batch: merged here (merging.merge_mentions, the view's rule).
    wanted = set(new_ids)
    mentions = [row for row in rows if row[0] in wanted]
    return merge_mentions(new_ids, mentions, _dates(raw, batch, {doc_id for _, doc_id, _ in mentions}))


def _dates(raw, batch: DealBatch, doc_ids: set[str]) -> dict:
    """Publication dates of these documents of the batch: as the batch carries them, else read."""
    dates = dict(zip(batch.doc_ids, batch.published)) if batch.published is not None else {}
    unread = sorted(d for d in doc_ids if d not in dates)
    if unread:
        dates.update(raw.execute("SELECT doc_id, published_at FROM documents "
                                 f"WHERE doc_id IN (SELECT unnest({ID_LIST}))", [id_list(unread)]).fetchall())
    return dates


def upsert_companies(conn: sa.Connection, companies: list[dict]) -> int:
    """Upsert the bundled company registry into the companies table."""
    rows = [{"company_id": short_hash(c["name"]), "name": c["name"],
             "aliases": "|".join(c.get("aliases") or []) or None,
             "ticker": c.get("ticker"), "cik": c.get("cik"), "kind": c.get("kind")} for c in companies]
    schema = pa.schema([(k, pa.string()) for k in ("company_id", "name", "aliases", "ticker", "cik", "kind")])
    return _insert(conn, "companies", rows, schema, ("company_id",),
                   "aliases = excluded.aliases, ticker = excluded.ticker, "
                   "cik = excluded.cik, kind = excluded.kind", skip_unchanged=True)
