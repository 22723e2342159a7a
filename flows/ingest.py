"""The `ingest` flow: poll sources, store new documents, announce them with one event per run."""

from __future__ import annotations

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event
from prefect.runtime import flow_run

from flows import pipeline
from flows.artifacts import publish_new_documents
from flows.jobs import ingest_sources
from flows.runs import settings_from
from flows.settings import RunSettings
from flows.steps import Progress
from flows.tasks import prefect_steps
from warehouse import held_warehouse

STORED_EVENT = "minewire.documents.stored"
NEW_DOCUMENTS_KEY = "ingest-new-documents"


@flow(name="ingest")
def ingest(group: str | None = None, sources: list[str] | None = None, settings: RunSettings | None = None,
           progress: Progress | None = None) -> dict:
    """Poll the watchlist (or one group / named sources) once and store what is new."""
    settings = settings_from(settings)
    with held_warehouse(settings.warehouse):  # the artifact reads the stored rows through the run's one writer
        summary, reports = ingest_sources(settings, prefect_steps(), group, sources, progress)
        publish_new_documents(settings, summary["stored_ids"], NEW_DOCUMENTS_KEY)
    announce_stored(summary["stored_ids"], f"ingest {group or 'all'}", [r.source for r in reports if r.stored])
    create_markdown_artifact(markdown=summary_markdown(summary, reports), key="ingest-summary",
                             description="documents stored by this ingest run")
    get_run_logger().info("stored %d new documents from %d sources (%d failed documents, %d unchanged)",
                          len(summary["stored_ids"]), summary["sources"], summary["failed"], summary["skipped"])
    return summary


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


def summary_markdown(summary: dict, reports: list[pipeline.StoreReport]) -> str:
    lines = ["# minewire ingest", "", "| source | seen | stored | copies | failed | unchanged |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r.source} | {r.seen} | {len(r.stored)} | {r.copies} | {r.failed} | {r.skipped} |" for r in reports]
    for title, items in (("Source errors", summary["source_errors"]), ("Failed documents", summary["failures"])):
        if items:
            lines += ["", f"## {title}", ""] + [f"- {i}" for i in items[:50]]
    return "\n".join(lines)
