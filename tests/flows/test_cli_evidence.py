"""Every deal traceable to its evidence: `deals` shows ids in every format, `show` prints a deal's sources."""

from __future__ import annotations

import csv
import io
import json

import duckdb
import pytest

from tests.flows.test_cli import run

PASO_PE = "Paso Pe"


def _tracker_ids(path) -> dict[str, str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return dict(con.execute("SELECT deal_id, coalesce(asset, '') FROM deal_tracker").fetchall())
    finally:
        con.close()


def _paso_pe_id(path) -> str:
    return next(i for i, asset in _tracker_ids(path).items() if PASO_PE in asset)


def test_cli_deals_json_and_csv_carry_every_deal_id(demo_warehouse):
    ids = set(_tracker_ids(demo_warehouse))
    as_json = run("-w", str(demo_warehouse), "deals", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert {d["deal_id"] for d in json.loads(as_json.stdout)} == ids
    as_csv = run("-w", str(demo_warehouse), "deals", "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {r["deal_id"] for r in rows} == ids and len(rows) == len(ids)


def test_cli_deals_table_shows_whole_deal_ids(demo_warehouse):
    result = run("-w", str(demo_warehouse), "deals")
    assert result.returncode == 0, result.stderr
    for deal_id in _tracker_ids(demo_warehouse):
        assert deal_id in result.stdout


def test_cli_show_prints_fields_with_their_document_and_every_evidence_sentence(demo_warehouse):
    deal_id = _paso_pe_id(demo_warehouse)
    result = run("-w", str(demo_warehouse), "show", deal_id)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert deal_id in out and "Sympatheia Power Fund" in out and "Bitfarms" in out
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        told = con.execute("SELECT sentence, url, CAST(published_at AS DATE), title FROM deal_sources "
                           "WHERE deal_id = ?", [deal_id]).fetchall()
    finally:
        con.close()
    assert len(told) == 3
    flat = " ".join(out.split())  # the console folds long lines
    for sentence, url, published, title in told:
        assert " ".join(sentence.split()) in flat and url in out and str(published) in out and title in flat
    # each extracted field names the document it came from ([n] points into the evidence list)
    field_lines = {line.split()[0]: line for line in out.splitlines() if line[:1].isalpha()}
    for field in ("seller", "buyer", "capacity_mw", "price_usd", "country"):
        assert "[1]" in field_lines[field] or "[2]" in field_lines[field] or "[3]" in field_lines[field], field
    assert "70" in field_lines["capacity_mw"] and "30,000,000" in field_lines["price_usd"]


def test_cli_show_accepts_the_first_characters_of_an_id(demo_warehouse):
    deal_id = _paso_pe_id(demo_warehouse)
    result = run("-w", str(demo_warehouse), "show", deal_id[:8])
    assert result.returncode == 0, result.stderr
    assert f"deal {deal_id}" in result.stdout


@pytest.mark.parametrize("deal_id", ["0000000000000000", "zz", "not-a-deal"])
def test_cli_show_of_an_unknown_id_is_one_error_line_and_exit_1(demo_warehouse, deal_id):
    result = run("-w", str(demo_warehouse), "show", deal_id)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and deal_id in lines[0] and "minewire deals" in lines[0]


def test_cli_deals_and_show_carry_the_price_as_written_and_its_currency_on_an_upgraded_v1_file(tmp_path):
    from tests.warehouse.test_schema import _v1_file

    path = tmp_path / "old.duckdb"
    mention = ("INSERT INTO deal_evidence (evidence_id, deal_id, doc_id, sentence, extractor_version, deal_type, seller, "
               "buyer, capacity_mw, price_usd, price_text, currency, confidence) VALUES ('{0}', '{0}', "
               "'0123456789abcdef', 'An old sentence.', '0.1.0', 'asset_sale', {1}, 40, {2}, '{3}', '{4}', 0.8)")
    _v1_file(path, mention.format("cad0deal", "'Larch Digital', 'Ostra Compute'", "NULL", "C$45 million", "CAD"),
             mention.format("usd0deal", "'Garnet Power', 'Pember Mining'", "30e6", "up to $30 million", "USD"))
    assert run("-w", str(path), "init").returncode == 0  # the upgrade from v1
    listed = run("-w", str(path), "deals", "--format", "json")
    assert listed.returncode == 0, listed.stderr
    prices = {d["deal_id"]: (d["price_usd"], d["price_text"], d["currency"]) for d in json.loads(listed.stdout)}
    assert prices == {"cad0deal": (None, "C$45 million", "CAD"), "usd0deal": (30e6, "up to $30 million", "USD")}
    table = run("-w", str(path), "deals")
    rows = {deal_id: line for line in table.stdout.splitlines() for deal_id in prices if deal_id in line}
    assert "C$45.0M" in rows["cad0deal"] and "$30.0M" in rows["usd0deal"]  # no dollar figure: its own currency
    shown = run("-w", str(path), "show", "cad0deal").stdout
    fields = {line.split()[0]: " ".join(line.split()[1:]) for line in shown.splitlines() if line[:1].isalpha()}
    assert fields["price_text"].startswith("C$45 million") and fields["currency"].startswith("CAD")
