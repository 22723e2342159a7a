"""The CLI's runs without PREFECT_API_URL: in-process (no Prefect, no server), with progress on stderr, and
storing what the flows store; unknown groups, sources and companies refused in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.demo import DEMO_USER_AGENT, SAMPLE_SOURCES
from flows.watchlist import read_sources
from tests.faults.harness import rows
from tests.flows.test_cli import DOCS, MINEWIRE, run


def sample_env(server, warehouse: Path) -> dict[str, str]:
    """MINEWIRE_* variables pointing the CLI at the loopback sample (the demo's sources) and a warehouse."""
    sources = [s.model_dump(exclude_none=True) for s in read_sources(SAMPLE_SOURCES)]
    return {"MINEWIRE_WAREHOUSE_PATH": str(warehouse), "MINEWIRE_BASE_URLS": json.dumps(server.base_urls()),
            "MINEWIRE_SOURCES": json.dumps(sources), "MINEWIRE_ALLOW_PRIVATE_ADDRESSES": "true",
            "MINEWIRE_SEC_USER_AGENT": DEMO_USER_AGENT}


def test_cli_empty_reextract_imports_no_prefect_and_starts_no_server(tmp_path):
    assert run("-w", str(tmp_path / "w.duckdb"), "init").returncode == 0
    command = [sys.executable, "-X", "importtime", MINEWIRE, "-w", str(tmp_path / "w.duckdb"), "reextract"]
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    started = time.perf_counter()
    # To files, not pipes: nobody reads a pipe while the loop below waits, and -X importtime writes ~64 KB (a
    # full pipe blocks the CLI for good).
    with out.open("w") as stdout_file, err.open("w") as stderr_file:
        proc = subprocess.Popen(command, stdout=stdout_file, stderr=stderr_file, text=True,
                                env={**os.environ, "MINEWIRE_DEBUG": ""})
        spawned = set()
        while proc.poll() is None:  # what it starts while it runs (a Prefect server is a child process)
            found = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False)
            spawned.update(found.stdout.split())
            time.sleep(0.05)
    stdout, stderr = out.read_text(), err.read_text()
    took_s = time.perf_counter() - started
    print(f"empty reextract: {took_s:.2f} s (with -X importtime)")
    assert proc.returncode == 0, stderr[-2000:]
    assert "re-extracted 0 documents" in stdout
    imported = [line.rsplit("|", 1)[-1].strip() for line in stderr.splitlines() if line.startswith("import time:")]
    assert imported and not [m for m in imported if m.split(".")[0] == "prefect"]
    assert not spawned, f"started processes {spawned}"


def test_cli_plain_ingest_stores_what_the_flows_store_with_progress_on_stderr(sample_server, tmp_path,
                                                                              demo_warehouse):
    warehouse = tmp_path / "plain.duckdb"
    result = run("ingest", env=sample_env(sample_server, warehouse))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "polling sources" in result.stderr and "extracting documents" in result.stderr  # the bars, finished
    assert "polling sources" not in result.stdout and "Traceback" not in result.stderr
    query = "SELECT {} FROM {} ORDER BY ALL"  # not URLs: each sample server has its own port
    for columns, table in (("content_hash, source, title", "documents"), ("deal_id", "deals"),
                           ("count(*), count(DISTINCT deal_id)", "deal_evidence")):
        sql = query.format(columns, table)
        assert rows(warehouse, sql) == rows(demo_warehouse, sql), table  # the demo ran the Prefect flows


def test_cli_extract_progress_goes_to_stderr_and_stdout_stays_jsonl():
    files = [DOCS / "ridgeline-sale.txt", DOCS / "ridgeline-production.txt"]
    result = run("extract", "--format", "jsonl", *map(str, files))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["doc"] for line in result.stdout.splitlines()] == ["ridgeline-sale",
                                                                               "ridgeline-production"]
    assert "extracting files" in result.stderr and "2/2" in result.stderr


@pytest.mark.parametrize(("args", "named"), [
    (["ingest", "--group", "bogus"], "'bogus'"),
    (["ingest", "--source", "nope"], "nope"),
    (["backfill", "--from", "2024-01-01", "--to", "2024-03-01", "--company", "Nope"], "'Nope'"),
    (["backfill", "--from", "2024-01-01", "--to", "2024-03-01", "--source", "nope"], "nope"),
], ids=["group", "source", "company", "backfill-source"])
def test_cli_unknown_group_source_or_company_fails_in_one_line_before_any_write(tmp_path, args, named):
    result = run("-w", str(tmp_path / "w.duckdb"), *args, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert named in result.stderr and "minewire sources list" in result.stderr
    assert not (tmp_path / "w.duckdb").exists()


@pytest.mark.parametrize("args", [
    ["backfill", "--from", "2024-03-01", "--to", "2024-01-01"],
    ["deals", "--format", "xml"],
    ["review", "--accept"],
    ["no-such-command"],
], ids=["backfill-backwards", "bad-format", "review-without-id", "unknown-command"])
def test_cli_usage_errors_exit_2_in_one_line_saying_where_help_is(tmp_path, args):
    result = run("-w", str(tmp_path / "w.duckdb"), *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert "-h`" in result.stderr and "Traceback" not in result.stderr


def test_cli_debug_lets_the_traceback_through(tmp_path):
    result = run("-w", str(tmp_path / "w.duckdb"), "ingest", "--source", "nope", env={"MINEWIRE_DEBUG": "1"})
    assert result.returncode == 1 and "Traceback" in result.stderr and "SourceError" in result.stderr


def test_cli_offers_shell_completion():
    shown = run("--show-completion", "bash")
    assert shown.returncode == 0 and "_minewire_completion" in shown.stdout
    assert "--install-completion" in run("--help").stdout
    completed = subprocess.run([MINEWIRE], capture_output=True, text=True, timeout=60, check=False,
                               env={**os.environ, "_MINEWIRE_COMPLETE": "complete_bash",
                                    "COMP_WORDS": "minewire reex", "COMP_CWORD": "1"})
    assert completed.stdout.split() == ["reextract"]
