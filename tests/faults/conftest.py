"""Fault-suite fixtures: a warehouse copied from one prepared once, and retries that wait milliseconds."""

from __future__ import annotations

import functools
import shutil
import socket
import time
from pathlib import Path

import pytest

from flows import pipeline
from flows.settings import Settings
from flows.sources.http import Fetcher


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    """pipeline.poll builds its own Fetcher: give it tiny backoffs (Retry-After is still honoured up to 2 s)."""
    monkeypatch.setattr(pipeline, "Fetcher", functools.partial(Fetcher, backoff_s=0.01, max_retry_wait_s=2.0))


@pytest.fixture(scope="session")
def prepared_warehouse(tmp_path_factory) -> Path:
    """Schema and company registry, built once (1.5 s) and copied for each test."""
    path = tmp_path_factory.mktemp("template") / "minewire.duckdb"
    pipeline.prepare_warehouse(Settings(warehouse_path=path))
    return path


@pytest.fixture
def warehouse(prepared_warehouse, tmp_path) -> Path:
    """A fresh, prepared warehouse file of this test's own."""
    path = tmp_path / "minewire.duckdb"
    shutil.copyfile(prepared_warehouse, path)
    return path


@pytest.fixture
def blackhole():
    """A 127.0.0.1 port whose accept queue is full: connecting to it times out (a real connect timeout)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        try:
            filler.connect(("127.0.0.1", port))
        except BlockingIOError:
            pass
        fillers.append(filler)
    time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    for s in (*fillers, listener):
        s.close()


@pytest.fixture
def closed_port():
    """A 127.0.0.1 URL where nothing listens: connections are refused at once."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}"
