"""The linear deal models: probabilities, thresholds, and the JSON weights file."""

from __future__ import annotations

import json
import math

import pytest

from extractors.linear import MODEL_NAMES, DealModels, LinearModel


def test_linear_model_probability_is_the_sigmoid_of_the_weighted_sum():
    model = LinearModel({"bias": -1.0, "price_near_cue": 2.5, "unused": 9.0})
    assert model.score({"bias": 1.0, "price_near_cue": 1.0, "not_weighted": 4.0}) == pytest.approx(1.5)
    assert model.probability({"bias": 1.0, "price_near_cue": 1.0}) == pytest.approx(1 / (1 + math.exp(-1.5)))
    assert model.probability({"bias": 1.0}) == pytest.approx(0.26894142)
    assert LinearModel().probability({"anything": 3.0}) == 0.5


def test_linear_model_probability_saturates_without_overflow():
    model = LinearModel({"x": 1.0})
    assert model.probability({"x": 1e6}) == pytest.approx(1.0, abs=1e-12)
    assert 0.0 < model.probability({"x": -1e6}) < 1e-12


def test_linear_model_threshold_defaults_to_one_half_and_splits_yes_from_no():
    assert LinearModel().threshold == 0.5
    strict = LinearModel({"x": 1.0}, threshold=0.8)
    assert strict.probability({"x": 1.0}) < strict.threshold  # 0.731: no
    assert strict.probability({"x": 1.5}) >= strict.threshold  # 0.818: yes


def models_for_test() -> DealModels:
    return DealModels("9.9.9", {"keep": LinearModel({"bias": 0.123456789, "cue:sale": -2.0, "tiny": 1e-9}, 0.65),
                                "price_usd": LinearModel({"a:near": 1.5})},
                      {"corpus": "learning", "documents": 10, "seed": 13})


def test_deal_models_save_load_round_trip(tmp_path):
    path = tmp_path / "w.json"
    models_for_test().save(path)
    loaded = DealModels.load(path)
    assert loaded.version == "9.9.9"
    assert loaded.trained_on == {"corpus": "learning", "documents": 10, "seed": 13}
    assert set(loaded.models) == {"keep", "price_usd"}
    assert loaded["keep"].threshold == 0.65 and loaded["price_usd"].threshold == 0.5
    # weights are kept to five decimals and near-zero ones are dropped
    assert loaded["keep"].weights == {"bias": 0.12346, "cue:sale": -2.0}
    assert loaded["price_usd"].weights == {"a:near": 1.5}


def test_deal_models_save_is_byte_identical_for_equal_models(tmp_path):
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    models_for_test().save(a)
    shuffled = models_for_test()
    shuffled.models["keep"].weights = dict(reversed(list(shuffled.models["keep"].weights.items())))
    shuffled.save(b)
    assert a.read_bytes() == b.read_bytes()
    DealModels.load(a).save(b)  # loading and saving again changes nothing
    assert a.read_bytes() == b.read_bytes()


def test_deal_models_load_of_an_unknown_model_names_the_file(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"version": "1", "models": {"keep": {"threshold": 0.5, "weights": {}},
                                                           "colour": {"threshold": 0.5, "weights": {}}}}))
    with pytest.raises(ValueError, match="colour") as info:
        DealModels.load(path)
    assert str(path) in str(info.value) and "minewire train" in str(info.value)


def test_deal_models_load_of_a_subset_of_models_is_valid(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"version": "1", "models": {}}))
    loaded = DealModels.load(path)
    assert loaded.models == {} and loaded.trained_on == {}
    assert set(MODEL_NAMES) == {"keep", "price_usd", "capacity_mw", "country", "buyer", "seller"}


def test_deal_models_load_of_a_file_without_models_names_the_file(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"version": "1", "trained_on": {}}))
    with pytest.raises(ValueError) as info:
        DealModels.load(path)
    assert str(path) in str(info.value)


def test_deal_models_load_of_a_model_without_weights_names_the_file(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"version": "1", "models": {"keep": {"threshold": 0.5}}}))
    with pytest.raises(ValueError) as info:
        DealModels.load(path)
    assert str(path) in str(info.value) and "keep" in str(info.value)


def test_deal_models_load_of_a_file_that_is_not_json_names_the_file(tmp_path):
    path = tmp_path / "w.json"
    path.write_text("{not json")
    with pytest.raises(ValueError) as info:
        DealModels.load(path)
    assert str(path) in str(info.value)
