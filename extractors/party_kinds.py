"""Which way round a deal's parties are, by their kinds: the utility sells power, the AI tenant is hosted."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from spacy.tokens import Span

from . import gazetteer

if TYPE_CHECKING:
    from .parties import Roles

_UTILITY_RE = re.compile(r"\b(Utilit(y|ies)|Electric|Cooperative|Co-op|Power Authority|Power District|Public Power|"
                         r"Power (?:Company|Corporation|Cooperative)|Power & Light|Hydro|Edison|Grid|Energy)\b")


def org_kind(span: Span | None) -> str | None:
    """Registry kind of an org span (bitcoin_miner, ai_tenant…), "utility" by name, else None."""
    if span is None:
        return None
    row = gazetteer.company_index().get(span.label_)
    return row["kind"] if row else name_kind(span.text)


def by_kind(roles: Roles, frame: str) -> Roles:
    """Fix the direction that grammar cannot tell: the utility sells power, the AI tenant is hosted."""
    if swapped_by_kind(frame, org_kind(roles.buyer), org_kind(roles.seller)):
        roles.buyer, roles.seller = roles.seller, roles.buyer
    return roles


_HOSTS = {"bitcoin_miner", "datacenter_host"}
_KIND_FRAMES = {"power_agreement": "power", "lease": "lease", "hosting_contract": "host"}


def swapped_by_kind(frame: str, buyer_kind: str | None, seller_kind: str | None) -> bool:
    """True when the two sides' kinds say buyer and seller are the wrong way round for this frame."""
    if frame in {"power", "deal"} and buyer_kind == "utility" and seller_kind != "utility":
        return True
    return frame in {"lease", "host", "deal"} and buyer_kind in _HOSTS and seller_kind == "ai_tenant"


def name_kind(name: str | None) -> str | None:
    """Registry kind of a reported party name, "utility" by its words, else None."""
    if not name:
        return None
    row = gazetteer.company_index().get(name)
    if row:
        return row["kind"]
    return "utility" if _UTILITY_RE.search(name) else None


def direct_by_kind(deal) -> None:
    """The same check on a deal whose parties were filled in later (the issuer for "the company")."""
    frame = _KIND_FRAMES.get(deal.deal_type)
    if frame and swapped_by_kind(frame, name_kind(deal.buyer), name_kind(deal.seller)):
        deal.buyer, deal.seller = deal.seller, deal.buyer
