"""The whole event chain on a real `prefect server start` and a process worker, deployed from prefect.yaml:
poll-news stores documents -> minewire.documents.stored -> extract-on-stored -> deals + minewire.deal.detected."""

from __future__ import annotations

import json

import pytest

from flows.extract_deals import DEAL_EVENT
from flows.ingest import STORED_EVENT
from tests.integration.stack import PrefectStack, deploy_minewire, wait_until
from warehouse import connect_read_only

pytestmark = pytest.mark.prefect_server

DEAL_PAYLOAD_KEYS = {"deal_id", "deal_type", "buyer", "seller", "asset", "capacity_mw", "price_usd", "country",
                     "region"}


def stored_event_of(stack: PrefectStack, ingest_id: str) -> list[str]:
    """The run's one STORED_EVENT: it names the run's batch and lists every new document once."""
    stored = wait_until(lambda: stack.events(STORED_EVENT), 30, f"a {STORED_EVENT} event", stack.logs)
    assert len(stored) == 1, [e["resource"] for e in stored]
    assert stored[0]["resource"]["prefect.resource.id"] == f"minewire.batch.{ingest_id}"
    ids = stored[0]["payload"]["document_ids"]
    assert ids and len(set(ids)) == len(ids)
    return ids


def triggered_extract_run(stack: PrefectStack, deployment_id: str) -> dict:
    """The extract-on-stored run the automation started, once it finished."""
    first = wait_until(lambda: stack.runs_of(deployment_id), 60, "the event-triggered extract run", stack.logs)[0]
    run = stack.wait_for_run(first["id"], timeout_s=150)
    assert run["state_type"] == "COMPLETED", stack.logs()
    assert run["created_by"]["type"] == "AUTOMATION"
    return run


def warehouse_state(warehouse_path) -> tuple[list[tuple], set[str]]:
    con = connect_read_only(warehouse_path)
    try:
        docs = con.execute("SELECT d.doc_id, e.extractor_version FROM documents d LEFT JOIN document_extractions e USING (doc_id)").fetchall()
        return docs, {r[0] for r in con.execute("SELECT deal_id FROM deals").fetchall()}
    finally:
        con.close()


def deal_events_for(stack: PrefectStack, deal_ids: set[str]) -> list[dict]:
    def all_arrived():
        events = stack.events(DEAL_EVENT)
        return events if len(events) >= len(deal_ids) else None

    return wait_until(all_arrived, 30, f"{len(deal_ids)} {DEAL_EVENT} events", stack.logs)


def test_event_chain_poll_news_triggers_extraction_and_deal_events(prefect_stack, minewire_env, warehouse_path):
    stack = prefect_stack
    deployments = deploy_minewire(stack)
    assert {"poll-news", "poll-edgar", "extract-on-stored", "backfill", "reextract"} <= set(deployments)
    stack.start_worker("minewire", minewire_env)

    ingest_id = stack.run_deployment("ingest/poll-news")
    assert stack.wait_for_run(ingest_id, timeout_s=150)["state_type"] == "COMPLETED", stack.logs()
    stored_ids = stored_event_of(stack, ingest_id)
    extract_run = triggered_extract_run(stack, deployments["extract-on-stored"]["id"])
    assert sorted(json.loads(extract_run["parameters"]["document_ids"])) == sorted(stored_ids)

    docs, deal_ids = warehouse_state(warehouse_path)  # the runs are over: the file is free to read
    assert sorted(d for d, _ in docs) == sorted(stored_ids)
    assert all(version for _, version in docs), "every stored document was extracted"
    assert deal_ids, "the sample's news documents state deals"

    deal_events = deal_events_for(stack, deal_ids)  # one per new deal, with what an automation needs
    assert sorted(e["payload"]["deal_id"] for e in deal_events) == sorted(deal_ids)
    assert all(DEAL_PAYLOAD_KEYS <= set(e["payload"]) for e in deal_events)
    assert {e["resource"]["prefect.resource.id"] for e in deal_events} == {f"minewire.deal.{d}" for d in deal_ids}

    artifacts = {a["key"]: a for a in stack.post("/artifacts/filter")}
    assert artifacts["ingest-summary"]["flow_run_id"] == ingest_id
    assert artifacts["extract-deals-summary"]["flow_run_id"] == extract_run["id"]
    assert f"{len(deal_ids)} new deals" in artifacts["extract-deals-summary"]["data"]
    new_deals = json.loads(artifacts["extract-deals-new-deals"]["data"])  # a table artifact per run
    assert artifacts["extract-deals-new-deals"]["flow_run_id"] == extract_run["id"]
    assert artifacts["extract-deals-new-deals"]["type"] == "table"
    assert sorted(d["deal_id"] for d in new_deals) == sorted(deal_ids)
    new_documents = json.loads(artifacts["ingest-new-documents"]["data"])
    assert artifacts["ingest-new-documents"]["flow_run_id"] == ingest_id
    assert sorted(d["doc_id"] for d in new_documents) == sorted(stored_ids)


def test_deployed_flows_take_their_settings_as_a_form(prefect_stack):
    deployments = deploy_minewire(prefect_stack)
    for name in ("poll-news", "extract-on-stored", "backfill", "compact-lake"):
        schema = deployments[name]["parameter_openapi_schema"]
        form = schema["definitions"]["RunSettings"]["properties"]
        assert {"warehouse_path", "batch_size", "timeout_s", "sources"} <= set(form), name
        assert "sec_user_agent" not in form and form["batch_size"]["description"], name
