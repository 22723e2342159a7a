"""Bulk loads: idempotent, syndicated copies linked, mentions merged into deals, the retry list."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from models.records import DealMention, Failure, FetchedDocument, FetchRecord, PollResult
from warehouse import WarehouseError, init_warehouse, open_warehouse
from warehouse.batch import DealBatch
from warehouse.deals import load_mentions
from warehouse.held import HeldState
from warehouse.identity import deal_key
from warehouse.documents import load_documents, load_poll, record_failures
from warehouse.queries import deal_tracker, run_sql

TABLES = ("documents", "document_copies", "deals", "deal_evidence", "sources", "fetches", "fetch_failures",
          "http_validators")
WIRE = ("Hashgrid Mining Corp. has agreed to sell its 40 MW Rio Verde facility in Paraguay to Andes Compute "
        "for $18 million in cash, the company said on Monday. The buyer plans to host AI workloads there.")
TRADE = ("Andes Compute is buying a 40-megawatt bitcoin mining site at Rio Verde from Hashgrid for $18M, "
         "according to a filing. Hashgrid will keep its Texas fleet.")
SOURCE = {"name": "wire", "kind": "rss", "url": "http://127.0.0.1/wire.xml"}


def _doc(url: str, text: str, source: str = "wire", day: int = 3) -> FetchedDocument:
    return FetchedDocument(url=url, text=text, title="Hashgrid sells Rio Verde", source=source,
                           published_at=datetime(2025, 2, day, 14, tzinfo=timezone.utc))


def _deal(**kw) -> DealMention:
    base = dict(deal_type="asset_sale", seller="Hashgrid Mining Corp.", buyer="Andes Compute", asset="Rio Verde",
                capacity_mw=40.0, price_usd=18e6, country="Paraguay", sentence="sell", start_char=0, end_char=4,
                confidence=0.8, extractor_version="t1")
    return DealMention(**{**base, **kw})


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() for t in TABLES}


@pytest.fixture
def engine(warehouse_path):
    with open_warehouse(warehouse_path) as engine:
        init_warehouse(engine)
        yield engine


def _poll(*docs, fetches=(), failures=()) -> PollResult:
    return PollResult(source="wire", documents=list(docs), fetches=list(fetches), failures=list(failures),
                      cursor="2025-02-03")


def test_load_poll_twice_leaves_every_table_unchanged(engine):
    poll = _poll(_doc("https://wire.example/a", WIRE), fetches=[FetchRecord("https://wire.example/a", 200, 10)])
    with engine.begin() as conn:
        first = load_poll(conn, poll, SOURCE, 3)
    before = _counts(engine)
    with engine.begin() as conn:
        again = load_poll(conn, _poll(_doc("https://wire.example/a", WIRE)), SOURCE, 3)
    assert len(first.stored) == 1 and again.stored == [] and again.duplicates == 1
    assert again.rows_written == 0
    assert _counts(engine) == before


def test_load_poll_links_a_syndicated_copy_instead_of_storing_it(engine):
    copy = _doc("https://mirror.example/story?utm_source=x", WIRE + " ", source="mirror")
    with engine.begin() as conn:
        report = load_poll(conn, _poll(_doc("https://wire.example/a", WIRE), copy), SOURCE, 3)
    assert len(report.stored) == 1 and report.copies == 1
    assert _counts(engine)["document_copies"] == 1


def test_load_poll_keeps_two_template_updates_with_different_figures(engine):
    a = "Hashgrid mined 310 bitcoin in May and ended the month with 21.5 EH/s of hashrate and 410 MW online."
    b = "Hashgrid mined 298 bitcoin in June and ended the month with 22.1 EH/s of hashrate and 415 MW online."
    with engine.begin() as conn:
        report = load_poll(conn, _poll(_doc("https://wire.example/may", a), _doc("https://wire.example/jun", b)),
                           SOURCE, 3)
    assert len(report.stored) == 2


def test_load_mentions_merges_two_outlets_into_one_deal_with_two_sources(engine, warehouse_path):
    wire, trade = _doc("https://wire.example/a", WIRE), _doc("https://trade.example/b", TRADE, "trade", day=4)
    with engine.begin() as conn:
        load_poll(conn, _poll(wire, trade), SOURCE, 3)
        new = load_mentions(conn, DealBatch.of([(wire.doc_id, [_deal()]),
                                      (trade.doc_id, [_deal(seller="Hashgrid", confidence=0.6, cash_usd=18e6)])]), "t1")
    assert len(new) == 1
    engine.dispose()  # DuckDB: a read-only connection cannot sit beside a writable one in one process
    columns, rows = deal_tracker(warehouse_path)
    row = dict(zip(columns, rows[0]))
    assert len(rows) == 1 and row["sources"] == 2 and row["seller"] == "Hashgrid Mining Corp."
    assert row["cash_usd"] == 18e6 and row["usd_per_mw"] == 450000 and str(row["announced_date"]) == "2025-02-03"


@pytest.mark.parametrize("held", [False, True])
def test_a_new_deal_is_dated_by_its_earliest_document(engine, held):
    """The load merges a new deal's mentions as the `deals` view does: the date is the earliest document's,
    whether or not a held session's cache of stored mentions is in use."""
    docs = {"wire": _doc("https://wire.example/a", WIRE), "trade": _doc("https://trade.example/b", TRADE, "trade", 4)}
    with engine.begin() as conn:
        load_poll(conn, _poll(*docs.values()), SOURCE, 3)
    with engine.begin() as conn:
        new = load_mentions(conn, DealBatch.of([(docs["wire"].doc_id, [_deal()]),
                                   (docs["trade"].doc_id, [_deal(seller="Hashgrid", confidence=0.6)])]), "t1", HeldState() if held else None)
    assert [(str(row["announced_date"]), row["sources"]) for row in new] == [("2025-02-03", 2)]


def test_load_mentions_again_replaces_mentions_and_reports_no_new_deal(engine):
    wire = _doc("https://wire.example/a", WIRE)
    with engine.begin() as conn:
        load_poll(conn, _poll(wire), SOURCE, 3)
        load_mentions(conn, DealBatch.of([(wire.doc_id, [_deal()])]), "t1")
    before = _counts(engine)
    with engine.begin() as conn:
        assert load_mentions(conn, DealBatch.of([(wire.doc_id, [_deal(price_usd=19e6)])]), "t2") == []
        assert conn.exec_driver_sql("SELECT price_usd FROM deals").scalar() == 19e6
        assert conn.exec_driver_sql("SELECT extractor_version FROM document_extractions").scalar() == "t2"
    assert _counts(engine) == before


def test_load_mentions_drops_a_deal_no_document_states_any_more(engine):
    wire = _doc("https://wire.example/a", WIRE)
    with engine.begin() as conn:
        load_poll(conn, _poll(wire), SOURCE, 3)
        load_mentions(conn, DealBatch.of([(wire.doc_id, [_deal()])]), "t1")
        load_mentions(conn, DealBatch.of([(wire.doc_id, [])]), "t2")
        assert conn.exec_driver_sql("SELECT count(*) FROM deals").scalar() == 0


def test_deal_key_ignores_legal_suffixes_and_sale_or_acquisition_wording():
    a = _deal(seller="Hashgrid Mining Corp.", buyer="Andes Compute Inc.")
    b = _deal(deal_type="acquisition", seller="hashgrid mining", buyer="Andes Compute")
    assert deal_key(a, "d1") == deal_key(b, "d2")
    assert deal_key(a, "d1") != deal_key(_deal(deal_type="lease"), "d1")


def test_record_failures_counts_attempts_and_gives_up_at_the_cap(engine):
    failure = Failure(url="https://wire.example/broken", reason="HTTP 503 three times", source="wire")
    for _ in range(3):
        with engine.begin() as conn:
            record_failures(conn, [failure], [], max_attempts=3)
    with engine.connect() as conn:
        attempts, given_up = conn.exec_driver_sql("SELECT attempts, given_up FROM fetch_failures").fetchone()
        status = conn.exec_driver_sql("SELECT status FROM failed_documents").scalar()
    assert (attempts, given_up, status) == (3, True, "given up")


def test_record_failures_marks_a_recovered_url_resolved(engine):
    failure = Failure(url="https://wire.example/flaky", reason="timeout", source="wire")
    with engine.begin() as conn:
        record_failures(conn, [failure], [], max_attempts=3)
        record_failures(conn, [], ["https://wire.example/flaky"], max_attempts=3)
        assert conn.exec_driver_sql("SELECT count(*) FROM failed_documents").scalar() == 0


def test_run_sql_refuses_writes_with_a_clear_message(engine, warehouse_path):
    engine.dispose()
    with pytest.raises(WarehouseError, match="read-only"):
        run_sql(warehouse_path, "DELETE FROM deal_evidence")


def test_documents_to_extract_come_in_the_order_they_were_stored(engine):
    # Ids are hashes: sorted, a batch of them would be scattered over the whole text column, and reading it
    # would touch (and cache) every block. In storage order a batch of consecutive ids lies in a few blocks.
    from warehouse.queries import document_ids_to_extract

    urls = [f"https://wire.example/{i}" for i in range(12)]
    with engine.begin() as conn:
        for url in urls:  # one document per load, so storage order is this order
            load_documents(conn, [_doc(url, f"{WIRE} Item {url}.")])
        stored = dict(conn.exec_driver_sql("SELECT url, doc_id FROM documents").fetchall())
        ids = document_ids_to_extract(conn)
    assert ids == [stored[u] for u in urls]
    assert ids != sorted(ids)  # 12 hashes in sorted order by chance: 1 in 479 million


def test_load_poll_stores_a_page_reached_by_a_tracked_link_once(engine):
    with engine.begin() as conn:
        load_poll(conn, _poll(_doc("https://wire.example/a?id=7&lang=en", WIRE)), SOURCE, 3)
    before = _counts(engine)
    tracked = _doc("https://wire.example:443/a?lang=en&fbclid=IwAR&id=7&utm_source=feed#top", WIRE)
    with engine.begin() as conn:
        again = load_poll(conn, _poll(tracked), SOURCE, 3)
    assert again.stored == [] and again.duplicates == 1 and again.copies == 0
    assert _counts(engine) == before
