"""The write slot of a DuckDB warehouse: a Prefect global concurrency limit of 1, one per warehouse, that
queues that warehouse's writers from every process on one Prefect server.

The slot is a short lease that a renewal thread keeps while the load runs: a killed writer's slot is
reclaimed by the server once the lease runs out (the server's repossessor looks every 15 s by default), a long
load keeps it. A slot per warehouse: a writer of one warehouse never waits for another's.

Taken through the client's lease endpoints, not `prefect.concurrency.sync.concurrency`: with a SQLite-backed
server (the ephemeral one, a plain `prefect server start`) most acquisitions met a 503 while the server's own
services wrote, and the client's retry then waits 2 s. Here a 503 is retried after 50 ms.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
from prefect.settings import PREFECT_CLIENT_MAX_RETRIES, get_current_settings, temporary_settings

if TYPE_CHECKING:
    from flows.settings import Settings

log = logging.getLogger("minewire")

SLOT_PREFIX = "minewire-write-"
# Short, so a killed writer's slot comes back soon (60 s is the least the server grants); renewed every
# RENEW_EVERY_S while the load runs, so two renewals in a row may fail (a busy server) before it is lost.
WRITE_LEASE_S = 60.0
RENEW_EVERY_S = 20.0
# A load holds the slot for seconds. Longer than a killed writer's lease and the server's look for expired
# ones (every 15 s) together, so a writer of the same warehouse gets the slot back; waiting longer means a
# leaked slot (a server that reclaims nothing), and then the DuckDB lock wait alone serialises writers.
WRITE_SLOT_WAIT_S = 90.0
_unusable: set[str] = set()  # slots that could not be had in this process: every later wait would be as long


def slot_name(warehouse_path: str | Path) -> str:
    """'minewire-write-<file name>-<8 hex digits of its resolved path>': the same file, the same slot."""
    path = Path(warehouse_path).expanduser().resolve()
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    readable = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")[:40] or "warehouse"
    return f"{SLOT_PREFIX}{readable}-{digest}"


def warehouse_slot(settings: Settings) -> str | None:
    """The write slot of the settings' warehouse; None when there is none to take.

    A lake has none: its writers commit at once. Nor has a temporary server (no PREFECT_API_URL): it keeps its
    leases in memory and never reclaims expired ones, so a slot held by a killed run would stay taken in the
    Prefect database for good; DuckDB's file lock, which dies with its holder, serialises writers there.
    """
    if settings.on_lake or not get_current_settings().api.url:
        return None
    return slot_name(settings.warehouse_path)


def ensure_write_slot(settings: Settings) -> None:
    """Create the settings' warehouse's write slot (a global concurrency limit of 1) if the Prefect server lacks
    it; nothing for a warehouse without one (see warehouse_slot)."""
    name = warehouse_slot(settings)
    if name is None:
        return
    from prefect import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectNotFound

    try:
        with get_client(sync_client=True) as client:
            try:
                client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                client.create_global_concurrency_limit(GlobalConcurrencyLimitCreate(name=name, limit=1))
    except Exception:  # noqa: BLE001 - raced by another run, or no rights: the DuckDB lock wait still serialises
        pass


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


def _acquire(client, name: str, deadline: float) -> str | None:
    """A lease id, or None when the server has no such limit; TimeoutError past the deadline.

    A server on SQLite answers 503 when its own background writers hold the database for a moment; the
    client would wait 2 s before asking again, so it is told not to retry and we ask again after 50 ms.
    """
    while True:
        try:
            response = _busy_retry(lambda: client.increment_concurrency_slots_with_lease(
                names=[name], slots=1, mode="concurrency", lease_duration=WRITE_LEASE_S), deadline)
        except httpx.HTTPStatusError as exc:
            if exc.response.status_code != 423:  # 423: taken; Retry-After says when to ask again
                raise
            wait = min(float(exc.response.headers.get("Retry-After", 1.0)), 5.0)
            if time.monotonic() + wait > deadline:
                raise TimeoutError(f"no {name} slot") from exc
            time.sleep(wait)
            continue
        body = response.json()
        return body.get("lease_id") if body.get("limits") else None


@contextmanager
def _renewed(client, name: str, lease: str) -> Iterator[None]:
    """Renew the lease every RENEW_EVERY_S on a thread of its own while the body runs."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(RENEW_EVERY_S):
            try:
                client.renew_concurrency_lease(lease_id=lease, lease_duration=WRITE_LEASE_S)
            except Exception as exc:  # noqa: BLE001 - a renewal lost to a busy server: the next may make it
                if stop.is_set():
                    return
                gone = isinstance(exc, httpx.HTTPStatusError) and exc.response.status_code == 404
                log.warning("could not renew the %s slot (%s)%s", name, exc,
                            ": it expired; relying on the warehouse file lock" if gone else "")
                if gone:
                    return

    thread = threading.Thread(target=renew, name=f"renew {name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=1.0)  # a renewal stuck on a slow server must not hold up the load's end


@contextmanager
def write_slot(settings: Settings) -> Iterator[None]:
    """Hold the settings' warehouse's write slot if it can be had within WRITE_SLOT_WAIT_S; otherwise (a leaked
    slot, no server) carry on without it — the slot only queues writers, DuckDB's file lock keeps them apart."""
    name = warehouse_slot(settings)
    if name is None:
        yield
        return
    from prefect import get_client

    lease = None
    with get_client(sync_client=True) as client:
        if name not in _unusable:
            try:
                lease = _acquire(client, name, time.monotonic() + WRITE_SLOT_WAIT_S)
            except TimeoutError:
                _unusable.add(name)
                log.warning("no %s slot within %.0f s (a leaked slot?): relying on the warehouse file lock",
                            name, WRITE_SLOT_WAIT_S)
            except Exception as exc:  # noqa: BLE001 - the server is away: the file lock still serialises
                log.warning("cannot take the %s slot (%s): relying on the warehouse file lock", name, exc)
        if lease is None:
            yield
            return
        try:
            with _renewed(client, name, lease):
                yield
        finally:
            try:
                _busy_retry(lambda: client.release_concurrency_slots_with_lease(lease_id=lease),
                            time.monotonic() + WRITE_SLOT_WAIT_S)
            except Exception as exc:  # noqa: BLE001 - the lease expires on its own after WRITE_LEASE_S
                log.warning("could not release the %s slot (%s); it frees itself within %.0f s",
                            name, exc, WRITE_LEASE_S)
