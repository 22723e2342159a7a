"""A place that names a party's home or legal seat is not where the asset is; a site's place is the deal's."""

import pytest

from extractors import extract
from extractors.merge import same_org
from extractors.places import names_a_home

US = "United States"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "-based Halvard Mining sold its site"),
        ("", " based Halvard Mining"),
        ("Kestrel Power Corp., a ", " corporation, bought the site"),
        ("SECURITIES AND EXCHANGE COMMISSION, ", ", D.C. 20549"),
        ("", " private equity firm Brightmoor Capital"),
        ("", " commodities giant Oberland Trading"),
        ("Kestrel Power Corp., headquartered in ", ", bought the site"),
        ("Kestrel Power Corp., headquartered in Denver, ", ", bought the site"),
        ("incorporated under the laws of ", ", agreed to buy"),
        ("organized under the laws of the State of ", ", agreed to buy"),
        ("Halvard Mining, listed in ", ", sold its mine"),
        ("Kestrel Power Corp., a ", " limited liability company, will pay"),
        ("Halvard Mining, a ", "-listed miner, sold"),
        ("", " miner Kestrel Power Corp. agreed"),
        ("Halvard Holdings Limited, a firm registered in the ", ", will buy the site"),
    ],
    ids=["hyphen_based", "spaced_based", "a_state_corporation", "sec_address", "private_equity_firm",
         "commodities_giant", "headquartered_in", "headquartered_in_city_then_state", "incorporated_under_laws",
         "organized_under_laws_of_the_state", "listed_in", "limited_liability_company", "hyphen_listed",
         "nationality_miner", "registered_in_the"],
)
def test_names_a_home_reads_the_words_around_a_seat(before, after):
    assert names_a_home(before, after) is True


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("Halvard Mining agreed to sell a site in ", " to Kestrel Power Corp."),
        ("its campus in Ellendale, ", " from Prairie Line Energy"),
        ("the Val-Blanc mine in ", " to Kestrel Power Corp. for $65 million"),
        ("a 45 MW facility near ", ", which Halvard Mining runs"),
        ("the Morro Alto project in ", ". The deal closes in May."),
    ],
    ids=["site_in_country", "campus_in_town_state", "mine_in_province", "facility_near_state", "project_in_country"],
)
def test_names_a_home_leaves_a_site_alone(before, after):
    assert names_a_home(before, after) is False


HOME_ONLY = [
    # (id, text): the only place in the text is a party's home or seat, so the deal has no country or region.
    ("province_based",
     "Ontario-based Halvard Mining sold its 40 MW Birchwood site to Kestrel Power Corp. for $20 million."),
    ("state_corporation",
     "Kestrel Power Corp., a Delaware corporation, bought the 60 MW Birchwood site from Halvard Mining for "
     "$45 million."),
    ("province_corporation",
     "Kestrel Power Corp., an Alberta corporation, bought the 60 MW Birchwood site from Halvard Mining for "
     "$45 million."),
    ("sec_address",
     "Kestrel Power Corp. agreed to buy the 60 MW Birchwood site from Halvard Mining for $45 million.\n\n"
     "SECURITIES AND EXCHANGE COMMISSION, Washington, D.C. 20549. Kestrel Power Corp. will pay $45 million in "
     "cash for the site."),
    ("us_private_equity_firm",
     "Brightmoor Capital, a US private equity firm, agreed to buy the Tamarind nickel mine from Halvard Mining "
     "for $70 million."),
    ("us_miner",
     "US miner Kestrel Power Corp. agreed to buy the 90 MW Saltbrush site from Halvard Mining for $52 million."),
    ("headquartered_in_city_and_state",
     "Kestrel Power Corp., headquartered in Denver, Colorado, bought the Arroyo Seco data center from Lumen Hash "
     "for $18 million."),
    ("incorporated_in_state",
     "Kestrel Power Corp., incorporated in Nevada, agreed to buy the Morro Alto mine from Halvard Mining for "
     "$33 million."),
    ("state_based_appositive",
     "Halvard Mining, a Texas-based miner, sold its 45 MW Pine Hollow site to Kestrel Power Corp. for $28 million."),
    ("based_in_province",
     "Kestrel Power Corp., based in Quebec, acquired the 120 MW Mesa Verde campus from Halvard Mining for "
     "$95 million."),
    ("latin_america_is_no_country",
     "Halvard Mining agreed to sell the Cerro Negro mine to Kestrel Power Corp., a gold producer active across "
     "Latin America, for $30 million."),
    ("north_america_is_no_country",
     "Halvard Mining, the largest hosting provider in North America, sold the 60 MW Birchwood site to Kestrel "
     "Power Corp. for $45 million."),
    ("registered_in_an_offshore_territory",
     "Halvard Holdings Limited, a firm registered in the British Virgin Islands, will buy the 60 MW Birchwood "
     "site from Kestrel Power Corp. for $45 million."),
    ("south_america_portfolio_is_no_country",
     "Halvard Mining sold its South America portfolio of mines to Kestrel Power Corp. for $210 million."),
]


@pytest.mark.parametrize("text", [c[1] for c in HOME_ONLY], ids=[c[0] for c in HOME_ONLY])
def test_places_home_is_not_the_site(nlp, text):
    deals = extract(text, nlp)
    assert len(deals) == 1, deals
    assert (deals[0].country, deals[0].region) == (None, None)


SITES = [
    # (id, text, seller, country, region): the site's place wins over any home named beside it.
    ("site_in_country",
     "Halvard Mining agreed to sell a site in Paraguay to Kestrel Power Corp. for $12 million.",
     "Halvard Mining", "Paraguay", None),
    ("campus_in_town_and_state",
     "Halvard Mining will sell its 100 MW campus in Ellendale, North Dakota to Kestrel Power Corp. for $90 million.",
     "Halvard Mining", US, "North Dakota"),
    ("its_campus_in_town_and_state",
     "Kestrel Power Corp. bought 80 MW of power capacity at its campus in Ellendale, North Dakota from Prairie Line "
     "Energy for $60 million.",
     "Prairie Line Energy", US, "North Dakota"),
    ("city_based_seller_site_in_country",
     "Toronto-based Halvard Mining agreed to sell its Rio Verde gold mine in Peru to Kestrel Power Corp. for "
     "$40 million.",
     "Halvard Mining", "Peru", None),
    ("state_corporation_site_in_country",
     "Kestrel Power Corp., a Delaware corporation, will buy the Piedra Alta copper project in Chile from Halvard "
     "Mining for $55 million.",
     "Halvard Mining", "Chile", None),
    ("us_firm_site_in_country",
     "Brightmoor Capital, a US private equity firm, agreed to buy the Tamarind nickel mine in Brazil from Halvard "
     "Mining for $70 million.",
     "Halvard Mining", "Brazil", None),
    ("swiss_giant_site_in_country",
     "Swiss commodities giant Oberland Trading will acquire the Kivu cobalt project in Zambia from Halvard Mining "
     "for $120 million.",
     "Halvard Mining", "Zambia", None),
    ("state_based_seller_site_in_other_state",
     "Halvard Mining, a Texas-based miner, sold its 45 MW Pine Hollow site in Georgia to Kestrel Power Corp. for "
     "$28 million.",
     "Halvard Mining", US, "Georgia"),
    ("province_corporation_site_in_state",
     "Kestrel Power Corp., a Québec corporation, acquired the 120 MW Mesa Verde campus in Arizona from Halvard "
     "Mining for $95 million.",
     "Halvard Mining", US, "Arizona"),
    ("buyer_llc_seat_after_site",
     "Halvard Mining sold its 30 MW Lakeside site in North Dakota to Kestrel Power Corp., a Nevada limited "
     "liability company, for $19 million.",
     "Halvard Mining", US, "North Dakota"),
    ("org_of_city_site_in_country",
     "Kestrel Power Corp. of Singapore is buying the Altan copper project in Mongolia from Halvard Mining for "
     "$35 million.",
     "Halvard Mining", "Mongolia", None),
    ("texas_gives_united_states",
     "Halvard Mining sold its 50 MW Red Plains facility in Texas to Kestrel Power Corp. for $35 million.",
     "Halvard Mining", US, "Texas"),
    ("nevada_gives_united_states",
     "Halvard Mining agreed to sell its Canyon Rim gold mine in Nevada to Kestrel Power Corp. for $48 million.",
     "Halvard Mining", US, "Nevada"),
    ("quebec_accented_gives_canada",
     "Halvard Mining agreed to sell its Val-Blanc mine in Québec to Kestrel Power Corp. for $65 million.",
     "Halvard Mining", "Canada", "Québec"),
    ("quebec_plain_gives_canada",
     "Halvard Mining agreed to sell its Val-Blanc mine in Quebec to Kestrel Power Corp. for $65 million.",
     "Halvard Mining", "Canada", "Québec"),
    ("alberta_gives_canada",
     "Halvard Mining sold its 40 MW Snowbird site in Alberta to Kestrel Power Corp. for C$20 million.",
     "Halvard Mining", "Canada", "Alberta"),
    ("city_based_seller_site_in_province",
     "Calgary-based Halvard Mining sold its 20 MW Prairie site in Manitoba to Kestrel Power Corp. for C$9 million.",
     "Halvard Mining", "Canada", "Manitoba"),
]


@pytest.mark.parametrize(("text", "seller", "country", "region"), [c[1:] for c in SITES], ids=[c[0] for c in SITES])
def test_places_site_gives_the_deal_its_country_and_region(nlp, text, seller, country, region):
    deals = extract(text, nlp)
    assert len(deals) == 1, deals
    assert same_org(deals[0].seller, seller), deals[0]
    assert (deals[0].country, deals[0].region) == (country, region)
