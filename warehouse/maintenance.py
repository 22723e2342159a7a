"""Keeping a lake small: small Parquet files merged, old snapshots expired, the files they alone used removed.

Every load commits its own few files (and small ones go into the catalog as inlined rows), so a lake written
every 15 minutes gathers thousands of small files; reads get slower with each. DuckLake's own functions do the
work; this runs them in order, each retried when it loses a conflict with a writer (a writer that loses to
it retries on its side: see engine.run_write)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import duckdb

from warehouse import lake as lakes
from warehouse.errors import WarehouseError
from warehouse.lake import Lake
from warehouse.retry import CONFLICT_FOR_S, conflict_delays, is_conflict, keep_trying

log = logging.getLogger("minewire")


@dataclass
class Compaction:
    """What one compaction did."""

    files_before: int
    files_after: int
    snapshots_before: int
    snapshots_after: int


def _calls(keep: timedelta) -> list[tuple[str, list]]:
    cutoff = datetime.now(timezone.utc) - keep
    return [
        ("CALL ducklake_flush_inlined_data(?)", [lakes.ALIAS]),  # inlined rows of many small loads -> Parquet
        ("CALL ducklake_merge_adjacent_files(?)", [lakes.ALIAS]),
        # Time travel reaches back `keep`: snapshots older than that go, and then the files only they used.
        ("CALL ducklake_expire_snapshots(?, older_than => ?)", [lakes.ALIAS, cutoff]),
        ("CALL ducklake_cleanup_old_files(?, older_than => ?)", [lakes.ALIAS, cutoff]),
    ]


def compact_lake(lake: Lake, keep: timedelta = timedelta(days=7)) -> Compaction:
    """Merge small files, expire snapshots older than `keep` and delete the files nothing refers to any more.
    Rows and the current state are unchanged; `minewire sql --at-snapshot` reaches back `keep` afterwards."""
    con = duckdb.connect(config=dict(lakes.OFFLINE))
    try:
        lakes.attach(con, lake)
        before = _sizes(con)
        for sql, params in _calls(keep):
            _retrying(con, sql, params, lake)
        after = _sizes(con)
    except duckdb.Error as exc:
        raise WarehouseError(f"{lake}: compaction failed: {exc}") from exc
    finally:
        con.close()
    log.info("%s: %d -> %d data files, %d -> %d snapshots", lake, before[0], after[0], before[1], after[1])
    return Compaction(before[0], after[0], before[1], after[1])


def _sizes(con) -> tuple[int, int]:
    """(data files in use, snapshots kept)."""
    files = con.execute("SELECT count(*) FROM __ducklake_metadata_lake.ducklake_data_file "
                        "WHERE end_snapshot IS NULL").fetchone()[0]
    snapshots = con.execute("SELECT count(*) FROM lake.snapshots()").fetchone()[0]
    return files, snapshots


def _retrying(con, sql: str, params: list, lake: Lake) -> None:
    keep_trying(lambda: con.execute(sql, params), lambda exc: isinstance(exc, duckdb.Error) and is_conflict(exc),
                conflict_delays(), f"{lake}: compaction kept losing to writers for {CONFLICT_FOR_S:.0f} s; try later")
