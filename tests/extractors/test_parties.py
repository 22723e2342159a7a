"""Buyer and seller from a hand-built parse (no model) and from word order alone."""

import pytest
from spacy.tokens import Doc, Span
import spacy

from extractors.parties import assign_roles

VOCAB = spacy.blank("en").vocab  # English lexical attributes (lower_, is_punct) without a model


def _doc(words, heads, deps, orgs):
    doc = Doc(VOCAB, words=words, heads=heads, deps=deps)
    spans = [Span(doc, s, e, label=doc[s:e].text) for s, e in orgs]
    return doc, spans


def test_assign_roles_reads_subject_and_to_object_of_sell():
    words = ["Newmont", "sold", "the", "mine", "to", "Orla", "."]
    doc, orgs = _doc(words, [1, 1, 3, 1, 1, 4, 1], ["nsubj", "ROOT", "det", "dobj", "prep", "pobj", "punct"],
                     [(0, 1), (5, 6)])
    roles = assign_roles(doc, doc[1:2], orgs, "sell")
    assert (roles.seller.text, roles.buyer.text, roles.from_parse) == ("Newmont", "Orla", True)


def test_assign_roles_ignores_passive_subject_and_reads_agent():
    words = ["GRIID", "was", "acquired", "by", "CleanSpark", "."]
    doc, orgs = _doc(words, [2, 2, 2, 2, 3, 2], ["nsubjpass", "auxpass", "ROOT", "agent", "pobj", "punct"],
                     [(0, 1), (4, 5)])
    roles = assign_roles(doc, doc[2:3], orgs, "buy")
    assert roles.buyer.text == "CleanSpark" and roles.seller is None


def test_assign_roles_reads_owner_of_nominal_trigger():
    words = ["CoreWeave", "is", "one", "of", "Core", "Scientific", "'s", "customers", "."]
    heads = [1, 1, 1, 2, 5, 7, 5, 3, 1]
    deps = ["nsubj", "ROOT", "attr", "prep", "compound", "poss", "case", "pobj", "punct"]
    doc, orgs = _doc(words, heads, deps, [(0, 1), (4, 6)])
    roles = assign_roles(doc, doc[7:8], orgs, "customer", nominal=True)
    assert (roles.buyer.text, roles.seller.text) == ("CoreWeave", "Core Scientific")


@pytest.mark.parametrize(
    ("words", "trigger", "frame", "orgs", "buyer", "seller"),
    [
        ("Riot bought the site from Rhodium".split(), 1, "buy", [(0, 1), (5, 6)], "Riot", "Rhodium"),
        ("Bitfarms will sell the site to Sympatheia".split(), 2, "sell", [(0, 1), (6, 7)], "Sympatheia", "Bitfarms"),
        ("HIVE will acquire Bitfarms ' site".split(), 2, "buy", [(0, 1), (3, 4)], "HIVE", "Bitfarms"),
        ("Bitdeer signed a lease with the Port Authority".split(), 3, "lease", [(0, 1), (6, 8)], "Bitdeer", "Port Authority"),
        ("Cipher signed a lease with AWS".split(), 3, "lease", [(0, 1), (5, 6)], "AWS", "Cipher"),
        ("Galaxy will host CoreWeave".split(), 2, "host", [(0, 1), (3, 4)], "CoreWeave", "Galaxy"),
        ("Kentucky Utilities signed a contract with Bitiki".split(), 4, "deal", [(0, 2), (6, 7)], "Bitiki", "Kentucky Utilities"),
        ("Glencore sold its stake to a unit of Rio Tinto".split(), 1, "sell", [(0, 1), (8, 10)], "Rio Tinto", "Glencore"),
    ],
)
def test_assign_roles_falls_back_on_word_order(words, trigger, frame, orgs, buyer, seller):
    doc = Doc(VOCAB, words=words)
    spans = [Span(doc, s, e, label=doc[s:e].text) for s, e in orgs]
    if frame == "lease" and "AWS" in words:
        spans[1] = Span(doc, 5, 6, label="Amazon Web Services")
        buyer = "Amazon Web Services"
    roles = assign_roles(doc, doc[trigger:trigger + 1], spans, frame)
    assert (roles.buyer.label_, roles.seller.label_) == (buyer, seller)
    assert roles.from_parse is False
