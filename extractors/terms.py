"""A deal's terms in one clause: the headline price, the cash part and the capacity of the asset."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .capacity import find_capacity
from .money import Money, find_money, sum_plus_chain

MIN_PRICE_USD = 100_000  # smaller amounts in deal sentences are rates, fees or noise, never a site's price

# Amounts that are not what the deal costs: investment plans, revenue, market value, fees, options.
_NOT_PRICE_BEFORE = re.compile(
    r"\b(invest(?:s|ed|ing)?|investment of|capex|capital expenditure|spend\w*|revenue\w*|sales of|market cap\w*|"
    r"capitali[sz]ation|fees?|rewards?|treasury|worth of bitcoin|discount\w*|cost\w*|"
    r"option to (?:buy|acquire|purchase)(?: another| an additional)?|another|raise[ds]?|raising|"
    r"offering|profit|loss|income|ebitda|debt of|impairment|deposit\w*|per)\W+(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)
_NOT_PRICE_AFTER = re.compile(
    r"^\W*(?:\w+\W+){0,2}(in (?:revenue|sales|fees|rewards|block rewards|profit)|of (?:revenue|bitcoin|btc)|"
    r"of (?:a |the )?discount|"
    r"market cap|in shares within|worth of bitcoin|of [\w'’ -]{0,40}\bobligations|deposits?\b)"
    # "as much as $17.7 billion if fully exercised", "including renewal options": a value the deal may reach.
    r"|^[^.;]{0,60}?\b(?:if (?:fully |all |the options? (?:are |is )?)?exercised|including (?:all )?(?:renewal|"
    r"extension) options|with (?:renewal|extension) options)",
    re.IGNORECASE,
)
# A contract's value ("revenues of $10 million over the life of the contract") is its price.
_CONTRACT_VALUE = re.compile(
    r"^[^.;$]{0,40}\bover (?:the |its |their )?(?:[\w-]+ )?(?:life|terms?|contract|period|years)\b", re.IGNORECASE)
# Sums over several deals or hypothetical extensions ("contracts now amount to $8.5 billion") are not one price.
_AGGREGATE_BEFORE = re.compile(r"\b(?:amounts?|amounting|add(?:s|ing)? up|lift|lifts|bring|brings|bringing|raise)\s+"
                               r"(?:\w+\s+){0,2}to\s+(?:about\s+|approximately\s+|roughly\s+|some\s+|~)?$", re.I)
_PRICE_CUE_BEFORE = re.compile(
    r"(\bfor|valued at|worth|price|pay(?:s|ing)?|paid|consideration|total(?:l?ing)?|total of|approximately|"
    r"deal|in a|reach)\W+(?:\w+\W+){0,2}$",
    re.IGNORECASE,
)
_PRICE_CUE_AFTER = re.compile(r"^\s*(?:all-stock\s+|all-cash\s+|cash\s+)?(deal|acquisition|transaction|sale|"
                              r"purchase|stake|agreement|takeover|buyout|contract)", re.IGNORECASE)
# The cue must belong to this amount: the gap may not reach past another figure ("$41M, including $12M in cash").
_CASH_AFTER = re.compile(r"^[^.;$€£\d]{0,25}?\b(payable at closing|due at closing|at closing|at completion|"
                         r"on completion|upfront|up-front|up front|in cash|cash)\b", re.IGNORECASE)
_CASH_BEFORE = re.compile(r"(cash (?:payment|consideration|portion) of|in cash of|upfront payment of|"
                          r"cash of)\s*$", re.IGNORECASE)
_USD_EQUIVALENT = re.compile(
    r"^\s*(?:\(|,\s*or\b|,|\bor\b)\s*(?:~|approx\.?|about|approximately|roughly|around|some|or)?\s*$", re.IGNORECASE)


_IT_LOAD = re.compile(r"^\s*(?:of\s+)?(?:critical\s+)?IT\b", re.I)


@dataclass
class Terms:
    """What one clause says the deal is worth and how big its asset is."""

    price_usd: float | None = None
    cash_usd: float | None = None
    price_text: str | None = None
    currency: str | None = None
    price_amount: float | None = None
    capacity_mw: float | None = None
    it_load: bool = False  # the capacity is stated as critical IT load, a hosting or lease deal's own measure


# For a financing the money raised, invested or owed is the deal's amount; only results figures are not.
_NOT_FUNDING_BEFORE = re.compile(r"\b(revenue\w*|sales of|market cap\w*|capitali[sz]ation|fees?|rewards?|profit|loss|"
                                 r"income|ebitda|impairment|earnings|per)\W+(?:\w+\W+){0,3}$", re.IGNORECASE)


def price_like(text: str, money: Money, financing: bool = False) -> bool:
    """True when `money` in `text` can be a deal's price (not a rate, an investment plan or revenue); for a
    `financing`, money raised, invested or owed counts."""
    if money.per_unit:
        return False
    before, after = text[max(0, money.start - 45):money.start], text[money.end:money.end + 45]
    if financing:
        return not (_NOT_FUNDING_BEFORE.search(before) or _NOT_PRICE_AFTER.match(after)
                    and not re.match(r"^\W*of [\w'’ -]{0,40}\bobligations", after))
    if _AGGREGATE_BEFORE.search(before):
        return False
    if _CONTRACT_VALUE.match(after):
        return True
    return not (_NOT_PRICE_BEFORE.search(before) or _NOT_PRICE_AFTER.match(after))


def _cued(text: str, money: Money) -> bool:
    before, after = text[max(0, money.start - 40):money.start], text[money.end:money.end + 60]
    return bool(_PRICE_CUE_BEFORE.search(before) or _PRICE_CUE_AFTER.match(after) or _CONTRACT_VALUE.match(after))


def _usd_equivalent(text: str, head: Money, moneys: list[Money]) -> Money | None:
    """The USD figure the text gives next to a foreign amount: "C$62.75 million (~US$46 million)"."""
    for other in moneys:
        if other.start > head.end and other.currency == "USD" and _USD_EQUIVALENT.match(text[head.end:other.start]):
            return other
    return None


def read_terms(text: str, moneys: list[Money] | None = None, need_cue: bool = False, financing: bool = False) -> Terms:
    """Price, cash and capacity stated in `text` (one sentence or clause); `financing`: the amount raised or lent."""
    moneys = find_money(text) if moneys is None else moneys
    terms = Terms()
    candidates = [m for m in moneys if price_like(text, m, financing) and (m.usd or m.amount) >= MIN_PRICE_USD]
    # "(i) $9 million to be paid in cash at closing": the cash part may be stated without a price cue.
    terms.cash_usd = _cash(text, candidates)
    if need_cue:
        candidates = [m for m in candidates if _cued(text, m)]
    cued = [m for m in candidates if _cued(text, m)]
    head = (cued or candidates or [None])[0]
    if head is not None:
        total, end = sum_plus_chain(text, moneys, head)
        terms.price_text = text[written_start(head):end]
        terms.currency, terms.price_amount = head.currency, total
        if head.currency == "USD":
            terms.price_usd = total
        else:
            usd = _usd_equivalent(text, head, moneys)
            terms.price_usd = usd.amount if usd else None
    caps = [c for c in find_capacity(text) if not c.aside]
    # "200 MW of critical IT load" at "a 750 MW campus": the load contracted is the deal's size.
    loads = [c for c in caps if _IT_LOAD.match(text[c.end:c.end + 30])]
    if caps:
        terms.capacity_mw, terms.it_load = (loads or caps)[0].mw, bool(loads)
    return terms


def written_start(money: Money) -> int:
    """Where a price phrase starts as written: with its qualifier ("up to $30 million", "approximately $85M")."""
    return money.start - money.qualifier_len


def _cash(text: str, moneys: list[Money]) -> float | None:
    for m in moneys:
        if m.currency == "USD" and (_CASH_AFTER.match(text[m.end:m.end + 40]) or
                                    _CASH_BEFORE.search(text[max(0, m.start - 35):m.start])):
            return m.amount
    return None
