"""A warehouse file cut short: `init` and every write refuse it with what to do (restore, or export what can
still be read), leave the file as it was, and `export` saves the tables that can still be read."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.pipeline import prepare_warehouse, store
from flows.settings import Settings
from models.records import PollResult
from tests.faults.harness import SOURCE
from warehouse import WarehouseError

MINEWIRE = str(Path(sys.executable).parent / "minewire")


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([MINEWIRE, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MINEWIRE_DEBUG": ""})


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def cut_warehouse(warehouse) -> Path:
    """5,000 documents whose data lies in the second half of the file and whose catalog lies in the first (a
    table dropped after them freed early blocks, where the last checkpoint wrote it), cut in half: the file
    opens and lists its tables, and only a read of the documents' data finds the missing blocks."""
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE TABLE scratch AS SELECT repeat('x' || i, 300) AS s FROM range(20000) t(i)")
    con.execute("CHECKPOINT")
    con.execute("INSERT INTO documents (doc_id, key, url, title, text, fetched_at, content_hash, kind) "
                "SELECT 'd' || i, 'k' || i, 'https://wire.example/' || i, 'Release ' || i, "
                "repeat('a mining site changed hands ', 40) || i, now()::TIMESTAMP, md5(i::VARCHAR), 'article' "
                "FROM range(5000) t(i)")
    con.execute("CHECKPOINT")
    con.execute("DROP TABLE scratch")
    con.execute("CHECKPOINT")
    con.close()
    with open(warehouse, "r+b") as f:
        f.truncate(warehouse.stat().st_size // 2)
    con = duckdb.connect(str(warehouse), read_only=True)  # the premise: it still opens and counts
    assert con.execute("SELECT count(*) FROM documents").fetchone() == (5000,)
    con.close()
    return warehouse


@pytest.fixture
def unopenable_warehouse(warehouse) -> Path:
    """A freshly prepared warehouse cut in half: its catalog is gone, DuckDB cannot even open it."""
    with open(warehouse, "r+b") as f:
        f.truncate(warehouse.stat().st_size // 2)
    return warehouse


@pytest.mark.parametrize("damaged", ["cut_warehouse", "unopenable_warehouse"])
def test_cli_init_refuses_a_damaged_warehouse_and_says_what_to_do(request, damaged):
    path = request.getfixturevalue(damaged)
    before = digest(path)
    result = cli("-w", str(path), "init")
    assert result.returncode == 1 and "warehouse ready" not in result.stdout
    line = result.stderr.strip()
    assert line.count("\n") == 0 and "Traceback" not in line, result.stderr
    assert str(path) in line and "damaged" in line and "Restore it from a backup" in line
    assert f"minewire -w {path} export" in line
    assert digest(path) == before


def test_a_write_to_a_cut_warehouse_is_refused_and_the_file_left_alone(cut_warehouse):
    before = digest(cut_warehouse)
    settings = Settings(warehouse_path=cut_warehouse)
    for write in (lambda: prepare_warehouse(settings), lambda: store(settings, SOURCE, PollResult(source="x"))):
        with pytest.raises(WarehouseError, match=r"damaged \(.*documents.*\).*export"):
            write()
    assert digest(cut_warehouse) == before


def test_cli_export_of_a_cut_warehouse_saves_what_can_be_read(cut_warehouse, tmp_path):
    out = tmp_path / "saved"
    result = cli("-w", str(cut_warehouse), "export", str(out))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "documents" in result.stderr and "could not be read" in result.stderr
    saved = {p.stem for p in out.glob("*.parquet")}
    assert {"companies", "sources", "fetch_failures"} <= saved and "documents" not in saved
    con = duckdb.connect()
    assert con.execute(f"SELECT count(*) FROM '{out / 'companies.parquet'}'").fetchone()[0] > 0
