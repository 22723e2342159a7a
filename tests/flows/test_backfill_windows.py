"""A backfill window is polled without the regular polls' memory (HTTP validators and cursor), both ways round."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from flows import pipeline
from flows.demo import DEMO_USER_AGENT, SAMPLE_SOURCES
from flows.runs import select_sources
from flows.settings import Settings
from flows.sources.watchlist import read_sources
from warehouse import open_warehouse

FEED = "/globenewswire/RssFeed/industry/mining.xml"
WHOLE_SAMPLE = (date(2023, 1, 1), date(2026, 12, 31))


@pytest.fixture
def cfg(sample_server, warehouse_path, monkeypatch) -> Settings:
    monkeypatch.setenv("MINEWIRE_SEC_USER_AGENT", DEMO_USER_AGENT)
    settings = Settings(warehouse_path=warehouse_path, base_urls=sample_server.base_urls(),
                        sources=read_sources(SAMPLE_SOURCES), allow_private_addresses=True)
    pipeline.prepare_warehouse(settings)
    return settings


def memory(settings: Settings, source: str) -> tuple:
    with open_warehouse(settings.warehouse_path) as engine, engine.connect() as conn:
        cursor = conn.execute(sa.text("SELECT cursor FROM sources WHERE name = :s"), {"s": source}).scalar()
        validators = conn.exec_driver_sql("SELECT * FROM http_validators ORDER BY url").fetchall()
    return cursor, validators


def feed_statuses(sample_server) -> list[int]:
    return [r.status for r in sample_server.requests if r.path.split("?")[0] == FEED]


def test_poll_with_a_window_after_a_poll_reads_the_whole_feed_and_leaves_its_memory(cfg, sample_server):
    source = select_sources(cfg, names=["gnw-mining"])[0]
    pipeline.store(cfg, source, pipeline.poll(cfg, source))  # learns the feed's ETag and a cursor
    before = memory(cfg, source.name)
    sample_server.clear_log()

    result = pipeline.poll(cfg, source, *WHOLE_SAMPLE)
    pipeline.store(cfg, source, result, WHOLE_SAMPLE)

    assert feed_statuses(sample_server) == [200], "a 304 would hide the window's items"
    assert result.seen > 0 and not result.documents, "every item was stored by the poll already"
    assert memory(cfg, source.name) == before


def test_poll_with_a_window_before_a_poll_leaves_the_poll_everything_outside_the_window(cfg, sample_server):
    source = select_sources(cfg, names=["gnw-mining"])[0]
    early = (date(2023, 1, 1), date(2023, 12, 31))
    windowed = pipeline.poll(cfg, source, *early)
    pipeline.store(cfg, source, windowed, early)
    sample_server.clear_log()

    polled = pipeline.poll(cfg, source)

    assert feed_statuses(sample_server) == [200], "no validators were saved by the backfill"
    assert windowed.documents and polled.documents
    assert {d.key for d in windowed.documents}.isdisjoint(d.key for d in polled.documents)
    assert all(d.published_at and d.published_at.year > 2023 for d in polled.documents)
