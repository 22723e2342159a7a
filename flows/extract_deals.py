"""The `extract_deals` flow: extract deals from stored documents in batches and announce each new deal."""

from __future__ import annotations

import json
from collections import deque
from itertools import islice

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.events import emit_event

from flows import pipeline
from flows.runs import deal_line, ensure_write_limit, settings_from
from flows.tasks import by_value, extract_task, load_deals_task
from warehouse import held_warehouse

DEAL_EVENT = "minewire.deal.detected"
IN_FLIGHT = 2  # extraction batches submitted ahead of the load


@flow(name="extract_deals")
def extract_deals(document_ids: list[str] | str | None = None, stale_only: bool = True, older_than: str | None = None,
                  settings: dict | None = None) -> dict:
    """Extract the given documents; or (no ids) every document not yet extracted by this extractor version,
    or only those extracted by a version lower than older_than."""
    cfg = settings_from(settings)
    if cfg.task_runner == "dask":  # Dask workers are the processes: no extraction workers of their own
        cfg = cfg.model_copy(update={"extract_processes": 1})
    logger = get_run_logger()
    ensure_write_limit(cfg)
    if isinstance(document_ids, str):  # an event trigger renders the payload's list as JSON text
        document_ids = json.loads(document_ids)
    # The writer is held for the run (a load costs a batch's rows, not opening and checkpointing the file);
    # another writer that waits for it gets it within 0.25 s while the run extracts, or after the current load.
    with held_warehouse(cfg.warehouse):
        ids = pipeline.select_document_ids(cfg, document_ids, stale_only=stale_only, older_than=older_than)
        size = max(cfg.batch_size, 1)
        batches = (pipeline.read_documents(cfg, ids[i : i + size]) for i in range(0, len(ids), size))
        # A bounded window of batches in flight: the next batch extracts while this one loads, yet memory holds
        # two batches' spaCy docs, not every batch of a 20,000-document backfill at once (one thread each).
        window: deque = deque(extract_task.submit(*by_value(cfg, b)) for b in islice(batches, IN_FLIGHT))
        new_deals, mentions = [], 0
        while window:
            extractions = window.popleft().result()
            window.extend(extract_task.submit(*by_value(cfg, b)) for b in islice(batches, 1))
            mentions += sum(len(deals) for _, deals in extractions)
            new_deals += load_deals_task(*by_value(cfg, extractions))
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
    logger.info("extracted %d documents: %d mentions, %d new deals", len(ids), mentions, len(new_deals))
    return {"documents": len(ids), "mentions": mentions, "new_deals": len(new_deals),
            "new_deal_ids": [d["deal_id"] for d in new_deals]}


def with_task_runner(settings_obj) -> object:
    """extract_deals on the configured task runner: threads, or Dask (local cluster or a scheduler address)."""
    if settings_obj.task_runner != "dask":
        return extract_deals
    from prefect_dask import DaskTaskRunner

    runner = (DaskTaskRunner(address=settings_obj.dask_address) if settings_obj.dask_address
              else DaskTaskRunner(cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "processes": True}))
    return extract_deals.with_options(task_runner=runner)
