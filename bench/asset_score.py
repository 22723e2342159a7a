"""Asset agreement of `minewire extract --format jsonl` output with gold labels, on the deals the dev scorer
pairs (its matching and its name comparison). score.py does not score the asset; this prints how often the
asset column names what the gold label does.

    .venv/bin/python bench/asset_score.py ../shared/eval/score.py ../shared/corpus/dev preds.jsonl [--list]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path


def load_scorer(path: Path):
    """The dev scorer as a module (it lives outside the repository)."""
    spec = importlib.util.spec_from_file_location("dev_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def asset_agreement(scorer, gold: dict[str, list[dict]], preds: dict[str, list[dict]]) -> dict:
    """tp/fp/fn of the asset on paired deals, and the disagreements as (doc, deal type, gold, predicted)."""
    tp = fp = fn = 0
    misses = []
    for doc, deals in sorted(gold.items()):
        found = preds.get(doc, [])
        for gi, pi in scorer.match_deals(deals, found):
            want, got = deals[gi].get("asset"), found[pi].get("asset")
            if want and got and scorer.same_org(want, got):
                tp += 1
                continue
            fp, fn = fp + bool(got), fn + bool(want)
            if want or got:
                misses.append((doc, deals[gi].get("deal_type"), want, got))
    p, r, f = scorer.prf(tp, fp, fn)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f, "misses": misses}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scorer", type=Path, help="path of ../shared/eval/score.py")
    parser.add_argument("gold", type=Path, help="folder of NAME.json gold labels")
    parser.add_argument("preds", type=Path, help="minewire extract --format jsonl output")
    parser.add_argument("--list", action="store_true", help="print every disagreement")
    args = parser.parse_args(argv)
    scorer = load_scorer(args.scorer)
    gold = {}
    for path in sorted(args.gold.glob("*.json")):
        label = json.loads(path.read_text())
        gold[label.get("doc", path.stem)] = label.get("deals", [])
    preds = {}
    for line in args.preds.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            preds[str(row["doc"])] = row.get("deals") or []
    result = asset_agreement(scorer, gold, preds)
    print(f"asset on paired deals: P={result['precision']:.2f} R={result['recall']:.2f} F1={result['f1']:.3f} "
          f"(tp {result['tp']} fp {result['fp']} fn {result['fn']})")
    if args.list:
        for doc, deal_type, want, got in result["misses"]:
            print(f"  {doc[:32]:32s} {deal_type or '':16s} gold {want!r} predicted {got!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
