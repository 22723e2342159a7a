"""A writer held across a run's loads: one open file for the whole run, handed over to another process that
waits for it, and never a stale view of the stored mentions after a failed load."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timezone

import duckdb
import pytest

from flows import pipeline
from flows.settings import Settings
from models.records import DealMention, FetchedDocument, PollResult
from warehouse.batch import DealBatch
from warehouse import held_warehouse, init_warehouse, open_warehouse
from warehouse.documents import load_poll

OTHER_WRITER = """
import sys, time
from warehouse import open_warehouse
started = time.monotonic()
with open_warehouse(sys.argv[1], wait_s=60) as engine, engine.begin() as conn:
    conn.exec_driver_sql("INSERT INTO companies (company_id, name) VALUES ('other', 'Other Writer')")
print(f"{time.monotonic() - started:.2f}")
"""


def _locked_by_another_process(path) -> bool:
    code = f"import duckdb; duckdb.connect({str(path)!r}).close()"
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode != 0


@pytest.fixture
def warehouse(warehouse_path):
    with open_warehouse(warehouse_path) as engine:
        init_warehouse(engine)
    return warehouse_path


def test_one_engine_serves_every_use_and_the_file_is_let_go_at_the_end(warehouse):
    with held_warehouse(warehouse):
        with open_warehouse(warehouse) as first:
            pass
        assert _locked_by_another_process(warehouse)  # held between uses
        with open_warehouse(warehouse) as second, second.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM companies").scalar() == 0
        assert second is first
    assert not _locked_by_another_process(warehouse)


def test_a_process_waiting_to_write_gets_the_file_while_the_run_is_busy_elsewhere(warehouse):
    with held_warehouse(warehouse):
        with open_warehouse(warehouse):
            pass
        assert _locked_by_another_process(warehouse)
        other = subprocess.Popen([sys.executable, "-c", OTHER_WRITER, str(warehouse)], stdout=subprocess.PIPE,
                                 text=True)
        # The run is extracting (no warehouse use): the other writer asks, gets the file and finishes.
        waited = float(other.communicate(timeout=60)[0])
        assert other.returncode == 0 and waited < 5
        with open_warehouse(warehouse) as engine, engine.connect() as conn:  # the run takes it back
            names = [n for (n,) in conn.exec_driver_sql("SELECT name FROM companies").fetchall()]
        assert names == ["Other Writer"]
        assert _locked_by_another_process(warehouse)
    assert not _locked_by_another_process(warehouse)


def test_a_process_waiting_to_write_gets_the_file_at_the_next_use(warehouse, monkeypatch):
    import warehouse.held as held_module

    monkeypatch.setattr(held_module, "WATCH_S", 3600.0)  # the idle watcher never looks: only a use hands over
    with held_warehouse(warehouse):
        with open_warehouse(warehouse):
            pass
        other = subprocess.Popen([sys.executable, "-c", OTHER_WRITER, str(warehouse)], stdout=subprocess.PIPE,
                                 text=True)
        time.sleep(1.5)  # the other process is now waiting for the lock and has said so
        assert other.poll() is None
        with open_warehouse(warehouse) as engine, engine.connect() as conn:  # lets go, then takes it back
            names = [n for (n,) in conn.exec_driver_sql("SELECT name FROM companies").fetchall()]
        waited = float(other.communicate(timeout=60)[0])
        assert other.returncode == 0 and names == ["Other Writer"] and waited < 10


def test_a_failed_load_leaves_no_trace_in_what_the_session_remembers(warehouse):
    settings = Settings(warehouse_path=warehouse)
    docs = [FetchedDocument(url=f"https://wire.example/{i}", text=f"Release {i}.", title=f"R{i}", source="wire",
                            published_at=datetime(2025, 3, i, tzinfo=timezone.utc)) for i in (1, 2, 3)]
    with open_warehouse(warehouse) as engine, engine.begin() as conn:
        load_poll(conn, PollResult(source="wire", documents=docs), {"name": "wire", "kind": "rss",
                                                                   "url": "http://127.0.0.1/w.xml"}, 3)

    def deal(seller, buyer, start=0):
        return DealMention(deal_type="hosting", seller=seller, buyer=buyer, capacity_mw=70.0, sentence="x", start_char=start,
                    end_char=start + 1, confidence=0.7)

    with held_warehouse(warehouse):
        assert len(pipeline.load_deals(settings, DealBatch.of([(docs[0].doc_id, [deal("Hashgrid", "Andes Compute")])]))) == 1
        with pytest.raises(Exception):  # a span no INTEGER column holds: the load fails after matching
            pipeline.load_deals(settings, DealBatch.of([(docs[1].doc_id, [deal("Norvolt", "Riot Platforms"),
                                                                          deal("Norvolt", "Riot Platforms", start=2**40)])]))
        new = pipeline.load_deals(settings, DealBatch.of([(docs[2].doc_id, [deal("Norvolt", "Riot Platforms")])]))
    assert [d["seller"] for d in new] == ["Norvolt"]  # new: the failed load stored nothing
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert con.execute("SELECT count(*), sum(sources) FROM deals").fetchone() == (2, 2)
    finally:
        con.close()


def test_a_held_session_does_not_keep_the_texts_it_read(warehouse, monkeypatch):
    # A run reads each document's text once; a held connection would otherwise cache every block it read,
    # up to the memory limit, so the run's memory grew with the warehouse. The session counts the texts that
    # reads bring in and trims once they reach TRIM_CACHED_BYTES (8 MB here: the test reads 40 MB).
    import warehouse.held as held_module

    monkeypatch.setattr(held_module, "TRIM_CACHED_BYTES", 8_000_000)
    with open_warehouse(warehouse) as engine, engine.begin() as conn:
        for first in range(0, 8000, 1000):  # ~40 MB of text that does not compress away, 5 MB a statement
            conn.exec_driver_sql(
                "INSERT INTO documents (doc_id, key, url, content_hash, text, kind) "
                "SELECT 'd' || i, 'k' || i, 'u' || i, 'h' || i, "
                "(SELECT string_agg(md5(i::VARCHAR || '-' || j::VARCHAR), ' ') FROM range(150) t(j)), 'news' "
                f"FROM range({first}, {first + 1000}) s(i)")
    settings = Settings(warehouse_path=warehouse)
    cached = []
    with held_warehouse(warehouse):
        ids = pipeline.select_document_ids(settings)
        for start in range(0, len(ids), 500):
            assert len(pipeline.read_documents(settings, ids[start:start + 500])) == 500
            with open_warehouse(warehouse) as engine, engine.connect() as conn:
                cached.append(conn.exec_driver_sql(
                    "SELECT sum(memory_usage_bytes) FROM duckdb_memory()").scalar() / 2**20)
    # 8 MB of texts and the batch that reached it at most, not all 16 batches' 40 MB.
    assert max(cached) < 15, f"DuckDB held {max(cached):.0f} MB after reading texts batch by batch"
    assert any(after < before for before, after in zip(cached, cached[1:]))  # it did let go


READER = """
import sys, time
from warehouse import connect_read_only
started = time.monotonic()
try:
    con = connect_read_only(sys.argv[1], wait_s=float(sys.argv[2]))
except Exception as exc:
    print(f"{time.monotonic() - started:.2f} {type(exc).__name__}: {exc}")
    raise SystemExit(0)
count = con.execute("SELECT count(*) FROM companies").fetchone()[0]
con.close()
print(f"{time.monotonic() - started:.2f} {count}")
"""


def test_a_reader_gets_in_while_a_run_holds_the_file_between_uses(warehouse):
    # DuckDB lets no reader open the file beside a writer: `minewire sql` during a run would fail at once.
    with held_warehouse(warehouse):
        with open_warehouse(warehouse):
            pass
        assert _locked_by_another_process(warehouse)
        reader = subprocess.run([sys.executable, "-c", READER, str(warehouse), "10"], capture_output=True,
                                text=True, timeout=60)
        assert reader.returncode == 0, reader.stderr
        waited, count = reader.stdout.split(" ", 1)
        assert float(waited) < 5 and count.strip() == "0", reader.stdout
        with open_warehouse(warehouse) as engine, engine.connect() as conn:  # the run takes it back
            assert conn.exec_driver_sql("SELECT count(*) FROM companies").scalar() == 0
        assert _locked_by_another_process(warehouse)


def test_a_reader_is_told_to_try_again_when_a_writer_never_pauses(warehouse):
    with open_warehouse(warehouse):  # not held: this writer does not listen for requests to let go
        reader = subprocess.run([sys.executable, "-c", READER, str(warehouse), "0.5"], capture_output=True,
                                text=True, timeout=60)
    waited, message = reader.stdout.split(" ", 1)
    assert message.startswith("WarehouseBusy") and "try again" in message, reader.stdout + reader.stderr
    assert float(waited) < 3


def test_a_trim_that_cannot_free_enough_never_fails_the_use_before_it(warehouse, monkeypatch):
    # At 20,000 documents the key indexes a store loads stay in memory, over the trimmed limit: DuckDB refuses
    # the lower limit, which aborted the transaction, and the store that had just committed raised.
    import warehouse.engine as engine_module
    import warehouse.held as held_module

    monkeypatch.setattr(engine_module, "TRIMMED_MEMORY_LIMIT", "1KB")
    with held_warehouse(warehouse):
        with open_warehouse(warehouse) as engine, engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO documents (doc_id, key, url, content_hash, text, kind) "
                                 "SELECT 'd' || i, 'k' || i, 'u' || i, 'h' || i, 'text', 'news' FROM range(50000) t(i)")
        for _ in range(held_module.TRIM_EVERY + 1):  # a trim comes due among these
            with open_warehouse(warehouse) as engine, engine.connect() as conn:
                conn.exec_driver_sql("SELECT count(*) FROM documents WHERE key = 'k7'").scalar()
        with open_warehouse(warehouse) as engine, engine.connect() as conn:
            limit, count = conn.exec_driver_sql(
                "SELECT current_setting('memory_limit'), count(*) FROM documents").one()
    assert count == 50000 and limit.startswith("122")  # the writer's 128 MB (DuckDB shows MiB)
