"""The learned decisions: shipped weights match the extractor version; without models the rules decide."""

import json

from extractors import EXTRACTOR_VERSION, extract
from extractors.decisions import WEIGHTS, shipped_models
from extractors.linear import DealModels, LinearModel

SALE = ("Halvard Mining has agreed to sell its 40 MW Dry Creek site in Paraguay to Kestrel Power Corp. for "
        "$30 million.")


def test_shipped_weights_are_for_this_extractor_version():
    assert json.loads(WEIGHTS.read_text())["version"] == EXTRACTOR_VERSION
    assert shipped_models() is not None


def test_weights_for_another_version_are_not_used(tmp_path):
    path = tmp_path / "w.json"
    DealModels("0.0.1", {"keep": LinearModel({"bias": -9.0})}).save(path)
    assert shipped_models(path) is None


def test_a_keep_model_that_refuses_everything_drops_every_deal(nlp):
    from extractors.nlp import extract_many

    refuse = DealModels(EXTRACTOR_VERSION, {"keep": LinearModel({"bias": -9.0})})
    assert extract_many([SALE], nlp, models=refuse) == [[]]
    assert len(extract(SALE, nlp)) == 1


def test_a_price_ranker_can_choose_not_stated(nlp):
    from extractors.nlp import extract_many

    nothing = DealModels(EXTRACTOR_VERSION, {"price_usd": LinearModel({"null": 9.0})})
    (deal,) = extract_many([SALE], nlp, models=nothing)[0]
    assert deal.price_usd is None and deal.price_text is None
    assert deal.capacity_mw == 40 and deal.country == "Paraguay"  # fields without a model keep the rules' values


def test_a_country_ranker_weighing_the_rules_choice_keeps_it(nlp):
    from extractors.nlp import extract_many

    trust = DealModels(EXTRACTOR_VERSION, {"country": LinearModel({"rule": 5.0, "null": 1.0})})
    (deal,) = extract_many([SALE], nlp, models=trust)[0]
    assert deal.country == "Paraguay"
