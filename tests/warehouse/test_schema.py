"""The schema: created fresh, upgraded in place from an older file, refused when newer."""

from __future__ import annotations

import duckdb
import pytest
import sqlalchemy as sa

from models.tables import SCHEMA_VERSION
from tests.conftest import CASES
from warehouse import WarehouseError, init_warehouse, open_warehouse

VIEWS = {"deals", "deal_tracker", "deal_sources", "documents_by_source", "failed_documents", "sites"}


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


def test_init_warehouse_upgrades_v1_file_in_place_keeping_rows(warehouse_path):
    con = duckdb.connect(str(warehouse_path))
    con.execute((CASES / "warehouse_v1.sql").read_text())
    con.close()
    with open_warehouse(warehouse_path) as engine:
        assert init_warehouse(engine) == 1
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT title FROM documents").scalar() == "Old release"
            assert conn.exec_driver_sql("SELECT count(*) FROM documents WHERE simhash IS NULL").scalar() == 1
            assert conn.exec_driver_sql("SELECT max(version) FROM minewire_schema").scalar() == SCHEMA_VERSION
            assert sa.inspect(conn).has_table("document_copies")


def test_upgrade_turns_the_deals_table_into_a_view_of_the_stored_mentions(warehouse_path):
    con = duckdb.connect(str(warehouse_path))
    con.execute((CASES / "warehouse_v1.sql").read_text())
    con.execute("INSERT INTO deal_evidence (evidence_id, deal_id, doc_id, sentence, extractor_version, deal_type, "
                "seller, buyer, capacity_mw, price_usd, confidence) VALUES ('e1', 'd1', '0123456789abcdef', "
                "'Old Miner sold its site.', '0.1.0', 'asset_sale', 'Old Miner', 'New Host', 40, 12e6, 0.8)")
    con.execute("INSERT INTO deals (deal_id, deal_type, seller, price_usd, confidence, sources) "
                "VALUES ('d1', 'asset_sale', 'stale name', 1, 0.1, 9)")
    con.close()
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
