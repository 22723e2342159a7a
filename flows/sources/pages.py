"""Turn an article page's bytes into a FetchedDocument: decoding, metadata and the main text."""

from __future__ import annotations

import codecs
import json
import re
import warnings
from datetime import datetime, timedelta, timezone

import charset_normalizer
from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from flows.sources.dates import parse_date
from flows.sources.http import SourceError
from models.records import FeedItem, FetchedDocument

ARTICLE_TYPES = {"newsarticle", "article", "reportagenewsarticle", "blogposting", "pressrelease",
                 "analysisnewsarticle", "report", "webpage"}
CLOCK_SKEW = timedelta(hours=14)  # a date-only stamp in the furthest time zone may look this far ahead
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
_HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "application/xml", "text/xml")
PUBLISHED_META = ("date", "pubdate", "publishdate", "publish-date", "article.published", "dc.date.issued",
                  "dc.date", "dcterms.created", "dcterms.issued", "sailthru.date", "parsely-pub-date",
                  "datepublished", "article:published_time")
NOT_HTML_MAGIC = ((b"%PDF", "application/pdf"), (b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
                  (b"GIF8", "image/gif"), (b"PK\x03\x04", "a zip archive"), (b"RIFF", "image/webp"))
BLOCKS = ["p", "div", "section", "article", "main", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol",
          "blockquote", "pre", "table", "tr", "dd", "dt", "dl", "figcaption", "address", "center", "hr"]
DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "canvas", "form", "button", "select",
             "input", "nav", "header", "footer", "aside", "dialog", "figure", "picture", "video", "audio", "object"]
# Words in class/id names that mark page furniture rather than the story.
BOILERPLATE_WORDS = {"ad", "ads", "advert", "advertisement", "adslot", "sponsored", "promo", "cookie", "cookies",
                     "consent", "gdpr", "related", "recommended", "recirc", "share", "sharing", "social",
                     "comment", "comments", "disqus", "newsletter", "subscribe", "signup", "popup", "modal",
                     "breadcrumb", "breadcrumbs", "sidebar", "menu", "navbar", "nav", "footer", "masthead",
                     "outbrain", "taboola", "toolbar", "paywall", "trending", "most-read", "banner", "tags"}
BOILERPLATE_ROLES = {"navigation", "banner", "contentinfo", "complementary", "dialog", "search", "alert"}
# Latin-script single-byte codecs a detector confuses on short English text; windows-1252 is the web's
# default for undeclared pages (WHATWG), and the one our English-language sources use.
_LATIN_SINGLE_BYTE = {"cp1250", "cp1252", "cp1254", "cp1257", "cp775", "latin_1", "iso8859_2", "iso8859_9",
                      "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "mac_latin2", "mac_roman"}
# Deeper markup is refused: reading it took time growing with the square of its depth (20,000 unclosed <b>
# took 75 s), and no real article comes near. Browsers stop nesting there too (Chromium's parser: 512).
MAX_DEPTH = 512
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


def decode_html(content: bytes, content_type: str | None) -> tuple[str, str]:
    """Decode with the BOM, then the declared charset, then the page's own, then a detector."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                      (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            return content.decode(name, errors="replace"), name
    utf8 = _as_utf8(content)
    if utf8 is not None:  # valid UTF-8 with non-ASCII text is UTF-8, whatever a (often wrong) label says
        return utf8, "utf-8"
    declared = re.search(r"charset\s*=\s*[\"']?([\w\-:.]+)", content_type or "", re.I)
    in_page = _META_CHARSET.search(content[:4096])
    for candidate in (declared.group(1) if declared else None, in_page.group(1).decode() if in_page else None):
        if not candidate:
            continue
        try:
            return content.decode(candidate), candidate.lower()
        except (LookupError, UnicodeDecodeError):
            continue  # a wrong label is common: fall through to the next source
    matches = charset_normalizer.from_bytes(content)
    best = matches.best()
    if best is not None and best.encoding in _LATIN_SINGLE_BYTE and any(m.encoding == "cp1252" for m in matches):
        return content.decode("cp1252", errors="replace"), "cp1252"  # the detector cannot tell these apart
    if best is not None and best.encoding:
        return str(best), codecs.lookup(best.encoding).name
    return content.decode("utf-8", errors="replace"), "utf-8"


def _as_utf8(content: bytes) -> str | None:
    """The text if the bytes are UTF-8 (a stray invalid byte forgiven if three good characters outweigh it)."""
    if content.isascii():
        return None
    text = content.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII characters decoded cleanly
    return text if good and good >= 3 * bad else None


def make_soup(html: str, name: str = "page") -> BeautifulSoup:
    """lxml's HTML tree; XHTML (EDGAR's inline XBRL) parses fine this way, so its warning is noise.

    SourceError naming the page when it nests deeper than MAX_DEPTH (building the tree is linear; reading it
    is not)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(html, "lxml")
    if deeper_than(soup, MAX_DEPTH):
        raise SourceError(f"{name}: not read: its elements nest more than {MAX_DEPTH} levels deep (broken or "
                          "hostile markup; browsers stop nesting there too)")
    return soup


def deeper_than(root: Tag, limit: int) -> bool:
    """True when some element lies more than `limit` levels below root (one pass, stops when it finds one)."""
    stack = [(root, 0)]
    while stack:
        tag, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in tag.contents if isinstance(child, Tag))
    return False


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


def main_text(soup: BeautifulSoup, title: str | None = None) -> str:
    """Body text: the article container without boilerplate, paragraphs joined with blank lines."""
    strip_boilerplate(soup)
    root = _article_root(soup)
    paragraphs = block_text(root)
    if paragraphs and title and " ".join(paragraphs[0].split()) == " ".join(title.split()):
        paragraphs = paragraphs[1:]  # the title is prepended again by FetchedDocument.full_text
    return "\n\n".join(paragraphs)


def strip_boilerplate(soup: BeautifulSoup) -> None:
    """Remove scripts, navigation, ads, cookie banners, share widgets, comments and link lists."""
    for tag in soup.find_all(DROP_TAGS):
        if not tag.decomposed and not _holds_story(tag, tag.name in ("form", "header")):
            tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "head", "title", "meta", "link"):
            continue
        if _is_furniture(tag) and not _holds_story(tag, True):
            tag.decompose()
    for tag in soup.find_all(["ul", "ol"]):
        if not tag.decomposed and _link_density(tag) > 0.7:
            tag.decompose()  # a list that is mostly links is a "related stories" list


def _holds_story(tag: Tag, count_paragraphs: bool) -> bool:
    """True for wrappers around the story (a page-wide <form>, a "has-sidebar" layout div)."""
    if tag.name in ("article", "main") or tag.get("itemprop") == "articleBody":
        return True
    if tag.find(["article", "main"]) or tag.find(attrs={"itemprop": "articleBody"}):
        return True
    return count_paragraphs and len(tag.find_all("p", limit=5)) >= 5 and _link_density(tag) < 0.3


def block_text(root: Tag) -> list[str]:
    """Paragraphs of a subtree: one per block element, whitespace folded, empty ones dropped."""
    for br in root.find_all("br"):
        br.replace_with("\n")  # a line break inside a paragraph; two in a row end it
    for tag in root.find_all(BLOCKS):
        tag.insert_before("\n\n")
        tag.insert_after("\n\n")
    for cell in root.find_all(["td", "th"]):
        cell.insert_after(" ")
    chunks = re.split(r"\n\s*\n", root.get_text())
    return [p for p in (" ".join(c.split()) for c in chunks) if p]


def _is_furniture(tag: Tag) -> bool:
    if (tag.get("role") or "").lower() in BOILERPLATE_ROLES or tag.get("aria-hidden") == "true":
        return True
    style = (tag.get("style") or "").replace(" ", "").lower()
    if "display:none" in style or tag.has_attr("hidden"):
        return True
    names = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
    words = set(re.split(r"[\s_\-]+", names.lower())) | set(names.lower().split())
    return bool(words & BOILERPLATE_WORDS)


def _link_density(tag: Tag) -> float:
    text = len(tag.get_text(strip=True))
    links = sum(len(a.get_text(strip=True)) for a in tag.find_all("a"))
    return links / text if text else 0.0


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


def _article_root(soup: BeautifulSoup) -> Tag:
    body = soup.body or soup
    marked = body.select("[itemprop=articleBody]")
    if marked:
        return max(marked, key=lambda t: len(t.get_text()))
    for selector in ("article", "main", "[role=main]"):
        found = body.select(selector)
        if found:
            best = max(found, key=lambda t: len(t.get_text()))
            if len(best.get_text(strip=True)) > 200:
                return best
    return _densest_block(body)


def _densest_block(body: Tag) -> Tag:
    """The element whose direct <p> children hold the most text: the article in a tag soup."""
    best, best_len = body, 0
    for tag in body.find_all(["div", "section", "td", "body"]):
        size = sum(len(p.get_text(strip=True)) for p in tag.find_all("p", recursive=False))
        if size > best_len:
            best, best_len = tag, size
    return best if best_len >= 200 else body


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
