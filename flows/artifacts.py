"""Prefect table artifacts: the new deals of an extract run and the new documents of an ingest run."""

from __future__ import annotations

from datetime import date, datetime

from prefect.artifacts import create_table_artifact

from flows.settings import Settings
from warehouse import open_warehouse
from warehouse.queries import document_rows

NEW_DEALS_KEY = "extract-deals-new-deals"
MAX_ROWS = 1000  # the UI pages a table; a 20,000-document backfill's rows would make the artifact huge
DEAL_COLUMNS = ("deal_id", "announced_date", "deal_type", "seller", "buyer", "asset", "capacity_mw",
                "price_usd", "cash_usd", "country", "region", "confidence")
DOCUMENT_COLUMNS = ("doc_id", "source", "title", "published_at", "url")


def table_rows(records: list[dict], columns: tuple[str, ...]) -> list[dict]:
    """The records cut to `columns` and MAX_ROWS, dates as ISO text (artifacts are JSON)."""
    def cell(value: object) -> object:
        return value.isoformat() if isinstance(value, (date, datetime)) else value

    return [{c: cell(r.get(c)) for c in columns} for r in records[:MAX_ROWS]]


def publish_new_deals(deals: list[dict]) -> None:
    """One table of this run's new deals (an empty table when none: the run found nothing new)."""
    create_table_artifact(table=table_rows(deals, DEAL_COLUMNS), key=NEW_DEALS_KEY,
                          description=_described(len(deals), "new deals found by this run"))


def publish_new_documents(settings: Settings, doc_ids: list[str], key: str) -> None:
    """One table of the documents this run stored, read back from the warehouse (titles, dates, URLs)."""
    rows: list[dict] = []
    if doc_ids:
        with open_warehouse(settings.warehouse) as engine, engine.connect() as conn:
            rows = document_rows(conn, doc_ids[:MAX_ROWS])
    create_table_artifact(table=table_rows(rows, DOCUMENT_COLUMNS), key=key,
                          description=_described(len(doc_ids), "new documents stored by this run"))


def _described(count: int, what: str) -> str:
    return f"{count} {what}" + (f" (the first {MAX_ROWS} shown)" if count > MAX_ROWS else "")
