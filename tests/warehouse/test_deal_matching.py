"""Matching mentions to deals: the index finds exactly what a scan of every stored mention would, and a load's
new deals are the rows the `deals` view then shows."""

from __future__ import annotations

import random
from datetime import datetime, timezone

from models.records import DealMention, FetchedDocument, PollResult
from warehouse import init_warehouse, open_warehouse
from warehouse.deals import load_mentions
from warehouse.documents import load_poll
from warehouse.batch import DealBatch
from warehouse.matching import KnownMentions, MentionKey, match_keys, mention_key, prepare_mentions, same_deal

PARTIES = ["Hashgrid Mining Corp.", "Andes Compute", "Norvolt", "Bitfarms Ltd.", "Riot Platforms", "Cipher Mining",
           "TeraWulf", "Sympatheia Power Fund", "Hut 8", None]
ASSETS = ["Rio Verde", "Paso Pe", "Rockdale", "Lake Mariner", "Yguazu", None]


def _random_mention(rng: random.Random, i: int) -> MentionKey:
    figure = lambda: rng.choice([None, 40.0, 40.3, 40.5, 41.0, 70.0, 18e6, 18.1e6, 30e6])  # noqa: E731
    return mention_key(f"deal{i}", f"doc{i % 37}", rng.choice(["asset_sale", "acquisition", "hosting", "merger"]),
                    rng.choice(PARTIES), rng.choice(PARTIES), rng.choice(ASSETS), figure(), figure())


def test_the_index_finds_the_first_stored_mention_a_full_scan_would():
    rng = random.Random(7)
    stored = [_random_mention(rng, i) for i in range(120)]
    known = KnownMentions(stored)
    matched = 0
    for i in range(120, 920):
        probe = _random_mention(rng, i)
        by_scan = next((m.deal_id for m in stored if same_deal(probe, m)), None)
        assert known.match(probe, match_keys(probe)[1]) == by_scan, probe
        matched += by_scan is not None
    assert 200 < matched < 700  # both outcomes are exercised


def test_an_index_kept_current_by_loads_finds_what_a_scan_would():
    # As loads use it: each new mention is matched, then added with the deal id it got. Mentions naming both
    # parties are looked up by their pair, the rest by every key: both kinds are added and probed here.
    for seed in (3, 11, 29):
        rng = random.Random(seed)
        stored, known = [], KnownMentions([])
        outcomes = {True: 0, False: 0}
        for i in range(700):
            probe = _random_mention(rng, i)
            by_scan = next((m.deal_id for m in stored if same_deal(probe, m)), None)
            assert known.match(probe, match_keys(probe)[1]) == by_scan, (seed, probe)
            both = bool(probe.seller and probe.buyer)
            outcomes[both] += by_scan is not None
            row = probe._replace(deal_id=by_scan or probe.deal_id)
            stored.append(row)
            known.add(row)
        assert min(outcomes.values()) > 50, outcomes  # matches with and without both parties


def test_figures_within_one_percent_match_across_bucket_edges():
    for capacity in (10.0, 33.3, 99.99, 100.0, 1234.5, 5e6):
        for other in (capacity * 1.0099, capacity * 0.9901, capacity * 1.0101):
            a = mention_key("a", "d1", "asset_sale", "Hashgrid", None, None, capacity, None)
            b = mention_key("b", "d2", "asset_sale", "Hashgrid", None, None, other, None)
            assert (KnownMentions([a]).match(b, match_keys(b)[1]) == "a") == same_deal(b, a)


def _releases() -> list[FetchedDocument]:
    """Three wire releases, dated 1-3 March 2025."""
    return [FetchedDocument(url=f"https://wire.example/{i}", text=f"Release number {i} about a site sale.",
                            title=f"Release {i}", source="wire", published_at=datetime(2025, 3, i, tzinfo=timezone.utc))
            for i in (1, 2, 3)]


def _load(path, docs: list[FetchedDocument], batch: DealBatch) -> tuple[list[dict], list[tuple], list[dict]]:
    """Store the documents in a new warehouse and load their deals as extractor t1: (the new deals returned, by
    deal_id; the stored evidence; the `deals` view's rows)."""
    with open_warehouse(path) as engine:
        init_warehouse(engine)
        with engine.begin() as conn:
            load_poll(conn, PollResult(source="wire", documents=docs), {"name": "wire", "kind": "rss",
                                                                       "url": "http://127.0.0.1/w.xml"}, 3)
            new = load_mentions(conn, batch, "t1")
            evidence = conn.exec_driver_sql("SELECT * FROM deal_evidence ORDER BY evidence_id").fetchall()
            view = conn.exec_driver_sql("SELECT * FROM deals ORDER BY deal_id").mappings().all()
    return sorted(new, key=lambda r: r["deal_id"]), evidence, [dict(r) for r in view]


def test_new_deals_returned_by_a_load_are_the_rows_the_deals_view_shows(warehouse_path):
    docs = _releases()
    sale = dict(deal_type="asset_sale", seller="Hashgrid Mining Corp.", buyer="Andes Compute", asset="Rio Verde",
                sentence="sold", start_char=0, end_char=4, extractor_version="t1")
    extractions = [
        (docs[0].doc_id, [DealMention(**sale, capacity_mw=40.0, confidence=0.6)]),
        (docs[1].doc_id, [DealMention(**sale, price_usd=18e6, cash_usd=9e6, confidence=0.9),
                          DealMention(deal_type="hosting", seller="Norvolt", buyer="Riot Platforms", capacity_mw=70.0,
                               sentence="hosts", start_char=5, end_char=10, confidence=0.7)]),
        (docs[2].doc_id, []),
    ]
    new, _, view = _load(warehouse_path, docs, DealBatch.of(extractions))
    assert new == view
    sale_row = next(r for r in new if r["deal_type"] == "asset_sale")
    assert (sale_row["capacity_mw"], sale_row["price_usd"], sale_row["sources"]) == (40.0, 18e6, 2)
    assert str(sale_row["announced_date"]) == "2025-03-01" and sale_row["confidence"] == 0.9


def test_a_load_of_mentions_prepared_by_the_workers_stores_what_a_load_preparing_them_itself_does(tmp_path):
    docs = _releases()
    pairs = [(docs[0].doc_id, [DealMention("asset_sale", seller="Hashgrid Mining Corp.", buyer="Andes Compute",
                                    capacity_mw=40.0, sentence="sold", start_char=0, end_char=4, confidence=0.6)]),
             (docs[1].doc_id, [DealMention("acquisition", seller="Hashgrid", buyer="Andes Compute Inc.", price_usd=18e6,
                                    sentence="bought", start_char=3, end_char=9, confidence=0.9),
                               DealMention("hosting", seller="Norvolt", buyer="Riot Platforms", capacity_mw=70.0,
                                    sentence="hosts", start_char=5, end_char=10, confidence=0.7)]),
             (docs[2].doc_id, [])]
    ids, deals = [d for d, _ in pairs], [x for _, x in pairs]
    results = []
    for name, batch in [("here", DealBatch.of(pairs)), ("prepared", DealBatch.of(pairs, prepared=prepare_mentions(ids, deals, "t1"))),
                        # made for another extractor version: its evidence ids would be wrong, so redone
                        ("stale", DealBatch.of(pairs, prepared=prepare_mentions(ids, deals, "t0")))]:
        results.append(_load(tmp_path / f"{name}.duckdb", docs, batch))
    assert results[0] == results[1] == results[2]
    new, evidence, merged = results[0]
    assert len(evidence) == 3 and len(merged) == len(new) == 2  # the sale and the acquisition are one deal
