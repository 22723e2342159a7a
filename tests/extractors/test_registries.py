"""The deal model as data: patterns/frames.jsonl and models/deal_types.jsonl agree with each other, the cues and the records."""

import pytest

from extractors import gazetteer
from extractors.merge import abbreviations, same_org
from models.deal_types import deal_types, family
from models.records import DEAL_TYPES


def test_deal_types_registry_covers_exactly_the_record_types():
    assert set(deal_types()) == set(DEAL_TYPES)


def test_every_cue_frame_has_a_role_table_and_every_stated_type_exists():
    frames = gazetteer.frames()
    assert {row["frame"] for row in gazetteer.cues()} <= set(frames)
    for name, row in frames.items():
        assert row["deal_type"] is None or row["deal_type"] in DEAL_TYPES, name
        assert set(row["roles"].values()) <= {"buyer", "seller"}, name


def test_frames_come_in_rank_order():
    ranks = [row["rank"] for row in gazetteer.frames().values()]
    assert ranks == sorted(ranks)


@pytest.mark.parametrize("a,b,same", [
    ("asset_sale", "acquisition", True), ("acquisition", "merger", True), ("lease", "hosting_contract", True),
    ("lease", "asset_sale", False), ("financing", "other", False), ("power_agreement", "lease", False),
])
def test_family_groups_the_ways_one_transfer_is_told(a, b, same):
    assert (family(a) == family(b)) is same


def test_sites_belong_to_every_type_but_loans_and_orders():
    assert {t for t, row in deal_types().items() if not row["site"]} == {"financing", "other"}


@pytest.mark.parametrize("a,b,same", [
    ("Orla Mining Ltd.", "Orla Mining", True), ("Bitfarms", "Bitfarms Technologies", True),
    ("Halvard Mining", "Kestrel Power", False), ("Riot Platforms, Inc.", "riot platforms", True),
    (None, "Riot", False),
])
def test_same_org_drops_legal_suffixes_and_matches_word_prefixes(a, b, same):
    assert same_org(a, b) is same


def test_abbreviations_never_run_a_name_across_lines():
    text = "Kestrel invests in Halvard Lithium\n\nHalvard Lithium (HVL) said on Monday it raised £2 million."
    assert abbreviations(text) == {"HVL": "Halvard Lithium"}


@pytest.mark.parametrize("text,term,name", [
    ("On May 2, Halvard Mining Corp. (the “Company”) signed a lease with Kestrel Compute, Inc., a Nevada "
     "corporation (the “Lessee”), for 200 machines.", "Lessee", "Kestrel Compute, Inc."),
    ("The Company entered into an agreement with Granite Peak Resources, Inc. (“Granite”) to buy the site.",
     "Granite", "Granite Peak Resources, Inc."),
])
def test_abbreviations_read_a_filings_defined_terms(text, term, name):
    assert abbreviations(text)[term] == name


def test_a_defined_term_stands_for_its_party_in_the_deal(nlp):
    from extractors import extract

    text = ("On May 2, 2025, Halvard Mining Corp. (the “Company”) entered into a machine lease with Kestrel "
            "Compute, Inc., a Nevada corporation (the “Lessee”). Under the lease, the Company leased 2,000 ASIC "
            "miners to the Lessee for total lease payments of $2,400,000.")
    deals = extract(text, nlp)
    assert any(d.buyer == "Kestrel Compute, Inc." and d.seller == "Halvard Mining Corp." for d in deals)
