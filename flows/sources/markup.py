"""Bytes to an HTML tree: the page's charset found, and markup nested past reason refused."""

from __future__ import annotations

import codecs
import re
import warnings

import charset_normalizer
from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from flows.sources.errors import SourceError

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.I)
# Latin-script single-byte codecs a detector confuses on short English text; windows-1252 is the web's
# default for undeclared pages (WHATWG), and the one our English-language sources use.
_LATIN_SINGLE_BYTE = {"cp1250", "cp1252", "cp1254", "cp1257", "cp775", "latin_1", "iso8859_2", "iso8859_9",
                      "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "mac_latin2", "mac_roman"}
# Deeper markup is refused: reading it takes time growing with the square of its depth, and no real article
# comes near. Browsers stop nesting there too (Chromium's parser: 512).
MAX_DEPTH = 512


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
