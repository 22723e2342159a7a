"""Running the pipeline without Prefect: the runs' bodies (flows/jobs.py) over the plain steps, in this process.

The same three functions as flows/runner.py, which runs them as Prefect flows. Nothing here imports Prefect:
a run with nothing to do costs what reading the warehouse costs, not a server's start.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from flows import jobs, pipeline
from flows.settings import Settings
from flows.steps import Progress, Steps, plain_steps


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt  # as Ctrl-C: the run's fetches stop at once and the command ends


@contextmanager
def steps() -> Iterator[Steps]:
    """Plain steps on a pool of threads (the groups and batches a flow keeps in flight); SIGTERM ends the run
    as Ctrl-C does (a flow gets that from Prefect)."""
    pool = ThreadPoolExecutor(max_workers=max(jobs.GROUPS_IN_FLIGHT, jobs.IN_FLIGHT), thread_name_prefix="step")
    main = threading.current_thread() is threading.main_thread()  # only it may take signals
    previous = signal.signal(signal.SIGTERM, _interrupt) if main else None
    try:
        yield plain_steps(pool)
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        pool.shutdown(wait=True)


def _extract_new(settings: Settings, progress: Progress | None, older_than: str | None = None) -> dict:
    if settings.task_runner == "dask":
        pipeline.log.warning("task_runner dask is for the Prefect flows (set PREFECT_API_URL): extracting here")
    with steps() as plain:
        done = jobs.extract_documents(settings, plain, None, stale_only=True, older_than=older_than,
                                      progress=progress)
    return jobs.extraction_result(done)


def run_ingest(settings: Settings, *, group: str | None = None, sources: list[str] | None = None,
               extract: bool = True, progress: Progress | None = None) -> tuple[dict, dict | None]:
    """Poll and store, then extract what is not yet extracted: the ingest and extract_deals flows' work."""
    with steps() as plain:
        summary, _ = jobs.ingest_sources(settings, plain, group, sources, progress)
    return summary, _extract_new(settings, progress) if extract else None


def run_reextract(settings: Settings, older_than: str | None = None, progress: Progress | None = None) -> dict:
    """Re-extract stored documents whose deals came from another (or an older) extractor version."""
    return _extract_new(settings, progress, older_than)


def run_backfill(settings: Settings, start, end, *, sources=None, companies=None, window_days: int = 90,
                 extract: bool = True, progress: Progress | None = None) -> tuple[dict, dict | None]:
    """Walk the windows, then extract what was stored."""
    with steps() as plain:
        totals = jobs.backfill_windows(settings, plain, start, end, sources, companies, window_days, progress)
    extracted = _extract_new(settings, progress) if extract and totals["stored_ids"] else None
    return totals, extracted
