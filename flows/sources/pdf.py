"""Reading a PDF's text layer for `minewire extract`, with its hard line breaks joined back into sentences."""

from __future__ import annotations

import io
import logging
import re

# A line ending like this ends its paragraph: the extractor reads a document line by line, sentence by sentence.
_ENDS_PARAGRAPH = re.compile(r"[.!?:;\"”’)]\s*$")
SHORT_LINE = 0.6  # of a full line's width: a shorter line is a heading or a paragraph's last line


def pdf_text(data: bytes, name: str) -> str:
    """The text of every page, paragraphs on lines of their own; ValueError naming `name` when the file cannot
    be read as a PDF (damaged, or locked with a password). A scanned PDF without a text layer gives ""."""
    from pypdf import PdfReader

    # pypdf logs every repaired defect of a damaged file as a warning: noise beside the one line we print.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError(f"{name}: the PDF is locked with a password; give an unlocked copy")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ValueError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds on damaged files; one bad file must not stop the run
        raise ValueError(f"{name}: not a readable PDF ({type(exc).__name__}: {exc}); give the document as .txt "
                         "or .html") from exc
    return "\n\n".join(text for text in (unwrap_lines(p) for p in pages) if text)


def unwrap_lines(page: str) -> str:
    """Join lines that a PDF broke inside a paragraph: a line continues on the next unless it is short (a heading
    or a paragraph's end), ends a sentence, or the next is blank. A hyphen at a break is kept ("long-term")."""
    lines = [line.strip() for line in page.replace("\r", "").split("\n")]
    widths = sorted(len(line) for line in lines if line)
    if not widths:
        return ""
    full = widths[len(widths) * 3 // 4]  # most lines of a page's paragraphs run the whole width
    out: list[str] = []
    last = ""  # the previous physical line, as the PDF laid it out
    for line in lines:
        if out and out[-1] and line and len(last) >= SHORT_LINE * full and not _ENDS_PARAGRAPH.search(last):
            out[-1] += line if last.endswith("-") else " " + line
        else:
            out.append(line)
        last = line
    return "\n".join(out).strip()
