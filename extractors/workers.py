"""Extraction on every core: worker processes that load the model once each and keep it for the process's life.

spaCy's own `nlp.pipe(n_process=…)` starts fresh workers (and reloads the model) on every call, which costs
more than a batch of a hundred documents takes to extract; these workers outlive the batch.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from spacy.language import Language

from models.records import DealMention

log = logging.getLogger(__name__)

_NLP = None  # the worker process's pipeline, loaded by _start
_POOLS: dict[tuple[str, int], ProcessPoolExecutor] = {}
_LOCK = threading.Lock()


def _start(model: str) -> None:
    global _NLP
    from . import build_nlp

    _NLP = build_nlp(model)


def _extract(texts: list[str], then: Callable[[list, list[list[DealMention]]], Any] | None = None,
             keys: list | None = None) -> tuple[list[list[DealMention]], Any]:
    from . import extract_many

    deals = extract_many(texts, _NLP)
    return deals, None if then is None else then(keys, deals)


def _pool(model: str, processes: int) -> ProcessPoolExecutor:
    with _LOCK:
        key = (model, processes)
        if key not in _POOLS:
            # spawn, not fork: the caller may be a threaded Prefect flow, and a forked child inherits its locks.
            _POOLS[key] = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"),
                                              initializer=_start, initargs=(model,))
            log.info("started %d extraction worker processes (%s)", processes, model)
        return _POOLS[key]


def _chunks(texts: list[str], n: int) -> list[list[str]]:
    """n contiguous slices of about equal characters, so the workers finish together."""
    target, out, current, size = sum(map(len, texts)) / n, [], [], 0
    for text in texts:
        current.append(text)
        size += len(text)
        if size >= target * (len(out) + 1) and len(out) < n - 1:
            out.append(current)
            current = []
    return [c for c in [*out, current] if c]


def extract_parallel(texts: list[str], nlp: Language, processes: int) -> list[list[DealMention]]:
    """extract_many over `processes` long-lived workers running the model `nlp` runs; results in input order.
    A worker that dies (killed, out of memory) costs a restart of the pool and this batch done in-process."""
    return extract_then(texts, nlp, processes)[0]


def extract_then(texts: list[str], nlp: Language, processes: int,
                 then: Callable[[list, list[list[DealMention]]], Any] | None = None,
                 keys: list | None = None) -> tuple[list[list[DealMention]], list]:
    """extract_parallel, and (`then`) further work on the deals where they were extracted: each worker also
    returns then(its share of `keys`, its share of the deals), one value per share of the batch, in order.
    `then` must pickle (a module's function, or a functools.partial of one)."""
    from .nlp import RULES_ONLY, extract_many, model_name

    name = model_name(nlp)
    model = "" if name == RULES_ONLY else name.split()[0]
    pool = _pool(model, processes)
    keys = list(keys) if keys is not None else [None] * len(texts)
    try:
        # Two chunks per worker: one chunk dense with deals no longer leaves the other worker idle for long.
        parts, at = [], 0
        for chunk in _chunks(texts, 2 * processes):
            parts.append(pool.submit(_extract, chunk, then, keys[at:at + len(chunk)]))
            at += len(chunk)
        results = [part.result() for part in parts]
    except BrokenProcessPool:
        log.warning("an extraction worker died; extracting this batch in-process and restarting the workers")
        shutdown(model, processes)
        deals = extract_many(texts, nlp)
        results = [(deals, None if then is None else then(keys, deals))]
    return [deals for part, _ in results for deals in part], [] if then is None else [extra for _, extra in results]


def shutdown(model: str | None = None, processes: int | None = None) -> None:
    """Stop the worker processes (all, or one pool)."""
    with _LOCK:
        for key in [k for k in _POOLS if model is None or k == (model, processes)]:
            _POOLS.pop(key).shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)
