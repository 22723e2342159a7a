"""Document assembly: mentions of one deal across title, lede and body merge; distinct deals stay apart."""

import pytest

from extractors import extract
from extractors.merge import same_org

US = "United States"

ONE_DEAL = [
    # (id, document, expected fields of its one deal)
    ("title_lede_body_restate_one_sale",
     "Halvard Mining to sell Ridge site to Kestrel Power for $42 million\n\nHalvard Mining has agreed to sell its "
     "60 MW Ridge site in Ohio to Kestrel Power Corp. for $42 million. Kestrel Power Corp. will pay the $42 million "
     "in cash at closing. The sale of the Ridge site is expected to close in the third quarter.",
     dict(deal_type="asset_sale", buyer="Kestrel Power Corp.", seller="Halvard Mining", capacity_mw=60,
          price_usd=42e6, cash_usd=42e6, region="Ohio", country=US)),
    ("body_adds_cash_part_to_title_deal",
     "Kestrel Power Corp. to buy Halvard Mining's Ridge site\n\nKestrel Power Corp. agreed to buy the 60 MW Ridge "
     "site in Ohio from Halvard Mining for $42 million. The deal is expected to close in the third quarter. Under "
     "the agreement, Kestrel Power Corp. will pay $42 million, including $30 million in cash at closing.",
     dict(buyer="Kestrel Power Corp.", seller="Halvard Mining", capacity_mw=60, price_usd=42e6, cash_usd=30e6)),
    ("headline_grabs_portfolio_merges_with_body",
     "Granite Peak grabs Halvard Mining's portfolio in $1.1 billion deal\n\nGranite Peak Resources has agreed to "
     "acquire a portfolio of five gold mines in Nevada from Halvard Mining for $1.1 billion. The mines produced "
     "310,000 ounces last year.",
     dict(deal_type="asset_sale", buyer="Granite Peak Resources", seller="Halvard Mining", price_usd=1.1e9,
          region="Nevada")),
    ("headline_snaps_up_sites_merges_with_body",
     "Granite Peak snaps up Halvard Mining's Texas sites in $300 million deal\n\nGranite Peak Resources will buy "
     "three bitcoin mining sites in Texas from Halvard Mining for $300 million in cash.",
     dict(deal_type="asset_sale", buyer="Granite Peak Resources", seller="Halvard Mining", price_usd=300e6,
          cash_usd=300e6, region="Texas")),
]


def _check(deal, want: dict) -> None:
    for field, value in want.items():
        got = getattr(deal, field)
        if field in {"buyer", "seller"}:
            assert same_org(got, value), (field, got, value)
        elif isinstance(value, (int, float)):
            assert got == pytest.approx(value), (field, got, value)
        else:
            assert got == value, (field, got, value)


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in ONE_DEAL], ids=[c[0] for c in ONE_DEAL])
def test_assembly_merges_mentions_of_one_deal(nlp, text, expected):
    deals = extract(text, nlp)
    assert len(deals) == 1, deals
    _check(deals[0], expected)


NO_DEAL = [
    ("past_acquisition_describes_a_party",
     "Kestrel Power Corp. runs the Ridge site in Ohio. Ridgeway Hash, acquired in 2021, operates the 40 MW Fallow "
     "facility for Kestrel Power Corp."),
    ("past_acquisition_with_price_describes_a_party",
     "Kestrel Power Corp. expanded in Ohio last year. Ridgeway Hash, acquired in 2021 for $30 million, operates "
     "the 40 MW Fallow facility for Kestrel Power Corp."),
    ("bought_last_year_describes_a_party",
     "Ridgeway Hash, bought last year, runs 40 MW of miners for Kestrel Power Corp. in Ohio."),
    ("monthly_production_update",
     "Kestrel Power Corp. Reports May Production Update\n\nKestrel Power Corp. mined 312 bitcoin in May, up 4% from "
     "April. The company sold 250 bitcoin during the month for $24 million. Hashrate reached 18 EH/s across its "
     "300 MW fleet."),
    ("production_update_with_energized_capacity",
     "Halvard Mining Reports April Production Update\n\nHalvard Mining mined 205 bitcoin in April and sold 180 "
     "bitcoin for $17 million. The company energized 20 MW at its Ridge site, bringing its fleet to 260 MW."),
    ("quarterly_results",
     "Kestrel Power Corp. Reports Third Quarter Results\n\nRevenue rose 35% to $88 million. Net income was "
     "$12 million. Kestrel Power Corp. operated 410 MW at quarter end."),
    ("annual_results",
     "Halvard Mining Reports Fourth Quarter and Full Year Results\n\nHalvard Mining reported revenue of $140 million "
     "for the year and adjusted EBITDA of $52 million. The company ended the year with $210 million in cash and "
     "bitcoin."),
]


@pytest.mark.parametrize("text", [c[1] for c in NO_DEAL], ids=[c[0] for c in NO_DEAL])
def test_assembly_finds_no_deal_in_background_or_updates(nlp, text):
    assert extract(text, nlp) == []


TWO_DEALS = [
    # (id, document, (buyer, seller, price_usd) of each deal)
    ("separate_purchase_and_sale",
     "Kestrel Power Corp. expands in Texas and sells Ohio site\n\nKestrel Power Corp. agreed to buy the 120 MW Mesa "
     "site in Texas from Halvard Mining for $70 million. Separately, Kestrel Power Corp. sold its 30 MW Lakeside "
     "site in Ohio to Brightmoor Capital for $18 million.",
     [("Kestrel Power Corp.", "Halvard Mining", 70e6), ("Brightmoor Capital", "Kestrel Power Corp.", 18e6)]),
    ("sale_then_separate_purchase",
     "Granite Peak Resources sells Nevada mine to Halvard Mining\n\nGranite Peak Resources sold its Basin gold mine "
     "in Nevada to Halvard Mining for $95 million. In a separate transaction, Granite Peak Resources agreed to buy "
     "the Tamarack copper project in Arizona from Brightmoor Capital for $60 million.",
     [("Halvard Mining", "Granite Peak Resources", 95e6), ("Granite Peak Resources", "Brightmoor Capital", 60e6)]),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in TWO_DEALS], ids=[c[0] for c in TWO_DEALS])
def test_assembly_keeps_two_priced_sales_apart(nlp, text, expected):
    deals = extract(text, nlp)
    assert len(deals) == 2, deals
    got = sorted((d.buyer, d.seller, d.price_usd) for d in deals)
    assert got == sorted(expected)


LISTS = [
    # (id, sentence listing two priced items bought from one seller)
    ("items_then_from_seller",
     "Kestrel Power Corp. bought the 50 MW Dry Creek site for $20 million and the 30 MW Lakeside site for $12 million "
     "from Halvard Mining."),
    ("from_seller_then_items",
     "Kestrel Power Corp. agreed to buy from Halvard Mining the 50 MW Dry Creek site for $20 million and the 30 MW "
     "Lakeside site for $12 million."),
    ("along_with_second_item",
     "Kestrel Power Corp. bought the Dry Creek site from Halvard Mining for $20 million, along with the Lakeside "
     "site for $12 million."),
]


@pytest.mark.parametrize("text", [c[1] for c in LISTS], ids=[c[0] for c in LISTS])
def test_assembly_keeps_the_seller_on_every_listed_item(nlp, text):
    deals = extract(text, nlp)
    assert sorted(d.price_usd for d in deals) == [12e6, 20e6]
    assert all(d.buyer == "Kestrel Power Corp." and d.seller == "Halvard Mining" for d in deals), deals


def test_assembly_headline_total_of_listed_items_is_not_a_deal_of_its_own(nlp):
    text = ("Kestrel Power buys 20 MW site and 1,500 machines in Ohio for $12.5M\n\n"
            "Kestrel Power Corp. bought a 20 MW site in Ohio from Halvard Mining for $9.5 million, along with "
            "1,500 miners running at the site for $3 million, the company said on Monday.")
    deals = extract(text, nlp)
    assert sorted(d.price_usd for d in deals) == [3e6, 9.5e6]
    assert all(d.seller == "Halvard Mining" for d in deals)


def test_assembly_a_sentence_referring_back_adds_the_side_the_deal_lacked(nlp):
    text = ("Kestrel Power buys Ohio data center site\n\n"
            "Kestrel Power Corp. acquired land and a building in Columbus, Ohio for a 12 MW data center. "
            "The site was purchased for $14 million from a unit of Halvard Mining.")
    (deal,) = extract(text, nlp)
    assert (deal.buyer, deal.seller, deal.price_usd) == ("Kestrel Power Corp.", "Halvard Mining", 14e6)


@pytest.mark.parametrize("line,heading", [
    ("Kestrel Miner Purchase Agreements", True), ("Other Commitments", True), ("Sale of the Dry Creek Site", True),
    ("Kestrel bought the Dry Creek site.", False), ("Kestrel Buys Site For $5 Million", False),
    ("Acquisition", False),
])
def test_heading_is_a_short_capitalised_line_without_figures_or_stops(line, heading):
    from extractors.cue_filters import heading as is_heading

    assert is_heading(line) is heading


def test_assembly_a_section_heading_in_the_body_names_no_buyer(nlp):
    text = ("Note 9. Commitments\n\n"
            "The Company leases office space in Denver under an operating lease.\n"
            "Rent expense was $0.4 million for the quarter.\n"
            "The Company has no other material leases.\n"
            "Kestrel Miner Purchase Agreements\n"
            "In May 2024, the Company entered into a purchase agreement (the “May Agreement”) with Kestrel "
            "Technologies Limited (“Kestrel”) for the purchase of 3,000 miners for a total purchase price of $9.0 "
            "million. As of June 30, 2024, the Company had paid $6.0 million under the May Agreement.\n")
    assert not [d for d in extract(text, nlp) if d.deal_type == "asset_sale" and d.buyer == "Kestrel Technologies Limited"]


@pytest.mark.parametrize("text,asset", [
    ("Halvard Mining agreed to sell a 40% stake in the Morro Alto copper project to Kestrel Resources for "
     "$120 million.", "40% stake in the Morro Alto copper project"),
    ("Kestrel Resources will buy Halvard Mining's entire 25% interest in Dry Creek for $3.3 billion.",
     "Halvard Mining's entire 25% interest in Dry Creek"),
])
def test_assembly_a_stakes_asset_runs_through_what_it_is_a_stake_in(nlp, text, asset):
    (deal,) = extract(text, nlp)
    assert deal.asset == asset
