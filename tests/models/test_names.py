"""The one party-name normaliser and the deal types' two families: deal ids keyed on them must not move."""

import pytest

from models.deal_types import deal_types, family, key_family
from models.names import folded_words, party_words
from models.records import DEAL_TYPES, DealMention
from warehouse.identity import deal_key


@pytest.mark.parametrize(("name", "key", "folded"), [
    ("Bitfarms Ltd.", "bitfarms", "bitfarms"),
    ("The Hashgrid Mining Corp.", "hashgrid mining", "hashgrid mining"),
    # The id key drops an accented letter like punctuation (as every stored id was made); the extractor folds it.
    ("Société Générale SA", "soci t g n rale", "societe generale"),
    (None, "", ""),
])
def test_party_words_keys_ids_as_stored_and_folds_accents_for_the_extractor(name, key, folded):
    assert party_words(name) == key
    assert folded_words(name) == folded


@pytest.mark.parametrize(("deal_type", "merged_in_document", "keyed_across_documents"), [
    ("asset_sale", "sale", "transfer"), ("acquisition", "sale", "transfer"), ("merger", "sale", "transfer"),
    ("lease", "capacity", "lease"), ("hosting_contract", "capacity", "hosting_contract"),
    ("financing", "financing", "financing"), ("hosting", "hosting", "hosting"), (None, None, ""),
])
def test_deal_type_families_within_a_document_and_for_deal_ids(deal_type, merged_in_document, keyed_across_documents):
    assert family(deal_type) == merged_in_document
    assert key_family(deal_type) == keyed_across_documents


def test_deal_types_table_names_every_record_type():
    assert set(deal_types()) == set(DEAL_TYPES)


@pytest.mark.parametrize(("mention", "deal_id"), [
    (dict(deal_type="acquisition", seller="Société Générale SA", buyer="Hashgrid Mining Corp."), "21561ad63e0eda01"),
    (dict(deal_type="lease", seller="Crusoe Énergie", asset="Rio Verde campus"), "4b4f97073c63eab5"),
    (dict(deal_type="hosting_contract", seller="Norvolt", buyer="Riot Platforms"), "4093bb0ad28f1c3c"),
    (dict(deal_type="financing", buyer="Ökobank AG", capacity_mw=40.0, price_usd=1.5e7), "9f32334e310afe62"),
])
def test_deal_ids_are_the_ones_earlier_versions_stored(mention, deal_id):
    """Ids computed by the code before the normaliser and families were unified (reviews refer to them)."""
    assert deal_key(DealMention(**mention), "doc1") == deal_id
