"""Prefect's own cost: the real ingest + extract_deals flows against the same runs without Prefect.

The plain run is flows/plain.py's run_ingest: the runs' bodies (flows/jobs.py) over plain steps, in the
flows' shape (groups of sources polled at once on threads, stored in order; extraction batches two in
flight, loaded in order), so the difference is what Prefect adds: task runs, state tracking, events,
artifacts and the concurrency slot calls. The ephemeral server's start-up is timed apart (a warm-up run of
extract_deals on an empty warehouse), as a deployment pays it once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from statistics import mean, median

from flows import pipeline


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


def compare(runs: int, corpus, work: Path, settings_for) -> dict:
    """Plain runs and Prefect runs alternated, starting and ending with a plain one (plain, Prefect, plain,
    Prefect, plain for two), each on a fresh warehouse over the same served corpus. Each Prefect run's
    overhead is against the mean of the plain runs on either side of it; the figure is the median of those.
    `settings_for(server, warehouse_path)` gives a run's settings."""
    from flows.demo.server import SampleServer

    with SampleServer(root=work / "site") as server:
        plains, prefects, start_s = _alternate(lambda path: settings_for(server, path), work, max(1, runs))
    return _figures(corpus.documents, plains, prefects, start_s)


def _alternate(settings_for, work: Path, runs: int) -> tuple[list, list, float]:
    """(plain runs, Prefect runs, the ephemeral server's start-up s), each run as _timed gives it."""
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from bench.stages import warm_extraction
    from flows import plain
    from flows.extract_deals import extract_deals
    from flows.runner import run_ingest
    from flows.runs import settings_param

    plains, prefects = [], []

    def plain_once() -> None:
        print(f"Prefect comparison: plain run {len(plains) + 1} of {runs + 1} …", flush=True)
        settings = settings_for(work / f"plain-{len(plains)}.duckdb")
        plains.append(_timed(plain.run_ingest, settings))

    warm_extraction(settings_for(work / "plain-0.duckdb"))  # model and workers up
    plain_once()
    print("Prefect comparison: starting the ephemeral server …", flush=True)
    warm = settings_for(work / "warm.duckdb")
    pipeline.prepare_warehouse(warm)
    start_s, _, _ = _timed(lambda: extract_deals(document_ids=[], settings=settings_param(warm)))
    # The server's address set, as a deployment has it: every load takes its warehouse's write slot (on a
    # temporary server, no PREFECT_API_URL, minewire takes none; see flows/slots.py). Plain and Prefect runs
    # alternate because this machine's speed drifts within minutes (bench/README.md).
    with temporary_settings(updates={PREFECT_API_URL: SubprocessASGIServer().api_url}):
        for k in range(runs):
            print(f"Prefect comparison: ingest + extract_deals flows, run {k + 1} of {runs} …", flush=True)
            settings = settings_for(work / f"prefect-{k}.duckdb")
            prefects.append(_timed(run_ingest, settings))
            plain_once()
    return plains, prefects, start_s


def _counts(result) -> dict:
    summary, extracted = result
    return {"stored": summary["stored"], "documents": (extracted or {}).get("documents"),
            "new_deals": (extracted or {}).get("new_deals")}


def _figures(docs: int, plains: list, prefects: list, start_s: float) -> dict:
    """Wall and CPU time of each kind of run, and Prefect's overhead against the plain runs beside it."""
    def beside(k: int, i: int) -> float:
        return (plains[k][i] + plains[k + 1][i]) / 2

    overheads = [100 * (p[0] - beside(k, 0)) / p[0] for k, p in enumerate(prefects)]
    cpu_overheads = [100 * (p[1] - beside(k, 1)) / p[1] for k, p in enumerate(prefects) if p[1]]
    plain_s, prefect_s = mean(p[0] for p in plains), mean(p[0] for p in prefects)
    return {
        "docs": docs, "plain_s": round(plain_s, 2), "plain_runs_s": [round(p[0], 2) for p in plains],
        "plain_cpu_s": round(mean(p[1] for p in plains), 2), "plain_docs_per_s": round(docs / plain_s, 2),
        "prefect_s": round(prefect_s, 2), "prefect_runs_s": [round(p[0], 2) for p in prefects],
        "prefect_cpu_s": round(mean(p[1] for p in prefects), 2),
        "prefect_docs_per_s": round(docs / prefect_s, 2),
        "overhead_pct": round(median(overheads), 1), "overheads_pct": [round(o, 1) for o in overheads],
        "overhead_cpu_pct": round(median(cpu_overheads), 1) if cpu_overheads else None,
        "server_start_s": round(start_s, 1),
        "plain": _counts(plains[-1][2]), "prefect": _counts(prefects[-1][2]),
    }
