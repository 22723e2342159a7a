"""The warehouse on a DuckLake whose catalog is a real PostgreSQL server: the ingest -> extract chain gives what
a DuckDB file gives, a rerun adds nothing, `minewire sql` reads it (and earlier snapshots) and refuses writes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows.demo import demo_settings
from flows.demo.server import SampleServer
from flows.runner import run_ingest
from warehouse import connect_read_only
from warehouse.lake import as_lake
from warehouse.queries import run_sql

MINEWIRE = str(Path(sys.executable).with_name("minewire"))
TABLES = ("documents", "document_copies", "deals", "deal_evidence", "sources", "fetches", "fetch_failures",
          "http_validators", "companies", "backfill_windows")


def counts(target) -> dict[str, int]:
    con = connect_read_only(target)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def ids(target, sql: str) -> list:
    con = connect_read_only(target)
    try:
        return sorted(con.execute(sql).fetchall())
    finally:
        con.close()


@pytest.fixture(scope="module")
def runs(prefect_server, postgres_cluster, tmp_path_factory):
    """The sample ingested and extracted once into a file and once into a PostgreSQL-catalog lake, then into
    the lake again; the lake's latest snapshot after the first run."""
    work = tmp_path_factory.mktemp("lake")
    lake = {"warehouse_path": f"ducklake:postgres:{postgres_cluster.database()}", "data_path": str(work / "data")}
    with SampleServer() as server:
        file_settings = demo_settings(server, work / "minewire.duckdb")
        lake_settings = file_settings.model_copy(update=lake)
        lake_settings = type(lake_settings)(**lake_settings.model_dump())  # validated: paths are Paths
        file_run = run_ingest(file_settings)
        lake_run = run_ingest(lake_settings)
        _, rows = run_sql(lake_settings.warehouse, "SELECT max(snapshot_id) FROM lake.snapshots()")
        after_first = {"snapshot": rows[0][0], "counts": counts(lake_settings.warehouse)}
        rerun = run_ingest(lake_settings)
    return {"file": file_settings.warehouse, "lake": lake_settings.warehouse, "lake_url": lake,
            "file_run": file_run, "lake_run": lake_run, "rerun": rerun, "first": after_first}


def test_lake_ingest_and_extract_store_what_a_file_stores(runs):
    file_counts, lake_counts = counts(runs["file"]), counts(runs["lake"])
    assert lake_counts["documents"] > 20 and lake_counts["deals"] > 5
    assert runs["first"]["counts"] == file_counts
    for sql in ("SELECT deal_id, deal_type, buyer, seller, price_usd FROM deals", "SELECT key FROM documents",
                "SELECT evidence_id, deal_id, doc_id FROM deal_evidence"):
        assert ids(runs["lake"], sql) == ids(runs["file"], sql)
    assert runs["lake_run"][1]["new_deals"] == runs["file_run"][1]["new_deals"]


def test_lake_rerun_of_the_same_sample_adds_no_row(runs):
    assert counts(runs["lake"]) == runs["first"]["counts"]
    assert runs["rerun"][0]["stored"] == 0
    con = connect_read_only(runs["lake"])
    try:
        for table, key in (("documents", "doc_id"), ("deal_evidence", "evidence_id"), ("companies", "company_id"),
                           ("sources", "name"), ("http_validators", "url"), ("minewire_schema", "version")):
            total, distinct = con.execute(f"SELECT count(*), count(DISTINCT {key}) FROM {table}").fetchone()
            assert total == distinct, f"{table}: {total} rows for {distinct} keys"
    finally:
        con.close()


def test_lake_views_answer_like_the_file(runs):
    for view in ("deal_tracker", "deal_sources", "documents_by_source", "sites", "document_extractions"):
        assert len(ids(runs["lake"], f"SELECT * FROM {view}")) == len(ids(runs["file"], f"SELECT * FROM {view}"))


def test_sql_at_snapshot_answers_from_the_earlier_state(runs):
    first = runs["first"]["snapshot"]
    _, rows = run_sql(runs["lake"], "SELECT count(*) FROM fetches", snapshot=first)
    assert rows[0][0] == runs["first"]["counts"]["fetches"]
    _, early = run_sql(runs["lake"], "SELECT count(*) FROM documents", snapshot=1)
    assert early[0][0] == 0  # snapshot 1 made the tables


def minewire(lake: dict, *args: str) -> subprocess.CompletedProcess:
    """`minewire ARGS` on the lake, named by the two settings in the environment."""
    env = {**os.environ, **{f"MINEWIRE_{k.upper()}": v for k, v in lake.items()}}
    return subprocess.run([MINEWIRE, *args], capture_output=True, text=True, env=env, timeout=120)


def test_cli_sql_at_snapshot_and_as_of_on_a_lake(runs):
    done = minewire(runs["lake_url"], "sql", "--at-snapshot", "1", "SELECT count(*) AS n FROM documents", "-f", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", "0"]
    _, rows = run_sql(runs["lake"], "SELECT snapshot_time FROM lake.snapshots() WHERE snapshot_id = 1")
    done = minewire(runs["lake_url"], "sql", "--as-of", str(rows[0][0]), "SELECT count(*) AS n FROM documents",
                    "-f", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["n", "0"]
    done = minewire(runs["lake_url"], "sql", "SELECT count(*) AS n FROM documents", "-f", "csv")
    assert done.stdout.split() == ["n", str(runs["first"]["counts"]["documents"])]


def test_cli_sql_on_a_lake_refuses_writes_and_copies(runs):
    for query in ("DELETE FROM documents", "COPY documents TO 'out.csv'", "INSERT INTO sources (name, kind) "
                  "VALUES ('x', 'rss')"):
        done = minewire(runs["lake_url"], "sql", query)
        assert done.returncode == 1 and "read-only" in done.stderr, done.stderr
    assert counts(runs["lake"])["documents"] == runs["first"]["counts"]["documents"]


def test_at_snapshot_on_a_file_says_it_needs_a_lake(runs):
    with pytest.raises(Exception, match="need a lake"):
        run_sql(runs["file"], "SELECT 1", snapshot=1)


def test_migrate_a_file_into_a_lake_and_back(runs, postgres_cluster, tmp_path):
    lake = {"warehouse_path": f"ducklake:postgres:{postgres_cluster.database()}",
            "data_path": str(tmp_path / "migrated-data")}
    done = subprocess.run([MINEWIRE, "-w", str(runs["file"]), "migrate", "--to", lake["warehouse_path"],
                           "--to-data-path", lake["data_path"]], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "row counts and deal ids match" in done.stdout
    back = tmp_path / "back.duckdb"
    done = minewire(lake, "migrate", "--to", str(back))
    assert done.returncode == 0, done.stderr
    deals = "SELECT deal_id, deal_type, buyer, seller, price_usd, announced_date, sources FROM deals"
    for target in (as_lake(lake["warehouse_path"], lake["data_path"]), back):
        assert counts(target) == counts(runs["file"])
        assert ids(target, deals) == ids(runs["file"], deals)
        assert ids(target, "SELECT doc_id, content_hash, raw FROM documents") == \
            ids(runs["file"], "SELECT doc_id, content_hash, raw FROM documents")


def test_migrate_refuses_a_target_that_holds_data(runs):
    done = subprocess.run([MINEWIRE, "-w", str(runs["file"]), "migrate", "--to", runs["lake_url"]["warehouse_path"],
                           "--to-data-path", runs["lake_url"]["data_path"]], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 1 and "already holds data" in done.stderr, done.stderr
