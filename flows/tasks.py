"""Prefect tasks: thin wrappers over flows.pipeline, one task per source poll or per batch of documents."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.concurrency.sync import concurrency

from flows import pipeline
from flows.http import is_transient
from flows.runs import WRITE_LIMIT
from flows.settings import Settings, SourceConfig
from models.records import Deal, PollResult, SourceState
from warehouse import WarehouseBusy


# A load holds the slot for seconds; waiting longer means a slot leaked (a killed run whose lease the server
# has not reclaimed, a release lost to a busy server). Then the DuckDB lock wait alone serialises writers.
WRITE_SLOT_WAIT_S = 60.0
_slot_unusable = False
log = logging.getLogger("minewire")


@contextmanager
def write_slot() -> Iterator[None]:
    """The warehouse-write slot if it can be had in WRITE_SLOT_WAIT_S; else carry on without it (once stuck,
    for the rest of the process) — the limit only queues writers, the file lock is what keeps them apart."""
    global _slot_unusable
    with ExitStack() as stack:
        if not _slot_unusable:
            try:
                stack.enter_context(concurrency(WRITE_LIMIT, occupy=1, timeout_seconds=WRITE_SLOT_WAIT_S))
            except TimeoutError:
                _slot_unusable = True
                log.warning("no %s slot within %.0f s (a leaked slot?): relying on the warehouse file lock",
                            WRITE_LIMIT, WRITE_SLOT_WAIT_S)
        yield


def retry_transient(task, task_run, state) -> bool:
    """Retry network trouble and a busy warehouse; never a bad document or a bug."""
    try:
        state.result()
    except WarehouseBusy:
        return True
    except Exception as exc:  # noqa: BLE001 - the decision is is_transient's
        return is_transient(exc)
    return False


@task(retries=2, retry_delay_seconds=[5, 30], retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
def poll_task(settings: Settings, source: SourceConfig, since: date | None = None,
              until: date | None = None, state: SourceState | None = None) -> PollResult:
    """Fetch and parse one source (given a window, as a backfill)."""
    return pipeline.poll(settings, source, since, until, state=state)


@task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
def store_task(settings: Settings, source: SourceConfig, result: PollResult,
               window: tuple[date, date] | None = None) -> pipeline.StoreReport:
    """Load one poll into the warehouse, one writer at a time."""
    with write_slot():
        return pipeline.store(settings, source, result, window)


@task(cache_policy=NO_CACHE)
def extract_task(settings: Settings, docs: list[tuple[str, str]]) -> list[tuple[str, list[Deal]]]:
    """Extract deals from one batch of documents."""
    return pipeline.extract_batch(settings, docs)


@task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
def load_deals_task(settings: Settings, extractions: list[tuple[str, list[Deal]]]) -> list[dict]:
    """Load one batch of deals, one writer at a time."""
    with write_slot():
        return pipeline.load_deals(settings, extractions)
