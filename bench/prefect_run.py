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
    from flows.jobs import GROUPS_IN_FLIGHT, IN_FLIGHT, SOURCES_PER_TASK

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
    """Plain runs and Prefect runs alternated, starting and ending with a plain one (plain, Prefect, plain,
    Prefect, plain for two), each on a fresh warehouse over the same served corpus. Each Prefect run's overhead
    is against the mean of the plain runs on either side of it; the figure is the median of those. The
    ephemeral server's start-up is timed apart (a warm-up run of extract_deals on an empty warehouse), as a
    deployment pays it once."""
    from statistics import mean, median

    from bench.run import make_settings
    from bench.stages import warm_extraction
    from flows.runner import run_ingest
    from flows.runs import select_sources, settings_param
    from flows.demo.server import SampleServer

    runs = max(1, args.prefect_runs)
    plains, prefects = [], []
    with SampleServer(root=work / "site") as server:
        def plain_once() -> None:
            print(f"Prefect comparison: plain run {len(plains) + 1} of {runs + 1} …", flush=True)
            settings = make_settings(args, server, corpus, work / f"plain-{len(plains)}.duckdb")
            plains.append(_timed(plain_run, settings, select_sources(settings)))

        warm_extraction(make_settings(args, server, corpus, work / "plain-0.duckdb"))  # model and workers up
        plain_once()
        print("Prefect comparison: starting the ephemeral server …", flush=True)
        warm = make_settings(args, server, corpus, work / "warm.duckdb")
        pipeline.prepare_warehouse(warm)
        from flows.extract_deals import extract_deals

        start_s, _, _ = _timed(lambda: extract_deals(document_ids=[], settings=settings_param(warm)))
        from prefect.server.api.server import SubprocessASGIServer
        from prefect.settings import PREFECT_API_URL, temporary_settings

        # The server's address set, as a deployment has it: every load takes its warehouse's write slot (on a
        # temporary server, no PREFECT_API_URL, minewire takes none; see flows/slots.py).
        # Alternated because this machine's speed drifts by tens of percent within minutes: one plain run
        # before the Prefect run made the overhead read anywhere from -2% to 28%.
        with temporary_settings(updates={PREFECT_API_URL: SubprocessASGIServer().api_url}):
            for k in range(runs):
                print(f"Prefect comparison: ingest + extract_deals flows, run {k + 1} of {runs} …", flush=True)
                settings = make_settings(args, server, corpus, work / f"prefect-{k}.duckdb")
                prefects.append(_timed(run_ingest, settings))
                plain_once()
    overheads = [100 * (p[0] - (plains[k][0] + plains[k + 1][0]) / 2) / p[0] for k, p in enumerate(prefects)]
    cpu_overheads = [100 * (p[1] - (plains[k][1] + plains[k + 1][1]) / 2) / p[1] for k, p in enumerate(prefects)
                     if p[1]]
    plain_s, prefect_s = mean(p[0] for p in plains), mean(p[0] for p in prefects)
    summary, extracted = prefects[-1][2]
    docs = corpus.documents
    return {
        "docs": docs, "plain_s": round(plain_s, 2), "plain_runs_s": [round(p[0], 2) for p in plains],
        "plain_cpu_s": round(mean(p[1] for p in plains), 2), "plain_docs_per_s": round(docs / plain_s, 2),
        "prefect_s": round(prefect_s, 2), "prefect_runs_s": [round(p[0], 2) for p in prefects],
        "prefect_cpu_s": round(mean(p[1] for p in prefects), 2), "prefect_docs_per_s": round(docs / prefect_s, 2),
        "overhead_pct": round(median(overheads), 1), "overheads_pct": [round(o, 1) for o in overheads],
        "overhead_cpu_pct": round(median(cpu_overheads), 1) if cpu_overheads else None,
        "server_start_s": round(start_s, 1),
        "plain": plains[-1][2], "prefect": {"stored": summary["stored"], "documents": (extracted or {}).get("documents"),
                                            "new_deals": (extracted or {}).get("new_deals")},
    }
