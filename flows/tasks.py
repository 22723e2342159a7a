"""Prefect tasks: thin wrappers over flows.pipeline, one task per group of sources or per batch of documents.

Flows pass these tasks their arguments wrapped in `opaque` (see `by_value`): Prefect otherwise walks every
argument, item by item and field by field, to find futures in it, two or three times a call. A batch of 500
documents' deals took ~50 ms a walk, the settings with 50 sources ~4 ms, and at 2,000 documents the walks
came to seconds of CPU, holding the GIL the polling threads need. `opaque` keeps the link to the task that
produced an argument (the run graph) and skips the walk.
"""

from __future__ import annotations

from datetime import date

from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque

from flows import pipeline
from flows.http import is_transient
from flows.slots import write_slot
from flows.settings import Settings, SourceConfig
from models.records import Deal, PollResult, SourceState
from warehouse import WarehouseBusy


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


@task(cache_policy=NO_CACHE)
def poll_sources_task(settings: Settings, sources: list[SourceConfig],
                      states: dict[str, SourceState]) -> list[PollResult | Exception]:
    """Fetch and parse a group of sources at once; a source that fails gives its exception in its place."""
    return pipeline.poll_many(settings, sources, states)


@task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
def store_sources_task(settings: Settings, polls: list[tuple[SourceConfig, PollResult]]) -> list[pipeline.StoreReport]:
    """Load a group of polls (a transaction each) while holding the write slot once."""
    with write_slot(settings):
        return pipeline.store_many(settings, polls)


@task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
def store_task(settings: Settings, source: SourceConfig, result: PollResult,
               window: tuple[date, date] | None = None) -> pipeline.StoreReport:
    """Load one poll into the warehouse, one writer at a time."""
    with write_slot(settings):
        return pipeline.store(settings, source, result, window)


@task(cache_policy=NO_CACHE)
def extract_task(settings: Settings, docs: list[tuple[str, str]]) -> list[tuple[str, list[Deal]]]:
    """Extract deals from one batch of documents."""
    return pipeline.extract_batch(settings, docs)


@task(retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=retry_transient, cache_policy=NO_CACHE)
def load_deals_task(settings: Settings, extractions: list[tuple[str, list[Deal]]]) -> list[dict]:
    """Load one batch of deals, one writer at a time."""
    with write_slot(settings):
        return pipeline.load_deals(settings, extractions)
