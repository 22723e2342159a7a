"""Opening the warehouse: one SQLAlchemy engine per writer, read-only DuckDB connections for readers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import sqlalchemy as sa


class WarehouseError(Exception):
    """The warehouse file cannot be used as asked; the message says which file and what to do."""


class WarehouseBusy(WarehouseError):
    """Another process holds DuckDB's write lock for longer than we were willing to wait."""


def _is_lock_error(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "could not set lock" in text or "conflicting lock" in text


# DuckDB's buffer for a writer. Without a limit, the checkpoint on close held the whole last row group of
# `documents` (texts and raw pages) in memory: ~400 MB at 20,000 documents, growing with the warehouse; with
# it, ~210 MB and no slower. Larger work spills to `<warehouse>.tmp`.
WRITER_MEMORY_LIMIT = "128MB"


@contextmanager
def open_warehouse(path: Path | str, *, wait_s: float = 120.0,
                   memory_limit: str = WRITER_MEMORY_LIMIT) -> Iterator[sa.Engine]:
    """An engine on the warehouse file, waiting for another writer's lock to go (DuckDB: one writer process).

    Writers should hold it only for a load, not across fetching or extraction.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        engine = sa.create_engine(f"duckdb:///{path}", connect_args={"config": {"memory_limit": memory_limit}})
        try:
            with engine.connect() as conn:  # opening the connection is what takes the file lock
                conn.exec_driver_sql("SELECT 1")
            break
        except sa.exc.DBAPIError as exc:
            engine.dispose()
            if not _is_lock_error(exc.orig or exc):
                raise WarehouseError(f"{path}: cannot open the warehouse: {exc.orig}") from exc
            if time.monotonic() > deadline:
                raise WarehouseBusy(
                    f"{path}: another minewire process is writing and held the lock for {wait_s:.0f} s; "
                    "try again when it has finished"
                ) from exc
            time.sleep(delay)
            delay = min(delay * 2, 1.0)
    try:
        yield engine
    finally:
        engine.dispose()


def connect_read_only(path: Path | str, external_access: bool = True) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection: any write statement fails (and, without external access, file I/O)."""
    path = Path(path)
    if not path.exists():
        raise WarehouseError(f"{path}: no warehouse here; run `minewire init` or `minewire ingest` first")
    try:
        config = {} if external_access else {"enable_external_access": False}
        return duckdb.connect(str(path), read_only=True, config=config)
    except duckdb.Error as exc:
        if _is_lock_error(exc):
            raise WarehouseBusy(f"{path}: a minewire run is writing right now; try again in a moment") from exc
        raise WarehouseError(f"{path}: cannot open the warehouse read-only: {exc}") from exc


def raw_connection(conn: sa.Connection) -> duckdb.DuckDBPyConnection:
    """DuckDB's own connection under a SQLAlchemy connection (same transaction), for Arrow bulk loads."""
    return conn.connection.driver_connection
