"""The `ingest` flow: poll sources, store new documents, announce them with one event per run."""

from __future__ import annotations

from collections import deque
from itertools import islice

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event
from prefect.runtime import flow_run

from flows import pipeline
from flows.deadline import stop_requests_on_interrupt
from flows.runs import ensure_write_limit, select_sources, settings_from
from flows.settings import Settings, SourceConfig
from flows.tasks import by_value, poll_sources_task, store_sources_task
from warehouse import held_warehouse

STORED_EVENT = "minewire.documents.stored"
SOURCES_PER_TASK = 10
GROUPS_IN_FLIGHT = 3


@flow(name="ingest")
def ingest(group: str | None = None, sources: list[str] | None = None, settings: dict | None = None) -> dict:
    """Poll the watchlist (or one group / named sources) once and store what is new."""
    cfg = settings_from(settings)
    logger = get_run_logger()
    # The writer is held for the run, as extract_deals holds it: opening the file costs more than storing a
    # group (DuckDB loads the documents' key indexes on the first look-up after each open, ~0.5 s and ~50 MB
    # at 20,000 documents). Another writer or a reader that waits gets it within 0.25 s while the run polls.
    with stop_requests_on_interrupt(), held_warehouse(cfg.warehouse):
        pipeline.prepare_warehouse(cfg)
        ensure_write_limit(cfg)
        chosen = select_sources(cfg, group, sources)
        reports, source_errors = poll_and_store(cfg, chosen)
    summary = summarise(reports, source_errors)
    announce_stored(summary["stored_ids"], f"ingest {group or 'all'}", [r.source for r in reports if r.stored])
    create_markdown_artifact(markdown=summary_markdown(summary, reports), key="ingest-summary",
                             description="documents stored by this ingest run")
    logger.info("stored %d new documents from %d sources (%d failed documents, %d unchanged)",
                len(summary["stored_ids"]), len(chosen), summary["failed"], summary["skipped"])
    return summary


def poll_and_store(cfg: Settings, chosen: list[SourceConfig]) -> tuple[list[pipeline.StoreReport], list[str]]:
    """Poll the sources group by group (a task each) and store each group's polls in order."""
    logger = get_run_logger()
    states = pipeline.read_states(cfg, chosen)  # one warehouse open for all, not one per source
    # A task per group of sources, not per source: a task run costs ~55 ms of CPU and server writes, and a
    # feed poll often brings a handful of documents. Groups poll in parallel and are stored in order.
    # Up to GROUPS_IN_FLIGHT groups are polled while the one before them is stored, so memory holds a few
    # groups' documents however many sources the watchlist has (all groups at once held every poll).
    batches = (chosen[i:i + SOURCES_PER_TASK] for i in range(0, len(chosen), SOURCES_PER_TASK))

    def submit(batch: list[SourceConfig]) -> tuple:
        return batch, poll_sources_task.submit(*by_value(cfg, batch, {s.name: states[s.name] for s in batch}))

    window = deque(submit(batch) for batch in islice(batches, GROUPS_IN_FLIGHT))
    reports, source_errors = [], []
    while window:
        batch, future = window.popleft()
        try:
            results = future.result()
        except Exception as exc:  # noqa: BLE001 - a broken group task must not stop the other groups
            results = [exc] * len(batch)
        del future  # the window no longer holds it either: its documents go once stored
        window.extend(submit(b) for b in islice(batches, 1))
        polls = []
        for source, result in zip(batch, results):
            if isinstance(result, Exception):  # one bad source never stops the others
                logger.error("source %s failed: %s", source.name, result)
                source_errors.append(f"{source.name}: {result}")
            elif pipeline.is_quiet(result):  # answered 304 and nothing else: nothing to write, no task run
                reports.append(pipeline.store(cfg, source, result))
            else:
                polls.append((source, result))
        if polls:
            reports += store_sources_task(*by_value(cfg, polls))
    return reports, source_errors


def announce_stored(document_ids: list[str], batch_name: str, sources: list[str]) -> None:
    """One STORED_EVENT for a whole run (none when nothing is new); its resource is the batch, named after
    this flow run, and its payload lists the new documents, which is what extract-on-stored is given."""
    if not document_ids:
        return
    emit_event(
        event=STORED_EVENT,
        resource={"prefect.resource.id": f"minewire.batch.{flow_run.get_id() or 'local'}",
                  "prefect.resource.name": batch_name},
        payload={"document_ids": document_ids, "sources": sources},
    )


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


def summary_markdown(summary: dict, reports: list[pipeline.StoreReport]) -> str:
    lines = ["# minewire ingest", "", "| source | seen | stored | copies | failed | unchanged |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r.source} | {r.seen} | {len(r.stored)} | {r.copies} | {r.failed} | {r.skipped} |" for r in reports]
    for title, items in (("Source errors", summary["source_errors"]), ("Failed documents", summary["failures"])):
        if items:
            lines += ["", f"## {title}", ""] + [f"- {i}" for i in items[:50]]
    return "\n".join(lines)
