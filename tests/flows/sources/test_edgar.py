"""EDGAR parsers: submissions JSON (recent and older pages), filing index pages, filing documents."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from flows.settings import Settings
from flows.sources.edgar import (
    filing_documents,
    index_url,
    normalise_cik,
    page_overlaps,
    parse_filing_document,
    parse_filing_index,
    parse_submissions,
    parse_submissions_page,
    submissions_url,
)
from flows.sources.errors import SourceError
from models.records import Filing

CASES = Path(__file__).resolve().parents[2] / "cases" / "sources"
SEC_WWW = "http://mirror.test/sec_www"
FOLDER = "Archives/edgar/data/9990001/000999000126000012"


def load(name: str) -> dict:
    return json.loads((CASES / "sec_data" / "submissions" / name).read_text())


def test_submission_and_index_urls_follow_edgar_layout():
    settings = Settings(base_urls={"sec_data": "https://data.sec.gov", "sec_www": "https://www.sec.gov/"})
    assert submissions_url(settings, "1812477") == "https://data.sec.gov/submissions/CIK0001812477.json"
    assert index_url(settings, "0001812477", "0001213900-24-000123") == (
        "https://www.sec.gov/Archives/edgar/data/1812477/000121390024000123/0001213900-24-000123-index.htm")


@pytest.mark.parametrize("value, expected", [("1812477", "0001812477"), (1812477, "0001812477"),
                                             ("CIK0001812477", "0001812477"), (" 0000827876 ", "0000827876")])
def test_normalise_cik_pads_to_ten_digits(value, expected):
    assert normalise_cik(value) == expected


@pytest.mark.parametrize("value", ["abc", "12345678901", "12-34"])
def test_normalise_cik_refuses_non_ciks(value):
    with pytest.raises(SourceError, match="not an EDGAR CIK"):
        normalise_cik(value)


def test_parse_submissions_reads_recent_filings_and_older_pages(caplog):
    filings, files = parse_submissions(load("CIK0009990001.json"), "9990001")
    assert [f.accession for f in filings] == ["0009990001-26-000012", "0009990001-26-000009", "0009990001-25-000101"]
    first = filings[0]
    assert first.form == "8-K" and first.items == ["1.01", "2.01", "9.01"]
    assert first.filing_date == date(2026, 3, 2)
    assert first.acceptance_at == datetime(2026, 3, 2, 16, 5, 12, tzinfo=timezone.utc)
    assert first.primary_document == "nwhx-20260302.htm" and first.company == "Northwind Hashing Corp."
    assert first.cik == "0009990001"
    assert files == [{"name": "CIK0009990001-submissions-001.json", "filingCount": 2,
                      "filingFrom": "2023-03-01", "filingTo": "2024-06-14"}]
    assert "skipped row 3" in caplog.text


def test_parse_submissions_reads_a_foreign_filer():
    filings, files = parse_submissions(load("CIK0009990002.json"), "9990002")
    assert [(f.form, f.items) for f in filings] == [("6-K", []), ("40-F", [])]
    assert files == []


def test_parse_submissions_page_reads_top_level_arrays():
    filings = parse_submissions_page(load("CIK0009990001-submissions-001.json"), "9990001")
    assert [(f.accession, f.form) for f in filings] == [("0009990001-24-000031", "8-K"),
                                                        ("0009990001-23-000005", "10-K")]


@pytest.mark.parametrize("data", [
    {}, {"filings": None}, {"filings": {"recent": {}}}, {"filings": {"recent": {"form": ["8-K"]}}},
    {"filings": {"recent": {"accessionNumber": ["0000000001-26-000001"]}}},  # no form column
    {"filings": {"recent": {"accessionNumber": ["0000000001-26-000001", "x"], "form": ["8-K"]}}},
    [], "not json object",
])
def test_parse_submissions_tolerates_missing_fields(data):
    filings, files = parse_submissions(data, "1")
    assert files == [] and all(f.form for f in filings)


def test_parse_submissions_accepts_renamed_columns():
    data = {"filings": {"recent": {"accession_number": ["0000000001-26-000001"], "formType": ["6-K"],
                                   "filing_date": ["2026-01-02"], "items": [""]}}}
    (filing,), _ = parse_submissions(data, "1")
    assert filing.form == "6-K" and filing.filing_date == date(2026, 1, 2)


@pytest.mark.parametrize("since, until, expected", [
    (date(2024, 1, 1), date(2024, 12, 31), True), (date(2025, 1, 1), None, False),
    (None, date(2023, 1, 1), False), (None, date(2023, 3, 1), True), (None, None, True),
])
def test_page_overlaps_checks_the_window(since, until, expected):
    assert page_overlaps({"filingFrom": "2023-03-01", "filingTo": "2024-06-14"}, since, until) is expected


def test_parse_filing_index_lists_documents_under_the_mirror():
    url = f"{SEC_WWW}/{FOLDER}/0009990001-26-000012-index.htm"
    entries = parse_filing_index((CASES / "sec_www" / FOLDER / "0009990001-26-000012-index.htm").read_bytes(), url)
    assert entries[:3] == [
        (f"{SEC_WWW}/{FOLDER}/nwhx-20260302.htm", "8-K", "8-K"),  # the iXBRL viewer link, made plain
        (f"{SEC_WWW}/{FOLDER}/ex99-1.htm", "EX-99.1", "PRESS RELEASE DATED MARCH 2, 2026"),
        (f"{SEC_WWW}/{FOLDER}/logo.jpg", "GRAPHIC", "GRAPHIC"),
    ]


def test_parse_filing_index_refuses_a_page_without_documents():
    with pytest.raises(SourceError, match="no document table"):
        parse_filing_index(b"<html><body>Rate limited</body></html>", "https://x.test/a-index.htm")


def test_filing_documents_choose_primary_and_ex99_in_html_only():
    filing = Filing(cik="0009990002", accession="0009990002-26-000007", form="6-K", primary_document="form6-k.htm")
    entries = [("https://x/form6-k.htm", "6-K", "6-K"), ("https://x/ex99-1.htm", "EX-99.1", "NEWS"),
               ("https://x/ex99-2.pdf", "EX-99.2", "CONSENT"), ("https://x/ex10-1.htm", "EX-10.1", "AGREEMENT"),
               ("https://x/logo.jpg", "GRAPHIC", ""), ("https://x/0009990002-26-000007.txt", "", "Complete")]
    assert [u for u, _, _ in filing_documents(filing, entries)] == ["https://x/form6-k.htm", "https://x/ex99-1.htm"]


def test_parse_filing_document_keeps_item_headings_and_drops_xbrl_header():
    filing = Filing(cik="0009990001", accession="0009990001-26-000012", form="8-K", items=["1.01", "2.01"],
                    acceptance_at=datetime(2026, 3, 2, 16, 5, tzinfo=timezone.utc), company="Northwind Hashing Corp.")
    raw = (CASES / "sec_www" / FOLDER / "nwhx-20260302.htm").read_bytes()
    doc = parse_filing_document(raw, f"{SEC_WWW}/{FOLDER}/nwhx-20260302.htm", filing, kind="8-K")
    assert "Item 1.01 Entry into a Material Definitive Agreement." in doc.text.split("\n\n")
    assert "Item 2.01 Completion of Acquisition or Disposition of Assets." in doc.text
    assert "0009990001" not in doc.text and "false" not in doc.text.split()
    assert (doc.kind, doc.date_source, doc.form, doc.items, doc.cik) == (
        "filing", "edgar", "8-K", ["1.01", "2.01"], "0009990001")
    assert doc.key == "0009990001-26-000012/nwhx-20260302.htm"
    assert doc.published_at == filing.acceptance_at


def test_parse_filing_document_reads_plain_text_and_dates_from_filing_date():
    filing = Filing(cik="1", accession="0000000001-26-000001", form="8-K", filing_date=date(2026, 1, 5))
    doc = parse_filing_document(b"ITEM 2.01\n\nThe company sold a mine.\n", "https://x/d.txt", filing)
    assert doc.text == "ITEM 2.01\n\nThe company sold a mine."
    assert doc.published_at == datetime(2026, 1, 5, tzinfo=timezone.utc)


def test_parse_filing_document_refuses_empty_text():
    filing = Filing(cik="1", accession="0000000001-26-000001", form="8-K")
    with pytest.raises(SourceError, match="0000000001-26-000001"):
        parse_filing_document(b"<html><body><p>123</p></body></html>", "https://x/d.htm", filing)
