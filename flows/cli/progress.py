"""Progress bars on stderr for the runs (stdout stays the machine-readable result)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from flows.cli.app import err

LABELS = {"poll": "polling sources", "extract": "extracting documents", "backfill": "walking windows",
          "files": "extracting files"}


@contextmanager
def progress_bars() -> Iterator:
    """A progress callback (step, done, total, note) drawing one bar per step; a step with nothing to do gets
    none. Without a terminal rich draws each bar once, finished, when the run ends."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.fields[note]}"))
    bars = Progress(*columns, console=err, transient=False)
    shown: dict[str, int] = {}

    def report(step: str, done: int, total: int, note: str = "") -> None:
        if step not in shown:
            if not total:
                return
            if not shown:
                bars.start()  # only now: an idle display still prints a line when it stops
            shown[step] = bars.add_task(LABELS.get(step, step), total=total, note="")
        bars.update(shown[step], completed=done, total=total, note=note)

    try:
        yield report
    finally:
        if shown:
            bars.stop()


@contextmanager
def status(message: str) -> Iterator[None]:
    """A spinner with a message on stderr while something slow starts (a line without a terminal)."""
    if not err.is_terminal:
        err.print(message, highlight=False)
        yield
        return
    with err.status(message):
        yield
