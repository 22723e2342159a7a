"""Extraction worker processes: a worker killed mid-run costs a restart, never the batch or its deals."""

from __future__ import annotations

import os
import signal
from functools import partial

import psutil
import pytest

from extractors import build_nlp, extract_many
from extractors.workers import extract_parallel, extract_then, shutdown
from warehouse.matching import prepare_mentions

SALE = ("Riot Platforms agreed to sell its 200 MW Rockdale site in Texas to Northline Infrastructure Partners "
        "for $185 million in cash, the companies said on Tuesday.")


@pytest.fixture(scope="module")
def nlp():
    return build_nlp("en_core_web_sm")


def _workers() -> list[psutil.Process]:
    """The pool's worker processes (not multiprocessing's resource tracker)."""
    return [p for p in psutil.Process().children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]


def test_a_killed_worker_costs_a_restart_and_the_batch_still_has_its_deals(nlp, caplog):
    texts = [SALE, "Quarterly output rose.", SALE.replace("Riot Platforms", "Cipher Mining")] * 4
    expected = [[d.to_json() for d in r] for r in extract_many(texts, nlp)]
    try:
        assert [[d.to_json() for d in r] for r in extract_parallel(texts, nlp, 2)] == expected
        workers = _workers()
        assert len(workers) >= 2
        for worker in workers:
            os.kill(worker.pid, signal.SIGKILL)
        psutil.wait_procs(workers, timeout=10)
        after_kill = extract_parallel(texts, nlp, 2)  # the pool is broken: done in-process, pool dropped
        restarted = extract_parallel(texts, nlp, 2)  # fresh workers
    finally:
        shutdown()
    assert [[d.to_json() for d in r] for r in after_kill] == expected
    assert [[d.to_json() for d in r] for r in restarted] == expected
    assert "extraction worker died" in caplog.text


def test_workers_prepare_the_load_of_their_deals_exactly_as_this_process_would(nlp):
    """Match keys made in a worker must equal ours: a worker's own hash() seed would make them differ."""
    texts = [SALE, "Quarterly output rose.", SALE.replace("Riot Platforms", "Cipher Mining")] * 4
    ids = [f"doc{i}" for i in range(len(texts))]
    try:
        deals, parts = extract_then(texts, nlp, 2, partial(prepare_mentions, version="t1"), ids)
    finally:
        shutdown()
    assert len(parts) > 1  # the batch was shared out
    here = prepare_mentions(ids, deals, "t1")
    there = parts[0]
    for part in parts[1:]:
        there.extend(part)
    assert there == here and len(here.mentions) == 8
