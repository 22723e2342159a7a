"""Money in running text: find amounts, read their currency and scale, and compose a deal's price."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Longest prefixes first so "US$" wins over "$".
_PREFIXES = {
    "US$": "USD", "U.S.$": "USD", "USD$": "USD", "USD": "USD", "US $": "USD",
    "C$": "CAD", "CA$": "CAD", "CAD$": "CAD", "CAD": "CAD", "CDN$": "CAD", "Cdn$": "CAD",
    "A$": "AUD", "AU$": "AUD", "AUD$": "AUD", "AUD": "AUD",
    "NZ$": "NZD", "HK$": "HKD", "S$": "SGD",
    "€": "EUR", "EUR": "EUR", "£": "GBP", "GBP": "GBP", "¥": "JPY", "R$": "BRL", "$": "USD",
}
_SUFFIX_CURRENCIES = {
    "canadian dollars": "CAD", "australian dollars": "AUD", "u.s. dollars": "USD", "us dollars": "USD",
    "dollars": "USD", "euros": "EUR", "pounds": "GBP", "usd": "USD", "cad": "CAD", "aud": "AUD", "eur": "EUR",
}
_SCALES = {
    "trillion": 1e12, "billion": 1e9, "bn": 1e9, "b": 1e9, "million": 1e6, "mln": 1e6, "mn": 1e6, "mm": 1e6,
    "m": 1e6, "thousand": 1e3, "k": 1e3,
}
_PREFIX_RE = "|".join(re.escape(p) for p in sorted(_PREFIXES, key=len, reverse=True))
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE_RE = r"trillion|billion|million|thousand|bn|mln|mn|mm|[bmk]"
MONEY_RE = re.compile(
    rf"(?<![\w$])(?P<cur>{_PREFIX_RE})\s?(?P<num>{_NUMBER})"
    rf"(?:(?:\s|-)?(?P<num2sep>-|–|to)\s?(?:{_PREFIX_RE})?\s?(?P<num2>{_NUMBER}))?"
    rf"(?:[\s-]?(?P<scale>{_SCALE_RE})\b)?"
    rf"|(?<![\w.])(?P<snum>{_NUMBER})[\s-](?P<sscale>trillion|billion|million|thousand)\s"
    rf"(?P<scur>canadian dollars|australian dollars|u\.s\. dollars|us dollars|dollars|euros|pounds|usd|cad|aud|eur)\b",
    re.IGNORECASE,
)
_PER_UNIT_RE = re.compile(
    r"^\s*(?:per|/|a|an|each)\s*(?:share|unit|ounce|oz|tonne|ton|pound|lb|mw|megawatt|kw|kwh|mwh|kilowatt|"
    r"terahash|th|ph|eh|miner|machine|rig|btc|bitcoin|coin|month|year|day|hour|annum|hectare)",
    re.IGNORECASE,
)
_RANGE_TAIL_RE = re.compile(r"^\s*(?:and|to|-|–)\s*[^\s\d]{0,4}\s?[\d,.]+(?:\s?(?:million|billion|m|bn))?", re.I)
_QUALIFIER_RE = re.compile(
    r"(up to|as much as|a maximum of|maximum of|approximately|approx\.|about|around|roughly|nearly|almost|"
    r"more than|over|at least|some|~|≈)\s*(?:an additional|additional|another)?\s*$",
    re.IGNORECASE,
)


@dataclass
class Money:
    """One amount as written: where it is, what it is worth, and in which currency."""

    text: str
    start: int
    end: int
    amount: float
    currency: str
    qualifier: str | None = None  # "up to", "approximately"…
    qualifier_len: int = 0  # characters the qualifier and its spacing take before `start`, as written
    per_unit: bool = False  # "$17 per terahash" is a rate, never a deal price

    @property
    def usd(self) -> float | None:
        return self.amount if self.currency == "USD" else None


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def _scale(word: str | None, cur: str | None) -> float:
    if not word:
        return 1.0
    lowered = word.lower()
    # A bare "m"/"b" only scales when glued to a currency amount ("$87.3M", "A$2.0m").
    return _SCALES.get(lowered, 1.0) if cur or len(lowered) > 1 else 1.0


def find_money(text: str) -> list[Money]:
    """Every money amount in `text`, with character offsets into it."""
    found = []
    for m in MONEY_RE.finditer(text):
        if m.group("snum"):
            amount = _number(m.group("snum")) * _SCALES[m.group("sscale").lower()]
            currency = _SUFFIX_CURRENCIES.get(m.group("scur").lower(), "USD")
        else:
            # A range keeps its upper bound: the headline value is the most the deal can be worth.
            num = m.group("num2") or m.group("num")
            amount = _number(num) * _scale(m.group("scale"), m.group("cur"))
            currency = _PREFIXES.get(m.group("cur").upper(), _PREFIXES.get(m.group("cur"), "USD"))
        if amount <= 0:
            continue
        before = text[max(0, m.start() - 30):m.start()]
        qual = _QUALIFIER_RE.search(before)
        after = text[m.end():m.end() + 40]
        # "between $950 and $1,000 per ounce": the lower bound is a rate too.
        bound = _RANGE_TAIL_RE.match(after)
        per_unit = bool(_PER_UNIT_RE.match(after) or (bound and _PER_UNIT_RE.match(after[bound.end():])))
        found.append(Money(
            text=m.group(0), start=m.start(), end=m.end(), amount=amount, currency=currency,
            qualifier=qual.group(1).lower() if qual else None, qualifier_len=len(qual.group(0)) if qual else 0,
            per_unit=per_unit,
        ))
    return found


def parse_money(text: str) -> Money | None:
    """The first amount in `text`, or None (handy for tests and one-off phrases)."""
    found = find_money(text)
    return found[0] if found else None


# "US$810 million plus up to an additional US$40 million": the parts add up to the headline.
_JOIN_RE = re.compile(
    r"^\s*,?\s*(?:plus|\+|and|as well as)\s+(?:up to\s+|as much as\s+)?(?:an?\s+)?(?:additional|further|"
    r"another)?\s*(?:of\s+)?(?:approximately\s+|about\s+|around\s+|roughly\s+|~)?$",
    re.IGNORECASE,
)


# "US$20 million, plus US$3.2 million in VAT": taxes, interest and fees on top are not the price.
_NOT_PRICE_PART = re.compile(r"^\s*(?:(?:in|of)\s+)?(?:VAT|value[- ]added tax|taxes|tax|GST|interest|fees?)\b", re.I)


def _joined(text: str, left: Money, right: Money, plus_seen: bool) -> bool:
    gap = text[left.end:right.start]
    if len(gap) > 45 or left.currency != right.currency:
        return False
    if _JOIN_RE.match(gap):
        return plus_seen or gap.strip().lower().startswith(("plus", "+"))
    # "$56 million, plus approximately $19 million in power deposits and $10 million in obligations"
    tail = re.match(r"^\s+in\s+[\w\s-]{1,40}?(?:,\s*)?(?:and|plus)\s+(?:approximately\s+|about\s+|~)?$", gap, re.I)
    return bool(tail) and plus_seen


def sum_plus_chain(text: str, moneys: list[Money], head: Money) -> tuple[float, int]:
    """Add amounts chained to `head` by "plus (up to) an additional"; return (total, end offset)."""
    ordered = sorted(moneys, key=lambda m: m.start)
    total, end, plus_seen = head.amount, head.end, False
    idx = ordered.index(head)
    for left, right in zip(ordered[idx:], ordered[idx + 1:]):
        if right.per_unit:
            break
        gap = text[left.end:right.start]
        plus_seen = plus_seen or "plus" in gap.lower() or "+" in gap
        if not _joined(text, left, right, plus_seen) or _NOT_PRICE_PART.match(text[right.end:right.end + 30]):
            break
        total, end = total + right.amount, right.end
    return total, end
