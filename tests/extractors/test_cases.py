"""End to end on held-out documents we wrote ourselves (tests/extractors/cases): field micro F1 has a floor."""

import json
from pathlib import Path

import pytest

from extractors import extract
from extractors.merge import same_org

CASES = Path(__file__).parent / "cases"
FIELDS = ("buyer", "seller", "capacity_mw", "price_usd", "country")
MIN_FIELD_F1 = 0.8


def _read_case(path: Path) -> tuple[str, list[dict]]:
    """(full text, gold deals) of one case: TITLE/URL/PUBLISHED header lines, a blank line, then the body."""
    head, body = path.read_text(encoding="utf-8").split("\n\n", 1)
    title = next(line[len("TITLE: "):] for line in head.splitlines() if line.startswith("TITLE: "))
    return f"{title}\n\n{body}", json.loads(path.with_suffix(".json").read_text())["deals"]


def _same(field: str, gold, pred) -> bool:
    if gold in (None, "") or pred in (None, ""):
        return False
    if field in {"buyer", "seller"}:
        return same_org(gold, pred)
    if field == "country":
        return gold == pred
    return abs(float(gold) - float(pred)) <= 0.01 * max(abs(float(gold)), 1.0)


def _count(gold: list[dict], pred: list[dict]) -> tuple[int, int, int]:
    """(tp, fp, fn) over FIELDS, pairing each gold deal with the predicted deal that agrees most."""
    tp = fp = fn = 0
    left = list(pred)
    for g in gold:
        p = max(left, key=lambda d: sum(_same(f, g.get(f), d.get(f)) for f in FIELDS), default={})
        if p:
            left.remove(p)
        for f in FIELDS:
            hit = _same(f, g.get(f), p.get(f))
            tp += hit
            fp += not hit and p.get(f) not in (None, "")
            fn += not hit and g.get(f) not in (None, "")
    fp += sum(d.get(f) not in (None, "") for d in left for f in FIELDS)
    return tp, fp, fn


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
        totals = [a + b for a, b in zip(totals, _count(gold, pred))]
    tp, fp, fn = totals
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= MIN_FIELD_F1, totals


@pytest.mark.parametrize(("gold", "pred", "expected"), [
    ([{"buyer": "Kestrel Power Corp.", "price_usd": 6.5e6}], [{"buyer": "Kestrel Power", "price_usd": 6.5e6}], (2, 0, 0)),
    ([{"buyer": "A Corp"}], [], (0, 0, 1)),
    ([], [{"seller": "B Ltd", "capacity_mw": 70}], (0, 2, 0)),
])
def test_cases_count_scores_fields_like_the_dev_scorer(gold, pred, expected):
    assert _count(gold, pred) == expected
