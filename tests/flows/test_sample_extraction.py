"""The bundled sample, fetched and parsed by the real sources and read by the extractor, against its labels.

The sample was written apart from the extractor's rules, so this is a held-out check of fetch → parse →
extract on every format the demo serves (wire pages, trade-press pages, EDGAR 8-K/6-K documents and exhibits).
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlsplit

from bench.accuracy import field_counts
from extractors import build_nlp, extract
from flows.demo import SAMPLE_SOURCES
from flows.demo.server import SAMPLE_SITE
from flows.settings import Settings
from flows.sources.polling import poll_source
from flows.sources.watchlist import read_sources
from models.records import SourceState

EXPECTED = json.loads((SAMPLE_SITE.parent / "expected.json").read_text())
MIN_FIELD_F1 = 0.85


def test_sample_documents_yield_their_labelled_deals(sample_server):
    settings = Settings(base_urls=sample_server.base_urls(), allow_private_addresses=True,
                        sec_user_agent="minewire tests tests@example.invalid")
    docs = {}
    for source in read_sources(SAMPLE_SOURCES):
        source = source.model_copy(update={"url": settings.expand(source.url)}) if source.url else source
        # A window reaches EDGAR's older submission pages too (as a backfill does).
        window = {"since": date(2000, 1, 1), "until": date.today()} if source.kind == "edgar" else {}
        for doc in poll_source(source, settings, SourceState(), **window).documents:
            docs[urlsplit(doc.url).path.lstrip("/")] = doc
    gold: dict[str, list[dict]] = {path: [] for path in EXPECTED["no_deal"]}
    for deal in EXPECTED["deals"]:
        gold.setdefault(deal["doc_url_path"], []).append(deal)
    assert set(gold) <= set(docs), sorted(set(gold) - set(docs))
    nlp = build_nlp()
    totals = [0, 0, 0]
    for path, deals in gold.items():
        predicted = [d.to_json() for d in extract(docs[path].full_text, nlp)]
        if not deals:
            assert predicted == [], (path, predicted)
        totals = [a + b for a, b in zip(totals, field_counts(deals, predicted))]
    tp, fp, fn = totals
    assert 2 * tp / (2 * tp + fp + fn) >= MIN_FIELD_F1, totals
