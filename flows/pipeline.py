"""The pipeline's steps as plain functions: poll a source, store what it found, extract and load deals.

Prefect tasks (flows/tasks.py) and the CLI are thin layers over these.
"""

from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date
from functools import partial


from flows.retries import POLL_RETRY_DELAYS_S, retrying
from flows.sources.http import Fetcher
from flows.sources.polling import poll_source
from flows.settings import Settings, SourceConfig
from models.records import PollResult, SourceState
from warehouse import held_state, init_warehouse, note_cached, open_warehouse, run_write
from warehouse.deals import load_mentions, upsert_companies
from warehouse.documents import load_poll, mark_window_done
from warehouse.batch import DealBatch, DocumentBatch
from warehouse.matching import PreparedMentions, prepare_mentions
from warehouse.queries import document_batch, document_ids_to_extract
from warehouse.state import read_source_state

log = logging.getLogger("minewire")

# DuckDB allows one writing process, and one write transaction at a time is simplest inside it too. A lake
# needs no lock: its writers, threads or processes, commit at once and run_write retries the loser.
_WRITE_LOCK = threading.Lock()


def _write_lock(settings: Settings):
    return nullcontext() if settings.on_lake else _WRITE_LOCK
_NLP: dict[str, object] = {}
# Below this a batch is extracted in-process: starting the workers (~3 s, once) is not worth a handful.
PARALLEL_MIN_DOCS = 50


@dataclass
class StoreReport:
    """What storing one poll did: new document ids, and the counts that must reconcile."""

    source: str
    stored: list[str] = field(default_factory=list)
    seen: int = 0
    copies: int = 0
    duplicates: int = 0
    failed: int = 0
    skipped: int = 0
    requests: int = 0
    not_modified: int = 0
    rows_written: int = 0
    failures: list[str] = field(default_factory=list)  # "url: reason"
    listing_failed: bool = False  # its feed or submissions listing could not be read


def prepare_warehouse(settings: Settings) -> None:
    """Create or upgrade the warehouse and load the company registry."""
    from extractors import read_company_registry

    companies = read_company_registry()
    with _write_lock(settings), open_warehouse(settings.warehouse) as engine:
        init_warehouse(engine)
        run_write(engine, lambda conn: upsert_companies(conn, companies))


def read_states(settings: Settings, sources: list[SourceConfig]) -> dict[str, SourceState]:
    """Every source's poll state through one connection (opening DuckDB costs ~15 ms of CPU each time)."""
    with open_warehouse(settings.warehouse) as engine, engine.connect() as conn:
        return {s.name: read_source_state(conn, s.name) for s in sources}


def poll(settings: Settings, source: SourceConfig, since: date | None = None, until: date | None = None,
         state: SourceState | None = None) -> PollResult:
    """Fetch and parse one source (no warehouse lock held while on the network); `state` from read_states."""
    if state is None:
        state = read_states(settings, [source])[source.name]
    fetcher = Fetcher(settings, state.validators)
    try:
        return poll_source(source, settings, state, fetcher=fetcher, since=since, until=until)
    finally:
        fetcher.close()


def poll_many(settings: Settings, sources: list[SourceConfig], states: dict[str, SourceState],
              retry_delays: tuple[float, ...] = POLL_RETRY_DELAYS_S) -> list[PollResult | Exception]:
    """Poll several sources at once on threads, results in order. A source that fails gives its exception in
    its place (network trouble is retried after retry_delays first), never stopping the others."""
    poll_retrying = retrying(poll, retry_delays)

    def one(source: SourceConfig) -> PollResult | Exception:
        try:
            return poll_retrying(settings, source, state=states.get(source.name))
        except Exception as exc:  # noqa: BLE001 - reported per source by the caller
            return exc

    if not sources:
        return []
    with ThreadPoolExecutor(max_workers=len(sources), thread_name_prefix="poll") as pool:
        return list(pool.map(one, sources))


def store(settings: Settings, source: SourceConfig, result: PollResult,
          window: tuple[date, date] | None = None) -> StoreReport:
    """Load one poll's documents, fetch log, failures and cursor in one transaction (and, for a backfill,
    mark its window done in the same transaction, so a crash never leaves a window half-recorded)."""
    return store_many(settings, [(source, result)], window)[0]


def store_many(settings: Settings, polls: list[tuple[SourceConfig, PollResult]],
               window: tuple[date, date] | None = None) -> list[StoreReport]:
    """store() for several polls, in order, through one warehouse open: a transaction per source."""
    reports: dict[int, StoreReport] = {}
    for i, (source, result) in enumerate(polls):
        if window is None and is_quiet(result):
            reports[i] = StoreReport(source=source.name, seen=result.seen, skipped=result.skipped,
                                     requests=len(result.fetches), not_modified=len(result.fetches))
    if len(reports) < len(polls):
        with _write_lock(settings), open_warehouse(settings.warehouse) as engine:
            for i, (source, result) in enumerate(polls):
                if i not in reports:
                    reports[i] = _store_one(engine, settings, source, result, window)
    return [reports[i] for i in range(len(polls))]


def _store_one(engine, settings: Settings, source: SourceConfig, result: PollResult,
               window: tuple[date, date] | None) -> StoreReport:
    def load(conn):
        loaded = load_poll(conn, result, source.model_dump(), settings.max_fetch_attempts)
        if window:
            mark_window_done(conn, source.name, window, len(loaded.stored))
        return loaded

    loaded = run_write(engine, load)
    stored = set(loaded.stored)
    note_cached(settings.warehouse,
                sum(len(d.text) + len(d.raw or b"") for d in result.documents if d.doc_id in stored))
    report = StoreReport(
        source=source.name, stored=loaded.stored, seen=result.seen, copies=loaded.copies,
        duplicates=loaded.duplicates, failed=len(result.failures), skipped=result.skipped,
        requests=len(result.fetches), not_modified=sum(f.not_modified for f in result.fetches),
        rows_written=loaded.rows_written, failures=[_failure_line(f) for f in result.failures],
        listing_failed=result.listing_failed,
    )
    for failure in result.failures:
        log.warning("%s: %s: %s", source.name, failure.url, failure.reason)
    return report


def _failure_line(failure) -> str:
    """'URL: reason' for the run's summary; a fetch error's reason often starts with its URL already."""
    return failure.reason if failure.reason.startswith(failure.url) else f"{failure.url}: {failure.reason}"


def is_quiet(result: PollResult) -> bool:
    """Every request answered 304 and nothing else happened: there is nothing to write, so the warehouse
    is not even opened (a re-poll of unchanged sources then costs one request per source and no I/O)."""
    return (bool(result.fetches) and all(f.not_modified for f in result.fetches) and not result.documents
            and not result.failures and not result.recovered_urls and not result.validators)


def get_nlp(model: str):
    """The spaCy pipeline, loaded once per process (and per model name)."""
    if model not in _NLP:
        from extractors import build_nlp, model_name

        _NLP[model] = build_nlp(model)
        log.info("extraction model: %s", model_name(_NLP[model]))
    return _NLP[model]


def select_document_ids(settings: Settings, doc_ids: list[str] | None = None, stale_only: bool = False,
                        older_than: str | None = None) -> list[str]:
    """Documents to extract: the given ids, or those not yet extracted by this version (all, unless
    stale_only), or those extracted by a version lower than older_than."""
    from extractors import EXTRACTOR_VERSION

    if doc_ids is not None:
        return list(doc_ids)
    with open_warehouse(settings.warehouse) as engine, engine.connect() as conn:
        if older_than:
            return document_ids_to_extract(conn, older_than=older_than)
        return document_ids_to_extract(conn, stale_for=EXTRACTOR_VERSION if stale_only else None)


def read_documents(settings: Settings, doc_ids: list[str]) -> DocumentBatch:
    """One batch of stored documents, with their dates: texts are read batch by batch so memory stays flat as
    the corpus grows."""
    with open_warehouse(settings.warehouse) as engine, engine.connect() as conn:
        batch = document_batch(conn, doc_ids)
        note_cached(settings.warehouse, sum(map(len, batch.texts)))
    return batch


def select_documents(settings: Settings, doc_ids: list[str] | None = None, stale_only: bool = False,
                     older_than: str | None = None) -> DocumentBatch:
    """Every document select_document_ids picks, as one batch (small runs and tests)."""
    return read_documents(settings, select_document_ids(settings, doc_ids, stale_only, older_than))


def extract_processes(settings: Settings) -> int:
    """Extraction worker processes: the setting, or (0) one per core this process may use."""
    return settings.extract_processes or len(os.sched_getaffinity(0))


def extract_batch(settings: Settings, docs: DocumentBatch) -> DealBatch:
    """Extract deals from a batch of documents; one odd document yields no deals, never an error. Batches of
    PARALLEL_MIN_DOCS or more go to the worker processes (started on first use, kept after), which also do the
    per-mention part of loading them (matching.prepare_mentions), in parallel instead of in the load."""
    from extractors import EXTRACTOR_VERSION, extract_many
    from extractors.sentences import MAX_TEXT_CHARS
    from extractors.workers import extract_then

    nlp = get_nlp(settings.spacy_model)
    processes = extract_processes(settings)
    for doc_id, text in zip(docs.doc_ids, docs.texts):
        if len(text) > MAX_TEXT_CHARS:  # said where a run's log is read, naming the document
            log.warning("document %s has %d characters: deals are read from the first %d only", doc_id, len(text),
                        MAX_TEXT_CHARS)
    prepared = None
    if processes > 1 and len(docs) >= PARALLEL_MIN_DOCS:
        mentions, parts = extract_then(docs.texts, nlp, processes,
                                       partial(prepare_mentions, version=EXTRACTOR_VERSION), docs.doc_ids)
        prepared = PreparedMentions(EXTRACTOR_VERSION)
        for part in parts:
            prepared.extend(part)
    else:
        mentions = extract_many(docs.texts, nlp)
    return DealBatch(docs.doc_ids, mentions, docs.published, prepared)


def load_deals(settings: Settings, batch: DealBatch) -> list[dict]:
    """Store the deals of a batch; returns the deals that are new to the warehouse (for alerts)."""
    from extractors import EXTRACTOR_VERSION

    with _write_lock(settings), open_warehouse(settings.warehouse) as engine:
        rows = run_write(engine, lambda conn: load_mentions(conn, batch, EXTRACTOR_VERSION,
                                                            held_state(settings.warehouse)))
    for row in rows:  # JSON-ready: the announced date is the rows' one date
        if row["announced_date"] is not None:
            row["announced_date"] = row["announced_date"].isoformat()
    return rows
