"""Main text of article pages: our parser (flows.sources.pages) against trafilatura, scored against the intended text.

    .venv/bin/python bench/main_text.py            # the table: token P/R/F1 and ms per page, per page and overall

Pages: the bundled sample site's article pages (intended text: the paragraphs of the outlet's story container,
in-article ads left out) and bench/pages/*.html, written for this bench in the structures of the dev corpus's
outlets with made-up stories (intended text: the .txt beside each, title first).
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

from bs4 import BeautifulSoup  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "bench" / "pages"
SITE = ROOT / "flows" / "demo" / "sample" / "site"
# Where each sample outlet keeps its story; what sits inside but is not the story.
SAMPLE_STORY = {"globenewswire": "[itemprop=articleBody]", "theminermag": "section.gh-content"}
SAMPLE_NOT_STORY = ".ad-slot"
_TOKEN = re.compile(r"\w+")


def cases() -> list[tuple[str, bytes, str]]:
    """(name, page bytes, intended body text) for every page of the bench."""
    found = []
    for outlet, selector in SAMPLE_STORY.items():
        for path in sorted((SITE / outlet).rglob("*.html")):
            raw = path.read_bytes()
            soup = BeautifulSoup(raw, "lxml")
            story = soup.select_one(selector)
            for tag in story.select(SAMPLE_NOT_STORY):
                tag.decompose()
            found.append((f"sample/{outlet}/{path.parent.name if path.name == 'index.html' else path.stem}"[:60],
                          raw, story.get_text(" ")))
    for path in sorted(PAGES.glob("*.html")):
        _, _, body = path.with_suffix(".txt").read_text().partition("\n\n")
        found.append((f"outlet/{path.stem}", path.read_bytes(), body))
    return found


def ours(raw: bytes) -> str:
    from flows.sources.pages import html_to_text

    return html_to_text(raw)[1]


def trafilatura_text(raw: bytes, **options) -> str:
    """trafilatura's text, its first line dropped when it is the page's title (main_text drops it too: the
    pipeline puts the title in front of the body itself)."""
    import trafilatura

    from flows.sources.markup import decode_html, make_soup
    from flows.sources.pages import read_metadata

    html, _ = decode_html(raw, None)
    text = trafilatura.extract(html, include_comments=False, include_tables=True, deduplicate=False,
                               **options) or ""
    title = read_metadata(make_soup(html), datetime.now(timezone.utc))["title"]
    first, _, rest = text.partition("\n")
    return rest if title and " ".join(first.split()) == " ".join(title.split()) else text


def scores(gold: str, got: str) -> tuple[float, float, float]:
    """Token precision, recall and F1 of `got` against `gold` (word multisets, case folded)."""
    g, p = Counter(_TOKEN.findall(gold.lower())), Counter(_TOKEN.findall(got.lower()))
    common = sum((g & p).values())
    precision = common / sum(p.values()) if p else 0.0
    recall = common / sum(g.values()) if g else 0.0
    return precision, recall, (2 * precision * recall / (precision + recall) if common else 0.0)


def measure(parsers: dict, repeat: int = 5) -> dict[str, dict]:
    """Per parser: per-page (P, R, F1) and the mean ms a page over `repeat` passes."""
    pages = cases()
    results = {}
    for name, parse in parsers.items():
        parse(pages[0][1])  # imports and lazy set-up outside the clock
        started = time.perf_counter()
        for _ in range(repeat):
            texts = [parse(raw) for _, raw, _ in pages]
        ms = (time.perf_counter() - started) * 1000 / repeat / len(pages)
        results[name] = {"pages": {page: scores(gold, text) for (page, _, gold), text in zip(pages, texts)},
                         "ms_per_page": ms}
    return results


def report(results: dict[str, dict]) -> str:
    names = list(results)
    lines = ["page".ljust(44) + "".join(f"{n + ' P/R/F1':>24}  " for n in names)]
    for page in results[names[0]]["pages"]:
        cells = ["{:>8.2f}{:>8.2f}{:>8.2f}  ".format(*results[n]["pages"][page]) for n in names]
        lines.append(page[:43].ljust(44) + "".join(cells))
    for group in ("sample/", "outlet/", ""):
        label = {"sample/": "mean, sample site", "outlet/": "mean, outlet pages", "": "mean, all pages"}[group]
        cells = []
        for n in names:
            rows = [v for k, v in results[n]["pages"].items() if k.startswith(group)]
            cells.append("{:>8.3f}{:>8.3f}{:>8.3f}  ".format(*(sum(r[i] for r in rows) / len(rows) for i in range(3))))
        lines.append(label.ljust(44) + "".join(cells))
    lines.append("ms per page".ljust(44) + "".join(f"{results[n]['ms_per_page']:>24.1f}  " for n in names))
    return "\n".join(lines)


PARSERS = {"ours": ours, "trafilatura": trafilatura_text,
           "traf. precise": partial(trafilatura_text, favor_precision=True)}

if __name__ == "__main__":
    print(report(measure(PARSERS)))
