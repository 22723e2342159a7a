"""`minewire sql` on results bigger than memory: rows stream to the output, a table shows a capped number of
rows and says how many it left out, and a query that needs more than the memory limit fails in one line
(issue 21 point 9)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MINEWIRE = str(Path(sys.executable).parent / "minewire")
# Runs the CLI as its only child and prints the child's peak RSS in kB (ru_maxrss of RUSAGE_CHILDREN).
PEAK_RSS = ("import resource, subprocess, sys; "
            "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True); "
            "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.stderr.strip())")
ROWS = 3_000_000
# Materialised as Python tuples, ROWS rows of two BIGINTs and a short string took ~1 GB; streamed, the CLI
# stays at its imports' size (~150 MB) whatever the row count.
PEAK_RSS_BOUND_KB = 350_000


def cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([MINEWIRE, *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MINEWIRE_DEBUG": "", **env})


@pytest.fixture
def warehouse(prepared_warehouse, tmp_path) -> Path:
    path = tmp_path / "minewire.duckdb"
    path.write_bytes(prepared_warehouse.read_bytes())
    return path


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_sql_streams_a_result_bigger_than_it_could_hold(warehouse, fmt):
    query = f"SELECT i, i * 2 AS j, 'row ' || i AS label FROM range({ROWS}) t(i)"
    measured = subprocess.run([sys.executable, "-c", PEAK_RSS, MINEWIRE, "-w", str(warehouse), "sql", query,
                               "--format", fmt], capture_output=True, text=True, timeout=300)
    code, peak_kb, stderr = measured.stdout.split(" ", 2)
    assert code == "0", stderr
    assert int(peak_kb) < PEAK_RSS_BOUND_KB, f"peak RSS {int(peak_kb) // 1024} MB: the rows were held in memory"


def test_sql_streamed_output_is_every_row_in_order(warehouse):
    result = cli("-w", str(warehouse), "sql", "SELECT i, 'x' || i AS s FROM range(5000) t(i)", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["i,s", *(f"{i},x{i}" for i in range(5000))]
    result = cli("-w", str(warehouse), "sql", "SELECT i FROM range(3) t(i)", "--format", "json")
    assert result.stdout == '[\n {"i": 0},\n {"i": 1},\n {"i": 2}\n]\n'


def test_sql_table_shows_a_capped_number_of_rows_and_says_how_many_were_cut(warehouse):
    result = cli("-w", str(warehouse), "sql", "SELECT i FROM range(2500) t(i)")
    assert result.returncode == 0, result.stderr
    assert "│ 999 " in result.stdout and "│ 1000 " not in result.stdout
    assert "showing 1,000 of 2,500 rows: 1,500 not shown (--max-rows 0 shows them all" in result.stdout
    result = cli("-w", str(warehouse), "sql", "SELECT i FROM range(2500) t(i)", "--max-rows", "0")
    assert "│ 2499 " in result.stdout and result.stdout.rstrip().endswith("2500 rows")
    result = cli("-w", str(warehouse), "sql", "SELECT i FROM range(2500) t(i)", "--max-rows", "10")
    assert "│ 9 " in result.stdout and "│ 10 " not in result.stdout and "2,490 not shown" in result.stdout


def test_sql_too_big_for_the_memory_limit_fails_in_one_clear_line(warehouse):
    # One list of 20 million numbers cannot spill to disk: it needs ~160 MB in one piece.
    result = cli("-w", str(warehouse), "sql", "SELECT list(i) AS l FROM range(20000000) t(i)",
                 MINEWIRE_SQL_MEMORY_LIMIT="64MB")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "query too big" in result.stderr and "64MB" in result.stderr and "sql_memory_limit" in result.stderr

