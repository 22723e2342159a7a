"""Dates as wires and pages print them: ISO 8601, RFC 822 and US style with zone letters."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from flows.sources.dates import parse_date
from flows.sources.pages import parse_article

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("Jan 2, 2026 8:00 PM ET", utc(2026, 1, 3, 1)),          # winter: ET is UTC-5, so the next day in UTC
    ("Jul 2, 2026 8:00 PM ET", utc(2026, 7, 3, 0)),          # summer: ET is UTC-4
    ("March 02, 2026 08:30 ET", utc(2026, 3, 2, 13, 30)),    # before the 8 March 2026 change: still EST
    ("March 09, 2026 08:30 ET", utc(2026, 3, 9, 12, 30)),    # after it: EDT
    ("January 2, 2026 at 8:00 PM EST", utc(2026, 1, 3, 1)),
    ("Jun 5, 2026 9:15 a.m. EDT", utc(2026, 6, 5, 13, 15)),
    ("Feb 3, 2026 4:00 PM CT", utc(2026, 2, 3, 22)),
    ("Feb 3, 2026 4:00 PM CST", utc(2026, 2, 3, 22)),
    ("Jun 3, 2026 4:00 PM CDT", utc(2026, 6, 3, 21)),
    ("Feb 3, 2026 4:00 PM MT", utc(2026, 2, 3, 23)),
    ("Feb 3, 2026 4:00 PM PT", utc(2026, 2, 4, 0)),
    ("Feb 3, 2026 4:00 PM PST", utc(2026, 2, 4, 0)),
    ("Jun 3, 2026 4:00 PM PDT", utc(2026, 6, 3, 23)),
    ("Jan 2, 2026 8:00 PM Eastern Standard Time", utc(2026, 1, 3, 1)),
    ("Published: March 3, 2026 | 9:15 a.m. CT", utc(2026, 3, 3, 15, 15)),
    ("Mon, 02 Mar 2026 08:30:00 EST", utc(2026, 3, 2, 13, 30)),
    ("Mon, 02 Mar 2026 08:30:00 ET", utc(2026, 3, 2, 13, 30)),
    ("Tue, 03 Mar 2026 09:00:00 +0100", utc(2026, 3, 3, 8)),
])
def test_parse_date_reads_us_zone_letters(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("January 2, 2026", utc(2026, 1, 2)),
    ("Jan. 2, 2026", utc(2026, 1, 2)),
    ("2 January 2026", utc(2026, 1, 2)),
    ("Updated on February 14, 2026", utc(2026, 2, 14)),
])
def test_parse_date_reads_a_date_without_a_time_as_that_day(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["Tuesday", "March 2026", "2026", "next Tuesday", "8:00 PM ET", "soon"])
def test_parse_date_refuses_a_date_that_lacks_its_day(text):
    assert parse_date(text) is None


def test_parse_article_reads_a_visible_us_dateline_in_its_zone():
    html = ("<html><head><title>Sale</title></head><body><article><time>Jan 2, 2026 8:00 PM ET</time>"
            "<p>Ridgeline sold a 20 MW site in Quebec to a buyer for $5 million in cash, the company said."
            "</p></article></body></html>").encode()
    doc = parse_article(html, "https://a.test/x", "text/html", None, NOW)
    assert doc.date_source == "time-tag" and doc.published_at == utc(2026, 1, 3, 1)


def test_parse_article_reads_a_date_only_meta_tag():
    html = ('<html><head><meta name="date" content="January 2, 2026"></head><body>'
            "<p>Ridgeline sold a 20 MW site in Quebec to a buyer for $5 million in cash.</p></body></html>").encode()
    doc = parse_article(html, "https://a.test/x", "text/html", None, NOW)
    assert doc.date_source == "meta" and doc.published_at == utc(2026, 1, 2)
