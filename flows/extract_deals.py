"""The `extract_deals` flow: extract deals from stored documents in batches and announce each new deal."""

from __future__ import annotations

import json

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event

from flows.artifacts import publish_new_deals
from flows.jobs import extract_documents, extraction_result
from flows.runs import deal_line, settings_from
from flows.settings import RunSettings
from flows.steps import Progress
from flows.tasks import prefect_steps

DEAL_EVENT = "minewire.deal.detected"


@flow(name="extract_deals")
def extract_deals(document_ids: list[str] | str | None = None, stale_only: bool = True, older_than: str | None = None,
                  settings: RunSettings | None = None, progress: Progress | None = None) -> dict:
    """Extract the given documents; or (no ids) every document not yet extracted by this extractor version,
    or only those extracted by a version lower than older_than."""
    settings = settings_from(settings)
    if settings.task_runner == "dask":  # Dask workers are the processes: no extraction workers of their own
        settings = settings.model_copy(update={"extract_processes": 1})
    if isinstance(document_ids, str):  # an event trigger renders the payload's list as JSON text
        document_ids = json.loads(document_ids)
    done = extract_documents(settings, prefect_steps(), document_ids, stale_only, older_than, progress)
    ids, mentions, new_deals = done["documents"], done["mentions"], done["new_deals"]
    for deal in new_deals:
        emit_event(event=DEAL_EVENT,
                   resource={"prefect.resource.id": f"minewire.deal.{deal['deal_id']}",
                             "prefect.resource.name": deal_line(deal)},
                   payload={k: deal.get(k) for k in ("deal_id", "deal_type", "buyer", "seller", "asset",
                            "capacity_mw", "price_usd", "cash_usd", "price_text", "country", "region",
                            "announced_date", "confidence")})
    lines = ["# minewire extract_deals", "", f"{len(ids)} documents, {mentions} deal mentions, "
             f"{len(new_deals)} new deals", ""] + [f"- {deal_line(d)}" for d in new_deals[:100]]
    create_markdown_artifact(markdown="\n".join(lines), key="extract-deals-summary",
                             description="deals found by this run")
    publish_new_deals(new_deals)
    get_run_logger().info("extracted %d documents: %d mentions, %d new deals", len(ids), mentions, len(new_deals))
    return extraction_result(done)


def with_task_runner(settings) -> object:
    """extract_deals on the configured task runner: threads, or Dask (local cluster or a scheduler address)."""
    if settings.task_runner != "dask":
        return extract_deals
    from prefect_dask import DaskTaskRunner

    runner = (DaskTaskRunner(address=settings.dask_address) if settings.dask_address
              else DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True}))
    return extract_deals.with_options(task_runner=runner)
