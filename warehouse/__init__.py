"""The DuckDB warehouse: engine, schema and upgrades, bulk loads, views, read-only queries, export.

The names below are imported on first use, not with the package: the extraction workers import
warehouse.matching, and loading DuckDB, SQLAlchemy and Arrow as well would cost each of them ~80 MB."""

from importlib import import_module

_EXPORTS = {
    "WarehouseBusy": "warehouse.errors", "WarehouseError": "warehouse.errors", "connect_read_only": "warehouse.engine",
    "held_state": "warehouse.held", "held_warehouse": "warehouse.held", "note_cached": "warehouse.held",
    "open_warehouse": "warehouse.held", "run_write": "warehouse.engine", "is_lake": "warehouse.lake", "init_warehouse": "warehouse.schema", "schema_version": "warehouse.schema",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'warehouse' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
