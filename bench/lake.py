"""The warehouse on a DuckDB file and on a DuckLake with a PostgreSQL catalog, side by side on one corpus.

    .venv/bin/python bench/lake.py [--docs 400] [--sources 8] [--writers 1 2 4]

For each: load rows/s (the stores' and deal loads' rows over their time, one writer), the deal tracker's
query latency while that writer runs (`minewire sql`'s path: a read-only connection per query), and
end-to-end documents/s with 1, 2 and 4 writer processes, the sources split between them. Each writer polls
and stores its sources, then extracts and loads what it stored (extraction in-process, so that N writers use
N processes); it loads the model before the clock starts. Needs PostgreSQL's initdb (as the tests do).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere


def writer(settings_json: dict, names: list[str], start, results) -> None:
    """One writer process: warm up, wait for the start, poll+store its sources, extract+load what it stored."""
    from flows import pipeline
    from flows.runs import select_sources
    from flows.settings import Settings

    settings = Settings(**settings_json)
    sources = select_sources(settings, names=names)
    pipeline.get_nlp(settings.spacy_model)
    start.wait()
    timings = {"store_s": 0.0, "store_rows": 0, "load_s": 0.0, "load_rows": 0, "stored": 0}
    stored: list[str] = []
    for source in sources:
        result = pipeline.poll(settings, source)
        began = time.perf_counter()
        report = pipeline.store(settings, source, result)
        timings["store_s"] += time.perf_counter() - began
        timings["store_rows"] += report.rows_written
        stored += report.stored
    for i in range(0, len(stored), settings.batch_size):
        extractions = pipeline.extract_batch(settings, pipeline.read_documents(settings, stored[i:i + settings.batch_size]))
        began = time.perf_counter()
        pipeline.load_deals(settings, extractions)
        timings["load_s"] += time.perf_counter() - began
        timings["load_rows"] += extractions.mention_count
    timings["stored"] = len(stored)
    results.put(timings)


def run(kind: str, settings, n: int, queries: bool) -> dict:
    """n writers at once on a fresh warehouse; with `queries`, time deal-tracker queries meanwhile."""
    from flows import pipeline
    from warehouse.queries import run_sql

    pipeline.prepare_warehouse(settings)  # made before the clock, as a running install has it
    names = [s.name for s in settings.sources]
    groups = [names[i::n] for i in range(n)]
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(n + 1), ctx.Queue()
    procs = [ctx.Process(target=writer, args=(settings.model_dump(mode="json"), g, start, results)) for g in groups]
    for p in procs:
        p.start()
    start.wait()
    began = time.perf_counter()
    latencies, failed = [], 0
    while queries and any(p.is_alive() for p in procs):
        t = time.perf_counter()
        try:
            run_sql(settings.warehouse, "SELECT * FROM deal_tracker")
            latencies.append(time.perf_counter() - t)
        except Exception:  # noqa: BLE001 - a reader locked out is the figure
            failed += 1
    parts = [results.get(timeout=1800) for _ in procs]
    wall = time.perf_counter() - began
    for p in procs:
        p.join()
    stored = sum(p["stored"] for p in parts)
    figures = {"kind": kind, "writers": n, "wall_s": wall, "docs_per_s": stored / wall, "stored": stored,
               "load_rows_per_s": sum(p["store_rows"] + p["load_rows"] for p in parts)
               / max(sum(p["store_s"] + p["load_s"] for p in parts), 1e-9)}
    if queries:
        figures.update(queries=len(latencies), failed_queries=failed,
                       query_median_ms=1000 * statistics.median(latencies) if latencies else None,
                       query_max_ms=1000 * max(latencies) if latencies else None)
    return figures


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=400)
    p.add_argument("--sources", type=int, default=8)
    p.add_argument("--writers", type=int, nargs="+", default=[1, 2, 4])
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)

    from bench.site import write_site
    from flows.demo.server import SampleServer
    from flows.settings import Settings, SourceConfig
    from tests.postgres import PostgresCluster

    work = Path(tempfile.mkdtemp(prefix="minewire-lake-bench-"))
    corpus = write_site(work / "site", args.docs, args.sources, args.seed)
    cluster = PostgresCluster().start()
    rows = []
    try:
        with SampleServer(root=work / "site") as server:
            for n in args.writers:
                for kind in ("file", "lake"):
                    target = {"warehouse_path": str(work / f"file-{n}.duckdb")} if kind == "file" else \
                        {"warehouse_path": f"ducklake:postgres:{cluster.database()}", "data_path": str(work / f"lake-{n}")}
                    settings = Settings(**target, base_urls=server.base_urls(), allow_private_addresses=True,
                                        sources=[SourceConfig(**s) for s in corpus.sources], extract_processes=1)
                    rows.append(run(kind, settings, n, queries=n == 1))
                    print(rows[-1], flush=True)
    finally:
        cluster.stop()
    print(f"\n{corpus.documents} documents over {len(corpus.sources)} feeds; file = DuckDB file, "
          "lake = DuckLake, PostgreSQL catalog on 127.0.0.1")
    print(f"{'':6} {'writers':>7} {'docs/s':>8} {'load rows/s':>12} {'tracker query median / max (ms)':>34}")
    for r in rows:
        q = (f"{r['query_median_ms']:.0f} / {r['query_max_ms']:.0f} ({r['queries']} ok, {r['failed_queries']} failed)"
             if r.get("queries") else ("none completed" if "queries" in r else ""))
        print(f"{r['kind']:6} {r['writers']:>7} {r['docs_per_s']:>8.1f} {r['load_rows_per_s']:>12.0f} {q:>34}")


if __name__ == "__main__":
    main()
