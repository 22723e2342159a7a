"""Where the warehouse layer tries again: which failures are worth another attempt, and the one loop that waits
between attempts. Used by opening a file another process has locked and by a lake's write transactions that
lost a conflict; anything else raises at once."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from warehouse.errors import WarehouseBusy

log = logging.getLogger("minewire")
T = TypeVar("T")

# A writer (or reader) waiting for the file lock touches this file beside the warehouse, so that a held
# session (warehouse/held.py) lets go (while idle, or at its next use) instead of keeping the lock for its
# whole run. Older than WANTED_FRESH_S, it is a leftover.
WANTED_SUFFIX = ".writer-wanted"
WANTED_FRESH_S = 10.0


def wanted_marker(path: Path) -> Path:
    return path.with_name(path.name + WANTED_SUFFIX)


def is_lock_error(exc: BaseException) -> bool:
    """DuckDB refused the file because another process holds its lock."""
    text = str(exc).lower()
    return "could not set lock" in text or "conflicting lock" in text


class Locked(Exception):
    """An attempt to open the file met another process's lock (the DuckDB error is its __cause__)."""


def keep_trying(attempt: Callable[[], T], again: Callable[[BaseException], bool], delays: Iterable[float],
                busy: str, before_wait: Callable[[], None] | None = None) -> T:
    """attempt() until it succeeds, sleeping the next of `delays` after each failure that `again` accepts;
    WarehouseBusy(busy) once the delays run out (from the last failure's cause). Other failures raise."""
    waits = iter(delays)
    while True:
        try:
            return attempt()
        except Exception as exc:
            if not again(exc):
                raise
            delay = next(waits, None)
            if delay is None:
                raise WarehouseBusy(busy) from (exc.__cause__ or exc)
            if before_wait is not None:
                before_wait()
            log.debug("%s; trying again in %.2f s", exc.__cause__ or exc, delay)
            time.sleep(delay)


def doubling_delays(first: float, most: float, for_s: float, jitter: bool = False) -> Iterator[float]:
    """first, 2 x first, … capped at `most` (each times 0.5-1.5 with jitter), until for_s from now."""
    return _doubling(first, most, time.monotonic() + for_s, jitter)


def _doubling(first: float, most: float, deadline: float, jitter: bool) -> Iterator[float]:
    delay = first
    while time.monotonic() <= deadline:
        yield delay * random.uniform(0.5, 1.5) if jitter else delay
        delay = min(delay * 2, most)


# A lake's write transaction that lost a conflict runs again on the new state: jittered, doubling delays.
CONFLICT_FIRST_S, CONFLICT_MAX_S, CONFLICT_FOR_S = 0.05, 2.0, 600.0


def conflict_delays() -> Iterator[float]:
    """The delays between attempts of a lake transaction that lost a conflict, for up to CONFLICT_FOR_S."""
    return doubling_delays(CONFLICT_FIRST_S, CONFLICT_MAX_S, CONFLICT_FOR_S, jitter=True)


def is_conflict(exc: BaseException) -> bool:
    """A DuckLake commit lost to another writer's (logical conflict, or out of snapshot-id retries): the
    transaction can be run again on the new state."""
    exc = getattr(exc, "orig", None) or exc  # SQLAlchemy's DBAPIError wraps DuckDB's
    text = str(exc).lower()
    return "transaction conflict" in text or "failed to commit ducklake transaction" in text \
        or ("conflict" in text and "ducklake" in text)


def wait_for_lock(path: Path, wait_s: float, max_delay: float, attempt: Callable[[], T], busy: str) -> T:
    """attempt() until it stops raising Locked, asking a held session to let go meanwhile (the marker), with
    backoff up to max_delay; WarehouseBusy(busy) after wait_s."""
    marker = wanted_marker(path)
    asked: list[bool] = []

    def ask() -> None:
        marker.touch()
        asked.append(True)

    opened = keep_trying(attempt, lambda exc: isinstance(exc, Locked), doubling_delays(0.05, max_delay, wait_s),
                         busy, before_wait=ask)
    if asked:
        marker.unlink(missing_ok=True)
    return opened
