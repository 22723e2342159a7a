"""A labelled corpus in the dev format: NAME.txt (TITLE/URL/PUBLISHED headers, blank line, body) + NAME.json."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

_HEADER = re.compile(r"^([A-Z][A-Z_]{1,20}):\s?(.*)$")


@dataclass
class LabelledDoc:
    """One document's text as the extractor reads it (title, blank line, body) and its gold deals."""

    name: str
    text: str
    deals: list[dict] = field(default_factory=list)


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


def document_text(title: str | None, body: str) -> str:
    """The text the extractor reads: the title is part of the text."""
    return f"{title}\n\n{body}" if title else body


def read_text_file(path: Path) -> str:
    """The extractor's text of one corpus .txt file."""
    headers, body = split_headers(path.read_text(encoding="utf-8-sig"))
    return document_text(headers.get("TITLE"), body)


def read_corpus(directory: Path) -> list[LabelledDoc]:
    """Every NAME.txt with a NAME.json beside it, sorted by name; ValueError when there is none."""
    directory = Path(directory)
    docs = []
    for label_path in sorted(directory.glob("*.json")):
        text_path = label_path.with_suffix(".txt")
        if not text_path.exists():
            raise ValueError(f"{label_path}: labels without their text {text_path.name}; add the text or move the "
                             "labels out of the corpus")
        try:
            label = json.loads(label_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{label_path}: not valid JSON ({exc.msg} at line {exc.lineno}); fix the label file") from exc
        docs.append(LabelledDoc(label.get("doc", label_path.stem), read_text_file(text_path), label.get("deals") or []))
    if not docs:
        raise ValueError(f"{directory}: no labelled documents (NAME.txt beside NAME.json) found")
    return docs
