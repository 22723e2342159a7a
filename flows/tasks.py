"""Prefect tasks: thin wrappers over flows.pipeline, one task per group of sources or per batch of documents.

Flows pass these tasks their arguments wrapped in `opaque` (see `by_value`): Prefect otherwise walks every
argument, item by item and field by field, to find futures in it, two or three times a call: CPU that grows
with the batch and holds the GIL the polling threads need (figures in bench/README.md). `opaque` keeps the
link to the task that produced an argument (the run graph) and skips the walk.
"""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque

from flows import pipeline
from flows.retries import POLL_RETRY_DELAYS_S, WRITE_RETRY_DELAYS_S, should_retry
from flows.settings import Settings, SourceConfig
from flows.slots import ensure_write_slot, write_slot
from flows.steps import Steps
from models.records import PollResult, SourceState
from warehouse.batch import DealBatch, DocumentBatch


def by_value(*args: object) -> list:
    """A task's arguments for Prefect to hand over as they are, without walking into them (they hold no
    futures), when the running flow's tasks run on threads. Not on another task runner: Dask ships arguments
    through its own serialisation, which turns the annotation into a plain tuple, and walks them itself."""
    context = FlowRunContext.get()
    if context is None or not isinstance(context.task_runner, ThreadPoolTaskRunner):
        return list(args)
    return [opaque(a) for a in args]


def retry_transient(task, task_run, state) -> bool:
    """Retry network trouble and a busy warehouse; never a bad document or a bug."""
    try:
        state.result()
    except Exception as exc:  # noqa: BLE001 - the decision is should_retry's
        return should_retry(exc)
    return False


POLL_RETRIES = {"retries": len(POLL_RETRY_DELAYS_S), "retry_delay_seconds": list(POLL_RETRY_DELAYS_S),
                "retry_condition_fn": retry_transient, "cache_policy": NO_CACHE}
WRITE_RETRIES = {"retries": len(WRITE_RETRY_DELAYS_S), "retry_delay_seconds": list(WRITE_RETRY_DELAYS_S),
                 "retry_condition_fn": retry_transient, "cache_policy": NO_CACHE}


@task(**POLL_RETRIES)
def poll_task(settings: Settings, source: SourceConfig, since: date | None = None,
              until: date | None = None, state: SourceState | None = None) -> PollResult:
    """Fetch and parse one source (given a window, as a backfill)."""
    return pipeline.poll(settings, source, since, until, state=state)


@task(cache_policy=NO_CACHE)
def poll_sources_task(settings: Settings, sources: list[SourceConfig],
                      states: dict[str, SourceState]) -> list[PollResult | Exception]:
    """Fetch and parse a group of sources at once; a source that fails gives its exception in its place."""
    return pipeline.poll_many(settings, sources, states)


@task(**WRITE_RETRIES)
def store_sources_task(settings: Settings, polls: list[tuple[SourceConfig, PollResult]]) -> list[pipeline.StoreReport]:
    """Load a group of polls (a transaction each) while holding the write slot once."""
    with write_slot(settings):
        return pipeline.store_many(settings, polls)


@task(**WRITE_RETRIES)
def store_task(settings: Settings, source: SourceConfig, result: PollResult,
               window: tuple[date, date] | None = None) -> pipeline.StoreReport:
    """Load one poll into the warehouse, one writer at a time."""
    with write_slot(settings):
        return pipeline.store(settings, source, result, window)


@task(cache_policy=NO_CACHE)
def extract_task(settings: Settings, docs: DocumentBatch) -> DealBatch:
    """Extract deals from one batch of documents."""
    return pipeline.extract_batch(settings, docs)


@task(**WRITE_RETRIES)
def load_deals_task(settings: Settings, batch: DealBatch) -> list[dict]:
    """Load one batch of deals, one writer at a time."""
    with write_slot(settings):
        return pipeline.load_deals(settings, batch)


def prefect_steps() -> Steps:
    """The runs' steps as this module's tasks (called inside a flow: the log is the flow run's)."""
    from prefect import get_run_logger

    return Steps(
        submit_poll_group=lambda settings, sources, states: poll_sources_task.submit(*by_value(settings, sources, states)),
        store_group=lambda settings, polls: store_sources_task(*by_value(settings, polls)),
        poll_window=lambda settings, source, since, until: poll_task(*by_value(settings, source, since, until)),
        store_window=lambda settings, source, result, window: store_task(*by_value(settings, source, result, window)),
        submit_extract=lambda settings, docs: extract_task.submit(*by_value(settings, docs)),
        load_deals=lambda settings, batch: load_deals_task(*by_value(settings, batch)),
        before_writes=ensure_write_slot,  # none for a lake or a temporary server (flows.slots.warehouse_slot)
        log=get_run_logger(),
    )
