"""SEC fair access across processes: one request slot every 1/rate seconds for every minewire process that
shares the rate file (by default in the Prefect home: the CLI's runs and a worker's flow runs of one user).

The SEC asks for at most 10 requests/s from a client. A limiter per process held that for one run only: a
scheduled EDGAR poll and a backfill at once could reach 20/s. Here the next free slot is kept in a small file,
booked under an exclusive lock (held for microseconds), so every process and thread queues on the same clock.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

try:
    import fcntl
except ImportError:  # not POSIX: each process keeps its own limit
    fcntl = None

from flows.sources.deadline import pause

RATE_FILE = "minewire-sec-rate"
_CLOCK_SLACK_S = 60.0  # a booking this far ahead comes from a clock set back: start afresh


def rate_file(configured: Path | None) -> Path:
    """The setting, or minewire-sec-rate in the Prefect home (PREFECT_HOME, else ~/.prefect)."""
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser() / RATE_FILE


class SharedRateLimiter:
    """Spaces requests at least 1/rate apart across every thread and every process sharing `path`."""

    def __init__(self, rate_per_s: float, path: Path):
        self.interval_s = 1.0 / rate_per_s if rate_per_s > 0 else 0.0
        self.path = path
        self._lock = threading.Lock()  # the in-process fallback
        self._next = 0.0

    def acquire(self) -> None:
        if not self.interval_s:
            return
        now = time.time()
        slot = self._book_in_file(now) if fcntl is not None else self._book_here(now)
        if slot > now:
            pause(slot - now)

    def _book_in_file(self, now: float) -> float:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                booked = float(os.pread(fd, 64, 0).decode() or 0)
            except ValueError:
                booked = 0.0
            if booked > now + _CLOCK_SLACK_S:
                booked = 0.0
            slot = max(now, booked)
            os.ftruncate(fd, 0)
            os.pwrite(fd, repr(slot + self.interval_s).encode(), 0)
            return slot
        finally:
            os.close(fd)  # and with it the lock

    def _book_here(self, now: float) -> float:
        with self._lock:
            slot = max(now, self._next)
            self._next = slot + self.interval_s
            return slot
