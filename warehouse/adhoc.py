"""Ad-hoc SQL on a read-only connection, whole (`run_sql`) or streamed a batch at a time (`stream_sql`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.engine import WarehouseError, connect_read_only
from warehouse.integrity import damage_message, looks_damaged
from warehouse.lake import is_lake

# DuckDB's buffer for an ad-hoc query: larger sorts and joins spill to disk, and what cannot spill (one huge
# list or string) fails with "query too big" instead of taking the machine's memory.
SQL_MEMORY_LIMIT = "1GB"
BATCH_ROWS = 2048  # one DuckDB vector: rows are converted to Python a batch at a time
# On a lake, `minewire sql` runs only statements that read: the lake's data directory must stay readable, so
# file access cannot be turned off as on a file, and a COPY could write there.
_READING = {"SELECT", "EXPLAIN", "PRAGMA"}


class QueryRows:
    """The rows of a running query as DuckDB produces them: iterate for batches of row tuples, or count the
    rest without converting them."""

    def __init__(self, path: Path, memory_limit: str, cursor: duckdb.DuckDBPyConnection | None) -> None:
        self._path, self._memory_limit = path, memory_limit
        self._reader = iter(cursor.to_arrow_reader(BATCH_ROWS)) if cursor is not None else iter(())

    def __iter__(self) -> Iterator[list[tuple]]:
        for batch in self._batches():
            yield list(zip(*(column.to_pylist() for column in batch.columns)))

    def count_rest(self) -> int:
        """How many rows are left, read through without converting them."""
        return sum(batch.num_rows for batch in self._batches())

    def _batches(self):
        while True:
            try:
                batch = next(self._reader)
            except StopIteration:
                return
            except duckdb.Error as exc:
                raise _translate(exc, self._path, self._memory_limit) from exc
            yield batch


@contextmanager
def stream_sql(path: Path | str, query: str, params: list | None = None, *, memory_limit: str = SQL_MEMORY_LIMIT,
               snapshot: int | None = None, as_of: datetime | str | None = None
               ) -> Iterator[tuple[list[str], QueryRows]]:
    """(columns, rows) of one read-only query whose rows stream from DuckDB; the connection closes on exit.
    On a lake, `snapshot` (a snapshot id) or `as_of` (a time) answers from the lake as it was then."""
    path = path if is_lake(path) else Path(path)
    _check_one_statement(query)
    con = connect_read_only(path, external_access=False, snapshot=snapshot, as_of=as_of, memory_limit=memory_limit)
    try:
        try:
            if is_lake(path):
                kinds = {st.type.name for st in con.extract_statements(query)}
                if kinds - _READING:
                    raise WarehouseError(f"the warehouse is opened read-only for queries; only SELECT runs on a "
                                         f"lake (got {', '.join(sorted(kinds - _READING))})")
            cur = con.execute(query, params or [])
        except duckdb.Error as exc:
            raise _translate(exc, path, memory_limit) from exc
        columns = [d[0] for d in cur.description] if cur.description else []
        yield columns, QueryRows(path, memory_limit, cur if columns else None)
    finally:
        con.close()


def run_sql(path: Path | str, query: str, params: list | None = None, *, memory_limit: str = SQL_MEMORY_LIMIT,
            snapshot: int | None = None, as_of: datetime | str | None = None) -> tuple[list[str], list[tuple]]:
    """Run a query on a read-only connection and return all its rows; a write fails with a message saying so.

    External access is off too, so a query cannot COPY to a file, read other files or install extensions.
    Several statements are refused: DuckDB runs them all and returns only the last result.
    """
    with stream_sql(path, query, params, memory_limit=memory_limit, snapshot=snapshot, as_of=as_of) as (columns, rows):
        return columns, [row for batch in rows for row in batch]


def _translate(exc: duckdb.Error, path: Path, memory_limit: str) -> WarehouseError:
    """A DuckDB error as one line that says what happened and what to do."""
    text = str(exc)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    if isinstance(exc, duckdb.OutOfMemoryException) or "out of memory" in text.lower():
        return WarehouseError(f"query too big: it needs more than the {memory_limit} memory limit for queries "
                              f"({first.removeprefix('Out of Memory Error: ')}); narrow it (WHERE, LIMIT, an "
                              "aggregate) or raise the setting sql_memory_limit (MINEWIRE_SQL_MEMORY_LIMIT)")
    if "read-only" in text.lower():
        return WarehouseError(f"the warehouse is opened read-only for queries; writes are refused ({text})")
    if looks_damaged(exc):
        return WarehouseError(damage_message(path, text))
    return WarehouseError(f"query failed: {first}")


def _check_one_statement(query: str) -> None:
    """WarehouseError when `query` holds more than one statement (a syntax error is left to execute)."""
    try:
        count = len(duckdb.extract_statements(query))
    except duckdb.Error:
        return
    if count > 1:
        raise WarehouseError(f"the query holds {count} statements and only the last one's result would show: "
                             "run one statement at a time")
