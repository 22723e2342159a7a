"""End to end on our own sentences (modelled on real deals): one document in, its deals out."""

import time

import pytest

from extractors import EXTRACTOR_VERSION, extract, extract_many
from extractors.merge import same_org

US = "United States"

POSITIVES = [
    # (id, text, expected fields of the one deal)
    ("site_sale_up_to_price",
     "Bitfarms Ltd. agreed to sell its 70 MW Paso Pe facility in Paraguay to Sympatheia Power Fund for up to "
     "$30 million. The buyer will pay $9 million in cash at closing and up to $21 million in milestone payments.",
     dict(deal_type="asset_sale", seller="Bitfarms", buyer="Sympatheia Power Fund", capacity_mw=70,
          price_usd=30e6, cash_usd=9e6, country="Paraguay")),
    ("company_acquisition_with_region",
     "Riot Platforms has completed its acquisition of Block Mining, a Bitcoin miner with 60 MW of operations in "
     "Kentucky, for $92.5 million.",
     dict(deal_type="acquisition", buyer="Riot Platforms", seller=None, capacity_mw=60, price_usd=92.5e6,
          country=US, region="Kentucky")),
    ("lease_with_ai_tenant",
     "Cipher Mining signed a 10-year lease with Amazon Web Services for 300 MW of capacity at its Barber Lake "
     "site in Texas, worth about $5.5 billion over the initial term.",
     dict(deal_type="lease", buyer="Amazon Web Services", seller="Cipher Mining", capacity_mw=300,
          price_usd=5.5e9, country=US, region="Texas")),
    ("will_host",
     "Core Scientific will host CoreWeave's GPUs under a 12-year contract covering 200 megawatts of critical IT "
     "load, worth an estimated $3.5 billion over the contract term.",
     dict(deal_type="hosting_contract", seller="Core Scientific", buyer="CoreWeave", capacity_mw=200,
          price_usd=3.5e9)),
    ("metal_mine_sale_in_cash",
     "Newmont has agreed to sell its Eleonore gold mine in Quebec to Dhilmar Ltd. for $795 million in cash.",
     dict(deal_type="asset_sale", seller="Newmont", buyer="Dhilmar", price_usd=795e6, cash_usd=795e6,
          country="Canada", region="Québec")),
    ("passive_sale_with_by",
     "The 150 MW Rockdale data center was sold to Riot Platforms by Whinstone Holdings for $80 million.",
     dict(buyer="Riot Platforms", seller="Whinstone Holdings", capacity_mw=150, price_usd=80e6)),
    ("was_acquired_by",
     "Stronghold Digital Mining was acquired by Bitfarms in an all-stock deal valued at $175 million.",
     dict(deal_type="acquisition", buyer="Bitfarms", seller=None, price_usd=175e6)),
    ("gigawatts_converted",
     "IREN agreed to buy a 1.4 GW data center campus in Sweetwater, Texas for $250 million.",
     dict(deal_type="asset_sale", buyer="IREN", capacity_mw=1400, price_usd=250e6, region="Texas")),
    ("canadian_dollars_only",
     "Hut 8 sold its Drumheller site in Alberta to Sphere Power Corp. for C$12.5 million.",
     dict(seller="Hut 8", buyer="Sphere Power", price_usd=None, price_text="C$12.5 million", currency="CAD",
          country="Canada", region="Alberta")),
    ("foreign_price_with_usd_equivalent",
     "Iris Energy sold its Canal Flats site in British Columbia to Northern Data AG for A$30 million "
     "(US$20 million).",
     dict(seller="Iris Energy", buyer="Northern Data", price_usd=20e6, currency="AUD", region="British Columbia")),
    ("plus_up_to_an_additional",
     "Equinox Gold will buy the Greenstone mine in Ontario from Orion Resource Partners for US$995 million plus "
     "up to an additional US$60 million in contingent payments.",
     dict(buyer="Equinox Gold", seller="Orion Resource Partners", price_usd=1.055e9, country="Canada")),
    ("euro_price",
     "Northern Data AG sold its Boden mining site in Sweden to Hydro66 Holdings for €20 million.",
     dict(seller="Northern Data", buyer="Hydro66 Holdings", price_usd=None, currency="EUR", country="Sweden")),
    ("power_purchase_agreement",
     "TeraWulf signed a power purchase agreement with Constellation Energy for 50 MW at its Lake Mariner "
     "facility in New York.",
     dict(deal_type="power_agreement", buyer="TeraWulf", seller="Constellation Energy", capacity_mw=50,
          region="New York")),
    ("lease_figure_in_next_sentence",
     "Bitdeer has signed a 30-year lease for a site in Massena, New York with the Massena Economic Development "
     "Corporation. The lease covers 150 MW of power.",
     dict(deal_type="lease", buyer="Bitdeer", seller="Massena Economic Development Corporation", capacity_mw=150,
          region="New York")),
    ("bridge_loan",
     "Bitfarms extended a $10 million bridge loan to Stronghold Digital Mining.",
     dict(deal_type="financing", buyer="Bitfarms", seller="Stronghold Digital Mining", price_usd=10e6)),
    ("equity_stake",
     "Tether Holdings acquired a $30 million stake in Northern Data AG.",
     dict(deal_type="financing", buyer="Tether", seller="Northern Data", price_usd=30e6)),
    ("machine_purchase",
     "Riot Platforms agreed to purchase 31,500 S21 miners from MicroBT for $95 million.",
     dict(deal_type="other", buyer="Riot Platforms", seller="MicroBT", price_usd=95e6, capacity_mw=None)),
    ("will_host_for",
     "Galaxy Digital will host 800 MW of GPU capacity for CoreWeave at its Helios campus in Texas.",
     dict(deal_type="hosting_contract", seller="Galaxy Digital", buyer="CoreWeave", capacity_mw=800,
          region="Texas")),
    ("entered_into_lease_with",
     "Applied Digital entered into a 15-year lease with CoreWeave for 250 MW at its Ellendale campus in North "
     "Dakota, a deal worth about $7 billion.",
     dict(deal_type="lease", buyer="CoreWeave", seller="Applied Digital", capacity_mw=250, price_usd=7e9,
          region="North Dakota")),
    ("buyer_named_in_next_sentence",
     "Bitfarms is selling its 70 MW Paso Pe site in Paraguay. The buyer, Sympatheia Power Fund, will pay up to "
     "$30 million.",
     dict(seller="Bitfarms", buyer="Sympatheia Power Fund", capacity_mw=70, price_usd=30e6)),
    ("headline_and_body",
     "Orla Mining to buy Ontario gold mine from Newmont\n\nOrla Mining Ltd. agreed to acquire the Musselwhite "
     "mine in Ontario from Newmont. Under the deal, Orla will pay US$810 million.",
     dict(buyer="Orla Mining", seller="Newmont", price_usd=810e6, country="Canada")),
    ("possessive_seller",
     "HIVE Digital agreed to acquire Bitfarms' partially built 200 MW site in Yguazu, Paraguay for $56 million, "
     "including $25 million payable at closing.",
     dict(buyer="HIVE Digital", seller="Bitfarms", capacity_mw=200, price_usd=56e6, cash_usd=25e6,
          country="Paraguay")),
]


def _match(deals, expected):
    for deal in deals:
        if all(same_org(getattr(deal, k), v) for k, v in expected.items() if k in {"buyer", "seller"} and v):
            return deal
    raise AssertionError(f"no deal with {expected} in {deals}")


def _check(deal, expected):
    for key, want in expected.items():
        got = getattr(deal, key)
        if key in {"buyer", "seller"} and want:
            assert same_org(got, want), (key, got, want)
        elif isinstance(want, float | int) and not isinstance(want, bool):
            assert got == pytest.approx(want), (key, got, want)
        else:
            assert got == want, (key, got, want)


@pytest.mark.parametrize(("text", "expected"), [p[1:] for p in POSITIVES], ids=[p[0] for p in POSITIVES])
def test_extract_reads_one_deal(nlp, text, expected):
    deals = extract(text, nlp)
    assert len(deals) == 1, deals
    _check(_match(deals, expected), expected)


NEGATIVES = [
    ("production_update", "CleanSpark mined 650 BTC in May and now holds 12,000 BTC worth about $1.2 billion."),
    ("fleet_total", "Riot now has 1.7 GW of power capacity across its Texas and Kentucky sites."),
    ("pipeline", "MARA's development pipeline includes 3 GW of potential sites in the United States."),
    ("unexercised_option", "Tether holds an option to buy another $50 million of Bitdeer shares next year."),
    ("rejected_bid", "Bitfarms rejected Riot's unsolicited offer to acquire the company for $950 million."),
    ("market_prices", "Bitcoin traded at $68,000 while hashprice fell to $45 per PH/s."),
    ("plan_only", "Hut 8 plans to acquire more sites in Texas next year to reach 1 GW."),
    ("terminated", "The $200 million deal between Greenidge and NYDIG was terminated in March."),
    ("expansion", "TeraWulf expects to expand its Lake Mariner facility by 100 MW in 2025."),
    ("own_investment", "IREN plans to invest $300 million in new GPUs at its Childress site."),
    ("quote_only", "“We are always looking at acquisitions,” said the chief executive of Bitdeer."),
    ("bitcoin_treasury_sale", "Bitfarms sold 200 BTC during the quarter for about $12 million."),
    ("background_without_figures", "The Marigold mine has been sold to SSR Mining, the company said in passing."),
    ("empty", ""),
]


@pytest.mark.parametrize("text", [n[1] for n in NEGATIVES], ids=[n[0] for n in NEGATIVES])
def test_extract_finds_no_deal(nlp, text):
    assert extract(text, nlp) == []


MULTI = [
    ("separate_sentences",
     "Hut 8 reshapes its portfolio\n\nHut 8 acquired four natural gas power plants in Ontario from Macquarie "
     "Asset Management for $100 million. Separately, Hut 8 sold its 20 MW data center in Montreal, Quebec to "
     "Cologix Inc. for C$40 million.",
     [dict(buyer="Hut 8", seller="Macquarie Asset Management", price_usd=100e6, country="Canada"),
      dict(seller="Hut 8", buyer="Cologix", capacity_mw=20, price_usd=None, currency="CAD", region="Québec")]),
    ("sale_list",
     "Newmont also announced sales of its 70% stake in the Akyem mine in Ghana for $1 billion to Zijin Mining, "
     "and its Porcupine operations in Ontario for $425 million to Discovery Silver Corp.",
     [dict(seller="Newmont", buyer="Zijin Mining", price_usd=1e9, country="Ghana"),
      dict(seller="Newmont", buyer="Discovery Silver", price_usd=425e6, country="Canada")]),
    ("sale_and_hosting",
     "CleanSpark agreed to buy a facility in Dalton, Georgia from Mawson for $33 million. As part of the "
     "arrangement, CleanSpark will host Mawson's machines on 30 MW for six months.",
     [dict(buyer="CleanSpark", seller="Mawson", price_usd=33e6, region="Georgia"),
      dict(deal_type="hosting_contract", seller="CleanSpark", buyer="Mawson", capacity_mw=30)]),
]


@pytest.mark.parametrize(("text", "expected"), [m[1:] for m in MULTI], ids=[m[0] for m in MULTI])
def test_extract_reads_every_deal_of_a_multi_deal_document(nlp, text, expected):
    deals = extract(text, nlp)
    assert len(deals) == len(expected), deals
    for want in expected:
        _check(_match(deals, want), want)


def test_extract_evidence_is_the_exact_span_of_the_input(nlp):
    text = POSITIVES[0][1]
    for deal in extract(text, nlp):
        assert text[deal.start_char:deal.end_char] == deal.sentence
        assert deal.extractor_version == EXTRACTOR_VERSION
        assert 0.0 <= deal.confidence <= 1.0


def test_extract_gives_more_confidence_to_parsed_roles_with_figures_in_the_sentence(nlp):
    strong = extract("Newmont agreed to sell its Eleonore mine to Dhilmar Ltd. for $795 million.", nlp)[0]
    weak = extract("Bitfarms is selling its 70 MW Paso Pe site. The buyer, Sympatheia Power Fund, will pay "
                   "up to $30 million.", nlp)[0]
    assert strong.confidence > weak.confidence


def test_extract_many_keeps_input_order(nlp):
    texts = [POSITIVES[4][1], NEGATIVES[0][1], POSITIVES[2][1]]
    results = extract_many(texts, nlp)
    assert [len(r) for r in results] == [1, 0, 1]
    assert same_org(results[2][0].buyer, "Amazon Web Services")


@pytest.mark.parametrize(
    "text",
    ["\x00\x01\x02", "$$$ 70 MW MW MW ) ( acquired by by by", "🙂" * 5000, "acquire " * 20_000,
     "Riot " + "sold the site to Block Mining for $1 million and " * 4000],
)
def test_extract_stays_fast_and_quiet_on_odd_text(nlp, text):
    started = time.perf_counter()
    deals = extract(text, nlp)
    assert isinstance(deals, list)
    assert time.perf_counter() - started < 20
