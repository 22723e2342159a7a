"""minewire's benchmark: every stage against its physical floor, in one command.

    .venv/bin/python bench/run.py --docs 2000 [--sources 50] [--out DIR] [--prefect]
    .venv/bin/python bench/run.py --quick          # 200 documents, 5 sources: proves the bench works
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import shutil
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

RAW_SAMPLE = 200  # documents the full model reads whole; scaled up to the corpus size


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=2000, help="documents in the synthetic corpus")
    p.add_argument("--sources", type=int, default=50, help="feeds the documents are spread over")
    p.add_argument("--out", type=Path, help="keep the corpus, warehouse and results.json here (default: temp)")
    p.add_argument("--quick", action="store_true", help="200 documents over 5 sources, for CI")
    p.add_argument("--processes", type=int, default=None, help="spaCy n_process for extraction batches")
    p.add_argument("--batch-size", type=int, default=None, help="documents per extract/load batch")
    p.add_argument("--raw-sample", type=int, default=RAW_SAMPLE, help="documents for the raw nlp.pipe floor")
    p.add_argument("--prefect", action="store_true", help="also run ingest + extract_deals under Prefect")
    p.add_argument("--prefect-runs", type=int, default=2,
                   help="Prefect runs, alternated with plain runs (one more plain run than Prefect runs)")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args(argv)
    if args.quick:  # the raw model is the slowest part: 20 whole documents give its rate well enough for CI
        args.docs, args.sources, args.raw_sample = 200, 5, min(args.raw_sample, 20)
    return args


def make_settings(args: argparse.Namespace, server, corpus, warehouse: Path):
    from flows.settings import Settings, SourceConfig

    extra = {k: v for k, v in (("extract_processes", args.processes), ("batch_size", args.batch_size)) if v}
    return Settings(warehouse_path=warehouse, base_urls=server.base_urls(), allow_private_addresses=True,
                    sources=[SourceConfig(**s) for s in corpus.sources], **extra)


def measure(args: argparse.Namespace, work: Path) -> dict:
    """Write and serve the corpus, run the pipeline, the re-poll and the floors; return every figure."""
    from bench import memory, report, stages
    from bench.site import write_site
    from flows.demo.server import SampleServer
    from flows.runs import select_sources

    started = time.perf_counter()
    # Written by a child process: generating 20,000 articles in this one would leave its memory behind and
    # inflate the pipeline's peak RSS, which is what the bench measures.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as writer:
        corpus = writer.submit(write_site, work / "site", args.docs, args.sources, args.seed).result()
    print(f"corpus: {corpus.documents} documents, {corpus.words:,} words, {corpus.planted_deals} planted deals, "
          f"{len(corpus.sources)} feeds, {corpus.page_bytes / 1e6:.1f} MB of pages "
          f"(written in {time.perf_counter() - started:.1f} s)", flush=True)
    with SampleServer(root=work / "site") as server:
        settings = make_settings(args, server, corpus, work / "bench.duckdb")
        sources = select_sources(settings)
        with memory.RssSampler() as sampler:
            run = stages.run_pipeline(settings, sources)
        requests = len(server.requests)
        peak = {"run_peak_rss_mb": sampler.tree_peak_mb, "pipeline_peak_rss_mb": sampler.peak_mb,
                "vm_hwm_mb": memory.hwm_mb(),
                "children_peak_rss_mb": memory.children_peak_mb()}
        print(f"pipeline run: {run.total_s:.1f} s; re-polling …", flush=True)
        again = stages.repoll(settings, sources, server)
    from bench.accuracy import planted_accuracy
    from bench.site import PLANTED

    accuracy = planted_accuracy(settings.warehouse_path, work / "site" / PLANTED)
    figures = {"corpus": corpus, "run": run, "requests": requests, "memory": peak, "repoll": again,
               "accuracy": accuracy}
    figures.update(measure_floors(args, settings, corpus, run, work))
    if args.prefect:
        from bench.prefect_run import compare

        figures["prefect"] = compare(args.prefect_runs, corpus, work,
                                       lambda server, path: make_settings(args, server, corpus, path))
    return report.summarise(args, figures)


def measure_floors(args, settings, corpus, run, work: Path) -> dict:
    """The full model over whole documents, and bare Arrow inserts of the rows the pipeline wrote."""
    from bench import floors
    from extractors import model_name
    from flows.pipeline import get_nlp

    model = model_name(get_nlp(settings.spacy_model)).split()[0]
    texts = floors.sample_texts(settings.warehouse_path, args.raw_sample)
    print(f"raw nlp.pipe of {model} on {len(texts)} whole documents …", flush=True)
    raw_model = floors.raw_model_pipe(model, texts, corpus.documents) if model != "rules" else None
    documents = floors.arrow_rows(settings.warehouse_path, "documents")
    # Stored source after source, so one slice per source is what each store() call inserted.
    per_source = list(Counter(documents.column("source").to_pylist()).values())
    out = {"model": model, "raw_model": raw_model}
    for name, table, rows, batches in (
            ("evidence", "deal_evidence", floors.arrow_rows(settings.warehouse_path, "deal_evidence"), run.load_batches),
            ("documents", "documents", documents, per_source)):
        scratch = work / f"raw-{name}.duckdb"
        out[f"raw_{name}"] = floors.raw_arrow_insert(table, rows, batches, scratch)
        out[f"raw_{name}_reopen"] = floors.raw_arrow_insert(table, rows, batches, scratch, reopen=True)
        scratch.unlink(missing_ok=True)
    if run.load.rows:
        from bench.replay import paired_ratio

        print("replaying the loads beside raw inserts …", flush=True)
        out["replay"] = paired_ratio(settings, run.load_batches, work)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.prefect:
        from flows import prefect_env

        prefect_env.prepare(own_home=True)  # before Prefect is imported anywhere
    work = args.out or Path(tempfile.mkdtemp(prefix="minewire-bench-"))
    if args.out and (work / "site").exists():
        shutil.rmtree(work / "site")
    for stale in ("bench.duckdb", "warm.duckdb", *(p.name for p in work.glob("p*.duckdb"))):
        (work / stale).unlink(missing_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    try:
        result = measure(args, work)
    finally:
        if not args.out:
            shutil.rmtree(work, ignore_errors=True)
    from bench.report import print_report

    print_report(result)
    if args.out:
        (args.out / "results.json").write_text(json.dumps(result, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
