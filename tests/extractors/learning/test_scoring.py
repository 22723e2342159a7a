"""The in-process scorer gives the shared dev scorer's figures, and its matching rules behave as documented."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.learning.corpus import read_corpus
from extractors.learning.scoring import ALL_FIELDS, CORE_FIELDS, Tally, match_deals, same_field
from tests.conftest import CASES

GOLD = CASES / "learning"
PREDICTIONS = CASES / "learning-predictions.jsonl"
SHARED_SCORER = Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "score.py"


def read_predictions(path: Path) -> dict[str, list[dict]]:
    rows = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {row["doc"]: row["deals"] for row in rows}


@pytest.fixture(scope="module")
def tally_report() -> dict:
    predictions = read_predictions(PREDICTIONS)
    tally = Tally()
    for doc in read_corpus(GOLD):
        tally.add(doc.deals, predictions.get(doc.name, []))
    return tally.report()


@pytest.fixture(scope="module")
def shared_report() -> dict:
    if not SHARED_SCORER.exists():
        pytest.skip(f"the shared scorer is not at {SHARED_SCORER} (CI checks it out beside the repository)")
    result = subprocess.run([sys.executable, str(SHARED_SCORER), str(GOLD), str(PREDICTIONS), "--json"],
                            capture_output=True, text=True, timeout=60, check=True)
    return json.loads(result.stdout)


def counts(figures: dict) -> tuple[int, int, int]:
    return figures["tp"], figures["fp"], figures["fn"]


def test_tally_hand_predictions_give_the_counts_worked_out_by_hand(tally_report):
    # 10 gold deals; 8 matched; the frostline deal and the tamarind loan missed; one invented deal on a
    # document with a deal (brightmoor) and one on a no-deal document (quarry); "not-in-the-gold" is ignored.
    assert tally_report["documents"] == 10
    assert counts(tally_report["deals"]) == (8, 2, 2)
    assert tally_report["invented_on_negative_docs"] == 1
    assert counts(tally_report["fields"]["buyer"]) == (7, 3, 3)  # cobalt's sides are swapped
    assert counts(tally_report["fields"]["deal_type"]) == (7, 3, 3)  # merger~acquisition is right, redwater's is not
    assert counts(tally_report["fields"]["cash_usd"]) == (3, 1, 0)  # tamarind's C$ cash part has no USD figure
    assert tally_report["deals"]["f1"] == pytest.approx(0.8)


def test_tally_matches_the_shared_scorer_on_every_count_and_ratio(tally_report, shared_report):
    assert tally_report["documents"] == shared_report["documents"]
    assert tally_report["invented_on_negative_docs"] == shared_report["invented_on_negative_docs"]
    pairs = [("deals", tally_report["deals"], shared_report["deals"]),
             ("core micro", tally_report["core_micro"], shared_report["field_micro"]),
             ("all micro", tally_report["all_micro"], shared_report["all_fields_micro"])]
    pairs += [(f, tally_report["fields"][f], shared_report["fields"][f]) for f in ALL_FIELDS]
    for name, ours, theirs in pairs:
        for key in ("tp", "fp", "fn"):
            assert ours[key] == theirs[key], f"{name} {key}: in-process {ours[key]} != shared {theirs[key]}"
        for key in ("precision", "recall", "f1"):
            assert ours[key] == pytest.approx(theirs[key], abs=1e-12), f"{name} {key}"


def test_tally_field_lists_are_the_shared_scorers():
    assert CORE_FIELDS == ("buyer", "seller", "capacity_mw", "price_usd", "country")
    assert set(ALL_FIELDS) == set(CORE_FIELDS) | {"deal_type", "asset", "region", "cash_usd"}


@pytest.mark.parametrize("a, b", [("merger", "acquisition"), ("acquisition", "merger"), ("merger", "merger")])
def test_same_field_deal_type_counts_merger_as_acquisition(a, b):
    assert same_field("deal_type", a, b)


@pytest.mark.parametrize("a, b", [("asset_sale", "acquisition"), ("lease", "hosting_contract"),
                                  ("merger", "asset_sale")])
def test_same_field_deal_type_keeps_other_types_apart(a, b):
    assert not same_field("deal_type", a, b)


@pytest.mark.parametrize("a, b", [
    ("Bitfarms Ltd.", "Bitfarms"),
    ("MARA Holdings, Inc.", "MARA"),
    ("Orla Mining Ltd", "orla mining"),
    ("Aurum Pacific plc", "AURUM PACIFIC PLC"),
    ("Bitfarms", "Bitfarms Technologies"),  # a shorter name that starts the longer one
    ("Sable Energy Cooperative", "Sable Energy Cooperative, LLC"),
    ("Empresas Copec S.A.", "Empresas Copec"),
])
def test_same_field_org_ignores_legal_suffixes_and_case(a, b):
    assert same_field("buyer", a, b) and same_field("seller", b, a)


@pytest.mark.parametrize("a, b", [("Riot Platforms", "Core Scientific"), ("Inc.", "Inc."), ("Hut 8", "Hut 81"),
                                  ("Bitfarms", None), ("", "Bitfarms")])
def test_same_field_org_rejects_different_or_empty_names(a, b):
    assert not same_field("buyer", a, b)


@pytest.mark.parametrize("a, b, same", [
    (100_000_000, 100_990_000, True),   # 0.99% apart
    (100_000_000, 101_100_000, False),  # 1.09% apart
    (38_000_000, "38000000", True),
    (60, 60.4, True),
    (60, 61, False),
    (0, 0, True),
    (14_500_000, None, False),
    (None, None, False),
    ("n/a", "n/a", False),
])
def test_same_field_numbers_agree_within_one_percent(a, b, same):
    assert same_field("price_usd", a, b) is same
    assert same_field("capacity_mw", b, a) is same


@pytest.mark.parametrize("a, b", [("US", "United States"), ("U.S.", "United States"), ("USA", "united states"),
                                  ("the United States", "United States of America"), ("UK", "United Kingdom"),
                                  ("DRC", "Democratic Republic of the Congo"), ("UAE", "United Arab Emirates"),
                                  ("Québec", "Quebec")])
def test_same_field_country_reads_aliases(a, b):
    assert same_field("country", a, b)


def test_same_field_country_keeps_countries_apart():
    assert not same_field("country", "Canada", "United States")
    assert not same_field("country", "Congo", "Democratic Republic of the Congo")


def test_same_field_asset_accepts_most_words_shared():
    assert same_field("asset", "70% interest in the Kinsella copper project", "Kinsella")
    assert same_field("asset", "Esker gold mine", "the Esker Gold Mine")
    assert not same_field("asset", "Esker gold mine", "Kinsella copper project")


def test_same_field_region_compares_words_only():
    assert same_field("region", "North Dakota", "north-dakota")
    assert not same_field("region", "North Dakota", "South Dakota")


def test_match_deals_pairs_best_agreement_first_one_to_one():
    gold = [{"buyer": "Vireo Metals Inc.", "seller": "Tamarind Resources Corp.", "price_usd": 70_000_000,
             "country": "Canada", "asset": "Esker gold mine"},
            {"buyer": "Northfield Bank", "seller": "Vireo Metals Inc.", "price_usd": 50_000_000}]
    pred = [{"buyer": "Northfield Bank", "seller": "Vireo Metals", "price_usd": 50_000_000},
            {"buyer": "Vireo Metals", "seller": "Tamarind Resources", "price_usd": 70_000_000, "country": "Canada",
             "asset": "Esker Gold Mine"},
            {"buyer": "Vireo Metals", "price_usd": 9_999}]
    assert sorted(match_deals(gold, pred)) == [(0, 1), (1, 0)]


def test_match_deals_needs_a_party_or_figure_in_common():
    gold = [{"buyer": "Granite Hash Inc.", "capacity_mw": 150, "country": "United States", "region": "Tennessee",
             "deal_type": "power_agreement", "asset": "Cumberland site"}]
    only_place = [{"buyer": "Quarry Hash", "capacity_mw": 20, "country": "United States", "region": "Tennessee",
                   "deal_type": "power_agreement", "asset": "Cumberland site"}]
    assert match_deals(gold, only_place) == []
    assert match_deals(gold, [{"capacity_mw": 151}]) == [(0, 0)]
    assert match_deals([], only_place) == [] and match_deals(gold, []) == []


def test_match_deals_gives_a_gold_deal_only_one_prediction():
    gold = [{"buyer": "Brightmoor Technologies Inc.", "price_usd": 22_000_000}]
    pred = [{"buyer": "Brightmoor"}, {"buyer": "Brightmoor", "price_usd": 22_000_000}]
    assert match_deals(gold, pred) == [(0, 1)]


def test_tally_counts_unmatched_fields_on_both_sides():
    tally = Tally()
    tally.add([{"buyer": "A Corp", "price_usd": 10, "country": "Peru"}], [{"buyer": "B Corp", "capacity_mw": 5}])
    report = tally.report()
    assert counts(report["deals"]) == (0, 1, 1)
    assert counts(report["core_micro"]) == (0, 2, 3)
    assert report["invented_on_negative_docs"] == 0
    tally.add([], [{"buyer": "C"}, {"buyer": "D"}])
    assert tally.report()["invented_on_negative_docs"] == 2 and tally.report()["documents"] == 2


def test_tally_with_nothing_predicted_and_nothing_gold_is_perfect():
    tally = Tally()
    tally.add([], [])
    report = tally.report()
    assert report["deals"]["f1"] == 1.0 and counts(report["deals"]) == (0, 0, 0)
