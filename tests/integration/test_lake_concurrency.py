"""Many writers on a DuckLake with a PostgreSQL catalog: a poll, a backfill and a re-extraction in three OS
processes at once, while `minewire sql` and a plain `duckdb` reader query the lake in a loop. Every process
finishes without a lock error, no query fails, and the lake ends up as after running the writers one by one."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.integration.stack import REPO, Process
from tests.integration.test_concurrent_runs import BACKFILL, COUNTS, LOCK_TROUBLE, POLL
from warehouse import connect_read_only
from warehouse.lake import as_lake

pytestmark = pytest.mark.prefect_server

MINEWIRE = str(Path(sys.executable).with_name("minewire"))
COMMANDS = {"backfill": BACKFILL, "poll": POLL, "reextract": ["reextract"]}


def lake_env(stack, minewire_env: dict, postgres_cluster, data: Path) -> tuple[dict, str]:
    url = f"ducklake:postgres:{postgres_cluster.database()}"
    return stack.env(**{**minewire_env, "MINEWIRE_WAREHOUSE_PATH": url, "MINEWIRE_DATA_PATH": str(data)}), url


def start(stack, env: dict, names: list[str]) -> dict[str, Process]:
    return {n: stack.spawn(f"minewire-{n}", [MINEWIRE, *COMMANDS[n]], env, cwd=REPO) for n in names}


def finished(processes: dict[str, Process], timeout_s: float) -> None:
    """Each command exited 0 without a word about a lock (nor a lost conflict given up on)."""
    deadline = time.monotonic() + timeout_s
    for name, process in processes.items():
        try:
            code = process.wait(max(deadline - time.monotonic(), 1))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"`minewire {name}` still running after {timeout_s:.0f} s\n{process.tail()}")
        output = process.log.read_text(errors="replace").lower()
        assert code == 0, process.tail(80)
        assert not [t for t in (*LOCK_TROUBLE, "kept losing") if t in output], process.tail(80)


def plain_reader_count(url: str, data: Path) -> int | None:
    """What a user's own duckdb sees: the extensions loaded from their packages, the lake attached read-only
    (None before the first writer has made the lake)."""
    import duckdb_extension_ducklake
    import duckdb_extension_postgres_scanner

    def ext(package, name: str) -> str:
        return str(Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension")

    con = duckdb.connect(config={"autoinstall_known_extensions": False})
    try:
        con.execute(f"LOAD '{ext(duckdb_extension_ducklake, 'ducklake')}'")
        con.execute(f"LOAD '{ext(duckdb_extension_postgres_scanner, 'postgres_scanner')}'")
        try:
            con.execute(f"ATTACH '{url}' AS lake (READ_ONLY, DATA_PATH '{data}/')")
        except duckdb.InvalidInputException as exc:
            if "does not exist" in str(exc):
                return None
            raise
        tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'lake'"
                                            ).fetchall()}
        return con.execute("SELECT count(*) FROM lake.deal_evidence").fetchone()[0] \
            if "deal_evidence" in tables else 0
    finally:
        con.close()


def state(url: str, data: Path) -> dict:
    con = connect_read_only(as_lake(url, data))
    try:
        found = {name: con.execute(sql).fetchone() for name, sql in COUNTS.items()}
        found["unextracted"] = con.execute("SELECT count(*) FROM documents WHERE doc_id NOT IN "
                                           "(SELECT doc_id FROM document_extractions)").fetchone()
        found["keys"] = sorted(k for (k,) in con.execute("SELECT key FROM documents").fetchall())
        found["deal_ids"] = sorted(d for (d,) in con.execute("SELECT deal_id FROM deals").fetchall())
        found["evidence_ids"] = sorted(con.execute("SELECT evidence_id, deal_id FROM deal_evidence").fetchall())
    finally:
        con.close()
    return found


def test_three_writers_and_readers_at_once_on_a_postgres_lake(prefect_stack, minewire_env, postgres_cluster,
                                                              tmp_path):
    stack = prefect_stack
    together = tmp_path / "together"
    env, url = lake_env(stack, minewire_env, postgres_cluster, together)
    made = subprocess.run([MINEWIRE, "init"], env=env, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr  # a re-extraction needs the tables the others would make
    writers = start(stack, env, ["backfill", "poll", "reextract"])
    queries, plain_reads = [], []
    while any(p.running() for p in writers.values()):
        done = subprocess.run([MINEWIRE, "sql", "SELECT count(*) FROM deal_tracker", "-f", "csv"], env=env,
                              cwd=REPO, capture_output=True, text=True, timeout=60)
        queries.append((done.returncode, done.stderr.strip()))
        plain_reads.append(plain_reader_count(url, together))
    finished(writers, timeout_s=240)

    assert len(queries) >= 2, "the writers finished before a query could run beside them"
    assert [q for q in queries if q[0] != 0] == []
    assert plain_reads == sorted(plain_reads)  # each read saw a committed state, never a partial one undone

    one_by_one = tmp_path / "one-by-one"
    env, sequential_url = lake_env(stack, minewire_env, postgres_cluster, one_by_one)
    for name in ("backfill", "poll"):  # a re-extraction after these finds nothing left to extract
        finished(start(stack, env, [name]), timeout_s=150)

    concurrent, sequential = state(url, together), state(sequential_url, one_by_one)
    assert concurrent["documents"][0] > 0 and concurrent["deals"][0] > 0
    for name in COUNTS:
        count, distinct = concurrent[name]
        assert count == distinct, f"duplicated {name}: {concurrent[name]}"
    assert concurrent == sequential
    assert plain_reader_count(url, together) == len(concurrent["evidence_ids"])
