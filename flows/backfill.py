"""The `backfill` flow: walk history in date windows, resumable (windows already done are skipped)."""

from __future__ import annotations

from datetime import date

from prefect import flow
from prefect.artifacts import create_markdown_artifact

from flows.artifacts import publish_new_documents
from flows.ingest import announce_stored
from flows.jobs import backfill_windows
from flows.runs import settings_from
from flows.settings import RunSettings
from flows.steps import Progress
from flows.tasks import prefect_steps
from warehouse import held_warehouse


@flow(name="backfill")
def backfill(start: date, end: date, sources: list[str] | None = None, companies: list[str] | None = None,
             window_days: int = 90, settings: RunSettings | None = None, progress: Progress | None = None) -> dict:
    """Poll each source window by window over [start, end]; a rerun skips the windows already done."""
    settings = settings_from(settings)
    with held_warehouse(settings.warehouse):  # the artifact reads the stored rows through the run's one writer
        totals = backfill_windows(settings, prefect_steps(), start, end, sources, companies, window_days, progress)
        publish_new_documents(settings, totals["stored_ids"], "backfill-new-documents")
    # Like ingest: one event for the run, so a deployed backfill gets its documents extracted too.
    announce_stored(totals["stored_ids"], f"backfill {start}..{end}", totals["sources"])
    create_markdown_artifact(
        markdown=f"# minewire backfill {start}..{end}\n\n{totals['windows']} windows walked, "
                 f"{totals['skipped_windows']} already done, {totals['stored']} documents stored, "
                 f"{totals['failed']} failures", key="backfill-summary")
    return totals
