"""End to end on held-out documents we wrote ourselves (tests/extractors/cases): field micro F1 has a floor."""

import json
from pathlib import Path

import pytest

from bench.accuracy import field_counts
from extractors import extract

CASES = Path(__file__).parent / "cases"
MIN_FIELD_F1 = 0.8


def _read_case(path: Path) -> tuple[str, list[dict]]:
    """(full text, gold deals) of one case: TITLE/URL/PUBLISHED header lines, a blank line, then the body."""
    head, body = path.read_text(encoding="utf-8").split("\n\n", 1)
    title = next(line[len("TITLE: "):] for line in head.splitlines() if line.startswith("TITLE: "))
    return f"{title}\n\n{body}", json.loads(path.with_suffix(".json").read_text())["deals"]


def test_cases_exist_with_a_negative():
    golds = [json.loads(p.read_text())["deals"] for p in CASES.glob("*.json")]
    assert len(golds) >= 3 and any(not g for g in golds)


def test_cases_field_micro_f1_stays_above_floor(nlp):
    totals = [0, 0, 0]
    for path in sorted(CASES.glob("*.txt")):
        text, gold = _read_case(path)
        pred = [d.to_json() for d in extract(text, nlp)]
        if not gold:
            assert pred == [], (path.name, pred)
        totals = [a + b for a, b in zip(totals, field_counts(gold, pred))]
    tp, fp, fn = totals
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= MIN_FIELD_F1, totals


@pytest.mark.parametrize(("gold", "pred", "expected"), [
    ([{"buyer": "Kestrel Power Corp.", "price_usd": 6.5e6}], [{"buyer": "Kestrel Power", "price_usd": 6.5e6}], (2, 0, 0)),
    ([{"buyer": "A Corp"}], [], (0, 0, 1)),
    ([], [{"seller": "B Ltd", "capacity_mw": 70}], (0, 2, 0)),
])
def test_cases_count_scores_fields_like_the_dev_scorer(gold, pred, expected):
    assert field_counts(gold, pred) == expected
