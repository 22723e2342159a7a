"""Which names can be a deal's party: generic words, site codes, nationalities, exchanges and wires cannot."""

import pytest

from extractors import extract
from extractors.gazetteer import is_not_party

NOT_PARTIES = [
    # generic words only
    ("Bitcoin Miner", "generic_bitcoin_miner"),
    ("the Bitcoin Miner", "generic_with_article"),
    ("New Bitcoin Miner", "generic_new_bitcoin_miner"),
    ("AI Cloud", "generic_ai_cloud"),
    ("AI Cloud Provider", "generic_ai_cloud_provider"),
    ("GPU Cloud", "generic_gpu_cloud"),
    ("HPC Hosting", "generic_hpc_hosting"),
    ("Hosting Provider", "generic_hosting_provider"),
    ("Data Center", "generic_data_center"),
    ("Mining Company", "generic_mining_company"),
    ("Crypto Mining Company", "generic_crypto_mining_company"),
    ("Liquidity and Financial Condition", "section_heading_liquidity"),
    ("Subsequent Events", "section_heading_subsequent_events"),
    ("Fiscal Quarter Highlights", "section_heading_highlights"),
    ("ATM Offering", "generic_atm_offering"),
    ("Chief Executive Officer", "job_title"),
    # site and building codes
    ("NC-1", "site_code_nc_1"),
    ("CB-5", "site_code_cb_5"),
    ("TX-3", "site_code_tx_3"),
    ("MTL2", "site_code_without_hyphen"),
    # nationality and place words
    ("Canadian", "nationality_canadian"),
    ("American", "nationality_american"),
    ("Swiss", "nationality_swiss"),
    ("Australian", "nationality_australian"),
    ("Canadian-based", "nationality_based"),
    ("Texas", "state_name"),
    ("US", "country_abbreviation"),
    # exchanges, wires, regulators and defined terms
    ("Nasdaq Global Select Market", "exchange_nasdaq_tier"),
    ("NYSE American", "exchange_nyse_american"),
    ("Toronto Stock Exchange", "exchange_by_shape"),
    ("OTC Markets", "exchange_otc_markets"),
    ("Business Wire", "wire_business_wire"),
    ("PR Newswire", "wire_pr_newswire"),
    ("Reuters", "wire_reuters"),
    ("SEC", "regulator_sec"),
    ("ERCOT", "regulator_ercot"),
    ("the Seller", "defined_term_seller"),
    ("Purchase Agreement", "defined_term_purchase_agreement"),
    ("Board of Directors", "defined_term_board"),
    ("Annual Report", "defined_term_annual_report"),
]

PARTIES = [
    ("Kestrel Power Corp.", "kestrel_power_corp"),
    ("Halvard Mining", "halvard_mining"),
    ("Waha Technologies", "waha_technologies"),
    ("Kestrel Cloud", "name_plus_generic_word"),
    ("Northwind AI Cloud", "name_plus_ai_cloud"),
    ("Halvard Data", "name_plus_data"),
    ("Exchange Street Capital", "exchange_word_first"),
    ("Lakeview Wire Holdings", "wire_word_inside"),
    ("Ironclad Markets Ltd", "markets_word_with_suffix"),
    ("Marketing Partners", "marketing_is_not_markets"),
    ("Brightmoor Capital Fund", "fund"),
    ("Greenidge", "one_word_name"),
    ("IREN", "upper_case_name"),
    (None, "none"),
    ("", "empty"),
]


@pytest.mark.parametrize("name", [n for n, _ in NOT_PARTIES], ids=[i for _, i in NOT_PARTIES])
def test_party_filters_reject_names_that_name_no_one(name):
    assert is_not_party(name) is True


@pytest.mark.parametrize("name", [n for n, _ in PARTIES], ids=[i for _, i in PARTIES])
def test_party_filters_keep_real_names(name):
    assert is_not_party(name) is False


DEALS = [
    # (id, text, buyer, seller): exact names, nothing generic in either role.
    ("site_code_is_no_party",
     "Halvard Mining sold its 40 MW NC-1 site to Kestrel Power Corp. for $20 million.",
     "Kestrel Power Corp.", "Halvard Mining"),
    ("building_code_is_no_party",
     "Kestrel Power Corp. bought the CB-5 building from Halvard Mining for $11 million.",
     "Kestrel Power Corp.", "Halvard Mining"),
    ("technologies_name_is_a_party",
     "Waha Technologies agreed to buy the 25 MW Saltbrush site from Halvard Mining for $9 million.",
     "Waha Technologies", "Halvard Mining"),
    ("section_heading_is_no_party",
     "Liquidity and Financial Condition\n\nKestrel Power Corp. sold its 20 MW Ridge site to Halvard Mining for "
     "$7 million.",
     "Halvard Mining", "Kestrel Power Corp."),
    ("generic_headline_subject_is_no_party",
     "Bitcoin Miner Sells Texas Site\n\nHalvard Mining sold its 60 MW Red Plains site in Texas to Kestrel Power "
     "Corp. for $31 million.",
     "Kestrel Power Corp.", "Halvard Mining"),
    ("ticker_in_brackets_is_no_party",
     "Kestrel Power Corp. (Nasdaq: KSTL) agreed to buy the 45 MW Ridge site from Halvard Mining for $24 million.",
     "Kestrel Power Corp.", "Halvard Mining"),
    ("wire_dateline_is_no_party",
     "VANCOUVER, British Columbia, May 4, 2025 (GLOBE NEWSWIRE) -- Halvard Mining sold its 35 MW Ridge site to "
     "Kestrel Power Corp. for $18 million.",
     "Kestrel Power Corp.", "Halvard Mining"),
    ("exchange_listing_is_no_party",
     "Halvard Mining, listed on the Toronto Stock Exchange, sold its 35 MW Ridge site to Kestrel Power Corp. for "
     "$18 million.",
     "Kestrel Power Corp.", "Halvard Mining"),
    ("nationality_in_appositive_is_no_party",
     "Kestrel Power Corp., the Canadian bitcoin miner, agreed to buy the 50 MW Fallow site from Halvard Mining for "
     "$27 million.",
     "Kestrel Power Corp.", "Halvard Mining"),
    ("a_bitcoin_miner_is_no_seller",
     "Kestrel Power Corp. will buy the 50 MW Fallow site from a Bitcoin Miner for $27 million.",
     "Kestrel Power Corp.", None),
]


@pytest.mark.parametrize(("text", "buyer", "seller"), [c[1:] for c in DEALS], ids=[c[0] for c in DEALS])
def test_party_filters_leave_only_named_parties_on_the_deal(nlp, text, buyer, seller):
    deals = extract(text, nlp)
    assert len(deals) == 1, deals
    assert (deals[0].buyer, deals[0].seller) == (buyer, seller)
