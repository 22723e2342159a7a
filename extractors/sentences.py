"""Cheap sentence splitting and the cue gate that decides which sentences the statistical model reads."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from . import gazetteer

MAX_DOC_CHARS = 100_000  # one window of a document: longer texts are read window by window
MAX_TEXT_CHARS = 1_000_000  # a document is read up to here (a long 10-K); past it the text is cut, with a warning
MAX_SENT_CHARS = 600  # a longer "sentence" is cut into pieces so one run-on line cannot stall the parser
MAX_MODEL_CHARS = 20_000  # model budget per document (~3,000 words); beyond it the rules alone read the rest

_ABBREVIATIONS = {
    "inc", "corp", "ltd", "co", "no", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "approx", "est", "dept",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "e.g", "i.e",
    "s.a", "n.v", "p.m", "a.m", "fig",
}
# A semicolon before a capital starts a new statement: headlines join two stories with ";".
_BOUNDARY_RE = re.compile(r"[.!?;][\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9$€£])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) character spans of sentences: lines first, then sentence punctuation inside a line."""
    spans = []
    for line in re.finditer(r"[^\n]+", text[:MAX_DOC_CHARS]):
        start = line.start()
        for m in _BOUNDARY_RE.finditer(line.group(0)):
            cut = line.start() + m.start() + 1
            word = re.search(r"([\w.]+)\.$", text[start:cut])
            if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
                continue
            spans.extend(_pieces(text, start, line.start() + m.end()))
            start = line.start() + m.end()
        spans.extend(_pieces(text, start, line.end()))
    return [(s, e) for s, e in (_strip(text, s, e) for s, e in spans) if e > s]


def windows(text: str) -> list[tuple[int, str]]:
    """(offset, text) windows of at most MAX_DOC_CHARS, cut at a line end where there is one, covering the text
    up to MAX_TEXT_CHARS: each is read with its own model budget, so a deal deep in a filing is still found."""
    out, start, end_all = [], 0, min(len(text), MAX_TEXT_CHARS)
    while start < end_all:
        end = min(start + MAX_DOC_CHARS, end_all)
        if end < end_all:
            cut = text.rfind("\n", start + MAX_DOC_CHARS // 2, end)
            end = cut + 1 if cut > start else end
        out.append((start, text[start:end]))
        start = end
    return out or [(0, "")]


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an over-long span at whitespace into pieces of at most MAX_SENT_CHARS."""
    out = []
    while end - start > MAX_SENT_CHARS:
        cut = text.rfind(" ", start + MAX_SENT_CHARS // 2, start + MAX_SENT_CHARS)
        cut = cut if cut > start else start + MAX_SENT_CHARS
        out.append((start, cut))
        start = cut
    out.append((start, end))
    return out


# Frames whose words name a deal by themselves; "deal", "agreement", "stake", "customer" only refer to one.
STRONG_FRAMES = frozenset({"buy", "sell", "lease", "host", "power", "merge", "lend"})


def _trie(forms: set[str]) -> str:
    """One regex for many words, as a prefix tree ("acquir(?:e|ed|ing)…"): Python's regex engine tries every
    branch of a flat alternation at every character, which made cue routing a third of extraction time."""
    tree: dict = {}
    for form in forms:
        node = tree
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return r"\b(?:" + emit(tree) + r")\b"


@lru_cache(maxsize=2)
def _cue_re(strong: bool) -> re.Pattern:
    """Cue forms, lower-cased, for lower-cased text (cheaper than IGNORECASE)."""
    return re.compile(_trie({f.lower() for row in gazetteer.cues() if not strong or row["frame"] in STRONG_FRAMES
                             for f in row["forms"]}))


def has_cue(sentence: str, strong: bool = False) -> bool:
    """True when the sentence names a deal (`strong`: by a word that says what kind of deal)."""
    return bool(_cue_re(strong).search(sentence.lower()))


def cue_sentences(text: str, spans: list[tuple[int, int]]) -> tuple[set[int], set[int]]:
    """Indexes of the sentences with a strong cue and with any cue, from one scan of the whole text per kind
    (not one search per sentence)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two ("İ"): offsets would drift
        return tuple({i for i, (s, e) in enumerate(spans) if has_cue(text[s:e], strong)} for strong in (True, False))
    starts = [s for s, _ in spans]
    found: tuple[set[int], set[int]] = (set(), set())
    for strong, indexes in zip((True, False), found):
        for m in _cue_re(strong).finditer(lowered):
            i = bisect_right(starts, m.start()) - 1
            if i >= 0 and m.end() <= spans[i][1]:
                indexes.add(i)
    return found


# "sold 350 BTC", "sold part of its output": a miner selling what it mined, the commonest "sold" in miners'
# monthly updates, is no deal. Not "sold its bitcoin mining business": the noun must end the object.
_OWN_OUTPUT_RE = re.compile(
    r"\b(?:sold|sell|sells|selling)\s+(?:(?:part|some|most|all|much|half|a portion|a share|\d[\d,.]*\s*%?)\s+"
    r"(?:of\s+)?)?(?:(?:its|their|our|the)\s+)?(?:(?:monthly|mined|self-mined|newly mined|bitcoin|btc)\s+)?"
    r"(?:bitcoins?|btc|coins?|output|production)\b(?![ -]+(?:mining|miners?|machines?|rigs?|business|operations?|"
    r"sites?|facilit|assets?|portfolio|hosting|data|infrastructure|company|unit|segment))")


def sells_own_output(sentence: str) -> bool:
    """True when every strong cue of the sentence is a miner selling its own coins or output."""
    lowered = sentence.lower()
    own = [m.span() for m in _OWN_OUTPUT_RE.finditer(lowered)]
    return bool(own) and all(any(a <= m.start() < b for a, b in own) for m in _cue_re(True).finditer(lowered))


LEAD = 3  # the title and first sentences state the main deal, figures or not
# Past the lead, a sentence worth parsing states a figure; the rest get the cheap pass (roles by word order).
_FIGURE_RE = re.compile(r"\d|[$€£]")


def route_sentences(text: str, spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """(for the model, for the rules only): strong-cue sentences get the parse, weak-cue ones the cheap pass,
    a miner selling its own coins neither."""
    model, rules, budget, rules_budget = [], [], MAX_MODEL_CHARS, 2 * MAX_MODEL_CHARS
    strong, weak = cue_sentences(text, spans)
    for i in sorted(weak | strong):
        sentence = text[spans[i][0]:spans[i][1]]
        if i in strong and sells_own_output(sentence):
            continue  # nothing in it for either pass (the cheap pass read "part of its output" as an asset)
        if i in strong and budget >= len(sentence) and (i < LEAD or _FIGURE_RE.search(sentence)):
            model.append(i)
            budget -= len(sentence)
        elif rules_budget >= len(sentence):
            rules.append(i)
            rules_budget -= len(sentence)
    return model, rules
