"""Article pages: decoding, metadata tiers, boilerplate removal, refusals."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from flows.sources.errors import SourceError
from flows.sources.markup import decode_html
from flows.sources.pages import html_to_text, parse_article
from models.records import FeedItem

CASES = Path(__file__).resolve().parents[2] / "cases" / "sources"
BASE = "http://wire.test"
NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
BODY = "<p>Ridgeline sold a 20 MW site in Quebec to a buyer for $5 million in cash, the company said.</p>"


def read(path: str) -> bytes:
    return (CASES / path).read_bytes().replace(b"{{BASE}}", BASE.encode())


def page(head: str = "", body: str = BODY) -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


def test_parse_article_reads_json_ld_and_strips_boilerplate():
    url = f"{BASE}/globenewswire/news-release/2026/03/02/northwind-sells-site.html"
    raw = read("globenewswire/news-release/2026/03/02/northwind-sells-site.html")
    doc = parse_article(raw, url, "text/html; charset=utf-8", None, NOW)
    assert doc.title == "Northwind Hashing Agrees to Sell Its 48 MW Lac-Vert Site"
    assert doc.date_source == "json-ld"
    assert doc.published_at == datetime(2026, 3, 2, 13, 30, tzinfo=timezone.utc)
    assert doc.modified_at == datetime(2026, 3, 2, 13, 45, tzinfo=timezone.utc)
    assert doc.canonical_url == url
    assert doc.raw == raw and doc.kind == "article" and doc.charset == "utf-8"
    assert doc.text.startswith("MONTREAL, March 02, 2026")
    assert "up to $14 million more in three milestone payments" in doc.text
    assert "About Northwind Hashing" in doc.text
    for noise in ("cookies", "ADVERTISEMENT", "Sponsored", "Share on", "Related", "February production",
                  "great deal", "Most read", "Copyright", "Newsroom", "dataLayer"):
        assert noise not in doc.text, noise
    assert "\n\n" in doc.text and "\n\n\n" not in doc.text


def test_parse_article_falls_back_when_the_declared_charset_is_wrong():
    raw = read("globenewswire/news-release/2026/03/05/aurora-hosting.html")
    doc = parse_article(raw, f"{BASE}/a.html", "text/html; charset=utf-8", None, NOW)
    assert doc.charset == "windows-1252"
    assert "Café Power" in doc.text and "Naïve" in doc.text
    assert doc.date_source == "meta" and doc.published_at == datetime(2026, 3, 5, tzinfo=timezone.utc)
    assert "Home" not in doc.text


@pytest.mark.parametrize("content, content_type, expected", [
    ("Café".encode("utf-8"), "text/html; charset=utf-8", "utf-8"),
    ("Café".encode("cp1252"), "text/html; charset=windows-1252", "windows-1252"),
    (b"\xef\xbb\xbfCaf\xc3\xa9", "text/html; charset=iso-8859-1", "utf-8-sig"),
    (b'<meta charset="iso-8859-1"><p>Caf\xe9</p>', None, "iso-8859-1"),
    (b'<meta charset="no-such-codec"><p>Caf\xc3\xa9</p>', "text/html; charset=bogus", "utf-8"),
])
def test_decode_html_prefers_bom_then_declared_then_page_then_detector(content, content_type, expected):
    text, charset = decode_html(content, content_type)
    assert charset == expected and "Café" in text


@pytest.mark.parametrize("head, body, source", [
    ('<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H",'
     ' "datePublished": "2026-03-01T10:00:00Z"}</script>'
     '<meta property="article:published_time" content="2026-02-01T10:00:00Z">', BODY, "json-ld"),
    ('<meta property="article:published_time" content="2026-03-01T10:00:00Z">'
     '<meta name="date" content="2026-02-01">', BODY, "opengraph"),
    ('<meta name="pubdate" content="2026-03-01T10:00:00Z">', BODY, "meta"),
    ("", '<time datetime="2026-03-01T10:00:00Z">1 March</time>' + BODY, "time-tag"),
    ("", BODY, "feed"),
])
def test_parse_article_records_where_the_date_came_from(head, body, source):
    item = FeedItem(url="https://a.test/x", title="Feed title",
                    published_at=datetime(2026, 3, 1, 10, tzinfo=timezone.utc))
    doc = parse_article(page(head, body), "https://a.test/x", "text/html", item, NOW)
    assert doc.date_source == source
    assert doc.published_at == datetime(2026, 3, 1, 10, tzinfo=timezone.utc)


def test_parse_article_refuses_future_dates_and_falls_back():
    head = ('<meta property="article:published_time" content="2031-01-01T00:00:00Z">'
            '<meta name="date" content="2026-04-01">')
    doc = parse_article(page(head), "https://a.test/x", "text/html", None, NOW)
    assert doc.date_source == "meta" and doc.published_at.year == 2026


def test_parse_article_without_any_date_says_none():
    doc = parse_article(page("<title>T</title>"), "https://a.test/x", "text/html", None, NOW)
    assert doc.date_source == "none" and doc.published_at is None and doc.title == "T"


def test_parse_article_takes_issuer_and_tickers_from_the_feed_item():
    item = FeedItem(url="https://a.test/x", issuer="Ridgeline Power", tickers=["TSX:RDG"])
    doc = parse_article(page(), "https://a.test/x", "text/html", item, NOW)
    assert doc.issuer == "Ridgeline Power" and doc.tickers == ["TSX:RDG"]


@pytest.mark.parametrize("content, content_type, reason", [
    (b"%PDF-1.7\n1 0 obj", "application/pdf", "application/pdf"),
    (b"%PDF-1.7\n1 0 obj", "text/html", "application/pdf"),
    (b"\x89PNG\r\n\x1a\nxxxx", "text/html; charset=utf-8", "image/png"),
    (b"\xff\xd8\xff\xe0xxxx", "image/jpeg", "image/jpeg"),
    (b"", "text/html", "empty body"),
    (b"   \n ", "text/html", "empty body"),
    (b"<html><body><p>12 345 - 67.8 %</p></body></html>", "text/html", "no readable text"),
    (b'{"a": 1}', "application/json", "application/json"),
])
def test_parse_article_refuses_what_is_not_an_html_article(content, content_type, reason):
    with pytest.raises(SourceError, match="not an HTML article") as err:
        parse_article(content, "https://a.test/doc", content_type, None, NOW)
    assert reason in str(err.value) and "https://a.test/doc" in str(err.value)


def test_parse_article_picks_the_densest_block_without_article_markup():
    story = "".join(f"<p>Paragraph {i} about a hosting contract for 50 MW in Norway, with terms.</p>"
                    for i in range(6))
    html = page(body=f'<div class="top"><p>Site-wide links</p></div><div class="x">{story}</div>'
                     '<div class="y"><p>Short footer note</p></div>')
    doc = parse_article(html, "https://a.test/x", "text/html", None, NOW)
    assert doc.text.startswith("Paragraph 0") and "footer note" not in doc.text


def test_parse_article_handles_a_page_of_one_endless_sentence():
    html = page(body="<p>" + "and the miners kept on buying " * 20000 + "</p>")
    doc = parse_article(html, "https://a.test/x", "text/html", None, NOW)
    assert len(doc.text) > 500_000


def test_html_to_text_returns_title_and_body():
    title, text = html_to_text(page("<title>Site sold</title>", "<nav>Menu</nav>" + BODY))
    assert title == "Site sold" and text.startswith("Ridgeline sold") and "Menu" not in text
