"""run_write on a lake: two writers that read what is stored to decide what to write, at the same moment, end
with one row, because the later commit conflicts and runs again on the state the first left."""

from __future__ import annotations

import threading

import pytest

from flows.runs import settings_param
from flows.settings import Settings
from models.tables import SCHEMA_VERSION
from warehouse import init_warehouse, open_warehouse, run_write
from warehouse.lake import LakeError, as_lake
from warehouse.queries import run_sql


def test_run_write_on_a_lake_reruns_the_writer_that_lost_the_conflict(pg_lake):
    lake = Settings(**pg_lake).warehouse
    with open_warehouse(lake) as engine:
        init_warehouse(engine)
    both_read = threading.Barrier(2, timeout=30)
    attempts: list[str] = []

    def add_once(name: str) -> None:
        def work(conn):
            attempts.append(name)
            stored = conn.exec_driver_sql("SELECT count(*) FROM sources WHERE name = 'one'").scalar()
            if len(attempts) <= 2:
                both_read.wait()  # both first attempts have read "not stored" before either commits
            if not stored:
                conn.exec_driver_sql("INSERT INTO sources (name, kind) VALUES ('one', 'rss')")

        with open_warehouse(lake) as engine:
            run_write(engine, work)

    threads = [threading.Thread(target=add_once, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with open_warehouse(lake) as engine, engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM sources WHERE name = 'one'").scalar() == 1
    assert len(attempts) == 3, attempts  # one of the two ran again, and then found the row


def test_run_write_on_a_file_runs_once(warehouse_path):
    calls = []
    with open_warehouse(warehouse_path) as engine:
        init_warehouse(engine)
        run_write(engine, lambda conn: calls.append(conn.exec_driver_sql("SELECT count(*) FROM sources").scalar()))
    assert calls == [0]


def test_a_file_catalog_keeps_its_data_beside_it_and_postgres_needs_a_data_path(tmp_path):
    assert as_lake(f"ducklake:{tmp_path}/w.ducklake").data_path == tmp_path / "w.ducklake.files"
    assert as_lake(f"ducklake:sqlite:{tmp_path}/c.db", tmp_path / "d").data_path == tmp_path / "d"
    assert as_lake("ducklake:postgres:dbname=x host=127.0.0.1").data_path is None  # the catalog's own


def test_a_new_postgres_lake_needs_a_data_path_and_an_existing_one_opens_without(pg_lake):
    bare = as_lake(pg_lake["warehouse_path"])
    with pytest.raises(LakeError, match="MINEWIRE_DATA_PATH"):
        with open_warehouse(bare) as engine:
            init_warehouse(engine)
    with open_warehouse(as_lake(pg_lake["warehouse_path"], pg_lake["data_path"])) as engine:
        init_warehouse(engine)
        run_write(engine, lambda conn: conn.exec_driver_sql("INSERT INTO sources (name, kind) VALUES ('a', 'rss')"))
    _, rows = run_sql(bare, "SELECT count(*) FROM sources")  # a reader needs only the URL
    assert rows == [(1,)]


def test_a_sqlite_catalog_lake_takes_the_schema(tmp_path):
    lake = as_lake(f"ducklake:sqlite:{tmp_path}/catalog.db")
    with open_warehouse(lake) as engine:
        assert init_warehouse(engine) == 0
        assert init_warehouse(engine) == SCHEMA_VERSION
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM deal_tracker").scalar() == 0
    assert (tmp_path / "catalog.db.files").is_dir()


def test_compaction_merges_small_files_and_keeps_every_row(tmp_path, prefect_server):
    from flows.maintenance import compact_lake_flow

    settings = Settings(warehouse_path=f"ducklake:{tmp_path}/small.ducklake")
    with open_warehouse(settings.warehouse) as engine:
        init_warehouse(engine)
        for i in range(12):  # twelve loads of a few rows each: files (or inlined rows) a load
            run_write(engine, lambda conn, i=i: conn.exec_driver_sql(
                "INSERT INTO fetches (fetch_id, url, bytes, elapsed_s, not_modified, fetched_at) "
                f"SELECT 'f{i}-' || n, 'https://example.invalid/' || n, n, 0.1, false, now()::TIMESTAMP "
                "FROM range(200) r(n)"))
    done = compact_lake_flow(keep_days=0, settings=settings_param(settings))
    assert done["files_after"] < done["files_before"] and done["snapshots_after"] < done["snapshots_before"]
    _, rows = run_sql(settings.warehouse, "SELECT count(*), count(DISTINCT fetch_id) FROM fetches")
    assert rows == [(2400, 2400)]


def test_compaction_on_a_file_is_refused_by_the_cli_and_a_no_op_for_the_schedule(warehouse_path, prefect_server):
    from flows.maintenance import compact, compact_lake_flow

    settings = Settings(warehouse_path=warehouse_path)
    with pytest.raises(LakeError, match="is a DuckDB file"):
        compact(settings)
    assert compact_lake_flow(settings=settings_param(settings)) == {}
