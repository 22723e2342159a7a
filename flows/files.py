"""Reading local documents for `minewire extract`: .txt with optional KEY: value headers, .html/.htm."""

from __future__ import annotations

import re
from pathlib import Path

_HEADER = re.compile(r"^([A-Z][A-Z_]{1,20}):\s?(.*)$")


def split_headers(text: str) -> tuple[dict[str, str], str]:
    """Leading `KEY: value` lines up to the first blank line are metadata; the rest is the body."""
    lines = text.split("\n")
    headers: dict[str, str] = {}
    for i, line in enumerate(lines):
        if not line.strip():
            return (headers, "\n".join(lines[i + 1 :])) if headers else ({}, text)
        m = _HEADER.match(line.rstrip("\r"))
        if not m:
            return {}, text
        headers[m.group(1)] = m.group(2).strip()
    return {}, text


def read_document(path: Path) -> tuple[str | None, str]:
    """(title, body) of a local file; ValueError naming the file when it cannot be read as text."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from exc
    if path.suffix.lower() in (".html", ".htm"):
        from flows.pages import html_to_text

        return html_to_text(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    headers, body = split_headers(text)
    return headers.get("TITLE"), body


def document_text(title: str | None, body: str) -> str:
    """The text the extractor reads: the title is part of the text."""
    return f"{title}\n\n{body}" if title else body
