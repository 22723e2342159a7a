"""Run the real pipeline steps over the served corpus and time each hop (fetch, parse, store, extract, load).

Fetch and parse both happen inside poll_source; parse is timed by wrapping the two parsers
flows/sources/feed_poll.py calls (thread CPU time, so parse threads waiting on the GIL do not count), and
fetch is the rest of the poll.
"""

from __future__ import annotations

import functools
import threading
import time
from dataclasses import dataclass, field

import psutil
import sqlalchemy as sa

from bench import memory
from flows import pipeline
from flows.settings import Settings
from flows.sources import feed_poll
from warehouse import deals, held_warehouse, open_warehouse


@dataclass
class Timing:
    """Seconds spent in one hop and how much it handled."""

    seconds: float = 0.0
    cpu_s: float = 0.0  # process CPU time: steadier than wall time on a shared machine
    docs: int = 0
    rows: int = 0
    calls: int = 0


@dataclass
class RunReport:
    """The timings of one full pipeline run."""

    poll: Timing = field(default_factory=Timing)
    parse: Timing = field(default_factory=Timing)
    store: Timing = field(default_factory=Timing)
    extract: Timing = field(default_factory=Timing)
    load: Timing = field(default_factory=Timing)
    resolve: Timing = field(default_factory=Timing)  # inside load: matching each mention to its deal
    select_s: float = 0.0
    model_load_s: float = 0.0
    total_s: float = 0.0
    total_cpu_s: float = 0.0
    stored: int = 0
    mentions: int = 0
    failures: int = 0
    load_batches: list[int] = field(default_factory=list)  # evidence rows per load batch, for the raw floor
    rss_mb: dict[str, float] = field(default_factory=dict)  # VmRSS (and VmHWM) at the end of each phase

    @property
    def fetch_s(self) -> float:
        return max(self.poll.seconds - self.parse.seconds, 0.0)

    @property
    def fetch_cpu_s(self) -> float:
        return max(self.poll.cpu_s - self.parse.seconds, 0.0)


def cpu_s() -> float:
    """CPU seconds of this process and its live children (the extraction workers)."""
    total = time.process_time()
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # exited between listing and reading
            continue
        total += times.user + times.system
    return total


class _Clock:
    """Adds wall and CPU time (ours and the workers') of a `with` block to a Timing."""

    def __init__(self, timing: Timing):
        self.timing = timing

    def __enter__(self) -> None:
        # CPU first: reading the workers' CPU times (psutil) is the clock's own cost, not the block's.
        self._cpu = cpu_s()
        self._wall = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        self.timing.seconds += time.perf_counter() - self._wall
        self.timing.cpu_s += cpu_s() - self._cpu


class _ParseTimer:
    """Wraps a parser so every call adds its thread CPU time to a Timing."""

    def __init__(self, timing: Timing):
        self.timing, self._lock = timing, threading.Lock()

    def wrap(self, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            started = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                spent = time.thread_time() - started
                with self._lock:
                    self.timing.seconds += spent
                    self.timing.calls += 1
        return timed


def read_states(settings: Settings, sources: list) -> dict[str, dict]:
    """poll() keyword arguments per source: the states read in one go, as the ingest flow does."""
    return {name: {"state": state} for name, state in pipeline.read_states(settings, sources).items()}


def poll_and_store(settings: Settings, sources: list, report: RunReport) -> list:
    """Poll each source, then store what it found: the ingest flow's order, without Prefect."""
    timer = _ParseTimer(report.parse)
    originals = feed_poll.parse_article, feed_poll.read_feed
    feed_poll.parse_article, feed_poll.read_feed = timer.wrap(originals[0]), timer.wrap(originals[1])
    reports = []
    held = held_warehouse(settings.warehouse_path)  # as the ingest flow holds it
    held.__enter__()
    try:
        with _Clock(report.poll):
            states = read_states(settings, sources)
        for source in sources:
            with _Clock(report.poll):
                result = pipeline.poll(settings, source, **states.get(source.name, {}))
            report.poll.docs += len(result.documents)
            with _Clock(report.store):
                reports.append(pipeline.store(settings, source, result))
            report.store.rows += reports[-1].rows_written
            del result  # one source's documents in memory at a time
    finally:
        with _Clock(report.store):  # letting go of the file checkpoints it: part of storing
            held.__exit__(None, None, None)
        feed_poll.parse_article, feed_poll.read_feed = originals
    report.stored = sum(len(r.stored) for r in reports)
    report.store.docs = report.parse.docs = report.stored
    report.failures = sum(r.failed for r in reports)
    return reports


def warm_extraction(settings: Settings) -> None:
    """Load the model, and start the extraction workers, as a long-lived deployment has them: paid once, so
    timed apart from extraction."""
    nlp = pipeline.get_nlp(settings.spacy_model)
    if pipeline.extract_processes(settings) > 1:
        from extractors.workers import extract_parallel

        extract_parallel(["warm-up"], nlp, pipeline.extract_processes(settings))


def extract_and_load(settings: Settings, report: RunReport) -> None:
    """Extract every stored document in batches of settings.batch_size, loading each batch's deals."""
    started = time.perf_counter()
    warm_extraction(settings)
    report.model_load_s = time.perf_counter() - started
    resolve = deals._evidence_table
    deals._evidence_table = _ParseTimer(report.resolve).wrap(resolve)
    held = held_warehouse(settings.warehouse_path)  # as the extract_deals flow holds it
    held.__enter__()
    try:
        started = time.perf_counter()
        ids = pipeline.select_document_ids(settings, stale_only=True)
        report.select_s = time.perf_counter() - started
        size = max(settings.batch_size, 1)
        for i in range(0, len(ids), size):  # texts read batch by batch, as the extract_deals flow streams them
            with _Clock(report.extract):
                batch = pipeline.read_documents(settings, ids[i:i + size])
                extractions = pipeline.extract_batch(settings, batch)
            report.extract.docs += len(batch)
            rows = extractions.mention_count
            with _Clock(report.load):
                pipeline.load_deals(settings, extractions)
            report.load.docs += len(batch)
            report.load.rows += rows
            report.load_batches.append(rows)
    finally:
        with _Clock(report.load):  # letting go of the file checkpoints it: part of loading
            held.__exit__(None, None, None)
        deals._evidence_table = resolve
    report.mentions = report.load.rows


def run_pipeline(settings: Settings, sources: list) -> RunReport:
    """prepare -> poll+store per source -> extract+load in batches; the whole run timed end to end."""
    report = RunReport()
    started, cpu = time.perf_counter(), cpu_s()
    pipeline.prepare_warehouse(settings)
    poll_and_store(settings, sources, report)
    report.rss_mb.update(after_store=memory.rss_mb(), hwm_after_store=memory.hwm_mb())
    extract_and_load(settings, report)
    report.rss_mb.update(after_load=memory.rss_mb(), hwm_after_load=memory.hwm_mb())
    report.total_s, report.total_cpu_s = time.perf_counter() - started, cpu_s() - cpu
    return report


def table_rows(settings: Settings) -> dict[str, int]:
    """Row count of every table in the warehouse."""
    with open_warehouse(settings.warehouse_path) as engine, engine.connect() as conn:
        names = [n for (n,) in conn.execute(sa.text(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"))]
        return {n: conn.execute(sa.text(f'SELECT count(*) FROM "{n}"')).scalar() for n in names}


@dataclass
class RepollReport:
    """A second poll of unchanged sources."""

    sources: int
    requests: int
    not_modified: int
    rows_written: int
    row_delta: int
    cpu_s: float  # this process's CPU less the loopback server's answering the requests
    wall_s: float
    stored: int
    server_cpu_s: float = 0.0  # the loopback server's (in this process) answering the re-poll's requests


def repoll(settings: Settings, sources: list, server) -> RepollReport:
    """Poll and store every source again with nothing new on the server; count what it cost."""
    before = table_rows(settings)
    server.clear_log()
    cpu, wall = time.process_time(), time.perf_counter()
    states = read_states(settings, sources)
    reports = [pipeline.store(settings, s, pipeline.poll(settings, s, **states.get(s.name, {}))) for s in sources]
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    served = server.served_cpu_s
    after = table_rows(settings)
    return RepollReport(
        sources=len(sources), requests=len(server.requests),
        not_modified=sum(1 for r in server.requests if r.status == 304),
        rows_written=sum(r.rows_written for r in reports),
        row_delta=sum(after.values()) - sum(before.values()), cpu_s=cpu - served, wall_s=wall,
        stored=sum(len(r.stored) for r in reports), server_cpu_s=served,
    )
