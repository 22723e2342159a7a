"""Fixtures for the integration tests: a real Prefect server per test, and minewire's worker environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flows.demo import DEMO_USER_AGENT, SAMPLE_SOURCES
from flows.sources.watchlist import read_sources
from tests.integration.stack import PrefectStack


@contextmanager
def running_stack(home: Path, scheduler: bool = False) -> Iterator[PrefectStack]:
    """`prefect server start` on 127.0.0.1 with its own PREFECT_HOME; every process it started is stopped
    afterwards, pass or fail."""
    home.mkdir()
    stack = PrefectStack(home)
    try:
        yield stack.start(scheduler=scheduler)
    finally:
        stack.stop()


@pytest.fixture
def prefect_stack(tmp_path: Path):
    """A real Prefect server whose scheduler is off: only the test creates flow runs."""
    with running_stack(tmp_path / "prefect-home") as stack:
        yield stack


@pytest.fixture
def scheduling_prefect_stack(tmp_path: Path):
    """A real Prefect server whose scheduler turns deployment schedules into flow runs every 5 s."""
    with running_stack(tmp_path / "prefect-home", scheduler=True) as stack:
        yield stack


@pytest.fixture
def minewire_env(sample_server, warehouse_path: Path) -> dict[str, str]:
    """MINEWIRE_* variables that point a process at the sample server and the test's warehouse
    (pydantic-settings reads JSON for the dict and list settings)."""
    sources = [s.model_dump(exclude_none=True) for s in read_sources(SAMPLE_SOURCES)]
    return {
        "MINEWIRE_WAREHOUSE_PATH": str(warehouse_path),
        "MINEWIRE_BASE_URLS": json.dumps(sample_server.base_urls()),
        "MINEWIRE_SOURCES": json.dumps(sources),
        "MINEWIRE_ALLOW_PRIVATE_ADDRESSES": "true",
        "MINEWIRE_SEC_USER_AGENT": DEMO_USER_AGENT,
    }
