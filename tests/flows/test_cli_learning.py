"""`minewire train` and `minewire evaluate`, run as a user runs them on a small labelled corpus."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from extractors.decisions import WEIGHTS
from extractors.linear import MODEL_NAMES, DealModels
from tests.conftest import CASES

MINEWIRE = str(Path(sys.executable).parent / "minewire")
LEARNING = CASES / "learning"
GOLD_DEALS = 10  # in tests/cases/learning
NUMBER = r"\d\.\d{3}"


def run(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([MINEWIRE, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "MINEWIRE_DEBUG": ""})


@pytest.fixture(scope="module")
def evaluated() -> tuple[subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """The table and the JSON of one 2-fold evaluation of the learning corpus."""
    return (run("evaluate", "--corpus", str(LEARNING), "--folds", "2"),
            run("evaluate", "--corpus", str(LEARNING), "--folds", "2", "--format", "json"))


def test_cli_train_twice_writes_byte_identical_weights_that_load(tmp_path):
    shipped = WEIGHTS.read_bytes() if WEIGHTS.exists() else None
    first, second = tmp_path / "a" / "w.json", tmp_path / "b" / "w.json"
    for target in (first, second):
        result = run("train", "--corpus", str(LEARNING), "--out", str(target))
        assert result.returncode == 0, result.stderr
        assert "trained on 10 documents (10 deals)" in result.stdout and str(target) in result.stdout
    assert first.read_bytes() == second.read_bytes()
    models = DealModels.load(first)
    assert set(models.models) <= set(MODEL_NAMES)
    assert models.trained_on["corpus"] == "learning"
    assert (models.trained_on["documents"], models.trained_on["deals"]) == (10, 10)
    assert models.trained_on["selected"] == list(models.models)
    assert set(models.trained_on["cv_all_fields_f1"]) == {"rules", *MODEL_NAMES}
    assert (WEIGHTS.read_bytes() if WEIGHTS.exists() else None) == shipped  # --out leaves the shipped file alone


def test_cli_evaluate_prints_the_table_with_figures(evaluated):
    table, _ = evaluated
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[1].startswith("documents: 10   2-fold cross-validated")
    for name in ("buyer", "price_usd", "cash_usd", "deals", "core fields micro", "all fields micro"):
        row = [line for line in lines if line.startswith(name + " ")]
        assert len(row) == 1, name
        assert re.fullmatch(rf"{name}\s+{NUMBER}\s+{NUMBER}\s+{NUMBER} \|\s+{NUMBER} \|\s+{NUMBER}", row[0]), row[0]
    assert re.fullmatch(r"invented \(no-deal\)\s+\d+ \|\s+\d+ \|\s+\d+", lines[-1])


def test_cli_evaluate_table_shows_the_json_figures(evaluated):
    table, as_json = evaluated
    assert as_json.returncode == 0, as_json.stderr
    results = json.loads(as_json.stdout)
    rows = {line[:18].strip(): line for line in table.stdout.splitlines()}
    for label, key in (("deals", "deals"), ("core fields micro", "core_micro"), ("all fields micro", "all_micro")):
        cv, fit, rules = (results[part][key] for part in ("cv", "fit", "rules"))
        expected = (f"{cv['precision']:6.3f} {cv['recall']:6.3f} {cv['f1']:6.3f} | {fit['f1']:6.3f} | "
                    f"{rules['f1']:6.3f}")
        assert rows[label].endswith(expected), (label, rows[label], expected)


def test_cli_evaluate_json_has_cv_fit_and_rules_over_the_whole_corpus(evaluated):
    _, as_json = evaluated
    results = json.loads(as_json.stdout)
    assert {"cv", "fit", "rules"} <= set(results)
    assert set(results["models"]) <= set(MODEL_NAMES)
    for part in ("cv", "fit", "rules"):
        report = results[part]
        assert report["documents"] == 10
        assert report["deals"]["tp"] + report["deals"]["fn"] == GOLD_DEALS  # every gold deal counted once
        assert 0.0 <= report["core_micro"]["f1"] <= 1.0
        assert set(report["fields"]) == {"buyer", "seller", "capacity_mw", "price_usd", "country", "deal_type",
                                         "asset", "region", "cash_usd"}
        # an invented deal on a no-deal document is also a false positive deal
        assert report["invented_on_negative_docs"] <= report["deals"]["fp"]


def test_cli_evaluate_of_a_directory_without_labels_exits_1_naming_it(tmp_path):
    (tmp_path / "unlabelled.txt").write_text("TITLE: A\nURL: https://example.invalid/a\nPUBLISHED: unknown\n\nText.\n")
    result = run("evaluate", "--corpus", str(tmp_path), "--folds", "2")
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(tmp_path) in lines[0] and "no labelled documents" in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_train_of_a_directory_without_labels_exits_1_naming_it(tmp_path):
    result = run("train", "--corpus", str(tmp_path), "--out", str(tmp_path / "w.json"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(tmp_path) in lines[0]
    assert not (tmp_path / "w.json").exists()


def test_cli_evaluate_with_more_folds_than_documents_exits_1_saying_how_many(tmp_path):
    result = run("evaluate", "--corpus", str(LEARNING), "--folds", "11")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "10 labelled documents cannot make 11 folds" in lines[0] and "--folds between 2 and 10" in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_evaluate_refuses_a_single_fold():
    result = run("evaluate", "--corpus", str(LEARNING), "--folds", "1")
    assert result.returncode == 2  # typer's usage error: min=2
    assert "--folds" in result.stderr


def test_cli_train_with_more_folds_than_documents_exits_1_and_writes_nothing(tmp_path):
    result = run("train", "--corpus", str(LEARNING), "--folds", "11", "--out", str(tmp_path / "w.json"))
    assert result.returncode == 1
    assert "10 labelled documents cannot make 11 folds" in result.stderr
    assert not (tmp_path / "w.json").exists()
