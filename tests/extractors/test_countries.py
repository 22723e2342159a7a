"""Countries come from pycountry under the names our labels use; the alias layer is small and explicit."""

from __future__ import annotations

import pycountry
import pytest

from extractors import extract
from extractors.countries import _alias_layer, country_rows
from extractors.gazetteer import place_index


def test_country_rows_cover_every_iso_country_but_the_skipped_ones():
    codes = {row["code"] for row in country_rows()}
    skipped = {code for code, row in _alias_layer().items() if "skip" in row}
    listed_forms = {c.alpha_2 for c in pycountry.countries if "," in c.name or "(" in c.name}
    assert codes | skipped >= {c.alpha_2 for c in pycountry.countries} - listed_forms
    assert not codes & skipped


@pytest.mark.parametrize("form, name", [
    ("Côte d'Ivoire", "Ivory Coast"),          # the alias layer's name, the ISO form matched as written
    ("Russian Federation", "Russia"),
    ("Bolivia", "Bolivia"),                    # pycountry's common name, not "Bolivia, Plurinational State of"
    ("Plurinational State of Bolivia", "Bolivia"),  # its official name is matched too
    ("Eswatini", "Eswatini"),                  # ISO countries the hand-typed list lacked
    ("Swaziland", "Eswatini"),
    ("DRC", "Democratic Republic of the Congo"),
    ("Congo", "Democratic Republic of the Congo"),  # plain "Congo" is the DRC in mining news
])
def test_place_index_names_each_country_as_our_labels_do(form, name):
    row = place_index()[form]
    assert row["kind"] == "country" and row["name"] == name == row["country"]


def test_georgia_stays_the_us_state():
    assert place_index()["Georgia"]["kind"] == "region"
    assert place_index()["Georgia"]["country"] == "United States"


@pytest.mark.parametrize("text, country", [
    ("Halvard Mining agreed to sell its Lusaka Ridge gold mine in Eswatini to Kestrel Resources for $40 million.",
     "Eswatini"),
    ("Kestrel Resources bought the Morne Blanc quarry in Martinique from Halvard Mining for $12 million.",
     "Martinique"),
    ("Halvard Mining sold its 30 MW Tanjong site in Brunei to Kestrel Power Corp. for $25 million.", "Brunei"),
])
def test_extract_reads_a_country_the_hand_typed_list_lacked(nlp, text, country):
    (deal,) = extract(text, nlp)
    assert deal.country == country
