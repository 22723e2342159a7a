"""Opening the warehouse: one SQLAlchemy engine per writer, read-only DuckDB connections for readers.

The warehouse is a DuckDB file (one writing process at a time: the held writer and its hand-over are in
warehouse/held.py) or a DuckLake (warehouse.lake: any number of writers, each transaction retried when it loses
a conflict, warehouse/retry.py)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import duckdb
import sqlalchemy as sa

from warehouse import integrity
from warehouse import lake as lakes
from warehouse.errors import WarehouseBusy, WarehouseError  # noqa: F401  (re-exported: callers import them here)
from warehouse.lake import Lake, LakeError, is_lake
from warehouse.retry import CONFLICT_FOR_S, Locked, conflict_delays, is_conflict, is_lock_error, keep_trying, wait_for_lock

log = logging.getLogger("minewire")


# DuckDB's buffer for a writer. Without a limit, the checkpoint on close held the whole last row group of
# `documents` (texts and raw pages) in memory: ~400 MB at 20,000 documents, growing with the warehouse; with
# it, ~210 MB and no slower. Larger work spills to `<warehouse>.tmp`.
WRITER_MEMORY_LIMIT = "128MB"


# A held session (warehouse/held.py) trims DuckDB's buffer to this once the data brought into its cache
# since the last trim reaches TRIM_CACHED_BYTES (note_cached: texts a read returned, texts and pages a store
# wrote; a batch of 500 bench documents' texts is ~3.3 MB), or every TRIM_EVERY uses. Each trim costs the next
# load ~5-10 ms (it re-reads the blocks it appends to): every 8 uses, as before, it was ~20% of the loads' time
# at 20,000 documents. A 2,000-document extraction (~13 MB of texts) never trims; an ingest trims about as
# often as every 8 uses did (its stores' pages were what filled the cache: trimming them every 32 uses put
# the 20,000-document run's peak 9.4% over the 2,000-document one, against a 10% budget).
TRIMMED_MEMORY_LIMIT = "8MB"
# How long a reader (`minewire sql`, `deals`, `export`) waits for a writer to let go of the file.
READ_WAIT_S = 10.0


def _open_engine(path: Path, wait_s: float, memory_limit: str) -> sa.Engine:
    """An engine whose connection holds DuckDB's write lock, waiting up to wait_s for another writer to go."""
    path.parent.mkdir(parents=True, exist_ok=True)

    def attempt() -> sa.Engine:
        # No rollback when a connection goes back to the pool: SQLAlchemy's Connection has already ended its
        # transaction (commit, or rollback on close), and the extra one cost each load ~0.3 ms.
        engine = sa.create_engine(f"duckdb:///{path}", connect_args={"config": {"memory_limit": memory_limit}},
                                  pool_reset_on_return=None)
        try:
            with engine.connect() as conn:  # opening the connection is what takes the file lock
                conn.exec_driver_sql("SELECT 1")
                _check_whole(path, conn, memory_limit)
        except sa.exc.DBAPIError as exc:
            engine.dispose()
            if is_lock_error(exc.orig or exc):
                raise Locked() from exc
            if integrity.looks_damaged(exc.orig or exc):
                raise WarehouseError(integrity.damage_message(path, str(exc.orig or exc))) from exc
            raise WarehouseError(f"{path}: cannot open the warehouse: {exc.orig}") from exc
        except WarehouseError:
            engine.dispose()
            raise
        return engine

    return wait_for_lock(path, wait_s, 1.0, attempt,
                          f"{path}: another minewire process is writing and held the lock for {wait_s:.0f} s; "
                          "try again when it has finished")


def _check_whole(path: Path, conn: sa.Connection, memory_limit: str) -> None:
    """WarehouseError before the first write of this process when a table's data cannot be read in full.

    Reading every block fills DuckDB's cache: it is emptied again, as a held session's trim does."""
    key = integrity.needs_check(path)
    if key is None:
        return
    started = time.monotonic()
    bad = integrity.unreadable_table(raw_connection(conn))
    if bad is not None:
        raise WarehouseError(integrity.damage_message(path, f"table {bad[0]}: {bad[1]}"))
    conn.commit()
    try:
        conn.exec_driver_sql(f"SET memory_limit = '{TRIMMED_MEMORY_LIMIT}'")
        conn.commit()
    except sa.exc.DBAPIError:  # what cannot be evicted (key indexes) stays: see _HeldWriter.trim
        conn.rollback()
    conn.exec_driver_sql(f"SET memory_limit = '{memory_limit}'")
    conn.commit()
    integrity.mark_checked(key)
    log.debug("%s: every table read in %.2f s", path, time.monotonic() - started)


def connect_read_only(path: Path | str | Lake, external_access: bool = True, wait_s: float = READ_WAIT_S, *,
                      snapshot: int | None = None, as_of: datetime | str | None = None,
                      memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection: any write statement fails (and, without external access, file I/O).

    While a writer holds the file (DuckDB lets no reader in beside it), asks it to let go, as a waiting writer
    does, and waits up to wait_s: a held session lets go within WATCH_S unless it is in the middle of a load.
    A lake is read beside its writers, never waited for; `snapshot` or `as_of` read it as it was then."""
    if is_lake(path):
        return _connect_lake_read_only(lakes.as_lake(path), external_access, snapshot, as_of, memory_limit)
    if snapshot is not None or as_of is not None:
        raise WarehouseError(f"{path}: a DuckDB file keeps no snapshots; --at-snapshot and --as-of need a lake "
                             "(see `minewire migrate`)")
    path = Path(path)
    if not path.exists():
        raise WarehouseError(f"{path}: no warehouse here; run `minewire init` or `minewire ingest` first")
    config = {} if external_access else {"enable_external_access": False}
    if memory_limit:
        config["memory_limit"] = memory_limit

    def attempt() -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(path), read_only=True, config=config)
        except duckdb.Error as exc:
            if is_lock_error(exc):
                raise Locked() from exc
            if integrity.looks_damaged(exc):
                raise WarehouseError(integrity.damage_message(path, str(exc))) from exc
            raise WarehouseError(f"{path}: cannot open the warehouse read-only: {exc}") from exc

    # Shorter backoff than a writer's: a held writer waits only HANDOVER_WAIT_S for us after letting go.
    return wait_for_lock(path, wait_s, 0.25, attempt,
                          f"{path}: a minewire run has been writing for {wait_s:.0f} s without a pause; "
                          "try again in a moment")


def raw_connection(conn: sa.Connection) -> duckdb.DuckDBPyConnection:
    """DuckDB's own connection under a SQLAlchemy connection (same transaction), for Arrow bulk loads."""
    return conn.connection.driver_connection


def _open_lake_engine(lake: Lake) -> sa.Engine:
    """An engine whose every connection is an in-memory DuckDB with the lake attached as its default database."""
    engine = sa.create_engine("duckdb:///:memory:", connect_args={"config": dict(lakes.OFFLINE)},
                              pool_reset_on_return=None)

    @sa.event.listens_for(engine, "connect")
    def attach(dbapi_connection, record) -> None:
        try:
            lakes.attach(dbapi_connection, lake)
        except duckdb.Error as exc:
            raise WarehouseError(f"{lake}: cannot open the lake: {exc}") from exc
        record.info["lake"] = lake

    return engine


def _connect_lake_read_only(lake: Lake, external_access: bool, snapshot: int | None,
                            as_of: datetime | str | None, memory_limit: str | None = None) -> duckdb.DuckDBPyConnection:
    """The lake attached read-only on an in-memory DuckDB; without external access only its data path can be
    read (and the configuration is locked, so a query cannot lift that)."""
    con = duckdb.connect(config={**lakes.OFFLINE, **({"memory_limit": memory_limit} if memory_limit else {})})
    try:
        lakes.attach(con, lake, read_only=True, snapshot=snapshot, as_of=as_of)
        if not external_access:
            folders = [str(lakes.data_path(con, lake)).rstrip("/") + "/"] + (
                [str(lake.catalog_file.absolute().parent) + "/"] if lake.catalog_file is not None else [])
            con.execute("SET allowed_directories = ?", [folders])
            con.execute("SET enable_external_access = false")
            con.execute("SET lock_configuration = true")
    except (duckdb.Error, LakeError) as exc:
        con.close()
        raise WarehouseError(f"{lake}: cannot open the lake read-only: {exc}") from exc
    return con


T = TypeVar("T")


def on_lake(conn: sa.Connection) -> bool:
    """Whether this connection's warehouse is a lake (for the few statements that differ there)."""
    return "lake" in conn.info


def engine_lake(engine: sa.Engine) -> Lake | None:
    """The lake an engine from open_warehouse writes to, or None for a file."""
    with engine.connect() as conn:
        return conn.info.get("lake")


# The one-row table every write transaction on a lake bumps first (models.tables.LakeWrites).
_BUMP = "UPDATE minewire_writes SET writes = writes + 1, last_write_at = now()::TIMESTAMP"


def run_write(engine: sa.Engine, work: Callable[[sa.Connection], T], *, bump: bool = True) -> T:
    """work(conn) in one transaction, committed; its result.

    On a lake the transaction first bumps minewire_writes, so that two write transactions running at once
    conflict and the later commit fails instead of both storing the same document or telling one deal under
    two ids (DuckLake lets concurrent appends to one table through). The loser runs again, after a jittered
    backoff, on the state the winner left: a load that reads what is stored to decide what to write stays
    idempotent. On a file the process already holds the only writer: once."""
    lake = engine_lake(engine)
    if lake is None:
        with engine.begin() as conn:
            return work(conn)

    def attempt() -> T:
        with engine.begin() as conn:
            if bump:
                conn.exec_driver_sql(_BUMP)
            return work(conn)

    return keep_trying(attempt, lambda exc: isinstance(exc, (sa.exc.DBAPIError, duckdb.Error)) and is_conflict(exc),
                       conflict_delays(), f"{lake}: a write transaction kept losing to other writers for "
                       f"{CONFLICT_FOR_S:.0f} s; try again later")
