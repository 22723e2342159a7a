"""Opening the warehouse: one SQLAlchemy engine per writer, read-only DuckDB connections for readers.

The warehouse is a DuckDB file (one writing process at a time: the held writer and its hand-over below) or a
DuckLake (warehouse.lake: any number of writers, each transaction retried when it loses a conflict)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import sqlalchemy as sa

from warehouse import integrity
from warehouse import lake as lakes
from warehouse.lake import Lake, LakeError, is_lake

log = logging.getLogger("minewire")


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


# A writer (or reader) waiting for the file lock touches this file beside the warehouse, so that a held
# session (below) lets go (while idle, or at its next use) instead of keeping the lock for its whole run.
# Older than WANTED_FRESH_S, it is a leftover.
WANTED_SUFFIX = ".writer-wanted"
WANTED_FRESH_S = 10.0
# After letting go, a held session waits this long for the waiter to take the lock before asking again
# (a waiter retries at least every second).
HANDOVER_WAIT_S = 2.0
# How often an idle held session looks for that marker: a run that is fetching or extracting lets go within
# this, not at its next use (which, for an ingest run polling slow sources, can be minutes away).
WATCH_S = 0.25
# A held session trims DuckDB's buffer to this (see _HeldWriter.trim) once the data brought into its cache
# since the last trim reaches TRIM_CACHED_BYTES (note_cached: texts a read returned, texts and pages a store
# wrote; a batch of 500 bench documents' texts is ~3.3 MB), or every TRIM_EVERY uses. Each trim costs the next
# load ~5-10 ms (it re-reads the blocks it appends to): every 8 uses, as before, it was ~20% of the loads' time
# at 20,000 documents. A 2,000-document extraction (~13 MB of texts) never trims; an ingest trims about as
# often as every 8 uses did (its stores' pages were what filled the cache: trimming them every 32 uses put
# the 20,000-document run's peak 9.4% over the 2,000-document one, against a 10% budget).
TRIMMED_MEMORY_LIMIT = "8MB"
TRIM_CACHED_BYTES = 16_000_000
TRIM_EVERY = 32
# How long a reader (`minewire sql`, `deals`, `export`) waits for a writer to let go of the file.
READ_WAIT_S = 10.0


def _wanted_marker(path: Path) -> Path:
    return path.with_name(path.name + WANTED_SUFFIX)


class _Locked(Exception):
    """An attempt to open the file met another process's lock (the DuckDB error is its __cause__)."""


_Opened = TypeVar("_Opened")


def _wait_for_lock(path: Path, wait_s: float, max_delay: float, attempt: Callable[[], _Opened],
                   busy: str) -> _Opened:
    """attempt() until it stops raising _Locked, asking a held session to let go meanwhile (the marker), with
    backoff up to max_delay; WarehouseBusy(busy) after wait_s."""
    deadline = time.monotonic() + wait_s
    delay, waited = 0.05, False
    while True:
        try:
            opened = attempt()
            break
        except _Locked as locked:
            if time.monotonic() > deadline:
                raise WarehouseBusy(busy) from locked.__cause__
            _wanted_marker(path).touch()  # ask a held session to let go
            waited = True
            time.sleep(delay)
            delay = min(delay * 2, max_delay)
    if waited:
        _wanted_marker(path).unlink(missing_ok=True)
    return opened


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
            if _is_lock_error(exc.orig or exc):
                raise _Locked() from exc
            if integrity.looks_damaged(exc.orig or exc):
                raise WarehouseError(integrity.damage_message(path, str(exc.orig or exc))) from exc
            raise WarehouseError(f"{path}: cannot open the warehouse: {exc.orig}") from exc
        except WarehouseError:
            engine.dispose()
            raise
        return engine

    return _wait_for_lock(path, wait_s, 1.0, attempt,
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


@dataclass
class HeldState:
    """What a held session's loads keep between batches, valid while it holds the file."""

    known_mentions: Any = None  # warehouse.matching.KnownMentions: every stored mention, read on first use


class _HeldWriter:
    """One process's writer engine on a warehouse, kept open across a run's loads (opening a DuckDB file and
    its checkpoint on close cost far more than a batch's insert) and let go whenever another writer waits."""

    def __init__(self, path: Path, memory_limit: str):
        self.path, self.memory_limit = path, memory_limit
        self.engine: sa.Engine | None = None
        self.state = HeldState()  # what loads keep between batches: valid only while the engine is open
        self.lock = threading.RLock()
        self.depth = 0  # open_warehouse blocks using the engine now: it is let go only between them
        self.uses = 0  # since the last trim
        self.cached_bytes = 0  # brought into DuckDB's cache since the last trim (note_cached)
        self._stop = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="minewire-held-writer", daemon=True)

    def start(self) -> None:
        self._watcher.start()

    def stop(self) -> None:
        self._stop.set()
        self._watcher.join()
        with self.lock:
            self.release()

    def _watch(self) -> None:
        """Let go while idle as soon as another writer asks; the next use opens the file again."""
        while not self._stop.wait(WATCH_S):
            if not self.lock.acquire(blocking=False):  # in use: acquire() hands over at the next use
                continue
            try:
                if self.depth == 0 and self.engine is not None and self._wanted():
                    self.release()
            finally:
                self.lock.release()

    def _wanted(self) -> bool:
        try:
            age = time.time() - _wanted_marker(self.path).stat().st_mtime
        except FileNotFoundError:
            return False
        return age < WANTED_FRESH_S

    def acquire(self, wait_s: float) -> sa.Engine:
        if self._wanted():  # let go (if the watcher has not already) and give the waiter time to take the file
            self.release()
            deadline = time.monotonic() + HANDOVER_WAIT_S
            while self._wanted() and time.monotonic() < deadline:  # the waiter removes it once it has the lock
                time.sleep(0.05)
        if self.engine is None:
            self.engine = _open_engine(self.path, wait_s, self.memory_limit)
        return self.engine

    def used(self) -> None:
        """One use ended: trim if enough was cached since the last trim, or every TRIM_EVERY uses."""
        self.uses += 1
        if self.cached_bytes >= TRIM_CACHED_BYTES or self.uses >= TRIM_EVERY:
            self.trim()

    def trim(self) -> None:
        """Drop DuckDB's cached blocks. A connection held across a run keeps every block it read until the memory
        limit (a run reads each document's text once, so ~110 MB at 20,000 documents, all of it useless);
        lowering the limit makes DuckDB evict them, and raising it again restores the budget."""
        self.uses = self.cached_bytes = 0
        if self.engine is None:
            return
        try:
            with self.engine.connect() as conn:
                try:
                    conn.exec_driver_sql(f"SET memory_limit = '{TRIMMED_MEMORY_LIMIT}'")
                    conn.commit()
                except sa.exc.DBAPIError:
                    # More than the trimmed limit cannot be evicted (a large warehouse's key indexes, loaded by
                    # a store, stay in memory): keep it. The failed statement aborted the transaction.
                    conn.rollback()
                conn.exec_driver_sql(f"SET memory_limit = '{self.memory_limit}'")
                conn.commit()
        except sa.exc.DBAPIError as exc:  # the use before this one has committed: never fail it over a trim
            log.warning("%s: could not trim DuckDB's cache (%s); reopening the warehouse at the next use",
                        self.path, exc.orig or exc)
            self.release()

    def release(self) -> None:
        self.state = HeldState()
        if self.engine is not None:
            self.engine.dispose()  # closes the DuckDB connection: checkpoint, lock released
            self.engine = None


_HELD: dict[Path, _HeldWriter] = {}
_HELD_LOCK = threading.Lock()


@contextmanager
def held_warehouse(path: Path | str, *, memory_limit: str = WRITER_MEMORY_LIMIT) -> Iterator[None]:
    """Within this block, open_warehouse(path) in this process reuses one writer engine instead of opening
    and closing the file each time; another process that waits for the lock gets it as soon as the engine is
    idle (within WATCH_S), or at the next use. A lake has no writer to hold: each use opens its own."""
    if is_lake(path):
        yield
        return
    key = Path(path).resolve()
    with _HELD_LOCK:
        if key in _HELD:  # already held further up: the outer block lets go
            outer = True
        else:
            outer = False
            _HELD[key] = _HeldWriter(Path(path), memory_limit)
            _HELD[key].start()
    if outer:
        yield
        return
    try:
        yield
    finally:
        with _HELD_LOCK:
            held = _HELD.pop(key)
        held.stop()


def held_state(path: Path | str) -> HeldState | None:
    """The held session's HeldState for path (new whenever the file is let go), or None if not held. Use it
    only inside open_warehouse(path)."""
    if is_lake(path):
        return None
    held = _HELD.get(Path(path).resolve())
    return held.state if held is not None else None


def note_cached(path: Path | str, nbytes: int) -> None:
    """Inside open_warehouse(path): this use brought `nbytes` into DuckDB's cache that nobody needs again soon
    (a batch's texts read for extraction, the texts and pages a store wrote)."""
    if is_lake(path):
        return
    held = _HELD.get(Path(path).resolve())
    if held is not None:
        held.cached_bytes += nbytes


@contextmanager
def open_warehouse(path: Path | str, *, wait_s: float = 120.0,
                   memory_limit: str = WRITER_MEMORY_LIMIT) -> Iterator[sa.Engine]:
    """An engine on the warehouse file, waiting for another writer's lock to go (DuckDB: one writer process).

    Writers should hold it only for a load, not across fetching or extraction; inside held_warehouse(path)
    the engine is the held one, and stays open after the block. On a lake: an engine of its own, closed after.
    """
    if is_lake(path):
        engine = _open_lake_engine(lakes.as_lake(path))
        try:
            yield engine
        finally:
            engine.dispose()
        return
    path = Path(path)
    held = _HELD.get(path.resolve())
    if held is not None:
        with held.lock:
            held.depth += 1
            try:
                yield held.acquire(wait_s) if held.depth == 1 else held.engine
            except BaseException:
                held.release()  # a failed load may leave the connection unusable: the next use opens afresh
                raise
            finally:
                held.depth -= 1
            if held.depth == 0:
                held.used()
        return
    engine = _open_engine(path, wait_s, memory_limit)
    try:
        yield engine
    finally:
        engine.dispose()


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
            if _is_lock_error(exc):
                raise _Locked() from exc
            if integrity.looks_damaged(exc):
                raise WarehouseError(integrity.damage_message(path, str(exc))) from exc
            raise WarehouseError(f"{path}: cannot open the warehouse read-only: {exc}") from exc

    # Shorter backoff than a writer's: a held writer waits only HANDOVER_WAIT_S for us after letting go.
    return _wait_for_lock(path, wait_s, 0.25, attempt,
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
    attempts = 0
    for delay in lakes.backoff_delays():
        attempts += 1
        try:
            with engine.begin() as conn:
                if bump:
                    conn.exec_driver_sql(_BUMP)
                return work(conn)
        except (sa.exc.DBAPIError, duckdb.Error) as exc:
            if not lakes.is_conflict(getattr(exc, "orig", None) or exc):
                raise
            log.debug("%s: write transaction lost a conflict (attempt %d); again in %.2f s", lake, attempts, delay)
            time.sleep(delay)
    raise WarehouseBusy(f"{lake}: a write transaction kept losing to other writers for "
                        f"{lakes.RETRY_FOR_S:.0f} s; try again later")
