"""Reading local documents for `minewire extract`: .txt with optional KEY: value headers, .html/.htm, .pdf, a
directory of them, or standard input; each named by a document id unique in the run."""

from __future__ import annotations

import codecs
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import charset_normalizer

from extractors.learning.corpus import document_text, split_headers  # the corpus reads headers alike

# UTF-32 first: its little-endian mark begins with UTF-16's.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"), (codecs.BOM_UTF8, "utf-8"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Single-byte Latin codecs a detector confuses on short English text: read them as windows-1252, as pages do.
_LATIN_SINGLE_BYTE = {"cp1250", "cp1252", "cp1254", "cp1257", "cp775", "latin_1", "iso8859_2", "iso8859_9",
                      "iso8859_10", "iso8859_13", "iso8859_14", "iso8859_15", "mac_latin2", "mac_roman"}
_ALLOWED_CONTROLS = set("\t\n\r\f\v")
_KINDS = {".html": "html", ".htm": "html", ".pdf": "pdf"}  # any other file is read as text
SUPPORTED = (".txt", ".html", ".htm", ".pdf")  # what a directory is searched for
STDIN = "-"  # the argument, and the document id, of standard input
_HTML_START = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b",
                         re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Input:
    """One document to extract: its id in the output and where it comes from (None: standard input)."""

    doc_id: str
    path: Path | None


def list_inputs(args: list[str]) -> tuple[list[Input], list[str]]:
    """The documents the arguments name, in order, and warnings (a directory without documents).

    A directory stands for its .txt, .html, .htm and .pdf files, recursively, sorted (hidden ones skipped); "-"
    for standard input. A file's id is its path relative to the common parent of all the files, without the
    extension: bare names for files of one folder, "a/index" and "b/index" for two index.html. Files whose ids
    would still be equal ("sale.txt" and "sale.html") keep their extension."""
    if args.count(STDIN) > 1:
        raise ValueError('"-" (standard input) is given more than once: it can be read once')
    named: list[Path | None] = []
    warnings = []
    for arg in args:
        path = Path(arg)
        if arg == STDIN:
            named.append(None)
        elif path.is_dir():
            found = _documents_in(path)
            named += found
            if not found:
                warnings.append(f"{path}: no {', '.join(SUPPORTED)} files in this directory")
        else:
            named.append(path)  # a missing file is reported when it is read, and the others go on
    ids = _document_ids([p for p in named if p is not None])
    return [Input(ids[p] if p is not None else STDIN, p) for p in named], warnings


def _documents_in(directory: Path) -> list[Path]:
    found = [p for p in directory.rglob("*") if p.suffix.lower() in SUPPORTED and p.is_file()
             and not any(part.startswith(".") for part in p.relative_to(directory).parts)]
    return sorted(found, key=lambda p: p.relative_to(directory).parts)


def _document_ids(paths: list[Path]) -> dict[Path, str]:
    if not paths:
        return {}
    absolute = {p: os.path.abspath(p) for p in paths}
    parent = os.path.commonpath([os.path.dirname(a) for a in absolute.values()])
    relative = {p: Path(os.path.relpath(a, parent)).as_posix() for p, a in absolute.items()}
    bare = {p: r[: -len(p.suffix)] if p.suffix else r for p, r in relative.items()}
    sharing: dict[str, set[str]] = {}
    for p, doc_id in bare.items():
        sharing.setdefault(doc_id, set()).add(absolute[p])
    return {p: relative[p] if len(sharing[doc_id]) > 1 else doc_id for p, doc_id in bare.items()}


def input_text(item: Input, stdin: BinaryIO, max_chars: int) -> tuple[str, list[str]]:
    """The text extract reads from one input (its title, a blank line, its body) and warnings about it (none to
    read, longer than `max_chars`); ValueError naming the input when it cannot be read. Standard input is read
    as a PDF, a page or text by what it starts with; a file by its extension."""
    if item.path is None:
        name, data = "standard input", stdin.read()
        kind = "pdf" if data.startswith(b"%PDF-") else "html" if _HTML_START.match(data[:4096]) else "text"
    else:
        name, kind = str(item.path), _KINDS.get(item.path.suffix.lower(), "text")
        try:
            data = item.path.read_bytes()
        except OSError as exc:
            raise ValueError(f"{item.path}: cannot read ({exc.strerror})") from exc
    text = document_text(*read_bytes(data, name, kind))
    if not text.strip():
        why = ("no text layer (a scanned PDF?), no deals; run it through OCR first" if kind == "pdf" else
               "empty (no text to read), no deals")
        return text, [f"{name}: {why}"]
    if len(text) > max_chars:
        return text, [(f"{name}: {len(text):,} characters; deals are read from the first {max_chars:,} only "
                       "(split the file to read the rest)")]
    return text, []


def read_bytes(data: bytes, name: Path | str, kind: str) -> tuple[str | None, str]:
    """(title, body) of a document's bytes read as `kind` (text, html or pdf); ValueError naming `name`."""
    if kind == "pdf":
        from flows.sources.pdf import pdf_text

        return None, pdf_text(data, str(name))
    if kind == "html":
        from flows.sources.errors import SourceError
        from flows.sources.pages import html_to_text

        # A page's bytes keep its own charset declaration for decode_html, unless they hold NULs (UTF-16
        # without a mark, or not text at all).
        try:
            return html_to_text(decode_text(data, name) if b"\x00" in data else data, str(name))
        except SourceError as exc:  # markup too deep to read: this file fails, the others go on
            raise ValueError(str(exc)) from exc
    headers, body = split_headers(decode_text(data, name))
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
