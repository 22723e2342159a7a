"""Running the flows from the command line: in-process, or against PREFECT_API_URL when it is set."""

from __future__ import annotations

from flows.runs import settings_param
from flows.settings import Settings


def run_ingest(settings: Settings, *, group: str | None = None, sources: list[str] | None = None,
               extract: bool = True) -> tuple[dict, dict | None]:
    """The ingest flow, then (without an automation to trigger it) extract_deals on what it stored."""
    from flows.extract_deals import with_task_runner
    from flows.ingest import ingest

    param = settings_param(settings)
    summary = ingest(group=group, sources=sources, settings=param)
    extracted = None
    if extract:
        extracted = with_task_runner(settings)(document_ids=None, stale_only=True, settings=param)
    return summary, extracted


def run_reextract(settings: Settings, older_than: str | None = None) -> dict:
    """Re-extract stored documents whose deals came from another (or an older) extractor version."""
    from flows.extract_deals import with_task_runner

    return with_task_runner(settings)(document_ids=None, stale_only=True, older_than=older_than,
                                      settings=settings_param(settings))


def run_backfill(settings: Settings, start, end, *, sources=None, companies=None, window_days: int = 90,
                 extract: bool = True, console=None) -> tuple[dict, dict | None]:
    """The backfill flow with a progress bar per window, then extraction of what it stored."""
    from rich.progress import Progress

    from flows.backfill import backfill, date_windows
    from flows.extract_deals import with_task_runner

    param = settings_param(settings)
    windows = date_windows(start, end, window_days)
    with Progress(console=console, transient=False) as progress:
        bar = progress.add_task(f"backfill {start}..{end}", total=len(windows))

        def advance(window, totals):
            progress.update(bar, advance=1, description=f"{window[0]}..{window[1]}: {totals['stored']} stored")

        totals = backfill(start=start, end=end, sources=sources, companies=companies, window_days=window_days,
                          settings=param, on_window=advance)
    extracted = None
    if extract and totals["stored_ids"]:
        extracted = with_task_runner(settings)(document_ids=None, stale_only=True, settings=param)
    return totals, extracted
