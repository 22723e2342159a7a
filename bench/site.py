"""Write a synthetic news site to disk: article pages (JSON-LD, page furniture) and RSS/Atom feeds over them."""

from __future__ import annotations

import html
import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from bench.texts import Article, make_article

SITE_DIR = "bench"  # top-level folder: SampleServer.base_urls() names it, the feeds use {{BASE}}/bench/…
_START = datetime(2024, 1, 1, tzinfo=timezone.utc)


PLANTED = "planted.jsonl"  # beside the served folder: one line per article with deals, {"path", "deals"}


@dataclass
class Corpus:
    """What was written: the feeds (as minewire source dicts) and totals to turn timings into rates. The planted
    deals are in root / PLANTED, not here: the bench process would carry them through the run it measures."""

    root: Path
    sources: list[dict] = field(default_factory=list)
    documents: int = 0
    words: int = 0
    planted_deals: int = 0
    page_bytes: int = 0


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def _page(article: Article, url: str, when: datetime, outlet: str) -> str:
    """An article page as a CMS renders it: metadata in the head, ads and menus around the story."""
    e = html.escape
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": article.title,
          "datePublished": when.isoformat(), "dateModified": when.isoformat(), "url": url,
          "author": {"@type": "Person", "name": "Staff"}, "publisher": {"@type": "Organization", "name": outlet},
          "keywords": article.tags}
    body = "\n".join(f"<p>{e(p)}</p>" + ('\n<div class="ad-slot in-article">Sponsored: hosting for your '
                                         'ASICs, ask for a quote.</div>' if i == 2 else "")
                     for i, p in enumerate(article.paragraphs))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>{e(article.title)} | {e(outlet)}</title>
<meta property="og:title" content="{e(article.title)}"><meta property="og:type" content="article">
<link rel="canonical" href="{e(url)}">
<script type="application/ld+json">{json.dumps(ld)}</script>
<script>window.dataLayer = window.dataLayer || [];</script>
</head><body>
<div class="top-ad ad-slot">Advertisement: immersion cooling tanks in stock.</div>
<header class="site-head"><a href="/">{e(outlet)}</a><nav><a href="/news/">News</a> <a href="/data/">Data</a>
<a href="/subscribe/">Subscribe</a></nav></header>
<main><article><h1>{e(article.title)}</h1>
<div class="byline">By Staff · <time datetime="{when.isoformat()}">{when:%b %d, %Y}</time></div>
<section class="content">
{body}
</section></article>
<aside class="related"><h3>Related</h3><ul><li><a href="/news/a/">Hashrate hits a record</a></li>
<li><a href="/news/b/">Power prices ease</a></li></ul></aside></main>
<div class="newsletter">Get the daily mining brief in your inbox. <form><input type="email"></form></div>
<footer class="site-foot">© {when.year} {e(outlet)}. All rights reserved. <a href="/privacy/">Privacy</a></footer>
</body></html>
"""


def _rss(name: str, items: list[dict]) -> str:
    rows = "".join(map(_rss_item, items))
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>{name}</title><link>{{{{BASE}}}}/{SITE_DIR}/</link><description>{name}</description>\n"
            f"{rows}</channel></rss>\n")


def _rss_item(i: dict) -> str:
    return (f"<item><guid isPermaLink=\"false\">{i['id']}</guid><link>{html.escape(i['url'])}</link>"
            f"<title>{html.escape(i['title'])}</title><description>{html.escape(i['summary'])}</description>"
            f"<pubDate>{format_datetime(i['when'], usegmt=True)}</pubDate>"
            f"<dc:contributor>{html.escape(i['issuer'])}</dc:contributor></item>\n")


def _atom(name: str, items: list[dict]) -> str:
    newest = max((i["when"] for i in items), default=_START).isoformat()
    entries = [f"<entry><id>tag:bench,{i['id']}</id><title type=\"text\">{html.escape(i['title'])}</title>"
               f"<link rel=\"alternate\" type=\"text/html\" href=\"{html.escape(i['url'])}\"/>"
               f"<published>{i['when'].isoformat()}</published><updated>{i['when'].isoformat()}</updated>"
               f"<summary type=\"html\">{html.escape(i['summary'])}</summary></entry>\n" for i in items]
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{{{{BASE}}}}/{SITE_DIR}/{name}</id><title>{name}</title><updated>{newest}</updated>\n"
            f"{''.join(entries)}</feed>\n")


def write_site(root: Path, n_docs: int, n_sources: int, seed: int = 7) -> Corpus:
    """N article pages spread over `n_sources` feeds (alternately RSS and Atom), newest first in each feed."""
    r = random.Random(seed)
    corpus = Corpus(root=root)
    site = root / SITE_DIR
    feeds: list[list[dict]] = [[] for _ in range(n_sources)]
    planted = []
    step = (datetime(2026, 10, 1, tzinfo=timezone.utc) - _START) / max(n_docs, 1)
    for i in range(n_docs):
        article, src = make_article(r), i % n_sources
        when = (_START + step * i + timedelta(minutes=r.randint(0, 59))).replace(microsecond=0)
        path = f"{SITE_DIR}/src{src:03d}/{when:%Y/%m/%d}/{i:06d}-{_slug(article.title)}.html"
        url = "{{BASE}}/" + path
        page = _page(article, url, when, f"Outlet {src:03d}").encode()
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(page)
        feeds[src].append({"id": i, "url": url, "title": article.title, "when": when, "issuer": article.tags[0],
                           "summary": article.paragraphs[0][:200]})
        corpus.documents += 1
        corpus.words += article.words
        corpus.planted_deals += article.deals
        if article.planted:
            planted.append(json.dumps({"path": path, "deals": article.planted}))
        corpus.page_bytes += len(page)
    site.mkdir(parents=True, exist_ok=True)
    (root / PLANTED).write_text("".join(line + "\n" for line in planted))
    for src, items in enumerate(feeds):
        kind = "rss" if src % 2 == 0 else "atom"
        name = f"bench-{src:03d}"
        items.sort(key=lambda it: it["when"], reverse=True)
        (site / f"{name}.xml").write_text(_rss(name, items) if kind == "rss" else _atom(name, items))
        corpus.sources.append({"name": name, "kind": kind, "url": f"{{{SITE_DIR}}}/{name}.xml", "group": "news"})
    return corpus
