"""Parse RSS 2.0, RSS 1.0 and Atom feeds into FeedItems (pure: bytes in, records out)."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from bs4 import BeautifulSoup
from lxml import etree

from flows.sources.dates import parse_date
from flows.sources.errors import SourceError
from models.records import FeedItem

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
DCTERMS = "{http://purl.org/dc/terms/}"
RSS1 = "{http://purl.org/rss/1.0/}"
_ROOT_END = re.compile(rb"</\s*(?:[\w.-]+:)?(?:rss|feed|RDF)\s*>")
_EXPANSION_ERRORS = {etree.ErrorTypes.ERR_RESOURCE_LIMIT, etree.ErrorTypes.ERR_ENTITY_LOOP}
_UNDEFINED_ENTITY = {etree.ErrorTypes.ERR_UNDECLARED_ENTITY, etree.ErrorTypes.WAR_UNDECLARED_ENTITY}
_TICKER = re.compile(r"^[A-Z][A-Z.\- ]{0,15}:\s?[A-Z0-9][A-Z0-9.\-]{0,9}$")


def parse_feed(content: bytes, url: str) -> list[FeedItem]:
    """Items of an RSS or Atom feed; SourceError naming the feed when it cannot be read at all."""
    return read_feed(content, url)[0]


def read_feed(content: bytes, url: str) -> tuple[list[FeedItem], str | None]:
    """parse_feed, and what was wrong with a feed that could still be read (undefined entities), if anything.

    A feed whose entities expand too much or in a loop ('billion laughs') is refused: SourceError."""
    root, problem = _parse_xml(content, url)
    entries = root.findall(f".//{ATOM}entry")
    if entries or _local(root.tag) == "feed":
        items = [_atom_item(e, url) for e in entries]
    else:
        nodes = root.findall("./channel/item") or root.findall(".//item") or root.findall(f".//{RSS1}item")
        if not nodes and _local(root.tag) not in ("rss", "RDF"):
            raise SourceError(f"feed {url}: not an RSS or Atom document (root element <{_local(root.tag)}>)")
        items = [_rss_item(n, url) for n in nodes]
    return [i for i in items if i is not None], problem


def is_truncated(content: bytes) -> bool:
    """True when a feed never closes its root element: the download was cut, and its last item may be too."""
    return bool(content.strip()) and not _ROOT_END.search(content[-4096:])


def _parse_xml(content: bytes, url: str) -> tuple[etree._Element, str | None]:
    """Strict parse first; then lxml's recover mode so a slightly broken feed still yields items. Returns the
    root and, when recovering passed over undefined entities, a sentence naming them."""
    if not content or not content.strip():
        raise SourceError(f"feed {url}: empty response; check the feed URL")
    for recover in (False, True):
        parser = etree.XMLParser(recover=recover, resolve_entities=False, no_network=True, huge_tree=False)
        try:
            root = etree.fromstring(content.lstrip(), parser=parser)
        except etree.XMLSyntaxError as exc:
            error = exc
            _refuse_expansion(parser.error_log, url)
            continue
        _refuse_expansion(parser.error_log, url)  # recover mode reads these as empty: never "0 items"
        if root is not None:
            return root, _undefined_entities(parser.error_log, url)
    raise SourceError(f"feed {url}: malformed XML that could not be recovered ({error})")


def _refuse_expansion(log: etree._ListErrorLog, url: str) -> None:
    """SourceError when libxml2 stopped an entity expanding past its limits or in a loop."""
    for entry in log:
        if entry.type in _EXPANSION_ERRORS:
            raise SourceError(f"feed {url}: refused: its entities expand too much or in a loop (a 'billion "
                              f"laughs' document; libxml2: {entry.message.strip()}); nothing was read from it")


def _undefined_entities(log: etree._ListErrorLog, url: str) -> str | None:
    names = dict.fromkeys(m.group(1) for e in log if e.type in _UNDEFINED_ENTITY
                          for m in [re.search(r"Entity '([^']+)'", e.message)] if m)
    if not names:
        return None
    return (f"feed {url}: undefined entities {', '.join(f'&{n};' for n in names)} (items read, those entities "
            "not decoded); the feed should declare them or escape its '&'")


def _rss_item(node: etree._Element, feed_url: str) -> FeedItem | None:
    guid = _text(node, "guid") or _text(node, f"{DC}identifier") or node.get(
        "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    link = _text(node, "link") or _text(node, f"{RSS1}link")
    if not link and guid and guid.startswith(("http://", "https://")):
        link = guid
    if not link:
        return None
    published = parse_date(_text(node, "pubDate") or _text(node, f"{DC}date") or _text(node, f"{DCTERMS}issued"))
    modified = parse_date(_text(node, f"{DC}modified") or _text(node, f"{DCTERMS}modified"))
    tickers = [c.text.strip() for c in node.findall("category")
               if c.text and ("stock" in (c.get("domain") or "") or _TICKER.match(c.text.strip()))]
    return FeedItem(
        url=urljoin(feed_url, link.strip()),
        title=_clean(_text(node, "title") or _text(node, f"{RSS1}title")),
        guid=guid,
        published_at=published or modified,
        modified_at=modified,
        summary=_clean(_text(node, "description") or _text(node, f"{RSS1}description")),
        issuer=_clean(_text(node, f"{DC}contributor")),
        tickers=list(dict.fromkeys(tickers)),
    )


def _atom_item(entry: etree._Element, feed_url: str) -> FeedItem | None:
    links = entry.findall(f"{ATOM}link")
    chosen = next((lk for lk in links if lk.get("rel", "alternate") == "alternate" and lk.get("href")), None)
    if chosen is None:
        chosen = next((lk for lk in links if lk.get("href")), None)
    guid = _text(entry, f"{ATOM}id")
    href = chosen.get("href") if chosen is not None else (guid if guid and guid.startswith("http") else None)
    if not href:
        return None
    updated = parse_date(_text(entry, f"{ATOM}updated"))
    published = parse_date(_text(entry, f"{ATOM}published") or _text(entry, f"{DC}date"))
    tickers = [c.get("term", "").strip() for c in entry.findall(f"{ATOM}category")
               if _TICKER.match(c.get("term", "").strip()) or "stock" in (c.get("scheme") or "")]
    return FeedItem(
        url=urljoin(feed_url, href.strip()),
        title=_clean(_text(entry, f"{ATOM}title")),
        guid=guid,
        published_at=published or updated,
        modified_at=updated,
        summary=_clean(_text(entry, f"{ATOM}summary") or _text(entry, f"{ATOM}content")),
        issuer=_clean(_text(entry, f"{DC}contributor")),
        tickers=[t for t in dict.fromkeys(tickers) if t],
    )


def _text(node: etree._Element, tag: str) -> str | None:
    child = node.find(tag)
    if child is None:
        return None
    text = "".join(child.itertext()).strip()
    return text or None


def _clean(text: str | None) -> str | None:
    """Plain text from a title or summary that may carry (escaped) HTML."""
    if not text:
        return None
    if "<" in text or "&" in text:
        text = BeautifulSoup(text, "html.parser").get_text(" ")  # escaped HTML in titles and summaries
    return " ".join(text.split()) or None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
