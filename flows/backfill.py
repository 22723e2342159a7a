"""The `backfill` flow: walk history in date windows, resumable (windows already done are skipped)."""

from __future__ import annotations

from datetime import date, timedelta

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact

from flows import pipeline
from flows.deadline import stop_requests_on_interrupt
from flows.ingest import announce_stored
from flows.runs import ensure_write_limit, select_sources, settings_from
from flows.settings import Settings, SourceConfig
from flows.tasks import by_value, poll_task, store_task
from warehouse import held_warehouse, open_warehouse
from warehouse.state import walked_windows


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


def done_windows(settings, sources: list[str]) -> set[tuple[str, date, date]]:
    """Windows already walked, read once per window for every source (another run may be walking too)."""
    with open_warehouse(settings.warehouse) as engine, engine.connect() as conn:
        return walked_windows(conn, sources)


@flow(name="backfill")
def backfill(start: date, end: date, sources: list[str] | None = None, companies: list[str] | None = None,
             window_days: int = 90, settings: dict | None = None, on_window=None) -> dict:
    """Poll each source window by window over [start, end]; a rerun skips the windows already done."""
    cfg = settings_from(settings)
    chosen = select_sources(cfg, None, sources)
    if companies:
        wanted = {c.lower() for c in companies}
        chosen = [s for s in chosen if (s.company or "").lower() in wanted or s.name.lower() in wanted]
    totals = {"windows": 0, "skipped_windows": 0, "stored": 0, "failed": 0, "stored_ids": [], "sources": []}
    # As ingest holds it: one open for every window's store.
    with stop_requests_on_interrupt(), held_warehouse(cfg.warehouse):
        pipeline.prepare_warehouse(cfg)
        ensure_write_limit(cfg)
        for window in date_windows(start, end, window_days):
            walk_window(cfg, chosen, window, totals)
            if on_window:
                on_window(window, totals)
    # Like ingest: one event for the run, so a deployed backfill gets its documents extracted too.
    announce_stored(totals["stored_ids"], f"backfill {start}..{end}", totals["sources"])
    create_markdown_artifact(
        markdown=f"# minewire backfill {start}..{end}\n\n{totals['windows']} windows walked, "
                 f"{totals['skipped_windows']} already done, {totals['stored']} documents stored, "
                 f"{totals['failed']} failures", key="backfill-summary")
    return totals


def walk_window(cfg: Settings, chosen: list[SourceConfig], window: tuple[date, date], totals: dict) -> None:
    """Poll and store each source over one window (unless already walked), adding to totals."""
    logger = get_run_logger()
    done = done_windows(cfg, [s.name for s in chosen])
    for source in chosen:
        if (source.name, *window) in done:
            totals["skipped_windows"] += 1
            continue
        try:
            result = poll_task(*by_value(cfg, source, window[0], window[1]))
        except Exception as exc:  # the window stays open: the next run tries it again
            logger.error("backfill %s %s..%s failed: %s", source.name, *window, exc)
            totals["failed"] += 1
            continue
        report = store_task(*by_value(cfg, source, result, window))
        totals["windows"] += 1
        totals["stored"] += len(report.stored)
        totals["failed"] += report.failed
        totals["stored_ids"] += report.stored
        if report.stored and source.name not in totals["sources"]:
            totals["sources"].append(source.name)
