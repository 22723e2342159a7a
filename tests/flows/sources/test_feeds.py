"""RSS 2.0 (press-wire style) and Atom parsing."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from flows.sources.errors import SourceError
from flows.sources.feeds import parse_date, parse_feed

CASES = Path(__file__).resolve().parents[2] / "cases" / "sources"
BASE = "http://wire.test"


def read(path: str) -> bytes:
    return (CASES / path).read_bytes().replace(b"{{BASE}}", BASE.encode())


def test_parse_feed_reads_press_wire_items():
    items = parse_feed(read("globenewswire/rss/mining-deals.xml"), f"{BASE}/globenewswire/rss/mining-deals.xml")
    assert len(items) == 3
    first = items[0]
    assert first.url.startswith(f"{BASE}/globenewswire/news-release/2026/03/02/northwind-sells-site.html")
    assert first.guid == "3100001"
    assert first.issuer == "Northwind Hashing Corp."
    assert first.tickers == ["NASDAQ:NWHX", "TSX:NWH"]
    assert first.published_at == datetime(2026, 3, 2, 13, 30, tzinfo=timezone.utc)
    assert first.modified_at == datetime(2026, 3, 2, 13, 45, tzinfo=timezone.utc)
    assert first.summary == "Northwind Hashing Corp. will sell its Lac-Vert facility to Aurora Compute Partners."


def test_parse_feed_reads_atom_entries_and_resolves_relative_links():
    items = parse_feed(read("theminermag/feed.atom"), f"{BASE}/theminermag/feed.atom")
    assert [i.url for i in items] == [f"{BASE}/theminermag/news/2026-02-20/kestrel-ohio.html",
                                      f"{BASE}/theminermag/news/2026-01-10/slow-winter.html"]
    assert items[0].title == "Kestrel Digital buys a 30 MW Ohio site & plans AI halls"
    assert items[0].published_at == datetime(2026, 2, 20, 14, 15, tzinfo=timezone.utc)
    assert items[0].tickers == ["NASDAQ:KSTL"]
    assert items[1].published_at == items[1].modified_at == datetime(2026, 1, 10, 8, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("Mon, 02 Mar 2026 13:30 GMT", datetime(2026, 3, 2, 13, 30, tzinfo=timezone.utc)),
    ("Mon, 02 Mar 2026 08:30:00 -0500", datetime(2026, 3, 2, 13, 30, tzinfo=timezone.utc)),
    ("2026-03-02T13:30:00Z", datetime(2026, 3, 2, 13, 30, tzinfo=timezone.utc)),
    ("2026-03-02T15:30:00+02:00", datetime(2026, 3, 2, 13, 30, tzinfo=timezone.utc)),
    ("2026-03-02", datetime(2026, 3, 2, tzinfo=timezone.utc)),
    ("next Tuesday", None),
    ("", None),
    (None, None),
])
def test_parse_date_returns_aware_utc(text, expected):
    assert parse_date(text) == expected


def test_parse_feed_recovers_items_from_slightly_broken_xml():
    broken = (b"<rss><channel><item><title>Fish & chips</title><link>https://a.test/1</link></item>"
              b"<item><title>Second</title><link>https://a.test/2</link></item></channel>")  # bare & and no </rss>
    assert [i.url for i in parse_feed(broken, "https://a.test/feed")] == ["https://a.test/1", "https://a.test/2"]


def test_parse_feed_skips_items_without_a_link_and_uses_permalink_guids():
    feed = (b"<rss version='2.0'><channel><item><title>No link</title></item>"
            b"<item><guid>https://a.test/by-guid</guid><title>Guid only</title></item></channel></rss>")
    assert [i.url for i in parse_feed(feed, "https://a.test/feed")] == ["https://a.test/by-guid"]


@pytest.mark.parametrize("content, message", [
    (b"", "empty response"),
    (b"   ", "empty response"),
    (b"<html><body>Not a feed</body></html>", "not an RSS or Atom"),
    (b"\x89PNG\r\n\x1a\n\x00\x00binary", "malformed XML"),
])
def test_parse_feed_names_the_feed_when_unreadable(content, message):
    with pytest.raises(SourceError, match=message) as err:
        parse_feed(content, "https://a.test/feed.xml")
    assert "https://a.test/feed.xml" in str(err.value)


def test_parse_feed_does_not_expand_external_entities():
    evil = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b"<rss><channel><item><title>&x;</title><link>https://a.test/1</link></item></channel></rss>")
    items = parse_feed(evil, "https://a.test/feed")
    assert "root:" not in (items[0].title or "")
