"""The dev scorer's rules (../shared/eval/score.py), in process: match predicted deals to gold, count fields.

Kept identical in behaviour to the shared scorer (a test compares the two on the same predictions), so
cross-validation and training labels use exactly the rules the product is judged by.
"""

from __future__ import annotations

import re
import unicodedata

CORE_FIELDS = ("buyer", "seller", "capacity_mw", "price_usd", "country")
ALL_FIELDS = CORE_FIELDS + ("deal_type", "asset", "region", "cash_usd")
_SUFFIXES = {"inc", "incorporated", "ltd", "limited", "corp", "corporation", "co", "company", "plc", "llc", "lp",
             "sa", "ag", "nv", "se", "the", "holdings", "group", "n", "v"}
_COUNTRY_ALIASES = {
    "us": "united states", "usa": "united states", "u s": "united states",
    "united states of america": "united states", "america": "united states",
    "uk": "united kingdom", "britain": "united kingdom", "great britain": "united kingdom",
    "drc": "democratic republic of the congo", "dr congo": "democratic republic of the congo",
    "congo kinshasa": "democratic republic of the congo", "uae": "united arab emirates",
}


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def norm_org(name) -> str:
    if not name:
        return ""
    words = re.sub(r"[^a-z0-9 ]+", " ", _ascii(str(name)).lower()).split()
    return " ".join(w for w in words if w not in _SUFFIXES)


def same_org(a, b) -> bool:
    a, b = norm_org(a), norm_org(b)
    if not a or not b:
        return False
    short, long_ = sorted((a, b), key=len)
    return a == b or long_.startswith(short + " ") or (" " + short + " ") in (" " + long_ + " ")


def norm_country(name) -> str:
    if not name:
        return ""
    key = " ".join(re.sub(r"[^a-z ]+", " ", _ascii(str(name)).lower()).split())
    key = key[4:] if key.startswith("the ") else key
    return _COUNTRY_ALIASES.get(key, key)


def same_number(a, b) -> bool:
    try:
        a, b = float(a), float(b)
    except (TypeError, ValueError):
        return False
    return abs(a - b) <= 0.01 * max(abs(a), abs(b), 1e-9)


def _same_asset(a, b) -> bool:
    if same_org(a, b):
        return True
    wa, wb = set(norm_org(a).split()), set(norm_org(b).split())
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) >= 0.6


def _words(text) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", _ascii(str(text)).lower()).split())


def same_field(field: str, a, b) -> bool:
    """Whether two values of `field` agree under the scorer's rules (an empty value never agrees)."""
    if a in (None, "") or b in (None, ""):
        return False
    if field in ("buyer", "seller"):
        return same_org(a, b)
    if field == "country":
        return norm_country(a) == norm_country(b)
    if field == "deal_type":
        merged = {"merger": "acquisition"}
        return merged.get(a, a) == merged.get(b, b)
    if field == "asset":
        return _same_asset(a, b)
    if field == "region":
        return _words(a) == _words(b)
    return same_number(a, b)


def _agreement(gold: dict, pred: dict) -> int:
    score = sum(same_field(f, gold.get(f), pred.get(f)) for f in CORE_FIELDS)
    return score + bool(gold.get("asset") and pred.get("asset") and same_org(gold["asset"], pred["asset"]))


def match_deals(gold: list[dict], pred: list[dict]) -> list[tuple[int, int]]:
    """Greedy one-to-one (gold index, predicted index) pairs, best agreement first; a pair needs an anchor."""
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if any(same_field(f, g.get(f), p.get(f)) for f in ("buyer", "seller", "price_usd", "capacity_mw")):
                pairs.append((_agreement(g, p), gi, pi))
    pairs.sort(reverse=True)
    used_g, used_p, matches = set(), set(), []
    for _, gi, pi in pairs:
        if gi not in used_g and pi not in used_p:
            used_g.add(gi)
            used_p.add(pi)
            matches.append((gi, pi))
    return matches


class Tally:
    """Counts of true/false positives and negatives per field and for deals, added up over documents."""

    def __init__(self) -> None:
        self.deals = {"tp": 0, "fp": 0, "fn": 0}
        self.fields = {f: {"tp": 0, "fp": 0, "fn": 0} for f in ALL_FIELDS}
        self.invented = 0
        self.documents = 0

    def add(self, gold: list[dict], pred: list[dict]) -> None:
        """Count one document's predicted deals against its gold deals."""
        self.documents += 1
        matches = match_deals(gold, pred)
        self.deals["tp"] += len(matches)
        self.deals["fp"] += len(pred) - len(matches)
        self.deals["fn"] += len(gold) - len(matches)
        if not gold:
            self.invented += len(pred)
        for gi, pi in matches:
            for f in ALL_FIELDS:
                gv, pv = gold[gi].get(f), pred[pi].get(f)
                if same_field(f, gv, pv):
                    self.fields[f]["tp"] += 1
                    continue
                self.fields[f]["fp"] += pv not in (None, "")
                self.fields[f]["fn"] += gv not in (None, "")
        for side, deals, taken in (("fn", gold, {g for g, _ in matches}), ("fp", pred, {p for _, p in matches})):
            for i, deal in enumerate(deals):
                if i not in taken:
                    for f in ALL_FIELDS:
                        self.fields[f][side] += deal.get(f) not in (None, "")

    def report(self) -> dict:
        """Precision, recall and F1 per field, for deals, and micro over the core and all fields."""
        core = {k: sum(self.fields[f][k] for f in CORE_FIELDS) for k in ("tp", "fp", "fn")}
        every = {k: sum(self.fields[f][k] for f in ALL_FIELDS) for k in ("tp", "fp", "fn")}
        return {
            "documents": self.documents,
            "fields": {f: prf(**c) for f, c in self.fields.items()},
            "deals": prf(**self.deals),
            "core_micro": prf(**core),
            "all_micro": prf(**every),
            "invented_on_negative_docs": self.invented,
        }


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "fp": fp, "fn": fn}
