"""Copying a warehouse into another: a DuckDB file into a lake, or a lake into a file, checked after."""

from __future__ import annotations

import pyarrow as pa
import sqlalchemy as sa

from models.tables import SCHEMA_VERSION
from warehouse.engine import WarehouseError, connect_read_only, raw_connection, run_write
from warehouse.held import open_warehouse
from warehouse.schema import LAKE_TABLES, init_warehouse

# Every table the two kinds share; the target's own init writes minewire_schema, and minewire_writes is the
# lake's bookkeeping.
COPIED = [t.name for t in LAKE_TABLES if t.name not in ("minewire_schema", "minewire_writes")]
BATCH_ROWS = 5_000  # documents carry their pages: rows are copied a batch at a time, not a table at once
DEAL_IDS = "SELECT deal_id FROM deals ORDER BY deal_id"


def copy_warehouse(source, target) -> dict[str, int]:
    """Copy every row of `source` into `target` (made if missing, and empty), in one transaction, then check
    that each table has as many rows on both sides and the `deals` view the same deal ids; rows per table.

    Both at SCHEMA_VERSION: run `minewire init` on an older source first."""
    src = connect_read_only(source)
    try:
        version = src.execute("SELECT max(version) FROM minewire_schema").fetchone()[0]
        if version != SCHEMA_VERSION:
            raise WarehouseError(f"{source} is at schema v{version}, not v{SCHEMA_VERSION}: run `minewire init` on "
                                 "it first")
        with open_warehouse(target) as engine:
            init_warehouse(engine)
            with engine.connect() as conn:
                stored = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in COPIED}
            if any(n for t, n in stored.items() if t != "companies"):
                raise WarehouseError(f"{target} already holds data ({', '.join(t for t, n in stored.items() if n)}): "
                                     "migrate into a new warehouse")
            run_write(engine, lambda conn: _copy_rows(src, conn))
        return _check(source, target)
    finally:
        src.close()


def _copy_rows(src, conn: sa.Connection) -> None:
    raw = raw_connection(conn)
    raw.execute("DELETE FROM companies")  # the target's init loaded none, or the same registry: the source's win
    for table in COPIED:
        reader = src.execute(f"SELECT * FROM {table}").fetch_record_batch(BATCH_ROWS)
        for batch in reader:
            raw.register("_migrated", pa.Table.from_batches([batch]))
            try:
                raw.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _migrated")
            finally:
                raw.unregister("_migrated")


def _check(source, target) -> dict[str, int]:
    """Row counts per table and deal ids, on both sides; WarehouseError naming what differs."""
    sides = []
    for side in (source, target):
        con = connect_read_only(side)
        try:
            counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in COPIED}
            sides.append((counts, [d for (d,) in con.execute(DEAL_IDS).fetchall()]))
        finally:
            con.close()
    (counts, deals), (copied, copied_deals) = sides
    differ = [f"{t}: {counts[t]} -> {copied[t]}" for t in COPIED if counts[t] != copied[t]]
    if differ or deals != copied_deals:
        raise WarehouseError(f"the copy in {target} differs from {source}: {'; '.join(differ) or 'deal ids'}")
    return counts
