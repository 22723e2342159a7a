"""DuckLake warehouses: the catalog URL and its data path, the extensions from their packages, attaching.

A lake is a catalog (PostgreSQL, SQLite or a DuckDB file) plus Parquet files under a data path. Many processes
read and write it at once with snapshot isolation; a DuckDB connection reaches it by attaching it as `lake`.
The extensions come from the `duckdb-extension-*` packages, loaded from their files: never downloaded at run
time (autoinstall is off), so a machine that installed minewire can open a lake without a network.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from warehouse.retry import conflict_delays, keep_trying

PREFIX = "ducklake:"
ALIAS = "lake"
# DuckDB settings for a connection that attaches a lake: never fetch an extension from the network.
OFFLINE = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
# extension name -> the package that ships its file (extensions/v<duckdb version>/<name>.duckdb_extension)
_PACKAGES = {"ducklake": "duckdb_extension_ducklake", "postgres_scanner": "duckdb_extension_postgres_scanner",
             "sqlite_scanner": "duckdb_extension_sqlite_scanner"}


class LakeError(Exception):
    """A lake URL or its extensions cannot be used; the message says what to set or install."""


@dataclass(frozen=True)
class Lake:
    """A DuckLake warehouse: `ducklake:postgres:dbname=… host=…`, `ducklake:sqlite:PATH` or
    `ducklake:PATH.ducklake`, and the directory its Parquet files go to (None: the one the catalog recorded
    when the lake was made; a new PostgreSQL-catalog lake needs one)."""

    url: str
    data_path: Path | None

    @property
    def catalog(self) -> str:
        """postgres, sqlite or duckdb: what holds the catalog."""
        rest = self.url[len(PREFIX):]
        return rest.split(":", 1)[0] if rest.startswith(("postgres:", "sqlite:")) else "duckdb"

    @property
    def catalog_file(self) -> Path | None:
        """The catalog's file, for a SQLite or DuckDB catalog."""
        rest = self.url[len(PREFIX):]
        if self.catalog == "postgres":
            return None
        return Path(rest.split(":", 1)[1] if self.catalog == "sqlite" else rest)

    def __str__(self) -> str:  # what messages show: the URL (a PostgreSQL password never belongs in it)
        return self.url


def is_lake(target) -> bool:
    """Whether a warehouse setting names a lake rather than a DuckDB file."""
    return isinstance(target, Lake) or str(target).startswith(PREFIX)


def as_lake(target, data_path: Path | str | None = None) -> Lake:
    """The Lake a setting names; without a data path, a file catalog keeps its files in a folder beside it
    (`catalog.ducklake` -> `catalog.ducklake.files/`), and a PostgreSQL catalog uses the one it recorded."""
    if isinstance(target, Lake):
        return target
    url = str(target)
    if not url.startswith(PREFIX) or len(url) == len(PREFIX):
        raise LakeError(f"{url!r} is not a DuckLake URL: use ducklake:postgres:dbname=… host=…, "
                        "ducklake:sqlite:PATH or ducklake:PATH.ducklake")
    lake = Lake(url, None)
    if data_path is None:
        if lake.catalog_file is None:
            return lake
        data_path = lake.catalog_file.with_name(lake.catalog_file.name + ".files")
    return Lake(url, Path(data_path).absolute())


NEEDS_DATA_PATH = ("a new PostgreSQL-catalog lake needs a data path for its Parquet files: set MINEWIRE_DATA_PATH "
                   "(or data_path in minewire.toml) to a directory")


def extension_file(name: str) -> Path:
    """The extension's file inside its package, built for the DuckDB version installed."""
    import duckdb

    try:
        package = importlib.import_module(_PACKAGES[name])
    except ImportError as exc:
        raise LakeError(f"the DuckDB extension {name} is not installed: pip install "
                        f"{_PACKAGES[name].replace('_', '-')}=={duckdb.__version__}") from exc
    path = Path(package.__file__).parent / "extensions" / f"v{duckdb.__version__}" / f"{name}.duckdb_extension"
    if not path.exists():
        found = sorted(p.parent.name for p in Path(package.__file__).parent.glob("extensions/*/*.duckdb_extension"))
        raise LakeError(f"{_PACKAGES[name]} has no build for DuckDB {duckdb.__version__} (it has {', '.join(found)}): "
                        "install the versions pinned in constraints.txt")
    return path


def attach(con, lake: Lake, *, read_only: bool = False, snapshot: int | None = None,
           as_of: datetime | str | None = None) -> None:
    """Load the extensions the lake needs and attach it as `lake`, the connection's default database;
    `snapshot` or `as_of` attaches it as it was then (read-only)."""
    con.execute(f"LOAD '{extension_file('ducklake')}'")
    if lake.catalog != "duckdb":
        con.execute(f"LOAD '{extension_file(lake.catalog + '_scanner')}'")
    options = [f"DATA_PATH {_quote(str(lake.data_path) + '/')}"] if lake.data_path is not None else []
    if read_only or snapshot is not None or as_of is not None:
        options.append("READ_ONLY")
    if snapshot is not None:
        options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
    if as_of is not None:
        options.append(f"SNAPSHOT_TIME {_quote(str(as_of))}")
    if not (read_only or snapshot is not None or as_of is not None):
        if lake.data_path is not None:
            lake.data_path.mkdir(parents=True, exist_ok=True)
        if lake.catalog_file is not None:
            lake.catalog_file.parent.mkdir(parents=True, exist_ok=True)
    elif lake.catalog_file is not None and not lake.catalog_file.exists():
        raise LakeError(f"{lake}: no lake here; run `minewire init` or `minewire ingest` first")
    statement = f"ATTACH {_quote(lake.url)} AS {ALIAS}" + (f" ({', '.join(options)})" if options else "")
    def attempt() -> None:
        try:
            con.execute(statement)
        except Exception as exc:  # duckdb.Error; duckdb is imported lazily
            if "data_path is not set" in str(exc).lower():
                raise LakeError(f"{lake}: {NEEDS_DATA_PATH}") from exc
            raise

    # Two processes attaching a new lake at once both try to make its catalog: the one that lost finds the
    # catalog's tables made, and attaches the lake the other made.
    keep_trying(attempt, _lost_catalog_race, conflict_delays(), f"{lake}: could not attach the lake; try again")
    con.execute(f"USE {ALIAS}")
    # Many writers commit at once: DuckLake retries a commit that only raced for the next snapshot id.
    con.execute("SET ducklake_max_retry_count = 100")


def _lost_catalog_race(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "failed to initialize ducklake" in text and "already exists" in text


def data_path(con, lake: Lake) -> Path:
    """The attached lake's data directory: the setting, or the one its catalog recorded."""
    if lake.data_path is not None:
        return lake.data_path
    recorded = con.execute(f"SELECT value FROM __ducklake_metadata_{ALIAS}.ducklake_metadata "
                           "WHERE key = 'data_path'").fetchone()
    return Path(recorded[0])


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
