"""The warehouse-write slot: a Prefect global concurrency limit of 1 that queues writers from every process.

Taken through the client's lease endpoints, not `prefect.concurrency.sync.concurrency`: with a SQLite-backed
server (the ephemeral one, a plain `prefect server start`) most acquisitions met a 503 while the server's own
services wrote, and the client's retry then waits 2 s: a 2,000-document ingest took 126 s with it and 34 s
without a slot. Here a 503 is retried after 50 ms, and the lease is not renewed by a thread per use.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, temporary_settings

log = logging.getLogger("minewire")

WRITE_LIMIT = "minewire-warehouse-write"
# A load holds the slot for seconds; waiting longer means a slot leaked (a killed run whose lease the server
# has not reclaimed, a release lost to a busy server). Then the DuckDB lock wait alone serialises writers.
WRITE_SLOT_WAIT_S = 60.0
# Never renewed: a load takes seconds, and a killed writer's slot comes back on its own after this. Should a
# load outlast it, the file lock still keeps writers apart.
WRITE_LEASE_S = 300.0
_slot_unusable = False


def _busy_retry(call, deadline: float):
    """call() with retries on 503 after 50 ms, 100 ms, … (not the client's own 2 s back-off); 423 passes up."""
    busy = 0.05
    while True:
        try:
            with temporary_settings(updates={PREFECT_CLIENT_MAX_RETRIES: 0}):
                return call()
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 503 or time.monotonic() + busy > deadline:
                raise
            time.sleep(busy)
            busy = min(busy * 2, 1.0)


def _acquire(client, deadline: float) -> str | None:
    """A lease id, or None when the server has no such limit; TimeoutError past the deadline.

    A server on SQLite answers 503 when its own background writers hold the database for a moment; the
    client would wait 2 s before asking again, so it is told not to retry and we ask again after 50 ms.
    """
    while True:
        try:
            response = _busy_retry(lambda: client.increment_concurrency_slots_with_lease(
                names=[WRITE_LIMIT], slots=1, mode="concurrency", lease_duration=WRITE_LEASE_S), deadline)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 423:  # 423: taken; Retry-After says when to ask again
                raise
            wait = min(float(exc.response.headers.get("Retry-After", 1.0)), 5.0)
            if time.monotonic() + wait > deadline:
                raise TimeoutError(f"no {WRITE_LIMIT} slot") from exc
            time.sleep(wait)
            continue
        body = response.json()
        return body.get("lease_id") if body.get("limits") else None


@contextmanager
def write_slot(needed: bool = True) -> Iterator[None]:
    """Hold the write slot if it can be had within WRITE_SLOT_WAIT_S; otherwise (a leaked slot, no server)
    carry on without it — the limit only queues writers, DuckDB's file lock is what keeps them apart.
    Not `needed` (a lake, whose writers commit at once): no slot at all."""
    global _slot_unusable
    if not needed:
        yield
        return
    from prefect import get_client

    lease = None
    with get_client(sync_client=True) as client:
        if not _slot_unusable:
            try:
                lease = _acquire(client, time.monotonic() + WRITE_SLOT_WAIT_S)
            except TimeoutError:
                _slot_unusable = True  # for the rest of the process: every later wait would be as long
                log.warning("no %s slot within %.0f s (a leaked slot?): relying on the warehouse file lock",
                            WRITE_LIMIT, WRITE_SLOT_WAIT_S)
            except Exception as exc:  # noqa: BLE001 - the server is away: the file lock still serialises
                log.warning("cannot take the %s slot (%s): relying on the warehouse file lock", WRITE_LIMIT, exc)
        try:
            yield
        finally:
            if lease is not None:
                try:
                    _busy_retry(lambda: client.release_concurrency_slots_with_lease(lease_id=lease),
                                time.monotonic() + WRITE_SLOT_WAIT_S)
                except Exception as exc:  # noqa: BLE001 - the lease expires on its own after WRITE_LEASE_S
                    log.warning("could not release the %s slot (%s); it frees itself in %.0f s",
                                WRITE_LIMIT, exc, WRITE_LEASE_S)
