"""The steps' retry rule, one for the plain path and the Prefect tasks: what is retried, and after how long.

The HTTP layer retries each fetch itself (flows.sources.http.Fetcher.get) and the warehouse each write
transaction (warehouse.run_write); a step is retried on top of that only when the whole step failed on
network trouble or a busy warehouse, never for a bad document or a bug.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flows.sources.deadline import pause
from flows.sources.errors import is_transient
from warehouse import WarehouseBusy

POLL_RETRY_DELAYS_S = (5.0, 30.0)  # a source whose poll failed on the network is tried twice more
WRITE_RETRY_DELAYS_S = (2.0, 10.0, 30.0)

log = logging.getLogger("minewire")


def should_retry(exc: BaseException) -> bool:
    """Retry network trouble and a busy warehouse; never a bad document or a bug."""
    return isinstance(exc, WarehouseBusy) or is_transient(exc)


def retrying(fn: Callable, delays: tuple[float, ...]) -> Callable:
    """fn, called again after each delay while it fails with what should_retry accepts."""

    def call(*args, **kwargs):
        left = list(delays)
        while True:
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if not left or not should_retry(exc):
                    raise
                log.warning("%s failed (%s); trying again in %.0f s", fn.__name__, exc, left[0])
                pause(left.pop(0))

    return call
