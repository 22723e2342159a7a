"""Running the pipeline as Prefect flows from the command line (PREFECT_API_URL set, the demo, the tests).

flows/plain.py has the same three functions without Prefect; the CLI picks one of the two modules.
"""

from __future__ import annotations

from flows.runs import settings_param
from flows.settings import Settings
from flows.steps import Progress


def run_ingest(settings: Settings, *, group: str | None = None, sources: list[str] | None = None,
               extract: bool = True, progress: Progress | None = None) -> tuple[dict, dict | None]:
    """The ingest flow, then (without an automation to trigger it) extract_deals on what it stored."""
    from flows.extract_deals import with_task_runner
    from flows.ingest import ingest

    param = settings_param(settings)
    summary = ingest(group=group, sources=sources, settings=param, progress=progress)
    extracted = None
    if extract:
        extracted = with_task_runner(settings)(document_ids=None, stale_only=True, settings=param,
                                               progress=progress)
    return summary, extracted


def run_reextract(settings: Settings, older_than: str | None = None, progress: Progress | None = None) -> dict:
    """Re-extract stored documents whose deals came from another (or an older) extractor version."""
    from flows.extract_deals import with_task_runner

    return with_task_runner(settings)(document_ids=None, stale_only=True, older_than=older_than,
                                      settings=settings_param(settings), progress=progress)


def run_backfill(settings: Settings, start, end, *, sources=None, companies=None, window_days: int = 90,
                 extract: bool = True, progress: Progress | None = None) -> tuple[dict, dict | None]:
    """The backfill flow, then extraction of what it stored."""
    from flows.backfill import backfill
    from flows.extract_deals import with_task_runner

    param = settings_param(settings)
    totals = backfill(start=start, end=end, sources=sources, companies=companies, window_days=window_days,
                      settings=param, progress=progress)
    extracted = None
    if extract and totals["stored_ids"]:
        extracted = with_task_runner(settings)(document_ids=None, stale_only=True, settings=param,
                                               progress=progress)
    return totals, extracted
