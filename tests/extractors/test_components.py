"""Rule components on a model-free pipeline: each fills its own span group."""

import pytest

from extractors import read_company_registry


def _labels(doc, group):
    return [(span.text, span.label_) for span in doc.spans[group]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Riot Platforms bought Block Mining.", ("Riot Platforms", "Riot Platforms, Inc.")),
        ("Marathon Digital expanded in Ohio.", ("Marathon Digital", "MARA Holdings, Inc.")),
        ("HIVE Digital Technologies reported results.", ("HIVE Digital Technologies", "HIVE Digital Technologies Ltd.")),
        ("Newmont agreed to the sale.", ("Newmont", "Newmont Corporation")),
    ],
)
def test_companies_match_registry_aliases(rules_nlp, text, expected):
    assert expected in _labels(rules_nlp(text), "minewire_companies")


def test_companies_skip_lowercase_words(rules_nlp):
    assert _labels(rules_nlp("a riot broke out near the hive"), "minewire_companies") == []


def test_companies_skip_abbreviations_in_parentheses(rules_nlp):
    doc = rules_nlp("Minera Agua Rica Alumbrera (MARA) is a copper project.")
    assert "MARA" not in [t for t, _ in _labels(doc, "minewire_orgs")]


@pytest.mark.parametrize(
    ("text", "place"),
    [("a site in Clarington, Ohio", "Ohio"), ("near Sherbrooke, Quebec", "Québec"), ("a data center in Garden City, TX", "Texas"),
     ("the mine in Catamarca", "Catamarca"), ("its plant in Paraguay", "Paraguay"), ("operations in the U.S.", "United States")],
)
def test_places_match_countries_regions_and_state_codes(rules_nlp, text, place):
    assert place in [label for _, label in _labels(rules_nlp(text), "minewire_places")]


@pytest.mark.parametrize(
    ("text", "frame"),
    [("Cipher signed a lease agreement", "lease"), ("IREN will host the GPUs", "host"),
     ("a power purchase agreement with the utility", "power"), ("Orla agreed to buy the mine", "buy"),
     ("Newmont divested the asset", "sell"), ("a $50 million bridge loan", "lend")],
)
def test_cues_label_frames(rules_nlp, text, frame):
    assert frame in [label for _, label in _labels(rules_nlp(text), "minewire_cues")]


def test_figures_find_money_and_capacity(rules_nlp):
    doc = rules_nlp("It paid $30 million for a 70 MW site.")
    assert [s.text for s in doc.spans["minewire_money"]] == ["$30 million"]
    assert [s.text for s in doc.spans["minewire_capacity"]] == ["70 MW"]


def test_orgs_find_capitalised_names_with_an_org_word(rules_nlp):
    doc = rules_nlp("The lessor is the Monroe County Port Authority.")
    assert "Monroe County Port Authority" in [t for t, _ in _labels(doc, "minewire_orgs")]


def test_components_leave_doc_ents_alone(rules_nlp):
    assert rules_nlp("Riot Platforms paid $30 million.").ents == ()


def test_read_company_registry_returns_registry_rows():
    rows = read_company_registry()
    bitfarms = next(r for r in rows if r["name"] == "Bitfarms Ltd.")
    assert bitfarms["ticker"] == "BITF" and bitfarms["cik"] == "0001812477"
    assert all({"name", "aliases", "ticker", "cik", "kind"} <= set(r) for r in rows)
