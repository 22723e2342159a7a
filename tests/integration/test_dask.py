"""Extraction on a real local Dask cluster (two worker processes) finds exactly what the in-process run finds."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from flows.demo import DEMO_USER_AGENT, SAMPLE_SOURCES
from flows.demo.server import SampleServer
from flows.extract_deals import with_task_runner
from flows.ingest import ingest
from flows.runs import settings_param
from flows.settings import Settings
from flows.sources.watchlist import read_sources
from warehouse import connect_read_only

pytestmark = pytest.mark.prefect_server

COMPARED = {
    "deals": "SELECT * FROM deals ORDER BY deal_id",
    "deal_evidence": "SELECT * FROM deal_evidence ORDER BY evidence_id",
    "documents": "SELECT d.doc_id, e.extractor_version FROM documents d LEFT JOIN document_extractions e USING (doc_id) ORDER BY doc_id",
}


def extract_settings(warehouse: Path, **overrides) -> Settings:
    # Small batches, so the sample's sixteen news documents make several tasks for the workers to share.
    return Settings(warehouse_path=warehouse, batch_size=4, **overrides)


def table_rows(warehouse: Path) -> dict[str, list[tuple]]:
    con = connect_read_only(warehouse)
    try:
        return {name: con.execute(sql).fetchall() for name, sql in COMPARED.items()}
    finally:
        con.close()


def without_order(result: dict) -> dict:
    return {**result, "new_deal_ids": sorted(result["new_deal_ids"])}


@pytest.fixture(scope="module")
def baseline(prefect_server, tmp_path_factory):
    """The sample stored once (not yet extracted), and the same warehouse extracted in-process on threads."""
    stored, threads = (tmp_path_factory.mktemp("dask") / n for n in ("stored.duckdb", "threads.duckdb"))
    with pytest.MonkeyPatch.context() as env, SampleServer() as server:
        env.setenv("MINEWIRE_SEC_USER_AGENT", DEMO_USER_AGENT)
        ingest(group="news", settings=settings_param(Settings(warehouse_path=stored, base_urls=server.base_urls(),
                                                sources=read_sources(SAMPLE_SOURCES), allow_private_addresses=True)))
    shutil.copy(stored, threads)
    cfg = extract_settings(threads)
    result = with_task_runner(cfg)(settings=settings_param(cfg))
    assert result["documents"] > 4, "several batches"
    return stored, without_order(result), table_rows(threads)


def model_loaded_here() -> bool:
    """Run on each Dask worker: did this process load the spaCy pipeline (so it ran an extract task)?"""
    pipeline = sys.modules.get("flows.pipeline")
    return bool(pipeline and pipeline._NLP)


def test_extract_deals_on_dask_cluster_at_an_address_matches_in_process_run(baseline, tmp_path):
    from distributed import Client, LocalCluster

    stored, expected_result, expected_rows = baseline
    warehouse = Path(shutil.copy(stored, tmp_path / "dask.duckdb"))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        cfg = extract_settings(warehouse, task_runner="dask", dask_address=cluster.scheduler_address)
        result = with_task_runner(cfg)(settings=settings_param(cfg))
        workers_used = client.run(model_loaded_here)

    assert len(workers_used) == 2 and any(workers_used.values()), workers_used
    assert without_order(result) == expected_result
    assert table_rows(warehouse) == expected_rows


def test_extract_deals_on_its_own_local_dask_cluster_matches_in_process_run(baseline, tmp_path):
    stored, expected_result, expected_rows = baseline
    warehouse = Path(shutil.copy(stored, tmp_path / "dask.duckdb"))
    cfg = extract_settings(warehouse, task_runner="dask")  # no address: with_task_runner starts two workers

    result = with_task_runner(cfg)(settings=settings_param(cfg))

    assert without_order(result) == expected_result
    assert table_rows(warehouse) == expected_rows
