"""Read-only queries: the deal tracker, ad-hoc SQL, and which documents need (re-)extraction."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import sqlalchemy as sa

from warehouse.adhoc import run_sql, stream_sql  # noqa: F401 - the read paths in one place
from warehouse.batch import DocumentBatch
from warehouse.engine import WarehouseError, connect_read_only
from warehouse.integrity import looks_damaged

TRACKER_COLUMNS = ("deal_id", "announced_date", "deal_type", "seller", "buyer", "asset", "capacity_mw", "price_usd",
                   "cash_usd", "usd_per_mw", "price_text", "currency", "country", "region", "sources", "confidence")


def deal_tracker(path: Path | str, *, company: str | None = None, country: str | None = None,
                 since: date | None = None, limit: int | None = None) -> tuple[list[str], list[tuple]]:
    """Rows of the deal_tracker view, filtered; company matches buyer, seller or asset, any case."""
    where, params = [], []
    if company:
        where.append("(buyer ILIKE ? OR seller ILIKE ? OR asset ILIKE ?)")
        params += [f"%{company}%"] * 3
    if country:
        where.append("country ILIKE ?")
        params.append(country)
    if since:
        where.append("announced_date >= ?")
        params.append(since)
    sql = f"SELECT {', '.join(TRACKER_COLUMNS)} FROM deal_tracker"
    if where:
        sql += " WHERE " + " AND ".join(where)
    if limit:
        sql += f" LIMIT {int(limit)}"
    return run_sql(path, sql, params)


def _version_key(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"[.+-]", version))


def document_ids_to_extract(conn: sa.Connection, *, stale_for: str | None = None,
                            older_than: str | None = None) -> list[str]:
    """Ids of documents never extracted or extracted by another version than stale_for; or (older_than)
    by a lower version; or, given neither, every document.

    In storage order (rowid), not id order: a batch of consecutive ids then lies in a few adjacent blocks, and
    document_batch reads only those. Ids are hashes, so a batch in id order touched nearly every block of the
    text column, which DuckDB kept cached: ~90 MB more RSS per read at 20,000 documents, growing with the
    warehouse."""
    if stale_for is None and older_than is None:
        return [d for (d,) in conn.execute(sa.text("SELECT doc_id FROM documents ORDER BY rowid"))]
    latest = "SELECT d.doc_id, e.extractor_version FROM documents d LEFT JOIN document_extractions e USING (doc_id)"
    if older_than:
        rows = conn.execute(sa.text(f"{latest} ORDER BY d.rowid")).fetchall()
        return [d for d, v in rows if v is None or _version_key(v) < _version_key(older_than)]
    q = sa.text(f"{latest} WHERE e.extractor_version IS DISTINCT FROM :v ORDER BY d.rowid")
    return [d for d, _ in conn.execute(q, {"v": stale_for})]


def document_batch(conn: sa.Connection, doc_ids: list[str]) -> DocumentBatch:
    """The given documents in id order: full text (title, blank line, body) and publication date."""
    full = "CASE WHEN title IS NULL THEN text ELSE title || chr(10) || chr(10) || text END"
    q = sa.text(f"SELECT doc_id, {full}, published_at FROM documents WHERE doc_id IN :ids ORDER BY doc_id"
                ).bindparams(sa.bindparam("ids", expanding=True))
    rows = conn.execute(q, {"ids": doc_ids or [""]}).fetchall()
    ids, texts, published = (list(col) for col in zip(*rows)) if rows else ([], [], [])
    return DocumentBatch(ids, texts, published)


def document_rows(conn: sa.Connection, doc_ids: list[str]) -> list[dict]:
    """doc_id, source, title, published_at and url of the given documents, newest first."""
    q = sa.text("SELECT doc_id, source, title, published_at, url FROM documents WHERE doc_id IN :ids "
                "ORDER BY published_at DESC NULLS LAST, doc_id").bindparams(sa.bindparam("ids", expanding=True))
    return [dict(row._mapping) for row in conn.execute(q, {"ids": doc_ids or [""]})]


def export_parquet(path: Path | str, out_dir: Path | str) -> list[Path]:
    """Write every table and analyst view to OUT_DIR/<name>.parquet.

    From a damaged file, every table and view that can still be read is written, then WarehouseError names
    the others."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = connect_read_only(path)
    try:
        names = [n for (n,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
            "AND table_catalog = current_database() AND table_name <> 'minewire_writes' ORDER BY 1").fetchall()]
        written, unreadable = [], []
        for name in names:
            target = out / f"{name}.parquet"
            try:
                con.execute(f"COPY (SELECT * FROM \"{name}\") TO '{target.as_posix()}' (FORMAT parquet)")
            except duckdb.Error as exc:
                if not looks_damaged(exc):
                    raise
                target.unlink(missing_ok=True)
                unreadable.append(name)
                continue
            written.append(target)
    finally:
        con.close()
    if unreadable:
        raise WarehouseError(f"{path}: wrote {len(written)} tables and views to {out}; these could not be read "
                             f"(the file is damaged): {', '.join(unreadable)}")
    return written
