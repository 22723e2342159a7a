"""Financing edge cases found in review: money held or repaid, plans, the issuer's own offering, lists of investors."""

import pytest

from extractors import extract

NO_DEAL = [
    ("drew_on_revolver", "Kestrel Power Corp. drew $60 million on its revolving credit facility."),
    ("drawn_with_named_lender",
     "Kestrel Power Corp. had $60 million drawn on its revolving credit facility with Northgate Bank."),
    ("repaid_named_lender", "Kestrel Power Corp. repaid the $45 million term loan from Northgate Bank."),
    ("available_with_named_lender",
     "Halvard Mining had $120 million available under its credit facility with Northgate Bank."),
    ("plans_to_launch_offering", "Kestrel Power Corp. plans to launch a $500 million convertible note offering."),
    ("intends_to_complete_offering",
     "Halvard Mining intends to complete a $150 million offering of convertible notes."),
]


@pytest.mark.parametrize("text", [t for _, t in NO_DEAL], ids=[i for i, _ in NO_DEAL])
def test_financing_held_repaid_or_planned_money_is_no_deal(nlp, text):
    assert extract(text, nlp) == []


OWN_OFFERINGS = [
    ("offering_of_notes", "Halvard Mining completed a $250 million offering of convertible senior notes.", 250e6),
    ("priced_offering_of_notes", "Halvard Mining priced a $250 million offering of convertible senior notes.", 250e6),
]


@pytest.mark.parametrize("text,price", [(t, p) for _, t, p in OWN_OFFERINGS], ids=[i for i, *_ in OWN_OFFERINGS])
def test_financing_a_company_offering_its_own_notes_is_the_recipient(nlp, text, price):
    (deal,) = extract(text, nlp)
    assert (deal.deal_type, deal.buyer, deal.seller, deal.price_usd) == ("financing", None, "Halvard Mining", price)


def test_financing_investor_list_does_not_end_a_name_with_and(nlp):
    (deal,) = extract("Halvard Mining has raised $12 million from Oberland Trading and Brightmoor Capital.", nlp)
    assert deal.seller == "Halvard Mining" and not deal.buyer.endswith("and")


def test_place_of_incorporation_is_not_the_site(nlp):
    (deal,) = extract("Kestrel Power Corp., incorporated under the laws of Nevada, agreed to buy the Morro Alto mine "
                      "from Halvard Mining for $33 million.", nlp)
    assert (deal.buyer, deal.seller, deal.country, deal.region) == ("Kestrel Power Corp.", "Halvard Mining", None, None)


def test_power_in_a_company_name_does_not_make_a_power_contract(nlp):
    deals = extract("Kestrel Power grabs Halvard Mining's portfolio in $1.1 billion deal", nlp)
    assert [d.deal_type for d in deals] != ["power_agreement"]
    assert deals and deals[0].buyer == "Kestrel Power" and deals[0].seller == "Halvard Mining"
