"""build_nlp, model_name and extract_many: model fallback, rules-only mode and multiprocessing."""

import logging

import pytest

import extractors.nlp as pipeline
from extractors import build_nlp, extract, extract_many, model_name
from extractors.workers import extract_parallel, shutdown

SALE = "Riot Platforms agreed to buy the 100 MW Corsicana site in Texas from Rhodium Enterprises for $185 million."


def test_build_nlp_falls_back_to_an_installed_model(nlp):
    assert nlp.has_pipe("parser") and nlp.has_pipe("minewire_orgs")
    assert model_name(nlp) != pipeline.RULES_ONLY


def test_build_nlp_without_models_runs_rules_alone_and_warns_once(monkeypatch, caplog):
    monkeypatch.setattr(pipeline, "FALLBACK_MODELS", ())
    with caplog.at_level(logging.WARNING, logger="extractors.nlp"):
        rules = build_nlp("no_such_model")
    assert model_name(rules) == "rules only"
    assert [r.message for r in caplog.records].count(
        "no spaCy model found (tried no_such_model): extraction runs on rules alone") == 1
    deal = extract(SALE, rules)[0]
    assert (deal.seller, deal.price_usd, deal.region) == ("Rhodium Enterprises", 185e6, "Texas")


def test_extract_many_returns_one_list_per_text(nlp):
    assert extract_many([], nlp) == []
    assert [len(r) for r in extract_many([SALE, "", "No deal here."], nlp)] == [1, 0, 0]


def test_worker_processes_give_the_same_deals_in_the_same_order(nlp):
    texts = [SALE, "Bitfarms sold 100 BTC.", SALE.replace("Riot Platforms", "Cipher Mining"), ""] * 3
    single = extract_many(texts, nlp)
    try:
        multi = extract_parallel(texts, nlp, processes=2)
        again = extract_parallel(texts[::-1], nlp, processes=2)  # the same workers, reused
    finally:
        shutdown()
    assert [[d.to_json() for d in r] for r in multi] == [[d.to_json() for d in r] for r in single]
    assert [[d.to_json() for d in r] for r in again] == [[d.to_json() for d in r] for r in single[::-1]]
    assert sum(len(r) for r in multi) == 6


@pytest.mark.parametrize(
    ("text", "price_usd", "price_text"),
    [
        ("Bitfarms sold its Garlock site in Sherbrooke, Quebec to Hydro Partners for C$62.75 million "
         "(~US$46 million).", 46e6, "C$62.75 million"),
        ("Evolution Mining bought the Northparkes mine in New South Wales from CMOC Group for A$2.0m.",
         None, "A$2.0m"),
    ],
)
def test_extract_keeps_foreign_prices_and_stated_usd_equivalents(nlp, text, price_usd, price_text):
    deal = extract(text, nlp)[0]
    assert (deal.price_usd, deal.price_text) == (price_usd, price_text)
