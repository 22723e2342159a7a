"""How a run's steps execute: as Prefect tasks inside a flow, or as flows.pipeline's functions in this process.

The runs (flows/jobs.py) are written once against `Steps`; flows/tasks.py gives them Prefect tasks, and
`plain_steps` gives them the same functions called directly, on a thread pool, with the same retries. The
plain path imports nothing from Prefect: without a server, DuckDB's file lock is what serialises writers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from typing import Any

from flows import pipeline
from flows.retries import POLL_RETRY_DELAYS_S, WRITE_RETRY_DELAYS_S, retrying

# A progress report: (step, done, total, note); the CLI draws it, a deployed flow has none.
Progress = Callable[[str, int, int, str], None]


@dataclass(frozen=True)
class Steps:
    """The step functions a run calls; `submit_*` return something with .result() (a future)."""

    submit_poll_group: Callable[..., Any]  # (settings, sources, states) -> future of [PollResult | Exception]
    store_group: Callable[..., list[pipeline.StoreReport]]  # (settings, [(source, result)])
    poll_window: Callable[..., Any]  # (settings, source, since, until) -> PollResult
    store_window: Callable[..., pipeline.StoreReport]  # (settings, source, result, window)
    submit_extract: Callable[..., Any]  # (settings, DocumentBatch) -> future of a DealBatch
    load_deals: Callable[..., list[dict]]  # (settings, DealBatch) -> new deals
    before_writes: Callable[..., None]  # (settings): what the writers need first (Prefect: the write slot)
    log: logging.Logger | logging.LoggerAdapter


def _done(value) -> Future:
    future: Future = Future()
    future.set_result(value)
    return future


def plain_steps(pool: Executor | None = None) -> Steps:
    """The pipeline's functions called directly: polls and extractions on `pool`'s threads (in order, at once,
    when there is no pool), stores and loads retried as the tasks are."""
    submit = pool.submit if pool is not None else (lambda fn, *args: _done(fn(*args)))
    return Steps(
        submit_poll_group=lambda settings, sources, states: submit(pipeline.poll_many, settings, sources, states),
        store_group=retrying(pipeline.store_many, WRITE_RETRY_DELAYS_S),
        poll_window=retrying(pipeline.poll, POLL_RETRY_DELAYS_S),
        store_window=retrying(pipeline.store, WRITE_RETRY_DELAYS_S),
        submit_extract=lambda settings, docs: submit(pipeline.extract_batch, settings, docs),
        load_deals=retrying(pipeline.load_deals, WRITE_RETRY_DELAYS_S),
        before_writes=lambda settings: None,
        log=pipeline.log,
    )
