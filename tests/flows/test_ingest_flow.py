"""The ingest and extract_deals flows under a real Prefect server, against the loopback sample."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone

import duckdb
import pytest

import flows.ingest as ingest_module
import flows.jobs as jobs_module  # the runs' bodies, which the flows run with tasks
from flows.demo import demo_settings
from flows.demo.server import SampleServer
from flows.runner import run_ingest

PREFECT_LOOKUPS: list[int] = []  # objects Prefect looked at in task arguments during first_run
RUN_STARTED: list[datetime] = []  # when first_run began: earlier tests' task runs share the Prefect server
TABLES = ("documents", "document_copies", "deals", "deal_evidence", "sources", "fetches", "fetch_failures")


def _counts(path) -> dict[str, int]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    finally:
        con.close()


def _tracker(path) -> list[dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cur = con.execute("SELECT * FROM deal_tracker")
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row)) for row in cur.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def module_server():
    with SampleServer() as server:
        yield server


@pytest.fixture(scope="module")
def warehouse_path(tmp_path_factory):
    return tmp_path_factory.mktemp("ingest") / "minewire.duckdb"


@pytest.fixture(scope="module")
def first_run(prefect_server, module_server, warehouse_path):
    """One ingest + extraction of the whole sample, shared by the tests below (each run costs ~30 s)."""
    os.environ["MINEWIRE_SEC_USER_AGENT"] = "minewire tests tests@example.invalid"
    announced, looked_up = [], []
    try:
        with pytest.MonkeyPatch.context() as mp:
            real = ingest_module.announce_stored
            mp.setattr(ingest_module, "announce_stored", lambda *args: announced.append(args) or real(*args))
            # Prefect asks this of every object it visits in a task's arguments while looking for upstream runs.
            import prefect.utilities.engine as prefect_engine

            lookup = prefect_engine.get_state_for_result
            mp.setattr(prefect_engine, "get_state_for_result", lambda obj: looked_up.append(1) or lookup(obj))
            settings = demo_settings(module_server, warehouse_path)
            RUN_STARTED.append(datetime.now(timezone.utc))
            summary, extracted = run_ingest(settings)
    finally:
        os.environ.pop("MINEWIRE_SEC_USER_AGENT", None)
    PREFECT_LOOKUPS.append(len(looked_up))
    return settings, summary, extracted, announced


def test_ingest_flow_stores_the_sample_and_the_tracker_has_paso_pe(first_run, warehouse_path):
    _, summary, extracted, _ = first_run
    assert summary["stored"] + summary["copies"] + summary["duplicates"] >= 30 and summary["failed"] == 0 and not summary["source_errors"]
    assert summary["seen"] == summary["stored"] + summary["copies"] + summary["failed"] + summary["skipped"] \
        + summary["duplicates"]
    assert extracted["documents"] == summary["stored"] and extracted["new_deals"] >= 5
    paso = [d for d in _tracker(warehouse_path) if d["asset"] and "Paso Pe" in d["asset"]]
    assert len(paso) == 1, paso
    deal = paso[0]
    assert (deal["capacity_mw"], deal["price_usd"], deal["country"]) == (70, 30_000_000, "Paraguay")
    assert "Bitfarms" in deal["seller"] and "Sympatheia" in deal["buyer"]
    assert deal["sources"] == 3  # the wire release, the trade-press story and the 6-K exhibit


def test_prefect_does_not_walk_the_documents_and_deals_handed_to_tasks(first_run):
    # Prefect walks task arguments item by item and field by field looking for futures, two or three times a
    # call; a batch of 500 documents' deals took ~50 ms a walk and the walks seconds of a 2,000-document run.
    # The flows hand arguments over `opaque`: one look-up per argument, and the run graph keeps its links.
    from prefect.client.orchestration import get_client

    _, summary, extracted, _ = first_run
    assert summary["stored"] >= 20 and extracted["mentions"] >= 10
    assert PREFECT_LOOKUPS[0] < 100, PREFECT_LOOKUPS  # walking the sample's arguments: thousands
    with get_client(sync_client=True) as client:
        runs = [r for r in client.read_task_runs() if r.created >= RUN_STARTED[0]]  # not earlier tests' runs
    extract_ids = {r.id for r in runs if r.name.startswith("extract_task")}
    loads = [r for r in runs if r.name.startswith("load_deals_task")]
    assert loads and extract_ids
    for run in loads:  # each load shows the extraction it loaded as its upstream task
        assert {i.id for i in run.task_inputs["batch"]} <= extract_ids and run.task_inputs["batch"]


def test_ingest_flow_announces_one_batch_named_after_the_run(first_run):
    _, summary, _, announced = first_run
    [(ids, batch_name, sources)] = announced
    assert ids == summary["stored_ids"] and batch_name == "ingest all" and sources


def _first_table(key: str) -> list[dict]:
    """Rows of the earliest table artifact called `key` since first_run began (later tests publish more)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
                                      sort=ArtifactSort.CREATED_DESC)
    (artifact, *_) = [a for a in reversed(found) if a.created >= RUN_STARTED[0]]
    assert artifact.type == "table" and artifact.flow_run_id
    return json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data


def test_ingest_and_extract_runs_publish_tables_of_what_they_found_new(first_run):
    _, summary, extracted, _ = first_run
    deals = _first_table("extract-deals-new-deals")
    assert sorted(d["deal_id"] for d in deals) == sorted(extracted["new_deal_ids"])
    (paso,) = [d for d in deals if d["asset"] and "Paso Pe" in d["asset"]]
    assert (paso["capacity_mw"], paso["price_usd"], paso["country"]) == (70, 30_000_000, "Paraguay")
    documents = _first_table("ingest-new-documents")
    assert sorted(d["doc_id"] for d in documents) == sorted(summary["stored_ids"])
    assert all(d["title"] and d["url"].startswith("http://127.0.0.1") for d in documents)


def test_ingest_flow_second_run_fetches_conditionally_and_writes_nothing(first_run, module_server, warehouse_path):
    settings, _, _, _ = first_run
    before = _counts(warehouse_path)
    module_server.clear_log()
    os.environ["MINEWIRE_SEC_USER_AGENT"] = "minewire tests tests@example.invalid"
    try:
        summary, extracted = run_ingest(settings)
    finally:
        os.environ.pop("MINEWIRE_SEC_USER_AGENT", None)
    assert summary["stored"] == 0 and summary["rows_written"] == 0 and extracted["documents"] == 0
    assert _counts(warehouse_path) == before
    requests = module_server.requests
    assert requests and all(r.status == 304 for r in requests), {(r.path, r.status) for r in requests}


def test_ingest_polls_only_a_few_groups_ahead_of_what_it_has_stored(prefect_server, module_server, tmp_path,
                                                                     monkeypatch):
    # Polled groups wait in memory until stored: all of them polled at once held every document of the run.
    from flows import pipeline

    events, real_poll, real_store = [], pipeline.poll_many, pipeline.store_many
    monkeypatch.setattr(pipeline, "poll_many", lambda *a, **k: events.append("poll") or real_poll(*a, **k))
    monkeypatch.setattr(pipeline, "store_many", lambda *a, **k: events.append("store") or real_store(*a, **k))
    monkeypatch.setattr(jobs_module, "SOURCES_PER_TASK", 1)
    monkeypatch.setattr(jobs_module, "GROUPS_IN_FLIGHT", 1)
    settings = demo_settings(module_server, tmp_path / "minewire.duckdb")
    summary, _ = run_ingest(settings, extract=False)
    assert summary["stored_ids"] and events.count("poll") == len(settings.sources) >= 3
    for k in range(events.count("store")):  # before the k-th store: the window (1) plus the next group at most
        before = events[:[i for i, e in enumerate(events) if e == "store"][k]]
        assert before.count("poll") <= k + 2, events


def test_ingest_opens_the_warehouse_once_for_every_group_it_stores(prefect_server, module_server, tmp_path,
                                                                   monkeypatch):
    # Each open made DuckDB load the documents' key indexes again on the first store (~0.5 s and ~50 MB at
    # 20,000 documents) and checkpoint on close: the run holds one writer for all its stores.
    import warehouse.engine as engine_module

    opens, real_open = [], engine_module._open_engine
    monkeypatch.setattr(engine_module, "_open_engine", lambda *a, **k: opens.append(a[0]) or real_open(*a, **k))
    monkeypatch.setattr(jobs_module, "SOURCES_PER_TASK", 1)
    settings = demo_settings(module_server, tmp_path / "minewire.duckdb")
    summary, _ = run_ingest(settings, extract=False)
    assert summary["stored"] and len(settings.sources) >= 3
    assert len(opens) == 1, opens
