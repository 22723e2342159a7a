"""Sentence splitting and the gate that routes sentences to the model or the rules."""

from extractors.sentences import MAX_SENT_CHARS, has_cue, route_sentences, split_sentences


def _texts(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_split_sentences_keeps_abbreviations_together():
    text = "Riot Platforms Inc. bought a site. It paid $18 million for it."
    assert _texts(text) == ["Riot Platforms Inc. bought a site.", "It paid $18 million for it."]


def test_split_sentences_treats_title_lines_as_sentences():
    assert _texts("Riot buys a site\n\nThe deal closed.") == ["Riot buys a site", "The deal closed."]


def test_split_sentences_cuts_run_on_text():
    spans = split_sentences("word " * 50_000)
    assert all(e - s <= MAX_SENT_CHARS for s, e in spans)


def test_route_sentences_sends_strong_cues_to_the_model_and_weak_ones_to_rules():
    text = "Hut 8 acquired a site. The deal was signed in May. Hashrate rose 4%."
    model, rules = route_sentences(text, split_sentences(text))
    assert (model, rules) == ([0], [1])


def test_route_sentences_skips_a_miner_selling_its_own_coins_but_not_a_sale_of_its_business():
    # Monthly updates say "sold 350 BTC" in nearly every issue: a parse of each found nothing (the same
    # deals on the dev and held-out sets and on the bench corpus without it) and cost most of the model's time.
    text = ("Arclight Mining sold 350 BTC in March. It sold 93% of its bitcoin production. "
            "It sold its bitcoin mining business to Kestrel for $10 million. "
            "Hut 8 sold its 63 MW production facility and 200 BTC for $40 million.")
    model, rules = route_sentences(text, split_sentences(text))
    assert (model, rules) == ([2, 3], [])


def test_a_sale_of_its_own_output_yields_no_deal_and_a_site_sale_beside_it_still_does(nlp):
    from extractors import extract

    text = ("Arclight Mining Reports March Production\n\nArclight Mining said it mined 410 BTC in March and sold "
            "part of its output, 350 BTC, to fund capital spending. Separately, Arclight Mining agreed to sell its "
            "40 MW Cedar Falls site in Texas to Northline Infrastructure Partners for $22 million.")
    [deal] = extract(text, nlp)
    assert (deal.seller, deal.buyer, deal.capacity_mw, deal.price_usd) == \
        ("Arclight Mining", "Northline Infrastructure Partners", 40, 22_000_000) and deal.asset != "part of its output"


def test_has_cue_ignores_unrelated_text():
    assert not has_cue("Production rose to 700 BTC in the month.")
