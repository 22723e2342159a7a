"""The warehouse's errors: each message names the file and what to do."""


class WarehouseError(Exception):
    """The warehouse file cannot be used as asked; the message says which file and what to do."""


class WarehouseBusy(WarehouseError):
    """Another process holds DuckDB's write lock for longer than we were willing to wait."""
