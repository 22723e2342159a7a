"""The `compact-lake` flow: merge a lake's small Parquet files and expire old snapshots (see prefect.yaml)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from prefect import flow, get_run_logger

from flows.runs import settings_from
from flows.settings import RunSettings, Settings


def compact(settings: Settings, keep_days: float = 7.0) -> dict:
    """Compact the configured lake; a DuckDB file has nothing to compact (its checkpoint does that)."""
    from warehouse.lake import LakeError
    from warehouse.maintenance import compact_lake

    if not settings.on_lake:
        raise LakeError(f"{settings.warehouse_path} is a DuckDB file: compaction is for a lake "
                        "(ducklake:… in MINEWIRE_WAREHOUSE_PATH)")
    return asdict(compact_lake(settings.warehouse, timedelta(days=keep_days)))


@flow(name="compact-lake")
def compact_lake_flow(keep_days: float = 7.0, settings: RunSettings | None = None) -> dict:
    """Merge small files, expire snapshots older than keep_days, delete files no snapshot uses any more.
    Scheduled nightly for every install: on a DuckDB file it only says there is nothing to do."""
    settings = settings_from(settings)
    if not settings.on_lake:
        get_run_logger().info("%s is a DuckDB file: nothing to compact", settings.warehouse_path)
        return {}
    result = compact(settings, keep_days)
    get_run_logger().info("data files %(files_before)d -> %(files_after)d, snapshots %(snapshots_before)d -> "
                          "%(snapshots_after)d", result)
    return result
