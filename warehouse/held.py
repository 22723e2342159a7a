"""The held writer: one process's writer engine on a warehouse file, kept open across a run's loads and let
go whenever another process waits for the file; and open_warehouse, which uses it when it is held."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from warehouse import engine as engines
from warehouse import lake as lakes
from warehouse.engine import WRITER_MEMORY_LIMIT
from warehouse.lake import is_lake
from warehouse.retry import WANTED_FRESH_S, wanted_marker

log = logging.getLogger("minewire")

# After letting go, a held session waits this long for the waiter to take the lock before asking again
# (a waiter retries at least every second).
HANDOVER_WAIT_S = 2.0
# How often an idle held session looks for that marker: a run that is fetching or extracting lets go within
# this, not at its next use (which, for an ingest run polling slow sources, can be minutes away).
WATCH_S = 0.25
# Trim (engine.TRIMMED_MEMORY_LIMIT) once this much was brought into the cache since the last trim, or every
# TRIM_EVERY uses (the figures behind them are in engine.py beside TRIMMED_MEMORY_LIMIT).
TRIM_CACHED_BYTES = 16_000_000
TRIM_EVERY = 32


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
            age = time.time() - wanted_marker(self.path).stat().st_mtime
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
            self.engine = engines._open_engine(self.path, wait_s, self.memory_limit)
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
                    conn.exec_driver_sql(f"SET memory_limit = '{engines.TRIMMED_MEMORY_LIMIT}'")
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
        engine = engines._open_lake_engine(lakes.as_lake(path))
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
    engine = engines._open_engine(path, wait_s, memory_limit)
    try:
        yield engine
    finally:
        engine.dispose()
