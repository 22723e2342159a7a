"""A deal's price as written (qualifier and currency kept) and its value in US dollars."""

import pytest

from extractors import extract
from extractors.money import find_money
from extractors.terms import read_terms

DEALS = [
    # (id, text, price_text, price_usd): price_usd is None when no USD figure is stated.
    ("up_to_keeps_qualifier_and_maximum",
     "Halvard Mining agreed to sell its 70 MW Birchwood site to Kestrel Power Corp. for up to $30 million.",
     "up to $30 million", 30e6),
    ("approximately_keeps_qualifier",
     "Kestrel Power Corp. agreed to buy the Lakeside mine from Halvard Mining for approximately $85 million.",
     "approximately $85 million", 85e6),
    ("about_keeps_qualifier",
     "Halvard Mining agreed to sell its Ridge site to Kestrel Power Corp. for about $12.5 million.",
     "about $12.5 million", 12.5e6),
    ("as_much_as_keeps_qualifier",
     "Kestrel Power Corp. agreed to buy the Greyrock mine from Halvard Mining for as much as $75 million.",
     "as much as $75 million", 75e6),
    ("canadian_dollars_kept_no_usd",
     "Halvard Mining sold its 15 MW Snowbird site in Alberta to Kestrel Power Corp. for C$4 million.",
     "C$4 million", None),
    ("pounds_kept_no_usd",
     "Kestrel Power Corp. agreed to buy the Tarn mine from Halvard Mining for £25 million.",
     "£25 million", None),
    ("canadian_dollars_spelled_out",
     "Halvard Mining sold its site to Kestrel Power Corp. for 55 million Canadian dollars.",
     "55 million Canadian dollars", None),
    ("plus_up_to_an_additional_adds",
     "Kestrel Power Corp. will buy the Greyrock mine from Halvard Mining for US$810 million plus up to an additional "
     "US$40 million in contingent payments.",
     "US$810 million plus up to an additional US$40 million", 850e6),
    ("plus_up_to_milestones_adds",
     "Kestrel Power Corp. agreed to buy the Greyrock mine from Halvard Mining for US$1.2 billion plus up to "
     "US$100 million in milestone payments.",
     "US$1.2 billion plus up to US$100 million", 1.3e9),
    ("vat_on_top_not_added",
     "Halvard Mining sold its Dunmore property to Kestrel Power Corp. for $20 million, plus $3.2 million in VAT.",
     "$20 million", 20e6),
    ("gst_on_top_not_added",
     "Halvard Mining sold its Dunmore property to Kestrel Power Corp. for US$25 million, plus US$2.5 million in GST.",
     "US$25 million", 25e6),
    ("interest_on_top_not_added",
     "Kestrel Power Corp. will buy Halvard Mining's 40 MW Ridge site for $21 million, plus $1.1 million in interest.",
     "$21 million", 21e6),
    ("per_mw_rate_after_price_is_no_price",
     "Kestrel Power Corp. bought the 70 MW Ridge site from Halvard Mining for $14 million, or about $200,000 per MW.",
     "$14 million", 14e6),
    ("per_share_rate_gives_way_to_valuation",
     "Kestrel Power Corp. will acquire Halvard Mining for $2.50 per share in cash, valuing the miner at $400 million.",
     "$400 million", 400e6),
    ("australian_price_with_usd_in_brackets",
     "Halvard Mining sold its Canal Flats site to Kestrel Power Corp. for A$45 million (US$30 million).",
     "A$45 million", 30e6),
    ("euro_price_with_approximate_usd",
     "Halvard Mining sold its Boden site in Sweden to Kestrel Power Corp. for €18 million (approximately "
     "US$19.5 million).",
     "€18 million", 19.5e6),
    ("canadian_price_or_about_usd",
     "Kestrel Power Corp. agreed to buy the 50 MW Birchwood site in Ontario from Halvard Mining for C$62 million, or "
     "about US$45 million.",
     "C$62 million", 45e6),
    ("glued_scale_letter",
     "Kestrel Power Corp. agreed to buy the 30 MW Ridge site from Halvard Mining for $8.5M in cash.",
     "$8.5M", 8.5e6),
]


@pytest.mark.parametrize(("text", "price_text", "price_usd"), [c[1:] for c in DEALS], ids=[c[0] for c in DEALS])
def test_price_text_is_written_form_and_price_usd_its_dollar_value(nlp, text, price_text, price_usd):
    deals = extract(text, nlp)
    assert len(deals) == 1, deals
    assert deals[0].price_text == price_text
    assert deals[0].price_usd == (pytest.approx(price_usd) if price_usd is not None else None)


TERMS = [
    # (id, clause, price_text, price_usd, currency)
    ("up_to", "Halvard Mining will sell the site to Kestrel Power Corp. for up to $30 million.",
     "up to $30 million", 30e6, "USD"),
    ("approximately", "Kestrel Power Corp. agreed to buy the mine for approximately $85 million.",
     "approximately $85 million", 85e6, "USD"),
    ("more_than", "Kestrel Power Corp. agreed to buy the site for more than $40 million.",
     "more than $40 million", 40e6, "USD"),
    ("roughly_valued_at", "The deal is valued at roughly $1.1 billion.", "roughly $1.1 billion", 1.1e9, "USD"),
    ("canadian_prefix", "Halvard Mining sold its Snowbird site for C$4 million.", "C$4 million", None, "CAD"),
    ("plus_an_additional", "Kestrel Power Corp. will pay $12 million plus an additional $3 million for the site.",
     "$12 million plus an additional $3 million", 15e6, "USD"),
    ("plus_fees_not_added", "Halvard Mining sold the property for $20 million, plus $2 million in fees.",
     "$20 million", 20e6, "USD"),
    ("plus_interest_not_added", "Halvard Mining sold the property for $20 million plus $1.5 million in interest.",
     "$20 million", 20e6, "USD"),
    ("assumed_debt_not_added", "Kestrel Power Corp. will buy the site for $15 million and assume $5 million of debt.",
     "$15 million", 15e6, "USD"),
    ("euro_with_usd_equivalent", "Halvard Mining sold its Canal site for €18 million (approximately US$19.5 million).",
     "€18 million", 19.5e6, "EUR"),
]


@pytest.mark.parametrize(("text", "price_text", "price_usd", "currency"), [c[1:] for c in TERMS],
                         ids=[c[0] for c in TERMS])
def test_price_text_read_terms_keeps_qualifier_and_currency(text, price_text, price_usd, currency):
    terms = read_terms(text)
    assert (terms.price_text, terms.currency) == (price_text, currency)
    assert terms.price_usd == (pytest.approx(price_usd) if price_usd is not None else None)


@pytest.mark.parametrize(
    "text",
    ["Kestrel Power Corp. will pay $0.14 per share for Halvard Mining.",
     "Kestrel Power Corp. bought 2,000 S21 miners at $14 per terahash.",
     "Halvard Mining sells power to Kestrel Power Corp. at $45 per MWh under the contract.",
     "Kestrel Power Corp. pays $3,500 a month for each rack.",
     "Halvard Mining sold its gold at $2,300 an ounce."],
    ids=["per_share", "per_terahash", "per_mwh", "a_month", "an_ounce"],
)
def test_price_text_per_unit_rate_is_never_a_price(text):
    assert all(m.per_unit for m in find_money(text))
    assert read_terms(text).price_text is None


def test_price_text_per_share_offer_gives_no_priced_deal(nlp):
    deals = extract("Kestrel Power Corp. will acquire Halvard Mining for $0.14 per share.", nlp)
    assert all(d.price_usd is None and d.price_text is None for d in deals)
