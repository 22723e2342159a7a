"""`minewire demo`: the real pipeline, end to end, against the bundled sample served on 127.0.0.1."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console

from flows import render
from flows.demo.server import SAMPLE_SITE, SampleServer
from flows.settings import Settings
from flows.sources.watchlist import read_sources

SAMPLE_SOURCES = SAMPLE_SITE.parent / "sources.toml"
DEMO_USER_AGENT = "minewire demo demo@example.invalid"


def demo_settings(server: SampleServer, warehouse: Path) -> Settings:
    """Settings that point every source and base URL at the loopback server."""
    os.environ.setdefault("MINEWIRE_SEC_USER_AGENT", DEMO_USER_AGENT)  # env, never a flow parameter
    return Settings(
        warehouse_path=warehouse,
        base_urls=server.base_urls(),
        sources=read_sources(SAMPLE_SOURCES),
        allow_private_addresses=True,  # the sample's links point at 127.0.0.1
    )


@contextmanager
def _no_bars() -> Iterator[None]:
    yield None


def run_demo(warehouse: Path, console: Console, bars=None, started: float | None = None) -> dict:
    """Serve the sample, ingest and extract under Prefect, print the deal tracker and the wall time.

    bars: a context manager factory giving a progress callback (the CLI's progress bars), held for the run.
    started: perf_counter() when the user's wait began (before a temporary server started), if earlier."""
    from extractors import model_name
    from flows.pipeline import get_nlp
    from flows.runner import run_ingest
    from warehouse.queries import deal_tracker

    began = time.perf_counter()
    started = began if started is None else started
    with SampleServer() as server:
        settings = demo_settings(server, warehouse)
        console.print(f"sample site served at {server.base_url} ({len(settings.sources)} sources)")
        with (bars or _no_bars)() as progress:
            summary, extracted = run_ingest(settings, progress=progress)
    render.ingest_summary(console, summary, extracted)
    console.print(f"extraction model: {model_name(get_nlp(settings.spacy_model))}")
    columns, rows = deal_tracker(settings.warehouse)
    render.tracker(console, list(columns), rows, title="minewire deal tracker (demo)")
    elapsed = time.perf_counter() - started
    server = f" ({began - started:.1f} s of it starting the temporary Prefect server)" if began - started > 0.5 else ""
    console.print(f"demo finished in {elapsed:.1f} s{server}; warehouse: {warehouse} "
                  f"(try: minewire -w {warehouse} sql \"SELECT * FROM documents_by_source\")")
    return {"summary": summary, "extracted": extracted, "deals": len(rows), "wall_s": elapsed}
