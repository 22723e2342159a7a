"""How well the run recovered the deals planted in the bench corpus, scored field by field as the dev scorer does.

The corpus is written in our own words and its names are drawn at random, so this is a check on thousands of
documents the extractor was not written against (its templates are few: it says less than the dev corpus)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import duckdb

from extractors.merge import same_org

FIELDS = ("buyer", "seller", "capacity_mw", "price_usd", "country")


def same_value(field: str, gold, pred) -> bool:
    """One field agrees: organisations loosely (legal suffixes, short names), figures within 1%."""
    if gold in (None, "") or pred in (None, ""):
        return False
    if field in {"buyer", "seller"}:
        return same_org(gold, pred)
    if field == "country":
        return gold == pred
    return abs(float(gold) - float(pred)) <= 0.01 * max(abs(float(gold)), 1.0)


def field_counts(gold: list[dict], pred: list[dict]) -> tuple[int, int, int]:
    """(tp, fp, fn) over FIELDS, pairing each gold deal with the predicted deal that agrees most."""
    tp = fp = fn = 0
    left = list(pred)
    for g in gold:
        p = max(left, key=lambda d: sum(same_value(f, g.get(f), d.get(f)) for f in FIELDS), default={})
        if p:
            left.remove(p)
        for f in FIELDS:
            hit = same_value(f, g.get(f), p.get(f))
            tp += hit
            fp += not hit and p.get(f) not in (None, "")
            fn += not hit and g.get(f) not in (None, "")
    fp += sum(d.get(f) not in (None, "") for d in left for f in FIELDS)
    return tp, fp, fn


def planted_accuracy(warehouse: Path, planted_file: Path) -> dict:
    """Field precision, recall and F1 of the stored mentions against the planted deals, per document, and the
    mentions found in documents that plant none."""
    planted = {}
    for line in planted_file.read_text().splitlines():
        row = json.loads(line)
        planted[row["path"]] = row["deals"]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("SELECT d.url, " + ", ".join(f"e.{f}" for f in FIELDS) +
                           " FROM deal_evidence e JOIN documents d USING (doc_id)").fetchall()
    finally:
        con.close()
    found: dict[str, list[dict]] = defaultdict(list)
    for url, *values in rows:
        found[url.split("/", 3)[-1]].append(dict(zip(FIELDS, values)))  # drop the server's scheme and address
    tp = fp = fn = 0
    for path, deals in planted.items():
        counts = field_counts(deals, found.pop(path, []))
        tp, fp, fn = tp + counts[0], fp + counts[1], fn + counts[2]
    invented = sum(len(v) for v in found.values())  # mentions in documents that plant no deal
    precision, recall = tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0
    return {"planted": sum(len(v) for v in planted.values()), "tp": tp, "fp": fp,
            "fn": fn, "precision": round(precision, 3), "recall": round(recall, 3),
            "f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
            "mentions_in_documents_without_deals": invented}
