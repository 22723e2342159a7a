"""kill -9 in the middle of a load, run again: the warehouse equals one from a clean run."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.settings import SourceConfig
from tests.faults.harness import article_html, fast_settings, rows, rss, run_once

REPO = Path(__file__).resolve().parents[2]
SOURCES = [SourceConfig(name=f"crash-feed-{i}", kind="rss", url=f"{{globenewswire}}/crash/feed-{i}.xml")
           for i in range(3)]
PAGES_PER_FEED = 5


def serve_feeds(server) -> None:
    for i in range(len(SOURCES)):
        urls = []
        for j in range(PAGES_PER_FEED):
            path = f"globenewswire/crash/f{i}-page-{j}.html"
            server.put(path, article_html(f"crash-{i}-{j}"), "text/html; charset=utf-8")
            urls.append(server.url(path))
        server.put(f"globenewswire/crash/feed-{i}.xml", rss(server, urls), "application/rss+xml")


def snapshot(warehouse: Path) -> dict:
    """Row counts of every table, and the documents' keys and content hashes."""
    tables = [t for (t,) in rows(warehouse, "SELECT table_name FROM information_schema.tables "
                                            "WHERE table_schema = 'main' AND table_type = 'BASE TABLE'")]
    state = {t: rows(warehouse, f'SELECT count(*) FROM "{t}"')[0][0] for t in tables}
    state["documents (key, hash)"] = sorted(rows(warehouse, "SELECT key, content_hash FROM documents"))
    state["sources (name, cursor)"] = sorted(rows(warehouse, "SELECT name, cursor FROM sources"))
    return state


def run_until(settings, hang_at: int, kill_on: str) -> list[str]:
    """Start the crash_run process and kill -9 it when it prints a line starting with `kill_on`."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.faults.crash_run", settings.model_dump_json(),
                             str(hang_at)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines, deadline = [], time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            line = proc.stdout.readline() if ready else ""
            lines.append(line.strip())
            if line.startswith(kill_on):
                os.kill(proc.pid, signal.SIGKILL)
                break
            if proc.poll() is not None and not ready:
                break
        else:
            pytest.fail(f"the crash run never said {kill_on!r}: {lines}")
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, lines
    return lines



@pytest.mark.parametrize("hang_at, kill_on", [(1, "inside-transaction"), (2, "inside-transaction"),
                                              (0, "committed crash-feed-0")],
                         ids=["during-first-load", "during-second-load", "after-first-commit"])
def test_kill_during_load_then_rerun_equals_a_clean_run(sample_server, tmp_path, warehouse, hang_at, kill_on):
    serve_feeds(sample_server)
    clean = fast_settings(sample_server, warehouse, sources=SOURCES)
    for source in SOURCES:
        run_once(clean, source)
    expected = snapshot(warehouse)
    assert expected["documents"] == len(SOURCES) * PAGES_PER_FEED

    crashed = clean.model_copy(update={"warehouse_path": tmp_path / "crashed" / "minewire.duckdb"})
    run_until(crashed, hang_at, kill_on)
    committed = rows(crashed.warehouse_path, "SELECT count(*) FROM documents")[0][0]
    assert committed == (PAGES_PER_FEED if hang_at == 2 else 0) if hang_at else committed >= PAGES_PER_FEED
    for source in SOURCES:  # the next scheduled run
        run_once(crashed, source)
    assert snapshot(crashed.warehouse_path) == expected
