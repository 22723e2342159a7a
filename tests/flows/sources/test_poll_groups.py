"""Polling a group of sources at once and storing the group through one warehouse open (the ingest flow's tasks)."""

from __future__ import annotations

import duckdb
import httpx

from flows import pipeline
from flows.demo.server import SampleServer
from flows.settings import SourceConfig
from flows.sources.errors import MissingUserAgent
from models.records import PollResult, SourceState
from tests.flows.sources.test_polling import CASES, NORTHWIND, TRADE, WIRE, make_settings

FRESH = {s.name: SourceState() for s in (WIRE, NORTHWIND, TRADE)}  # nothing polled before
TABLES = ("documents", "document_copies", "sources", "fetches", "fetch_failures", "http_validators")


def _rows(path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT * EXCLUDE ({_volatile(t)}) FROM {t}").fetchall(), key=repr)
                for t in TABLES}
    finally:
        con.close()


def _volatile(table: str) -> str:
    """Columns stamped with the time of the run (two runs cannot agree on them)."""
    return {"documents": "fetched_at", "document_copies": "seen_at", "sources": "last_polled_at",
            "fetches": "fetch_id, fetched_at, elapsed_s", "fetch_failures": "first_failed_at, last_failed_at",
            "http_validators": "last_modified"}[table]


def test_a_failing_source_gets_its_exception_in_place_and_groups_poll_every_source(tmp_path):
    broken = SourceConfig(name="broken", kind="edgar", cik="9990001")
    with SampleServer(CASES) as srv:
        settings = make_settings(srv, warehouse_path=tmp_path / "w.duckdb")
        no_contact = settings.model_copy(update={"sec_user_agent": "no contact address"})
        results = pipeline.poll_many(settings, [WIRE, broken, TRADE], {**FRESH, "broken": SourceState()},
                                     retry_delays=())
        edgar_alone = pipeline.poll_many(no_contact, [NORTHWIND], FRESH, retry_delays=())
    assert isinstance(edgar_alone[0], MissingUserAgent)  # a misconfigured source: its error, not raised
    assert [type(r) for r in results] == [PollResult] * 3
    assert results[0].documents and results[1].documents and results[2].documents


def test_a_source_that_failed_on_the_network_is_polled_again(tmp_path, monkeypatch):
    calls = []
    real_poll = pipeline.poll

    def flaky(settings, source, **kwargs):
        calls.append(source.name)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused")
        return real_poll(settings, source, **kwargs)

    monkeypatch.setattr(pipeline, "poll", flaky)
    with SampleServer(CASES) as srv:
        settings = make_settings(srv, warehouse_path=tmp_path / "w.duckdb")
        [result] = pipeline.poll_many(settings, [WIRE], FRESH, retry_delays=(0.01,))
    assert calls == ["wire", "wire"] and isinstance(result, PollResult) and result.documents


def test_storing_a_group_writes_what_storing_one_by_one_writes(tmp_path):
    with SampleServer(CASES) as srv:
        grouped = make_settings(srv, warehouse_path=tmp_path / "grouped.duckdb")
        single = make_settings(srv, warehouse_path=tmp_path / "single.duckdb")
        for settings in (grouped, single):
            pipeline.prepare_warehouse(settings)
        sources = [WIRE, TRADE, NORTHWIND]
        polls = [pipeline.poll(grouped, s, state=SourceState()) for s in sources]
        reports = pipeline.store_many(grouped, list(zip(sources, polls)))
        one_by_one = [pipeline.store(single, s, p) for s, p in zip(sources, polls)]
        same_rows = _rows(grouped.warehouse_path) == _rows(single.warehouse_path)
        # Again: nothing new, and a quiet group is not even written.
        again = pipeline.poll_many(grouped, sources, pipeline.read_states(grouped, sources), retry_delays=())
        second = pipeline.store_many(grouped, list(zip(sources, again)))
    assert [r.source for r in reports] == ["wire", "trade", "edgar-northwind"]
    assert [r.stored for r in reports] == [r.stored for r in one_by_one] and sum(len(r.stored) for r in reports) > 5
    assert same_rows
    assert sum(len(r.stored) for r in second) == 0 and all(r.not_modified == r.requests for r in second[1:])
