"""Candidate deals and their field options: every value the document states, with where and how it is stated."""

import pytest

from extractors.options import capacity_options, country_options, null_option, party_options, price_options
from extractors.nlp import candidates_many

TEXT = ("Halvard Mining sells Dry Creek site to Kestrel Power\n\n"
        "Toronto-based Halvard Mining said it will sell its 40 MW Dry Creek site in Paraguay to Kestrel Power Corp. "
        "for US$20 million plus up to an additional US$5 million. The company runs 300 MW across its fleet. "
        "Kestrel Power also operates a campus in Texas.")


@pytest.fixture(scope="module")
def candidate(nlp):
    (cands, ctx), = candidates_many([TEXT], nlp)
    (cand,) = [c for c in cands if c.rule_keep]
    return cand, ctx


def test_candidate_holds_the_rules_deal(candidate):
    cand, _ = candidate
    assert (cand.deal.buyer, cand.deal.seller, cand.deal.capacity_mw, cand.deal.price_usd) == \
        ("Kestrel Power Corp.", "Halvard Mining", 40, 25e6)


def test_price_options_total_a_plus_chain_and_keep_the_qualifier(candidate):
    cand, ctx = candidate
    options = {o.value: o for o in price_options(cand, ctx)}
    assert 25e6 in options and options[25e6].extra["price_text"].startswith("US$20 million plus up to")
    assert options[25e6].features["rule"] == 1.0 and options[25e6].features["where:best"] == 1.0


def test_capacity_options_mark_the_fleet_total_aside(candidate):
    cand, ctx = candidate
    options = {o.value: o for o in capacity_options(cand, ctx)}
    assert set(options) == {40, 300}
    assert options[300].features["aside"] == 1.0 and options[40].features["aside"] == 0.0
    assert options[40].features["rule"] == 1.0


def test_country_options_group_places_by_country_and_skip_a_home(candidate):
    cand, ctx = candidate
    options = {o.value: o for o in country_options(cand, ctx)}
    assert set(options) == {"Paraguay", "United States"}  # Toronto-based names a home, not a place option
    assert options["United States"].extra["region"] == "Texas"
    assert options["Paraguay"].features["where:best"] == 1.0 and options["Paraguay"].features["rule"] == 1.0


def test_party_options_include_the_title_and_mark_the_rules_choice(candidate):
    cand, ctx = candidate
    buyers = {o.value: o for o in party_options(cand, ctx, "buyer")}
    assert "Kestrel Power Corp." in buyers and "Halvard Mining" in buyers
    assert buyers["Kestrel Power Corp."].features["rule"] == 1.0
    assert buyers["Halvard Mining"].features["rule_other"] == 1.0


def test_null_option_says_whether_the_rules_set_the_field(candidate):
    cand, ctx = candidate
    option = null_option(cand, "capacity_mw", capacity_options(cand, ctx))
    assert option.value is None and option.features["null"] == 1.0 and option.features["null|rule_set"] == 1.0
