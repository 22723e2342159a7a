"""The CLI, run as a user runs it: exit codes, output, and the warehouse rows it leaves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import CASES

MINEWIRE = str(Path(sys.executable).parent / "minewire")
DOCS = CASES / "docs"


def run(*args: str, cwd: Path | None = None, env: dict | None = None, timeout: int = 240) -> subprocess.CompletedProcess:
    return subprocess.run([MINEWIRE, *args], capture_output=True, text=True, cwd=cwd, timeout=timeout,
                          env={**os.environ, "MINEWIRE_DEBUG": "", **(env or {})})


def test_cli_extract_prints_one_json_line_per_file_in_input_order():
    files = [DOCS / "ridgeline-sale.txt", DOCS / "ridgeline-production.txt", DOCS / "ridgeline-sale.html"]
    result = run("extract", "--format", "jsonl", *map(str, files))
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    # Two files named alike but for their extension keep it, so each line's id names one file.
    assert [line["doc"] for line in lines] == ["ridgeline-sale.txt", "ridgeline-production", "ridgeline-sale.html"]
    sale, production, html_sale = (line["deals"] for line in lines)
    assert production == []
    for deals in (sale, html_sale):
        assert len(deals) == 1
        deal = deals[0]
        assert set(deal) >= {"deal_type", "buyer", "seller", "asset", "capacity_mw", "price_usd", "cash_usd",
                             "price_text", "currency", "country", "region", "evidence", "confidence"}
        assert (deal["capacity_mw"], deal["price_usd"], deal["cash_usd"]) == (55, 41_000_000, 12_000_000)
        assert "Vantor" in deal["buyer"] and "Ridgeline" in deal["seller"]
        assert (deal["country"], deal["region"]) == ("United States", "Ohio")


def test_cli_extract_names_a_missing_file_and_goes_on(tmp_path):
    result = run("extract", str(tmp_path / "nope.txt"), str(DOCS / "ridgeline-production.txt"))
    assert result.returncode == 1
    assert "nope.txt" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stdout.splitlines()) == 2


def test_cli_sql_refuses_writes_in_one_line(tmp_path):
    assert run("-w", str(tmp_path / "w.duckdb"), "init").returncode == 0
    result = run("-w", str(tmp_path / "w.duckdb"), "sql", "DELETE FROM deal_evidence")
    assert result.returncode == 1
    assert "read-only" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_sql_without_a_warehouse_says_what_to_do(tmp_path):
    result = run("-w", str(tmp_path / "none.duckdb"), "sql", "SELECT 1")
    assert result.returncode == 1 and "minewire init" in result.stderr


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_cli_sql_formats_query_results(tmp_path, fmt):
    run("-w", str(tmp_path / "w.duckdb"), "init")
    result = run("-w", str(tmp_path / "w.duckdb"), "sql", "SELECT count(*) AS n FROM companies", "--format", fmt)
    assert result.returncode == 0, result.stderr
    n = json.loads(result.stdout)[0]["n"] if fmt == "json" else int(result.stdout.splitlines()[1])
    assert n > 10  # the company registry is loaded by init


def test_cli_export_writes_parquet_that_duckdb_reads(tmp_path):
    run("-w", str(tmp_path / "w.duckdb"), "init")
    result = run("-w", str(tmp_path / "w.duckdb"), "export", "--format", "parquet", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM '{tmp_path / 'out' / 'companies.parquet'}'").fetchone()[0] > 10
    assert (tmp_path / "out" / "deal_tracker.parquet").exists()


def test_cli_every_command_has_help_with_an_example():
    for command in ["init", "demo", "ingest", "extract", "deals", "sql", "export", "backfill", "reextract"]:
        result = run(command, "--help")
        assert result.returncode == 0 and "Example:" in result.stdout, command


def test_cli_sources_add_list_remove_edit_minewire_toml(tmp_path):
    added = run("sources", "add", "acme-edgar", "--kind", "edgar", "--cik", "1234567", "--company", "Acme Mining",
                "--group", "edgar", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert 'name = "acme-edgar"' in (tmp_path / "minewire.toml").read_text()
    table = run("sources", "list", cwd=tmp_path)
    assert table.returncode == 0 and "acme-edgar" in table.stdout and "Bitfarms" in table.stdout
    removed = run("sources", "remove", "acme-edgar", cwd=tmp_path)
    assert removed.returncode == 0, removed.stderr
    assert "acme-edgar" not in run("sources", "list", cwd=tmp_path).stdout


def test_cli_ingest_without_sec_user_agent_names_the_setting(tmp_path):
    (tmp_path / "minewire.toml").write_text(
        '[[sources]]\nname = "acme-edgar"\nkind = "edgar"\ncik = "1234567"\ngroup = "edgar"\n')
    result = run("-w", str(tmp_path / "w.duckdb"), "ingest", "--no-extract", cwd=tmp_path,
                 env={"PREFECT_HOME": str(tmp_path / "prefect")})
    assert result.returncode == 1  # a source that cannot run is an error a scheduler should see
    assert "MINEWIRE_SEC_USER_AGENT" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
