"""Financings: one party is enough when the amount names its instrument; lenders and backstops are the buyer."""

import pytest

from extractors import extract

DEALS = [
    # (id, text, buyer (financier), seller (the company funded), price_usd)
    ("convertible_note_offering_one_party",
     "Kestrel Power Corp. completed a $1.3 billion convertible note offering.",
     None, "Kestrel Power Corp.", 1.3e9),
    ("offering_with_purpose_clause",
     "Kestrel Power Corp. completed a $1.3 billion convertible note offering to fund the purchase of new miners.",
     None, "Kestrel Power Corp.", 1.3e9),
    ("private_placement_of_notes_one_party",
     "Kestrel Power Corp. closed a $400 million private placement of senior secured notes.",
     None, "Kestrel Power Corp.", 400e6),
    ("notes_offering_announced",
     "Halvard Mining announced a $1 billion convertible senior notes offering.",
     None, "Halvard Mining", 1e9),
    ("its_notes_offering_closed",
     "Halvard Mining closed its $250 million convertible senior notes offering.",
     None, "Halvard Mining", 250e6),
    ("raised_pounds_from_investor",
     "Halvard Mining raised £7.7 million from Brightmoor Capital.",
     "Brightmoor Capital", "Halvard Mining", None),
    ("raised_dollars_from_investor",
     "Halvard Mining raised $40 million from Brightmoor Capital.",
     "Brightmoor Capital", "Halvard Mining", 40e6),
    ("raised_in_private_placement",
     "Kestrel Power Corp. raised $55 million from Brightmoor Capital in a private placement.",
     "Brightmoor Capital", "Kestrel Power Corp.", 55e6),
    ("secured_investment_from",
     "Halvard Mining secured a $150 million investment from Brightmoor Capital.",
     "Brightmoor Capital", "Halvard Mining", 150e6),
    ("secured_equity_investment_from",
     "Halvard Mining secured a $150 million equity investment from Brightmoor Capital.",
     "Brightmoor Capital", "Halvard Mining", 150e6),
    ("received_strategic_investment_from",
     "Halvard Mining has received a $60 million strategic investment from Brightmoor Capital.",
     "Brightmoor Capital", "Halvard Mining", 60e6),
    ("private_placement_with_investor",
     "Halvard Mining closed a $30 million private placement with Brightmoor Capital.",
     "Brightmoor Capital", "Halvard Mining", 30e6),
    ("backstop_for_lease_obligations",
     "Brightmoor Capital will provide a $150 million backstop for Halvard Mining's lease obligations.",
     "Brightmoor Capital", "Halvard Mining", 150e6),
    ("backstop_for_obligations_of",
     "Brightmoor Capital will provide a $150 million backstop for the lease obligations of Halvard Mining.",
     "Brightmoor Capital", "Halvard Mining", 150e6),
    ("bank_backstop_for_lease_obligations",
     "Northgate Bank will provide a $333 million backstop for Kestrel Power Corp.'s lease obligations.",
     "Northgate Bank", "Kestrel Power Corp.", 333e6),
    ("term_loan_extended_to",
     "Brightmoor Capital extended a $75 million term loan to Halvard Mining.",
     "Brightmoor Capital", "Halvard Mining", 75e6),
    ("bridge_loan_provided_with",
     "Brightmoor Capital provided Halvard Mining with a $45 million bridge loan.",
     "Brightmoor Capital", "Halvard Mining", 45e6),
    ("bridge_loan_entered_into_with",
     "Halvard Mining entered into a $200 million bridge loan with Brightmoor Capital.",
     "Brightmoor Capital", "Halvard Mining", 200e6),
    ("loan_secured_from_bank",
     "Kestrel Power Corp. secured a $90 million loan from Northgate Bank.",
     "Northgate Bank", "Kestrel Power Corp.", 90e6),
    ("credit_facility_obtained_from_bank",
     "Kestrel Power Corp. obtained a $90 million credit facility from Northgate Bank.",
     "Northgate Bank", "Kestrel Power Corp.", 90e6),
    ("lent_to",
     "Northgate Bank lent $80 million to Halvard Mining to fund the Ridge expansion.",
     "Northgate Bank", "Halvard Mining", 80e6),
    ("lend_with_two_objects",
     "Brightmoor Capital will lend Halvard Mining $65 million.",
     "Brightmoor Capital", "Halvard Mining", 65e6),
    ("stake_in_company",
     "Brightmoor Capital acquired a $40 million stake in Halvard Mining.",
     "Brightmoor Capital", "Halvard Mining", 40e6),
    ("invested_in_company",
     "Brightmoor Capital invested $35 million in Halvard Mining.",
     "Brightmoor Capital", "Halvard Mining", 35e6),
]


@pytest.mark.parametrize(("text", "buyer", "seller", "price_usd"), [c[1:] for c in DEALS], ids=[c[0] for c in DEALS])
def test_financing_reads_financier_company_and_amount(nlp, text, buyer, seller, price_usd):
    deals = extract(text, nlp)
    assert len(deals) == 1, deals
    deal = deals[0]
    assert deal.deal_type == "financing"
    assert (deal.buyer, deal.seller) == (buyer, seller)
    assert deal.price_usd == (pytest.approx(price_usd) if price_usd is not None else None)
    assert deal.price_text


NO_DEAL = [
    # (id, text): money held, drawn or repaid on a facility, and offerings only planned.
    ("drawn_on_facility",
     "Kestrel Power Corp. had $60 million drawn on its revolving credit facility."),
    ("repaid_part_of_term_loan",
     "Kestrel Power Corp. repaid $45 million of its term loan during the quarter."),
    ("available_under_facility",
     "Halvard Mining had $120 million available under its credit facility at quarter end."),
    ("outstanding_under_facility",
     "Kestrel Power Corp. had $30 million outstanding under its loan facility."),
    ("results_update_drawn_on_facility",
     "Kestrel Power Corp. Reports Second Quarter Results\n\nKestrel Power Corp. mined 310 bitcoin in the quarter. "
     "Revenue rose to $48 million. The company had $20 million drawn on its credit facility."),
    ("results_update_repaid_loan",
     "Kestrel Power Corp. Reports Second Quarter Results\n\nKestrel Power Corp. mined 310 bitcoin in the quarter. "
     "The company repaid $20 million of its equipment loan and ended the quarter with $92 million in cash."),
    ("results_update_available_with_lender",
     "Kestrel Power Corp. Reports Second Quarter Results\n\nKestrel Power Corp. mined 310 bitcoin in the quarter. "
     "Revenue rose to $48 million. As of June 30, $35 million was available under the company's credit facility "
     "with Northgate Bank."),
    ("plans_to_launch_offering",
     "Halvard Mining plans to launch a $200 million stock offering."),
    ("plans_an_offering",
     "Kestrel Power Corp. plans a $500 million convertible note offering."),
    ("plans_to_sell_notes",
     "Kestrel Power Corp. plans to sell $500 million of convertible notes in a private offering."),
    ("may_launch_offering",
     "Halvard Mining may launch a $200 million stock offering."),
    ("considering_offering",
     "Halvard Mining is considering a $300 million convertible notes offering."),
    ("exploring_offering",
     "Halvard Mining is exploring a $300 million convertible notes offering."),
    ("intends_to_raise",
     "Halvard Mining intends to raise up to $200 million through a stock offering."),
]


@pytest.mark.parametrize("text", [c[1] for c in NO_DEAL], ids=[c[0] for c in NO_DEAL])
def test_financing_held_repaid_or_planned_money_is_no_deal(nlp, text):
    assert extract(text, nlp) == []
