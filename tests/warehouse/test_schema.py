"""The schema: created fresh, upgraded in place from an older file, refused when newer."""

from __future__ import annotations

import duckdb
import pytest
import sqlalchemy as sa

from models.tables import SCHEMA_VERSION
from tests.conftest import CASES
from warehouse import WarehouseError, init_warehouse, open_warehouse
from warehouse.dedup import NEAR_DUPLICATE_BITS, distance, simhash
from warehouse.queries import document_ids_to_extract

VIEWS = {"deals", "deal_tracker", "deal_sources", "documents_by_source", "failed_documents", "sites",
         "document_extractions"}


def _names(path, kind: str) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {n for (n,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_type = ?", [kind]).fetchall()}
    finally:
        con.close()


def test_init_warehouse_creates_tables_views_and_version(warehouse_path):
    with open_warehouse(warehouse_path) as engine:
        assert init_warehouse(engine) == 0
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT version FROM minewire_schema").scalar() == SCHEMA_VERSION
    assert {"documents", "deal_evidence", "companies", "sources", "fetches"} <= _names(warehouse_path, "BASE TABLE")
    assert VIEWS <= _names(warehouse_path, "VIEW")


def _v1_file(path, *statements: str) -> None:
    """A warehouse file as minewire v1 wrote it (tests/cases/warehouse_v1.sql), then these statements."""
    con = duckdb.connect(str(path))
    try:
        for sql in ((CASES / "warehouse_v1.sql").read_text(), *statements):
            con.execute(sql)
    finally:
        con.close()


def test_init_warehouse_upgrades_v1_file_in_place_keeping_rows(warehouse_path):
    _v1_file(warehouse_path)
    with open_warehouse(warehouse_path) as engine:
        assert init_warehouse(engine) == 1
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT title FROM documents").scalar() == "Old release"
            text, stored = conn.exec_driver_sql("SELECT text, simhash FROM documents").one()
            assert stored == simhash(text)  # v4 hashes every stored text, v1 files' too
            assert conn.exec_driver_sql("SELECT max(version) FROM minewire_schema").scalar() == SCHEMA_VERSION
            assert sa.inspect(conn).has_table("document_copies")


def test_upgrade_turns_the_deals_table_into_a_view_of_the_stored_mentions(warehouse_path):
    _v1_file(warehouse_path,
             "INSERT INTO deal_evidence (evidence_id, deal_id, doc_id, sentence, extractor_version, deal_type, "
             "seller, buyer, capacity_mw, price_usd, confidence) VALUES ('e1', 'd1', '0123456789abcdef', "
             "'Old Miner sold its site.', '0.1.0', 'asset_sale', 'Old Miner', 'New Host', 40, 12e6, 0.8)",
             "INSERT INTO deals (deal_id, deal_type, seller, price_usd, confidence, sources) "
             "VALUES ('d1', 'asset_sale', 'stale name', 1, 0.1, 9)")
    with open_warehouse(warehouse_path) as engine:
        init_warehouse(engine)
    assert "deals" in _names(warehouse_path, "VIEW") and "deals" not in _names(warehouse_path, "BASE TABLE")
    con = duckdb.connect(str(warehouse_path), read_only=True)
    try:
        assert con.execute("SELECT deal_id, seller, buyer, capacity_mw, price_usd, sources FROM deals").fetchall() == [
            ("d1", "Old Miner", "New Host", 40.0, 12e6, 1)]
        assert con.execute("SELECT seller FROM deal_tracker").fetchall() == [("Old Miner",)]
    finally:
        con.close()


def test_upgrade_moves_extraction_marks_to_the_batch_log_and_keeps_what_is_stale(warehouse_path):
    _v1_file(warehouse_path,
             "INSERT INTO documents (doc_id, key, url, content_hash, text, kind) VALUES ('fedcba9876543210', "
             "'https://wire.example/r/2', 'https://wire.example/r/2', 'def', 'Never read.', 'article')",
             "UPDATE documents SET extracted_version = '0.1.0' WHERE doc_id = '0123456789abcdef'",
             "CREATE INDEX ix_documents_content_hash ON documents(content_hash)")  # as v4 files have it
    with open_warehouse(warehouse_path) as engine:
        init_warehouse(engine)
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT doc_id, extractor_version FROM document_extractions").all() == [
                ("0123456789abcdef", "0.1.0")]
            assert "extracted_version" not in {c["name"] for c in sa.inspect(conn).get_columns("documents")}
            assert document_ids_to_extract(conn, stale_for="0.1.0") == ["fedcba9876543210"]
            assert document_ids_to_extract(conn, older_than="0.2.0") == ["0123456789abcdef", "fedcba9876543210"]
            # the index dropped for the column's sake is back
            assert conn.exec_driver_sql("SELECT count(*) FROM duckdb_indexes() WHERE table_name = 'documents'"
                                        ).scalar() == 1


@pytest.mark.parametrize("start", ["fresh", "v1"])
def test_deal_evidence_columns_are_in_the_order_a_load_writes_them(warehouse_path, start):
    """Loads insert mentions by position (warehouse/deals.py): a fresh or an upgraded table must match."""
    from warehouse.deals import _EVIDENCE_SCHEMA

    if start == "v1":
        _v1_file(warehouse_path)
    with open_warehouse(warehouse_path) as engine:
        init_warehouse(engine)
        with engine.connect() as conn:
            columns = [c for (c,) in conn.exec_driver_sql(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'deal_evidence' "
                "ORDER BY ordinal_position")]
    assert columns == _EVIDENCE_SCHEMA.names


def test_init_warehouse_is_idempotent(warehouse_path):
    with open_warehouse(warehouse_path) as engine:
        init_warehouse(engine)
        assert init_warehouse(engine) == SCHEMA_VERSION


def test_init_warehouse_refuses_a_file_from_a_newer_minewire(warehouse_path):
    with open_warehouse(warehouse_path) as engine:
        init_warehouse(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE minewire_schema SET version = {SCHEMA_VERSION + 1}")
        with pytest.raises(WarehouseError, match="newer than this minewire"):
            init_warehouse(engine)


def _v3_simhash(text: str) -> int:
    """How v3 hashed a text (blake2b of each joined shingle), to make a file as v3 left it."""
    import hashlib
    import re

    words = re.findall(r"\w+", text.lower())[:5000]
    counts = [0] * 64
    shingles = [" ".join(words[i:i + 3]) for i in range(max(len(words) - 2, 1))]
    for shingle in shingles:
        h = int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=8).digest(), "big")
        for bit in range(64):
            counts[bit] += h >> bit & 1
    value = sum(1 << bit for bit in range(64) if 2 * counts[bit] > len(shingles))
    return value - (1 << 64) if value >= 1 << 63 else value


def test_upgrade_to_v4_rehashes_stored_texts_so_a_later_copy_is_still_recognised(warehouse_path):
    from datetime import datetime, timezone

    from models.records import FetchedDocument, PollResult
    from warehouse.documents import load_poll

    wire = ("Hashgrid Mining Corp. has agreed to sell its 40 MW Rio Verde facility in Paraguay to Andes Compute "
            "for $18 million in cash, the company said on Monday. The buyer plans to host AI workloads there, "
            "and expects the first 20 MW of GPUs to be running by the end of the third quarter. Hashgrid will keep "
            "its Texas fleet and use the proceeds to repay equipment loans. The site connects to the national grid "
            "through a dedicated substation and has room to grow to 100 MW, according to the filing. Andes Compute "
            "was founded in 2023 and runs two smaller sites in Chile. Shares of Hashgrid rose 4% in early trading.")
    mirror = wire.replace("in early trading.", "in early trade.")  # a syndicated copy, lightly edited
    assert distance(simhash(wire), simhash(mirror)) <= NEAR_DUPLICATE_BITS < distance(_v3_simhash(wire),
                                                                                       simhash(mirror))

    def doc(url, text, source):
        return FetchedDocument(url=url, text=text, title="Hashgrid sells Rio Verde", source=source,
                               published_at=datetime(2025, 2, 3, tzinfo=timezone.utc))

    source = {"name": "wire", "kind": "rss", "url": "http://127.0.0.1/wire.xml"}
    with open_warehouse(warehouse_path) as engine:
        init_warehouse(engine)
        with engine.begin() as conn:
            load_poll(conn, PollResult(source="wire", documents=[doc("https://wire.example/a", wire, "wire")]),
                      source, 3)
            # As v3 left it: the old hash stored, the file at version 3.
            conn.exec_driver_sql(f"UPDATE documents SET simhash = {_v3_simhash(wire)}")
            conn.exec_driver_sql("UPDATE minewire_schema SET version = 3")
    assert simhash(wire) != _v3_simhash(wire)
    with open_warehouse(warehouse_path) as engine:
        assert init_warehouse(engine) == 3
        with engine.begin() as conn:
            assert conn.exec_driver_sql("SELECT simhash FROM documents").scalar() == simhash(wire)
            report = load_poll(conn, PollResult(source="mirror", documents=[
                doc("https://mirror.example/b", mirror, "mirror")]), {**source, "name": "mirror"}, 3)
    assert report.copies == 1 and report.stored == []
