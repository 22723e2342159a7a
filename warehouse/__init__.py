"""The DuckDB warehouse: engine, schema and upgrades, bulk loads, views, read-only queries, export."""

from warehouse.engine import (
    WarehouseBusy, WarehouseError, connect_read_only, held_cache, held_warehouse, note_cached, open_warehouse,
)
from warehouse.schema import init_warehouse, schema_version

__all__ = [
    "WarehouseBusy", "WarehouseError", "connect_read_only", "held_cache", "held_warehouse", "init_warehouse",
    "note_cached", "open_warehouse", "schema_version",
]
