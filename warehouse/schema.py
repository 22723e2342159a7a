"""Creating the schema, upgrading an older warehouse file in place, and (re)creating the views."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import pyarrow as pa
import sqlalchemy as sa

from models.tables import SCHEMA_VERSION, Base, ExtractionBatch
from warehouse import dedup
from warehouse.engine import WarehouseError, engine_lake, raw_connection, run_write
from warehouse.deals import ID_LIST, LOG_BATCH, id_list
from warehouse.identity import short_hash
from warehouse.views import VIEWS


def rehash_documents(conn: sa.Connection) -> None:
    """Recompute every stored document's simhash with dedup.simhash (v4 changed how shingles are hashed: stored
    hashes from before would no longer match a new copy of the same text)."""
    raw = raw_connection(conn)
    raw.execute("SET enable_progress_bar = false")  # the read lasts as long as the hashing: no bar on the terminal
    reader = raw.execute("SELECT doc_id, text FROM documents").to_arrow_reader(2000)
    ids, hashes = [], []
    for batch in reader:  # streamed: texts are not all held at once
        ids += batch.column("doc_id").to_pylist()
        hashes += [dedup.simhash(t or "") for t in batch.column("text").to_pylist()]
    if not ids:
        return
    raw.register("_rehashed", pa.table({"doc_id": pa.array(ids, pa.string()), "h": pa.array(hashes, pa.int64())}))
    try:
        raw.execute("UPDATE documents SET simhash = r.h FROM _rehashed r WHERE documents.doc_id = r.doc_id")
    finally:
        raw.unregister("_rehashed")


def log_extraction_marks(conn: sa.Connection) -> None:
    """v5: documents.extracted_version becomes the extraction_batches log (one batch a version, dated at the
    upgrade), and the column goes. DuckDB drops a column only from a table without indexes: they are dropped
    and made again."""
    raw = raw_connection(conn)
    ExtractionBatch.__table__.create(conn, checkfirst=True)
    columns = {c for (c,) in raw.execute("SELECT column_name FROM information_schema.columns "
                                         "WHERE table_name = 'documents'").fetchall()}
    if "extracted_version" not in columns:
        return
    now = _now()
    marks = raw.execute("SELECT extracted_version, list(doc_id ORDER BY rowid) FROM documents "
                        "WHERE extracted_version IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall()
    for version, doc_ids in marks:
        ids = id_list(doc_ids)
        mentions = raw.execute(f"SELECT count(*) FROM deal_evidence WHERE doc_id IN (SELECT unnest({ID_LIST}))",
                               [ids]).fetchone()[0]
        raw.execute(LOG_BATCH, [short_hash("upgrade", version, *doc_ids), version, now, len(doc_ids), mentions, ids])
    indexes = raw.execute("SELECT index_name, sql FROM duckdb_indexes() WHERE table_name = 'documents'").fetchall()
    for name, _ in indexes:
        raw.execute(f'DROP INDEX "{name}"')
    raw.execute("ALTER TABLE documents DROP COLUMN extracted_version")
    for _, sql in indexes:
        raw.execute(sql)


# version -> steps (SQL, or a function of the connection) that take a file from version-1 to version. New
# tables need no entry: create_all adds them. Never edit a shipped step; add the next one.
MIGRATIONS: dict[int, list[str | Callable[[sa.Connection], None]]] = {
    2: ["ALTER TABLE documents ADD COLUMN IF NOT EXISTS simhash BIGINT"],
    3: ["DROP TABLE IF EXISTS deals"],  # now a view over deal_evidence, created with the other views
    4: [rehash_documents],
    5: [log_extraction_marks],
    6: [],  # the corrections table (create_all) and the views that apply it
}
# Models that are views (info={"view": True}): read through SQLAlchemy, created from VIEWS, not create_all.
TABLES = [t for t in Base.metadata.sorted_tables if not t.info.get("view") and not t.info.get("lake_only")]
LAKE_TABLES = [t for t in Base.metadata.sorted_tables if not t.info.get("view")]


def lake_tables() -> list[sa.Table]:
    """The models' tables as a lake holds them: the same columns, types and NOT NULLs, without keys or indexes
    (DuckLake has neither: loads keep keys unique, under run_write's one-writer-at-a-time commits)."""
    plain = sa.MetaData()
    return [sa.Table(t.name, plain, *(sa.Column(c.name, c.type, nullable=c.nullable) for c in t.columns))
            for t in LAKE_TABLES]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def schema_version(conn: sa.Connection) -> int | None:
    """The file's schema version, or None for an empty file."""
    if not sa.inspect(conn).has_table("minewire_schema"):
        return None
    return conn.exec_driver_sql("SELECT max(version) FROM minewire_schema").scalar()


def _set_version(conn: sa.Connection, version: int) -> None:
    conn.exec_driver_sql("DELETE FROM minewire_schema")
    conn.execute(sa.text("INSERT INTO minewire_schema VALUES (:v, :t)"), {"v": version, "t": _now()})


def init_warehouse(engine: sa.Engine) -> int:
    """Create or upgrade the schema to SCHEMA_VERSION and refresh the views; returns the version before.

    Each version's steps commit with the version they reach: DuckDB refuses to alter a table that the same
    transaction has updated (v4 rewrites documents' hashes, v5 drops one of its columns), and an upgrade cut
    short resumes from the last version it reached. A lake is made in one transaction (run again when
    another process made it first)."""
    if engine_lake(engine) is not None:
        return run_write(engine, _init_lake, bump=False)
    with engine.begin() as conn:
        before = schema_version(conn)
    if before is not None and before > SCHEMA_VERSION:
        raise WarehouseError(
            f"warehouse is at schema v{before}, newer than this minewire (v{SCHEMA_VERSION}): upgrade minewire"
        )
    for version in range(before + 1, SCHEMA_VERSION + 1) if before is not None else ():
        with engine.begin() as conn:
            for step in MIGRATIONS.get(version, []):
                if callable(step):
                    step(conn)
                else:
                    conn.exec_driver_sql(step)
            _set_version(conn, version)
    with engine.begin() as conn:
        Base.metadata.create_all(conn, tables=TABLES)
        for name, sql in VIEWS.items():
            conn.exec_driver_sql(f"CREATE OR REPLACE VIEW {name} AS {sql}")
        if before is None:
            _set_version(conn, SCHEMA_VERSION)
    return before or 0


def _init_lake(conn: sa.Connection) -> int:
    """init_warehouse on a lake: tables, views, the version and the writes row, in one transaction."""
    before = schema_version(conn)
    if before is not None and before > SCHEMA_VERSION:
        raise WarehouseError(
            f"lake is at schema v{before}, newer than this minewire (v{SCHEMA_VERSION}): upgrade minewire")
    if before == SCHEMA_VERSION:  # nothing to do: no snapshot for a run that only starts
        return before
    if before is not None:  # upgrades of a lake start with the next schema version
        raise WarehouseError(f"lake is at schema v{before}; no upgrade step to v{SCHEMA_VERSION} exists for lakes")
    for table in lake_tables():
        table.create(conn, checkfirst=True)
    for name, sql in VIEWS.items():
        conn.exec_driver_sql(f"CREATE OR REPLACE VIEW {name} AS {sql}")
    conn.exec_driver_sql("INSERT INTO minewire_writes VALUES (0, NULL)")
    _set_version(conn, SCHEMA_VERSION)
    return 0
