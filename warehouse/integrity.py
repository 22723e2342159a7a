"""Is the warehouse file whole? A read of every table's data, done before the first write of a process.

A DuckDB file cut short can still open when its catalog lies in the part that is left: then only a read of
the data finds the missing blocks ("Could not read enough bytes"), and a write would go on top of them."""

from __future__ import annotations

import threading
from pathlib import Path

import duckdb

# Words in DuckDB's errors that mean the file itself is damaged, not the query or the lock.
_DAMAGE_WORDS = ("could not read enough bytes", "corrupt", "checksum", "not a valid duckdb database",
                 "failed to read database header")
_CHECKED: set[tuple[str, int, int]] = set()
_CHECKED_LOCK = threading.Lock()


def looks_damaged(exc: BaseException) -> bool:
    """True when a DuckDB error says the file is damaged (truncated, bad checksum, not a database)."""
    text = str(exc).lower()
    return any(word in text for word in _DAMAGE_WORDS)


def damage_message(path: Path, detail: str) -> str:
    """One line: which file, what failed, and what to do."""
    first = detail.strip().splitlines()[0] if detail.strip() else "unreadable"
    return (f"{path}: the warehouse file is damaged ({first}); nothing was written to it. Restore it from a "
            f"backup, or save what can still be read with `minewire -w {path} export DIR` and start a new one")


def unreadable_table(con: duckdb.DuckDBPyConnection) -> tuple[str, str] | None:
    """(table, error) of the first table whose data cannot be read in full, or None when every one can.

    Hashing every row reads every column of every row group, so each data block is loaded and checksummed."""
    tables = [name for (name,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1").fetchall()]
    for name in tables:
        quoted = '"' + name.replace('"', '""') + '"'
        try:
            con.execute(f"SELECT bit_xor(hash(t)) FROM {quoted} AS t").fetchall()
        except duckdb.Error as exc:
            return name, str(exc)
    return None


def needs_check(path: Path) -> tuple[str, int, int] | None:
    """The file's identity if this process has not checked it yet (a file restored in its place is new)."""
    try:
        stat = path.stat()
    except OSError:
        return None  # a new warehouse: nothing to check
    key = (str(path.resolve()), stat.st_dev, stat.st_ino)
    with _CHECKED_LOCK:
        return None if key in _CHECKED else key


def mark_checked(key: tuple[str, int, int]) -> None:
    with _CHECKED_LOCK:
        _CHECKED.add(key)
