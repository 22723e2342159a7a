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


def test_has_cue_ignores_unrelated_text():
    assert not has_cue("Production rose to 700 BTC in the month.")
