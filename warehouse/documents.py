"""Bulk, idempotent loads of what polls found (documents, fetch log, failures, cursors): one Arrow insert per
table per batch, inside the caller's SQLAlchemy transaction. Deals are loaded by warehouse/deals.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyarrow as pa
import sqlalchemy as sa

from models.records import FetchedDocument, FetchRecord, Failure, PollResult, normalise_url
from warehouse import dedup
from warehouse.engine import on_lake, raw_connection
from warehouse.identity import short_hash



@dataclass
class LoadReport:
    """What one load wrote."""

    stored: list[str] = field(default_factory=list)  # doc_ids of new documents
    copies: int = 0  # syndicated copies linked to a stored document
    duplicates: int = 0  # already stored (same key)
    failures: int = 0
    given_up: int = 0
    rows_written: int = 0


def utc_naive(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(timezone.utc).replace(tzinfo=None)


def now_utc() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _insert(conn: sa.Connection, table: str, rows: list[dict], schema: pa.Schema, keys: tuple[str, ...],
            update: str | None = None, skip_unchanged: bool = False) -> int:
    """INSERT … BY NAME SELECT from an Arrow table registered on DuckDB's own connection: rows whose `keys`
    are stored already are skipped, or (given `update`, a SET list where `excluded` is the new row) updated.

    A file does it with ON CONFLICT on the table's key; a lake has no keys, so there it is a MERGE (or an
    anti-join), made safe by run_write's one-committer-at-a-time. `skip_unchanged` (lake): rows equal to the
    stored ones are not rewritten, so a run that changes nothing leaves no snapshot."""
    if not rows:
        return 0
    raw = raw_connection(conn)
    name = f"_incoming_{table}"
    raw.register(name, pa.Table.from_pylist(rows, schema=schema))
    try:
        if not on_lake(conn):
            action = f"({', '.join(keys)}) DO UPDATE SET {update}" if update else "DO NOTHING"  # any key or unique
            raw.execute(f"INSERT INTO {table} BY NAME SELECT * FROM {name} ON CONFLICT {action}")
        else:
            source = name if not skip_unchanged else \
                f"(SELECT * FROM {name} EXCEPT SELECT {', '.join(schema.names)} FROM {table})"
            match = " AND ".join(f"{table}.{k} = excluded.{k}" for k in keys)
            matched = f"WHEN MATCHED THEN UPDATE SET {update} " if update else ""
            raw.execute(f"MERGE INTO {table} USING {source} AS excluded ON {match} "
                        f"{matched}WHEN NOT MATCHED THEN INSERT BY NAME")
    finally:
        raw.unregister(name)
    return len(rows)


_DOC_SCHEMA = pa.schema([
    ("doc_id", pa.string()), ("key", pa.string()), ("url", pa.string()), ("canonical_url", pa.string()),
    ("title", pa.string()), ("published_at", pa.timestamp("us")), ("date_source", pa.string()),
    ("modified_at", pa.timestamp("us")), ("fetched_at", pa.timestamp("us")), ("content_hash", pa.string()),
    ("simhash", pa.int64()), ("text", pa.string()), ("raw", pa.binary()), ("content_type", pa.string()),
    ("charset", pa.string()), ("source", pa.string()), ("kind", pa.string()), ("accession", pa.string()),
    ("form", pa.string()), ("items", pa.string()), ("cik", pa.string()), ("issuer", pa.string()),
    ("tickers", pa.string()),
])


def _doc_row(doc: FetchedDocument, simhash: int, now: datetime) -> dict:
    return {
        "doc_id": doc.doc_id, "key": doc.key, "url": doc.url, "canonical_url": doc.canonical_url,
        "title": doc.title, "published_at": utc_naive(doc.published_at), "date_source": doc.date_source,
        "modified_at": utc_naive(doc.modified_at), "fetched_at": utc_naive(doc.fetched_at) or now,
        "content_hash": doc.content_hash, "simhash": simhash, "text": doc.text, "raw": doc.raw,
        "content_type": doc.content_type, "charset": doc.charset, "source": doc.source, "kind": doc.kind,
        "accession": doc.accession, "form": doc.form, "items": ",".join(doc.items) or None, "cik": doc.cik,
        "issuer": doc.issuer, "tickers": ",".join(doc.tickers) or None,
    }


def _stored_matches(conn: sa.Connection, candidates: list[tuple[int, str]]) -> dict[int, list[tuple[str, str, int]]]:
    """For each (simhash, content hash), the 5 nearest stored documents that are equal or within
    NEAR_DUPLICATE_BITS, as (doc_id, text, distance): one query per batch instead of one per document.

    The join compares hashes only; texts are read afterwards for the few matches. (Selecting the text in the
    join made DuckDB hold every stored text in memory for it: RSS grew with the warehouse.)"""
    if not candidates:
        return {}
    raw = raw_connection(conn)
    raw.register("_incoming_sims", pa.table({"i": pa.array(range(len(candidates)), pa.int32()),
                                             "h": pa.array([h for h, _ in candidates], pa.int64()),
                                             "c": pa.array([c for _, c in candidates], pa.string())}))
    try:
        matches = raw.execute(
            "SELECT i, doc_id, dist FROM (SELECT n.i, d.doc_id, bit_count(xor(d.simhash, n.h)) AS dist, "
            "row_number() OVER (PARTITION BY n.i ORDER BY bit_count(xor(d.simhash, n.h))) AS rank "
            "FROM _incoming_sims n JOIN documents d ON d.content_hash = n.c OR bit_count(xor(d.simhash, n.h)) <= ?) "
            "WHERE rank <= 5 ORDER BY i, dist", [dedup.NEAR_DUPLICATE_BITS]).fetchall()
    finally:
        raw.unregister("_incoming_sims")
    ids = sorted({doc_id for _, doc_id, _ in matches})
    texts = dict(raw.execute("SELECT doc_id, text FROM documents WHERE doc_id IN (SELECT unnest(?))", [ids]).fetchall()) \
        if ids else {}
    found: dict[int, list[tuple[str, str, int]]] = {}
    for i, doc_id, dist in matches:
        found.setdefault(i, []).append((doc_id, texts[doc_id], int(dist)))
    return found


def _find_original(doc: FetchedDocument, sim: int, chash: str, stored: list[tuple[str, str, int]],
                   batch: list[tuple[FetchedDocument, int]], batch_hashes: dict[str, str]) -> tuple[str, int] | None:
    """The earlier-in-batch (or stored) document this one copies, with the simhash distance."""
    if chash in batch_hashes:
        return batch_hashes[chash], 0
    figs = None
    for other, other_sim in batch:  # ints first: the figures are read only for a near match
        if dedup.distance(sim, other_sim) <= dedup.NEAR_DUPLICATE_BITS:
            figs = dedup.figures(doc.text) if figs is None else figs
            if dedup.figures(other.text) == figs:
                return other.doc_id, dedup.distance(sim, other_sim)
    for doc_id, text, dist in stored:
        if dist == 0 or dedup.figures(text) == (dedup.figures(doc.text) if figs is None else figs):
            return doc_id, dist
    return None


def load_documents(conn: sa.Connection, docs: list[FetchedDocument], now: datetime | None = None) -> LoadReport:
    """Store new documents; skip ones already stored; link syndicated copies instead of storing them."""
    now = now or now_utc()
    report = LoadReport()
    keys = [d.key for d in docs]
    urls = [normalise_url(d.canonical_url or d.url) for d in docs]
    existing = {k for (k,) in conn.execute(sa.text(
        "SELECT key FROM documents WHERE key IN :k UNION ALL SELECT url FROM document_copies WHERE url IN :u"
    ).bindparams(sa.bindparam("k", expanding=True), sa.bindparam("u", expanding=True)),
        {"k": keys or [""], "u": urls or [""]})}
    candidates = [(doc, key, url, dedup.simhash(doc.text), doc.content_hash)
                  for doc, key, url in zip(docs, keys, urls) if key not in existing and url not in existing]
    report.duplicates = len(docs) - len(candidates)
    stored = _stored_matches(conn, [(sim, chash) for *_, sim, chash in candidates])
    fresh: list[tuple[FetchedDocument, int]] = []
    fresh_keys: set[str] = set()
    fresh_hashes: dict[str, str] = {}  # content hash -> doc_id of the batch's new documents
    copies: list[dict] = []
    for i, (doc, key, url, sim, chash) in enumerate(candidates):
        if key in fresh_keys:
            report.duplicates += 1
            continue
        original = _find_original(doc, sim, chash, stored.get(i, []), fresh, fresh_hashes)
        if original:
            copies.append({"url": url, "doc_id": original[0],
                           "source": doc.source, "title": doc.title, "distance": original[1], "seen_at": now})
            continue
        fresh.append((doc, sim))
        fresh_keys.add(key)
        fresh_hashes.setdefault(chash, doc.doc_id)
    report.rows_written += _insert(conn, "documents", [_doc_row(d, s, now) for d, s in fresh], _DOC_SCHEMA,
                                   ("doc_id",))
    report.rows_written += _insert(conn, "document_copies", copies, _COPY_SCHEMA, ("url",))
    report.stored = [d.doc_id for d, _ in fresh]
    report.copies = len(copies)
    return report


_COPY_SCHEMA = pa.schema([("url", pa.string()), ("doc_id", pa.string()), ("source", pa.string()),
                          ("title", pa.string()), ("distance", pa.int32()), ("seen_at", pa.timestamp("us"))])
_FETCH_SCHEMA = pa.schema([
    ("fetch_id", pa.string()), ("url", pa.string()), ("source", pa.string()), ("status", pa.int32()),
    ("bytes", pa.int64()), ("elapsed_s", pa.float64()), ("error", pa.string()), ("not_modified", pa.bool_()),
    ("fetched_at", pa.timestamp("us")),
])


def record_fetches(conn: sa.Connection, fetches: list[FetchRecord], now: datetime | None = None) -> int:
    """Append the fetch log (304 revalidations are counted by the run, not stored: a quiet poll writes nothing)."""
    now = now or now_utc()
    rows = []
    for i, f in enumerate(fetches):
        if f.not_modified:
            continue
        at = utc_naive(f.fetched_at) or now
        rows.append({"fetch_id": short_hash(f.url, at.isoformat(), i), "url": f.url, "source": f.source,
                     "status": f.status, "bytes": f.bytes, "elapsed_s": f.elapsed_s, "error": f.error,
                     "not_modified": f.not_modified, "fetched_at": at})
    return _insert(conn, "fetches", rows, _FETCH_SCHEMA, ("fetch_id",))


_FAILURE_SCHEMA = pa.schema([
    ("url", pa.string()), ("source", pa.string()), ("attempts", pa.int32()), ("reason", pa.string()),
    ("first_failed_at", pa.timestamp("us")), ("last_failed_at", pa.timestamp("us")), ("given_up", pa.bool_()),
    ("resolved_at", pa.timestamp("us")),
])


def record_failures(conn: sa.Connection, failures: list[Failure], recovered: list[str], max_attempts: int,
                    now: datetime | None = None) -> int:
    """Add failures to the retry list (attempts + 1; given up at max_attempts, or at once when permanent);
    mark recovered URLs resolved."""
    now = now or now_utc()
    rows = [{"url": f.url, "source": f.source, "attempts": 1, "reason": f.reason[:500], "first_failed_at": now,
             "last_failed_at": now, "given_up": max_attempts <= 1 or f.permanent, "resolved_at": None}
            for f in failures]
    n = _insert(conn, "fetch_failures", rows, _FAILURE_SCHEMA, ("url",),
                "attempts = fetch_failures.attempts + 1, "
                "reason = excluded.reason, last_failed_at = excluded.last_failed_at, resolved_at = NULL, "
                f"given_up = excluded.given_up OR fetch_failures.attempts + 1 >= {int(max_attempts)}")
    if recovered:
        conn.execute(sa.text("UPDATE fetch_failures SET resolved_at = :t WHERE url IN :u").bindparams(
            sa.bindparam("u", expanding=True)), {"t": now, "u": recovered})
        n += len(recovered)
    return n


def save_validators(conn: sa.Connection, validators: dict[str, tuple[str | None, str | None]]) -> int:
    rows = [{"url": u, "etag": e, "last_modified": lm} for u, (e, lm) in validators.items()]
    schema = pa.schema([("url", pa.string()), ("etag", pa.string()), ("last_modified", pa.string())])
    return _insert(conn, "http_validators", rows, schema, ("url",),
                   "etag = excluded.etag, last_modified = excluded.last_modified")


def save_source(conn: sa.Connection, source: dict, cursor: str | None, now: datetime | None = None) -> int:
    """Upsert the source row; the cursor only moves forward (ISO dates and accessions sort as text)."""
    row = {**{k: source.get(k) for k in ("name", "kind", "url", "cik", "company")}, "grp": source.get("group"),
           "cursor": cursor, "last_polled_at": now or now_utc()}
    schema = pa.schema([(k, pa.string()) for k in ("name", "kind", "url", "cik", "company", "grp", "cursor")]
                       + [("last_polled_at", pa.timestamp("us"))])
    return _insert(conn, "sources", [row], schema, ("name",),
                   "cursor = greatest(sources.cursor, excluded.cursor), "
                   "last_polled_at = excluded.last_polled_at, url = excluded.url, kind = excluded.kind")


def load_poll(conn: sa.Connection, result: PollResult, source: dict, max_attempts: int) -> LoadReport:
    """Everything one poll produced, in the caller's transaction. A poll that changed nothing writes nothing."""
    now = now_utc()
    report = load_documents(conn, result.documents, now)
    report.rows_written += record_fetches(conn, result.fetches, now)
    report.rows_written += record_failures(conn, result.failures, result.recovered_urls, max_attempts, now)
    report.rows_written += save_validators(conn, result.validators)
    report.failures = len(result.failures)
    changed = report.rows_written or result.cursor != _cursor(conn, source["name"])
    if changed:
        report.rows_written += save_source(conn, source, result.cursor, now)
    return report


def _cursor(conn: sa.Connection, name: str) -> str | None:
    return conn.execute(sa.text("SELECT cursor FROM sources WHERE name = :n"), {"n": name}).scalar()


def mark_window_done(conn: sa.Connection, source: str, window: tuple, documents: int) -> None:
    """Record a walked backfill window (re-marking one is harmless)."""
    # Not ON CONFLICT: a lake has no key to conflict on (and this is one row).
    conn.execute(sa.text("INSERT INTO backfill_windows SELECT :s, :a, :b, :n, :t WHERE NOT EXISTS (SELECT 1 FROM "
                         "backfill_windows WHERE source = :s AND window_start = :a AND window_end = :b)"),
                 {"s": source, "a": window[0], "b": window[1], "n": documents, "t": now_utc()})
