"""Turn an article page's bytes into a FetchedDocument: its metadata here, decoding in markup.py, the story in
article_text.py."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from bs4 import BeautifulSoup

from flows.sources.article_text import main_text
from flows.sources.dates import parse_date
from flows.sources.errors import SourceError
from flows.sources.markup import decode_html, make_soup
from models.records import FeedItem, FetchedDocument

ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "pressrelease",
                 "analysisnewsarticle", "report", "webpage"}
CLOCK_SKEW = timedelta(hours=14)  # a date-only stamp in the furthest time zone may look this far ahead
_HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")
PUBLISHED_META = ("date", "pubdate", "publishdate", "publish-date", "article.published", "dc.date.issued",
                  "dc.date", "dcterms.created", "dcterms.issued", "sailthru.date", "parsely-pub-date",
                  "datepublished", "article:published_time")
NOT_HTML_MAGIC = ((b"%PDF", "application/pdf"), (b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
                  (b"GIF8", "image/gif"), (b"PK\x03\x04", "a zip archive"), (b"RIFF", "image/webp"))
MODIFIED_META = ("last-modified", "dcterms.modified", "article.updated", "datemodified", "article:modified_time")


def parse_article(content: bytes, url: str, content_type: str | None, item: FeedItem | None,
                  now: datetime) -> FetchedDocument:
    """Parse one fetched page; SourceError with a plain reason when it is not an HTML article."""
    _refuse_non_html(content, url, content_type)
    html, charset = decode_html(content, content_type)
    soup = make_soup(html, url)
    meta = read_metadata(soup, now)
    title = meta["title"] or (item.title if item else None)
    text = main_text(soup, title)
    if not re.search(r"[^\W\d_]", text):
        raise SourceError(f"{url}: not an HTML article (no readable text in the page)")
    published, date_source = meta["published"], meta["date_source"]
    if published is None and item and item.published_at and item.published_at <= now + CLOCK_SKEW:
        published, date_source = item.published_at, "feed"
    modified = meta["modified"] or (item.modified_at if item else None)
    return FetchedDocument(
        url=url, text=text, title=title, canonical_url=meta["canonical"], published_at=published,
        date_source=date_source or "none", modified_at=modified, kind="article", fetched_at=now,
        raw=content, content_type=content_type, charset=charset,
        issuer=item.issuer if item else None, tickers=list(item.tickers) if item else [],
    )


def html_to_text(html: str | bytes, name: str = "page") -> tuple[str | None, str]:
    """(title, body text) of an HTML document, for `minewire extract` on .html files."""
    if isinstance(html, bytes):
        html, _ = decode_html(html, None)
    soup = make_soup(html, name)
    title = read_metadata(soup, datetime.now(timezone.utc))["title"]
    return title, main_text(soup, title)


def read_metadata(soup: BeautifulSoup, now: datetime) -> dict:
    """Title, dates and canonical URL: JSON-LD, then Open Graph, then <meta>, then <time>."""
    ld = _json_ld_article(soup)
    og = {m.get("property", "").lower(): m.get("content") for m in soup.find_all("meta", property=True)}
    named = {(m.get("name") or m.get("itemprop") or "").lower(): m.get("content")
             for m in soup.find_all("meta") if (m.get("name") or m.get("itemprop")) and m.get("content")}
    tiers = [
        ("json-ld", ld.get("datePublished"), ld.get("dateModified")),
        ("opengraph", og.get("article:published_time"), og.get("article:modified_time")),
        ("meta", _first(named, PUBLISHED_META), _first(named, MODIFIED_META)),
        ("time-tag", _time_tag(soup), None),
    ]
    published = source = modified = None
    for name, pub, mod in tiers:
        when = _not_future(parse_date(pub), now)
        if when and published is None:
            published, source = when, name
        modified = modified or _not_future(parse_date(mod), now)
    canonical_link = soup.find("link", rel="canonical")
    return {
        "title": _clean(ld.get("headline") or ld.get("name")) or _clean(og.get("og:title"))
        or _clean(named.get("title") or named.get("twitter:title")) or _heading(soup),
        "published": published, "date_source": source, "modified": modified,
        "canonical": _url(ld.get("url") or ld.get("mainEntityOfPage")) or og.get("og:url")
        or (canonical_link.get("href") if canonical_link else None),
    }


def _refuse_non_html(content: bytes, url: str, content_type: str | None) -> None:
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if not content.strip():
        raise SourceError(f"{url}: not an HTML article (empty body)")
    sniffed = next((kind for magic, kind in NOT_HTML_MAGIC if content.lstrip()[:8].startswith(magic)), None)
    if sniffed:
        raise SourceError(f"{url}: not an HTML article (got {sniffed}, served as {mime or 'no type'})")
    if mime and not mime.startswith(_HTML_TYPES):
        raise SourceError(f"{url}: not an HTML article (got {mime})")


def _json_ld_article(soup: BeautifulSoup) -> dict:
    """The first JSON-LD object typed as an article (also inside @graph and lists)."""
    for script in soup.find_all("script", type=re.compile(r"ld\+json", re.I)):
        try:
            data = json.loads(script.string or script.get_text() or "null", strict=False)
        except (json.JSONDecodeError, TypeError):
            continue  # broken JSON-LD is common; the other tiers still apply
        stack = [data]
        while stack:
            node = stack.pop(0)
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                types = node.get("@type") or []
                types = [types] if isinstance(types, str) else types
                if any(str(t).lower() in ARTICLE_TYPES for t in types) and (
                        node.get("headline") or node.get("datePublished")):
                    return node
                stack.extend(v for k, v in node.items() if k == "@graph")
    return {}


def _time_tag(soup: BeautifulSoup) -> str | None:
    tag = (soup.find("time", attrs={"itemprop": "datePublished"}) or soup.find("time", datetime=True)
           or soup.find("time"))  # a dateline printed only as text ("Jan 2, 2026 8:00 PM ET")
    if tag is None:
        return None
    return tag.get("datetime") or tag.get_text(strip=True)


def _heading(soup: BeautifulSoup) -> str | None:
    for tag in (soup.find("h1"), soup.title):
        if tag is not None and tag.get_text(strip=True):
            return _clean(tag.get_text(" "))
    return None


def _not_future(when: datetime | None, now: datetime) -> datetime | None:
    if when is None:
        return None
    return when if when <= now + CLOCK_SKEW else None


def _first(values: dict, keys: tuple[str, ...]) -> str | None:
    return next((values[k] for k in keys if values.get(k)), None)


def _url(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url")
    return value if isinstance(value, str) and value.startswith(("http://", "https://")) else None


def _clean(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    return " ".join(text.split()) or None
