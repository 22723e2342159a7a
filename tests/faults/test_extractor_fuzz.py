"""extract() on random and hostile text: it never raises, returns Deals, and keeps to a time bound per document
(the extractor cuts documents at MAX_DOC_CHARS and sentences at MAX_SENT_CHARS)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from extractors import build_nlp, extract
from extractors.sentences import MAX_DOC_CHARS
from models.records import DealMention

BOUND_S = 8.0  # per document, on a loaded 2-core CI runner; typical documents take well under a second
FUZZ = settings(max_examples=15, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces a deal sentence is made of, to be shaken into soup.
SOUP = ["$", "US$", "C$", "A$", "€", "£", "¥", "USD", "CAD", "million", "billion", "bn", "m", "MW", "GW", "kW",
        "megawatts", "up to", "approximately", "in cash", "per MW", "sold", "acquired", "agreed to sell", "to",
        "from", "Bitfarms", "Riot Platforms", "Hut 8", "Inc.", "Ltd.", "Corp.", "Paraguay", "Texas", "Québec",
        "site", "campus", "70", "30", "1,000,000", "0.5", "9.99", "-1", "1e9", "½", "٣٠", "三千万", "%", "(", ")",
        ".", ",", ";", "\n", "\n\n", "—", "’s", "10 months", "milestone payments"]


@pytest.fixture(scope="module")
def nlp():
    return build_nlp()


def assert_extracts_in_time(nlp, text: str) -> list[DealMention]:
    started = time.monotonic()
    deals = extract(text, nlp)
    elapsed = time.monotonic() - started
    assert elapsed < BOUND_S, f"{elapsed:.1f} s on a document of {len(text)} characters"
    assert isinstance(deals, list) and all(isinstance(d, DealMention) for d in deals)
    for deal in deals:  # whatever is found points into the text it came from
        assert deal.start_char is None or 0 <= deal.start_char <= deal.end_char <= len(text)
    return deals


@FUZZ
@given(text=st.text(max_size=3000))
def test_extract_survives_random_unicode(nlp, text):
    assert_extracts_in_time(nlp, text)


@FUZZ
@given(pieces=st.lists(st.sampled_from(SOUP), max_size=600), joiner=st.sampled_from([" ", "", "  ", "\t", " . "]))
def test_extract_survives_number_and_currency_soup(nlp, pieces, joiner):
    assert_extracts_in_time(nlp, joiner.join(pieces))


@FUZZ
@given(word=st.sampled_from(["sold", "70 MW", "$30 million", "x", "Bitfarms", "é", "🙂", "\u200b", "\u0301"]),
       size=st.integers(1_000, 3 * MAX_DOC_CHARS), punctuation=st.booleans())
def test_extract_survives_huge_documents_and_endless_sentences(nlp, word, size, punctuation):
    unit = f"{word}. " if punctuation else f"{word} "
    assert_extracts_in_time(nlp, (unit * (size // len(unit) + 1))[:size])


@FUZZ
@given(text=st.text(alphabet=st.characters(categories=["Mn", "Me", "Cf", "Zs", "Zl", "Zp", "So", "Nd", "Lo"]),
                    min_size=1, max_size=2000))
def test_extract_survives_marks_controls_and_other_scripts(nlp, text):
    assert_extracts_in_time(nlp, text)


def test_extract_keeps_its_bound_when_every_sentence_is_a_deal(nlp):
    """The worst case: a whole document of deal sentences naming places (only the first ones are parsed)."""
    sentence = "Quarry Ridge Hashing sold its 70 MW Paso site in Paraguay to Lowland Compute for up to $30 million. "
    text = (sentence * (MAX_DOC_CHARS // len(sentence) + 10))
    assert len(text) > MAX_DOC_CHARS
    assert assert_extracts_in_time(nlp, text)
