"""What ingest, backfill and extract_deals do, written once over `Steps`: the Prefect flows run these bodies with
tasks, the CLI without a server runs them with the plain functions (flows/steps.py). No Prefect here."""

from __future__ import annotations

from collections import deque
from datetime import date, timedelta
from itertools import islice

from flows import pipeline
from flows.runs import select_sources
from flows.settings import Settings, SourceConfig
from flows.sources.deadline import stop_requests_on_interrupt
from flows.sources.errors import SourceError
from flows.steps import Progress, Steps
from warehouse import held_warehouse, open_warehouse
from warehouse.state import walked_windows

SOURCES_PER_TASK = 10
GROUPS_IN_FLIGHT = 3
IN_FLIGHT = 2  # extraction batches submitted ahead of the load


def _no_progress(step: str, done: int, total: int, note: str = "") -> None:
    return None


def ingest_sources(settings: Settings, steps: Steps, group: str | None = None, names: list[str] | None = None,
                   progress: Progress | None = None) -> tuple[dict, list[pipeline.StoreReport]]:
    """Poll the chosen sources once and store what is new; the run's summary and each source's report."""
    chosen = select_sources(settings, group, names)  # an unknown group or source is refused before any write
    # The writer is held for the run, as extract_documents holds it: opening the file costs more than storing a
    # group (DuckDB loads the documents' key indexes on the first look-up after each open; the cost grows with
    # the warehouse, bench/README.md). Another writer or a reader that waits gets it between two stores.
    with stop_requests_on_interrupt(), held_warehouse(settings.warehouse):
        pipeline.prepare_warehouse(settings)
        steps.before_writes(settings)
        reports, source_errors = poll_and_store(settings, steps, chosen, progress or _no_progress)
    return summarise(reports, source_errors), reports


def poll_and_store(settings: Settings, steps: Steps, chosen: list[SourceConfig],
                   progress: Progress) -> tuple[list[pipeline.StoreReport], list[str]]:
    """Poll the sources group by group and store each group's polls in order."""
    states = pipeline.read_states(settings, chosen)  # one warehouse open for all, not one per source
    # A task per group of sources, not per source: a task run has a fixed cost in CPU and server writes
    # (bench/README.md), and a feed poll often brings a handful of documents. Groups poll in parallel and are
    # stored in order.
    # Up to GROUPS_IN_FLIGHT groups are polled while the one before them is stored, so memory holds a few
    # groups' documents however many sources the watchlist has.
    batches = (chosen[i:i + SOURCES_PER_TASK] for i in range(0, len(chosen), SOURCES_PER_TASK))

    def submit(batch: list[SourceConfig]) -> tuple:
        return batch, steps.submit_poll_group(settings, batch, {s.name: states[s.name] for s in batch})

    window = deque(submit(batch) for batch in islice(batches, GROUPS_IN_FLIGHT))
    reports, source_errors, done = [], [], 0
    progress("poll", 0, len(chosen), "")
    while window:
        batch, future = window.popleft()
        try:
            results = future.result()
        except Exception as exc:  # noqa: BLE001 - a broken group must not stop the other groups
            results = [exc] * len(batch)
        del future  # the window no longer holds it either: its documents go once stored
        window.extend(submit(b) for b in islice(batches, 1))
        polls = []
        for source, result in zip(batch, results):
            if isinstance(result, Exception):  # one bad source never stops the others
                steps.log.error("source %s failed: %s", source.name, result)
                source_errors.append(f"{source.name}: {result}")
            elif pipeline.is_quiet(result):  # answered 304 and nothing else: nothing to write, no task run
                reports.append(pipeline.store(settings, source, result))
            else:
                polls.append((source, result))
        if polls:
            reports += steps.store_group(settings, polls)
        done += len(batch)
        progress("poll", done, len(chosen), f"{sum(len(r.stored) for r in reports)} new documents")
    return reports, source_errors


def summarise(reports: list[pipeline.StoreReport], source_errors: list[str]) -> dict:
    keys = ("seen", "copies", "duplicates", "failed", "skipped", "requests", "not_modified", "rows_written")
    summary = {k: sum(getattr(r, k) for r in reports) for k in keys}
    summary["stored_ids"] = [d for r in reports for d in r.stored]
    summary["stored"] = len(summary["stored_ids"])
    summary["source_errors"] = source_errors
    summary["failures"] = [f for r in reports for f in r.failures]
    summary["sources"] = len(reports) + len(source_errors)
    summary["failed_sources"] = [r.source for r in reports if r.listing_failed]
    return summary


def ingest_problem(summary: dict) -> str | None:
    """Why an ingest run should count as failed (a source that could not run, or no source read), or None."""
    if summary["source_errors"]:
        return f"{len(summary['source_errors'])} source(s) could not be polled (see above)"
    failed = summary.get("failed_sources", [])
    if failed and len(failed) == summary.get("sources"):
        return (f"every source failed ({', '.join(failed)}): none could be read; see the reasons above, "
                "fix them and run again")
    return None


def extract_documents(settings: Settings, steps: Steps, document_ids: list[str] | None = None, stale_only: bool = True,
                      older_than: str | None = None, progress: Progress | None = None) -> dict:
    """Extract and load deals batch by batch: {"documents": ids, "mentions": n, "new_deals": [deal rows]}."""
    progress = progress or _no_progress
    steps.before_writes(settings)
    # The writer is held for the run (a load costs a batch's rows, not opening and checkpointing the file);
    # another writer that waits for it gets it while the run extracts, or after the current load.
    with held_warehouse(settings.warehouse):
        ids = pipeline.select_document_ids(settings, document_ids, stale_only=stale_only, older_than=older_than)
        size = max(settings.batch_size, 1)
        batches = (pipeline.read_documents(settings, ids[i : i + size]) for i in range(0, len(ids), size))
        # A bounded window of batches in flight: the next batch extracts while this one loads, yet memory holds
        # two batches' spaCy docs, not every batch of a 20,000-document backfill at once (one thread each).
        window: deque = deque(steps.submit_extract(settings, b) for b in islice(batches, IN_FLIGHT))
        new_deals, mentions, done = [], 0, 0
        progress("extract", 0, len(ids), "")
        while window:
            batch = window.popleft().result()
            window.extend(steps.submit_extract(settings, b) for b in islice(batches, 1))
            mentions += batch.mention_count
            new_deals += steps.load_deals(settings, batch)
            done += len(batch)
            progress("extract", done, len(ids), f"{len(new_deals)} new deals")
    return {"documents": ids, "mentions": mentions, "new_deals": new_deals}


def extraction_result(done: dict) -> dict:
    """What an extraction run returns (and the CLI prints): counts, and the new deals' ids."""
    return {"documents": len(done["documents"]), "mentions": done["mentions"], "new_deals": len(done["new_deals"]),
            "new_deal_ids": [d["deal_id"] for d in done["new_deals"]]}


def date_windows(start: date, end: date, days: int) -> list[tuple[date, date]]:
    """[start, end] cut into consecutive windows of at most `days` days, both ends inclusive."""
    if end < start:
        raise ValueError(f"backfill window ends ({end}) before it starts ({start})")
    windows, cursor = [], start
    while cursor <= end:
        last = min(cursor + timedelta(days=days - 1), end)
        windows.append((cursor, last))
        cursor = last + timedelta(days=1)
    return windows


def backfill_sources(settings: Settings, names: list[str] | None, companies: list[str] | None) -> list[SourceConfig]:
    """The sources a backfill walks: by name, then by company (or source name); SourceError naming a company
    no source is about."""
    chosen = select_sources(settings, None, names)
    if not companies:
        return chosen
    about = {(s.company or "").lower() for s in chosen} | {s.name.lower() for s in chosen}
    unknown = [c for c in companies if c.lower() not in about]
    if unknown:
        raise SourceError(f"no source is about company {', '.join(map(repr, unknown))}: `minewire sources list` "
                          "shows each source's company")
    wanted = {c.lower() for c in companies}
    return [s for s in chosen if (s.company or "").lower() in wanted or s.name.lower() in wanted]


def backfill_windows(settings: Settings, steps: Steps, start: date, end: date, names: list[str] | None = None,
                     companies: list[str] | None = None, window_days: int = 90,
                     progress: Progress | None = None) -> dict:
    """Poll each source window by window over [start, end]; a rerun skips the windows already done."""
    progress = progress or _no_progress
    chosen = backfill_sources(settings, names, companies)
    windows = date_windows(start, end, window_days)
    totals = {"windows": 0, "skipped_windows": 0, "stored": 0, "failed": 0, "stored_ids": [], "sources": []}
    with stop_requests_on_interrupt(), held_warehouse(settings.warehouse):  # as ingest holds it
        pipeline.prepare_warehouse(settings)
        steps.before_writes(settings)
        progress("backfill", 0, len(windows), f"{start}..{end}")
        for i, window in enumerate(windows, 1):
            walk_window(settings, steps, chosen, window, totals)
            progress("backfill", i, len(windows), f"{window[0]}..{window[1]}: {totals['stored']} stored")
    return totals


def walk_window(settings: Settings, steps: Steps, chosen: list[SourceConfig], window: tuple[date, date],
                totals: dict) -> None:
    """Poll and store each source over one window (unless already walked), adding to totals."""
    done = done_windows(settings, [s.name for s in chosen])
    for source in chosen:
        if (source.name, *window) in done:
            totals["skipped_windows"] += 1
            continue
        try:
            result = steps.poll_window(settings, source, window[0], window[1])
        except Exception as exc:  # noqa: BLE001 - the window stays open: the next run tries it again
            steps.log.error("backfill %s %s..%s failed: %s", source.name, *window, exc)
            totals["failed"] += 1
            continue
        report = steps.store_window(settings, source, result, window)
        totals["windows"] += 1
        totals["stored"] += len(report.stored)
        totals["failed"] += report.failed
        totals["stored_ids"] += report.stored
        if report.stored and source.name not in totals["sources"]:
            totals["sources"].append(source.name)


def done_windows(settings: Settings, sources: list[str]) -> set[tuple[str, date, date]]:
    """Windows already walked, read once per window for every source (another run may be walking too)."""
    with open_warehouse(settings.warehouse) as engine, engine.connect() as conn:
        return walked_windows(conn, sources)
