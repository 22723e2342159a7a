"""The physical floors the pipeline is compared with: the full model on whole texts, a bare Arrow insert."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import init_warehouse, open_warehouse


@dataclass
class Floor:
    """Throughput of the raw operation, measured on `measured` items and scaled to `total`."""

    seconds: float
    measured: int
    total: int
    words: int = 0
    cpu_s: float = 0.0
    spread: tuple[float, float] = (0.0, 0.0)  # fastest and slowest of the passes measured

    @property
    def per_s(self) -> float:
        return self.measured / self.seconds if self.seconds else float("inf")

    @property
    def extrapolated_s(self) -> float:
        return self.seconds * self.total / self.measured if self.measured else 0.0


def sample_texts(warehouse: Path, n: int, seed: int = 11) -> list[str]:
    """`n` stored documents' full texts (title, blank line, body), picked at random."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        ids = [d for (d,) in con.execute("SELECT doc_id FROM documents ORDER BY doc_id").fetchall()]
        chosen = random.Random(seed).sample(ids, min(n, len(ids)))
        rows = con.execute("SELECT CASE WHEN title IS NULL THEN text ELSE title || chr(10) || chr(10) || text END "
                           "FROM documents WHERE doc_id IN (SELECT unnest(?))", [chosen]).fetchall()
    finally:
        con.close()
    return [t for (t,) in rows]


def raw_model_pipe(model: str, texts: list[str], total: int, batch_size: int = 32) -> Floor:
    """The full statistical model (every component it ships) over whole documents with nlp.pipe, one process."""
    import spacy

    nlp = spacy.load(model)
    list(nlp.pipe(texts[:5]))  # warm up: first-call allocations are not throughput
    started, cpu = time.perf_counter(), time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    floor = Floor(time.perf_counter() - started, len(texts), total, sum(len(t.split()) for t in texts))
    floor.cpu_s = time.process_time() - cpu
    return floor


def arrow_rows(warehouse: Path, table: str) -> pa.Table:
    """Every row of a warehouse table, in insertion order, as Arrow."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(f"SELECT * FROM {table}").fetch_arrow_table()
    finally:
        con.close()


def raw_arrow_insert(table: str, rows: pa.Table, batches: list[int], scratch: Path, reopen: bool = False,
                     repeats: int = 5) -> Floor:
    """Insert `rows` into an identical empty `table` (same DDL, fresh file): one Arrow insert and commit per
    batch of the sizes the pipeline loaded; on one open connection, or (`reopen`) opening the file for each
    batch as the pipeline does so that it never holds DuckDB's one-writer lock between loads.

    The median of `repeats` passes: one pass is short and single passes vary widely (bench/README.md)."""
    passes = sorted(_insert_pass(table, rows, batches, scratch, reopen) for _ in range(max(repeats, 1)))
    floor = Floor(passes[len(passes) // 2], rows.num_rows, rows.num_rows)
    floor.spread = (passes[0], passes[-1])
    return floor


def _insert_pass(table: str, rows: pa.Table, batches: list[int], scratch: Path, reopen: bool) -> float:
    """Seconds for one pass of raw_arrow_insert on a fresh file."""
    scratch.unlink(missing_ok=True)
    with open_warehouse(scratch) as engine:
        init_warehouse(engine)
    con = None if reopen else duckdb.connect(str(scratch))
    started, offset = time.perf_counter(), 0
    for size in [b for b in batches if b] or [rows.num_rows]:
        chunk = rows.slice(offset, size)  # noqa: F841 - read by name from the SQL below
        offset += size
        db = duckdb.connect(str(scratch)) if reopen else con
        db.execute("BEGIN")
        db.execute(f"INSERT INTO {table} BY NAME SELECT * FROM chunk")
        db.execute("COMMIT")
        if reopen:
            db.close()
    if con is not None:
        con.close()  # closing checkpoints the file, as the pipeline's loads do when they let go of it
    return time.perf_counter() - started
