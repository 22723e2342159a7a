"""The document-level k-fold split: a stratified partition, reproducible, reused only when it fits."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from extractors.learning.corpus import LabelledDoc, read_corpus
from extractors.learning.folds import DEV_FOLDS, load_folds, make_folds, save_folds
from tests.conftest import CASES

DEV_CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "dev"


@pytest.fixture(scope="module")
def docs() -> list[LabelledDoc]:
    return read_corpus(CASES / "learning")


def synthetic(n_none: int, n_one: int, n_many: int) -> list[LabelledDoc]:
    deal = {"buyer": "X"}
    return ([LabelledDoc(f"none-{i}", "", []) for i in range(n_none)]
            + [LabelledDoc(f"one-{i}", "", [deal]) for i in range(n_one)]
            + [LabelledDoc(f"many-{i}", "", [deal] * (2 + i % 3)) for i in range(n_many)])


def stratum_counts(fold: list[str], docs: list[LabelledDoc]) -> Counter:
    deals = {d.name: len(d.deals) for d in docs}
    return Counter(min(deals[name], 2) for name in fold)


def test_learning_corpus_has_the_mix_the_fold_tests_rely_on(docs):
    assert Counter(min(len(d.deals), 2) for d in docs) == {0: 2, 1: 6, 2: 2}


@pytest.mark.parametrize("k", [2, 3, 4, 5, 10])
def test_make_folds_puts_every_document_in_exactly_one_fold(docs, k):
    folds = make_folds(docs, k)
    assert len(folds) == k
    names = [name for fold in folds for name in fold]
    assert sorted(names) == sorted(d.name for d in docs)  # none missing, none twice
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    assert all(fold == sorted(fold) for fold in folds)


def test_make_folds_gives_each_of_two_folds_a_no_deal_and_a_multi_deal_document(docs):
    for fold in make_folds(docs, 2):
        assert stratum_counts(fold, docs) == {0: 1, 1: 3, 2: 1}


@pytest.mark.parametrize("k, sizes", [(3, (3, 7, 3)), (5, (5, 9, 6)), (5, (18, 37, 45)), (4, (4, 1, 4))])
def test_make_folds_spreads_each_stratum_over_all_folds_when_it_has_k_members(k, sizes):
    docs = synthetic(*sizes)
    for fold in make_folds(docs, k):
        counts = stratum_counts(fold, docs)
        for stratum, size in enumerate(sizes):
            assert counts[stratum] in (size // k, -(-size // k)), (stratum, counts)


def test_make_folds_is_deterministic_and_ignores_input_order(docs):
    first = make_folds(docs, 3)
    shuffled = list(docs)
    random.Random(7).shuffle(shuffled)
    assert make_folds(shuffled, 3) == first
    assert make_folds(list(reversed(docs)), 3) == first


def test_make_folds_depends_only_on_names_and_deal_counts(docs):
    relabelled = [LabelledDoc(d.name, "other text", [{"buyer": "Y"}] * len(d.deals)) for d in docs]
    assert make_folds(relabelled, 2) == make_folds(docs, 2)


def test_load_folds_returns_the_saved_split_when_it_covers_these_documents(docs, tmp_path):
    names = sorted(d.name for d in docs)
    saved = [names[:3], names[3:]]  # not what make_folds gives: shows the file wins
    assert saved != make_folds(docs, 2)
    save_folds(saved, tmp_path / "folds.json")
    assert load_folds(docs, 2, tmp_path / "folds.json") == saved


def test_load_folds_makes_a_new_split_when_the_saved_one_covers_other_documents(docs, tmp_path):
    path = tmp_path / "folds.json"
    save_folds([["someone-else-a", "someone-else-b"], ["someone-else-c"]], path)
    assert load_folds(docs, 2, path) == make_folds(docs, 2)
    names = sorted(d.name for d in docs)
    save_folds([names[:4], names[4:-1]], path)  # one document short
    assert load_folds(docs, 2, path) == make_folds(docs, 2)
    save_folds([names[:4], names[4:] + ["extra-doc"]], path)  # one document too many
    assert load_folds(docs, 2, path) == make_folds(docs, 2)


def test_load_folds_makes_a_new_split_when_the_saved_one_has_another_k(docs, tmp_path):
    names = sorted(d.name for d in docs)
    save_folds([names[:5], names[5:]], tmp_path / "folds.json")
    assert load_folds(docs, 5, tmp_path / "folds.json") == make_folds(docs, 5)


def test_load_folds_without_a_file_makes_a_new_split(docs, tmp_path):
    assert load_folds(docs, 2, tmp_path / "absent.json") == make_folds(docs, 2)


def test_load_folds_default_file_is_not_used_for_another_corpus(docs):
    assert load_folds(docs, 5) == make_folds(docs, 5)


def test_save_folds_writes_json_that_reads_back(tmp_path):
    folds = [["a", "b"], ["c"]]
    save_folds(folds, tmp_path / "f.json")
    assert json.loads((tmp_path / "f.json").read_text()) == folds


@pytest.mark.skipif(not DEV_CORPUS.is_dir(), reason=f"the dev corpus is not at {DEV_CORPUS}")
def test_dev_folds_file_is_a_stratified_5_fold_split_of_the_dev_corpus():
    dev = read_corpus(DEV_CORPUS)
    saved = json.loads(DEV_FOLDS.read_text())
    assert len(saved) == 5
    assert sorted(n for fold in saved for n in fold) == sorted(d.name for d in dev)
    assert load_folds(dev, 5) == saved
    for fold in saved:
        assert all(stratum_counts(fold, dev)[s] >= 1 for s in (0, 1, 2))
