"""Prefect's own cost: the real ingest + extract_deals flows against the same steps run as plain functions.

The plain run copies the flows' shape (groups of sources polled at once on threads, stored in order;
extraction batches two in flight, loads in order), so the difference is what Prefect adds: task runs,
state tracking, events, artifacts and the concurrency slot calls. The ephemeral server's start-up is
timed apart (a warm-up run of extract_deals on an empty warehouse), as a deployment pays it once.
"""

from __future__ import annotations

import os
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path

from flows import pipeline
from warehouse import held_warehouse


def plain_run(settings, sources: list) -> dict:
    """ingest + extract_deals as plain functions, in the flows' shape: groups of sources polled a few at once
    and stored in order; extraction batches read as they go, two in flight, loaded in order; each holding the
    writer for its whole run."""
    from flows.extract_deals import IN_FLIGHT
    from flows.ingest import GROUPS_IN_FLIGHT, SOURCES_PER_TASK

    stored = 0
    with held_warehouse(settings.warehouse_path), ThreadPoolExecutor(max_workers=GROUPS_IN_FLIGHT) as pool:
        pipeline.prepare_warehouse(settings)  # as the ingest flow: one writer held for the run
        states = pipeline.read_states(settings, sources)
        groups = (sources[i:i + SOURCES_PER_TASK] for i in range(0, len(sources), SOURCES_PER_TASK))
        window = deque((g, pool.submit(pipeline.poll_many, settings, g, states)) for g in islice(groups, GROUPS_IN_FLIGHT))
        while window:
            group, future = window.popleft()
            results = future.result()
            window.extend((g, pool.submit(pipeline.poll_many, settings, g, states)) for g in islice(groups, 1))
            polls = [(s, r) for s, r in zip(group, results) if not isinstance(r, Exception)]
            stored += sum(len(r.stored) for r in pipeline.store_many(settings, polls))
    with held_warehouse(settings.warehouse_path):  # as the extract_deals flow holds it
        ids = pipeline.select_document_ids(settings, stale_only=True)
        size = max(settings.batch_size, 1)
        batches = (pipeline.read_documents(settings, ids[i:i + size]) for i in range(0, len(ids), size))
        new_deals = 0
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            window = deque(pool.submit(pipeline.extract_batch, settings, b) for b in islice(batches, IN_FLIGHT))
            while window:
                extractions = window.popleft().result()
                window.extend(pool.submit(pipeline.extract_batch, settings, b) for b in islice(batches, 1))
                new_deals += len(pipeline.load_deals(settings, extractions))
    return {"stored": stored, "documents": len(ids), "new_deals": new_deals}


def children_cpu_s() -> float:
    """CPU seconds of this process's live children (the ephemeral API server runs as one)."""
    me, total, tick = str(os.getpid()), 0.0, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[1] == me:  # ppid; utime and stime follow at 11 and 12
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def _timed(fn, *args) -> tuple[float, float, object]:
    """Wall seconds, CPU seconds (ours and our children's) and the result of fn(*args)."""
    wall, cpu = time.perf_counter(), time.process_time() + children_cpu_s()
    out = fn(*args)
    return time.perf_counter() - wall, time.process_time() + children_cpu_s() - cpu, out


def compare(args, corpus, work: Path) -> dict:
    """Plain run, Prefect warm-up and the flows, plain run again (the overhead is against the mean of the two
    plain runs); each on a fresh warehouse over the same served corpus."""
    from bench.run import make_settings
    from bench.stages import warm_extraction
    from flows.runner import run_ingest
    from flows.runs import select_sources, settings_param
    from flows.sample_server import SampleServer

    with SampleServer(root=work / "site") as server:
        plain_settings = make_settings(args, server, corpus, work / "plain.duckdb")
        warm_extraction(plain_settings)  # both runs find the model loaded and the workers started
        print("Prefect comparison: plain run …", flush=True)
        plain_s, plain_cpu, plain = _timed(plain_run, plain_settings, select_sources(plain_settings))
        print("Prefect comparison: starting the ephemeral server …", flush=True)
        warm = make_settings(args, server, corpus, work / "warm.duckdb")
        pipeline.prepare_warehouse(warm)
        from flows.extract_deals import extract_deals

        start_s, _, _ = _timed(lambda: extract_deals(document_ids=[], settings=settings_param(warm)))
        from flows import runs

        if hasattr(runs, "ensure_write_limit"):  # as a deployment has it: every load takes the write slot
            runs.ensure_write_limit()
        print("Prefect comparison: ingest + extract_deals flows …", flush=True)
        settings = make_settings(args, server, corpus, work / "prefect.duckdb")
        prefect_s, prefect_cpu, (summary, extracted) = _timed(run_ingest, settings)
        # A plain run on each side of the Prefect run: this machine's speed drifts by tens of percent within
        # minutes, and one plain run before it made the overhead read anywhere from -2% to 28%.
        print("Prefect comparison: plain run again …", flush=True)
        again = make_settings(args, server, corpus, work / "plain-again.duckdb")
        again_s, again_cpu, _ = _timed(plain_run, again, select_sources(again))
    plain_runs_s = [round(plain_s, 2), round(again_s, 2)]
    plain_s, plain_cpu = (plain_s + again_s) / 2, (plain_cpu + again_cpu) / 2
    docs = corpus.documents
    return {
        "docs": docs, "plain_s": round(plain_s, 2), "plain_runs_s": plain_runs_s, "plain_cpu_s": round(plain_cpu, 2),
        "plain_docs_per_s": round(docs / plain_s, 2), "prefect_s": round(prefect_s, 2),
        "prefect_cpu_s": round(prefect_cpu, 2), "prefect_docs_per_s": round(docs / prefect_s, 2),
        "overhead_pct": round(100 * (prefect_s - plain_s) / prefect_s, 1),
        "overhead_cpu_pct": round(100 * (prefect_cpu - plain_cpu) / prefect_cpu, 1) if prefect_cpu else None,
        "server_start_s": round(start_s, 1),
        "plain": plain, "prefect": {"stored": summary["stored"], "documents": (extracted or {}).get("documents"),
                                    "new_deals": (extracted or {}).get("new_deals")},
    }
