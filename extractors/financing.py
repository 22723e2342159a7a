"""Financings in one sentence: amounts tied to a loan, an offering or a stake, and money that is no financing."""

from __future__ import annotations

import re

from spacy.tokens import Span

from .money import find_money
from .parties import Roles, org_name
from .terms import Terms, price_like
from .text import doc_text

_LOAN_AFTER = re.compile(r"^[\w\s%.-]{0,40}?\b(loans?|facility|notes|financing|credit line|bridge loan|debentures?|bonds|"
                         r"placement|offering|investment|backstop|raise)\b", re.I)
# "$60 million drawn on its revolving credit facility", "$392 million in cash": money held or repaid, not raised.
_HELD = re.compile(r"\b(drawn|draws?|drew|repaid|repay\w*|outstanding|available|in cash|cash on hand|balance)\b", re.I)
# "plans to launch a $500 million offering": a financing the company has not made.
PLANNED = re.compile(r"\b(plans?|planned|planning|intends?|intended|proposes?|proposed|seeks?|seeking|considering|"
                      r"exploring|aims?|(?-i:may)|might|could|would)\b(?:\W+\w+){0,5}\W*$", re.I)
_STAKE_IN = re.compile(r"^\s*(?:equity\s+|minority\s+|strategic\s+)?stake in\b", re.I)


def financing_amounts(doc, orgs: list[Span], frames: set[str], roles: Roles) -> list[tuple[Roles, str | None, Terms]]:
    """(roles, asset, terms) of each amount tied to a loan, an offering or a stake in a company."""
    text = doc_text(doc)
    out = []
    for money in find_money(text):
        after = text[money.end:money.end + 40]
        stake = _STAKE_IN.match(after)
        loan = _LOAN_AFTER.match(after) if "lend" in frames else None
        held = loan and _HELD.search(text[max(0, money.start - 30):money.start] + " " + after[:loan.end() + 25])
        if PLANNED.search(text[max(0, money.start - 60):money.start]):
            continue  # "plans to privately place up to $2.3 billion of bonds": a plan, not a financing
        if not (loan and not held or stake) or not price_like(text, money, financing=True):
            continue
        lender, borrower = roles.buyer, roles.seller
        if stake:
            borrower = next((o for o in orgs if o.start_char >= money.end + stake.end() - 1), borrower)
        if (lender is None and borrower is None) or org_name(lender) == org_name(borrower):
            continue  # an offering or placement may name no financier; it needs the company raising the money
        noun = re.match(r"^[\w\s-]{0,40}?\b(loan|facility|notes|financing|credit line|debenture|stake)\b", after, re.I)
        asset = (text[money.end:money.end + noun.end()].strip() if noun else None)
        terms = Terms(price_usd=money.usd, price_text=text[money.start:money.end + (noun.end() if noun else 0)],
                      currency=money.currency, price_amount=money.amount)
        out.append((Roles(lender, borrower, roles.from_parse), asset, terms))
    return out


def no_financing(text: str, trigger: Span) -> bool:
    """Money drawn, repaid or available on a facility, or a financing only planned: the sentence states none."""
    return bool(_HELD.search(text) or PLANNED.search(text[:trigger.start_char]))
