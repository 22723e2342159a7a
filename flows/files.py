"""Reading local documents for `minewire extract`: .txt with optional KEY: value headers, .html/.htm."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path

import charset_normalizer

from extractors.learning.corpus import document_text, split_headers  # noqa: F401  (the corpus reads headers alike)

# UTF-32 first: its little-endian mark begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Single-byte Latin codecs a detector confuses on short English text: read them as windows-1252, as pages do.
_LATIN_SINGLE_BYTE = {"cp1250", "cp1252", "cp1254", "cp1257", "cp775", "latin_1", "iso8859_2", "iso8859_9",
                      "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "mac_latin2", "mac_roman"}
_ALLOWED_CONTROLS = set("\t\n\r\f\v")


def read_document(path: Path) -> tuple[str | None, str]:
    """(title, body) of a local file; ValueError naming the file when it cannot be read as text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from exc
    if path.suffix.lower() in (".html", ".htm"):
        from flows.http import SourceError
        from flows.pages import html_to_text

        # A page's bytes keep its own charset declaration for decode_html, unless they hold NULs (UTF-16
        # without a mark, or not text at all).
        try:
            return html_to_text(decode_text(data, path) if b"\x00" in data else data, str(path))
        except SourceError as exc:  # markup too deep to read: this file fails, the others go on
            raise ValueError(str(exc)) from exc
    headers, body = split_headers(decode_text(data, path))
    return headers.get("TITLE"), body


def decode_text(data: bytes, path: Path | str) -> str:
    """A file's text: by its byte-order mark, as UTF-8, else as charset-normalizer detects it (UTF-16 without
    a mark included); ValueError "not text" naming the file for binary data."""
    mark = next(((bom, codec) for bom, codec in _BOMS if data.startswith(bom)), None)
    if mark:
        text: str | None = data[len(mark[0]):].decode(mark[1], errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        if text is None or "\x00" in text:
            text = _detected(data)
    if text is None or _is_binary(text):
        raise ValueError(f"{path}: not text (binary data, or an encoding that cannot be detected); "
                         "give a .txt in UTF-8 or UTF-16, or an .html page")
    return text


def _detected(data: bytes) -> str | None:
    best = charset_normalizer.from_bytes(data).best()
    if best is None or not best.encoding:
        return None
    if best.encoding in _LATIN_SINGLE_BYTE:
        return data.decode("cp1252", errors="replace")
    return str(best)


def _is_binary(text: str) -> bool:
    """Control characters (other than whitespace) in more than 1 of 200 characters, or any NUL."""
    head = text[:100_000]
    controls = sum(1 for ch in head if ch not in _ALLOWED_CONTROLS and unicodedata.category(ch) == "Cc")
    return "\x00" in text or controls * 200 > len(head)
