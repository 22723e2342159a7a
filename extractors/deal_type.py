"""Which kind of deal a clause states: the trigger's frame, what changes hands and who the parties are."""

from __future__ import annotations

import re

from spacy.tokens import Span

from . import gazetteer
from .parties import Roles
from .party_kinds import org_kind

MACHINES = re.compile(r"\b(miners|machines|rigs|ASICs?|GPUs?|servers|units|S\d{2}\w*|Antminers?|WhatsMiners?)\b", re.I)
SITES = re.compile(
    r"\b(site|sites|facilit\w+|mine|mines|project|projects|plant|data ?cent\w+|campus|farm|land|building|stake|"
    r"interest|portfolio|assets?|property|properties|operations|location|deposit|license|concession|"
    r"substation|hub|park)\b",
    re.I,
)
# Machines that are bought, not rented power: "a supply agreement with Dell for GPU servers".
_HARDWARE = re.compile(r"\b(GPUs?|servers|miners|rigs|ASICs?|Antminers?|WhatsMiners?)\b", re.I)
_ENERGY = re.compile(r"\b(electric\w*|power purchase|PPA|energy|megawatts?|MW|kilowatt\w*)\b")
_INSTRUMENTS = re.compile(r"\b(royalt(?:y|ies)|streams?|debentures?|subscription receipts|NSR|net smelter|"
                          r"convertible|notes|bonds)\b", re.I)
_COMPUTE_WORDS = re.compile(r"\b(comput\w*|AI infrastructure|GPU capacity|cloud capacity|AI cloud|GPU cloud|"
                            r"colocation|data center capacity)\b", re.I)
_UTILITY_WORDS = re.compile(r"\b(electricity|power supply|energy supply|utility|utilities|tariff|kWh)\b", re.I)


def classify(frame: str, frames: set[str], asset: str | None, text: str, target: Span | None, roles: Roles) -> str:
    """Deal type from the trigger's frame, what changes hands and who the parties are."""
    asset = asset or ""
    if frame in {"buy", "sell", "invest"}:
        if MACHINES.search(asset) and not SITES.search(asset):
            return "other"
        if _INSTRUMENTS.search(asset):
            return "financing"  # "acquired a 1% NSR royalty", "purchased subscription receipts": a stream or a stake
        if frame == "invest" and target is None and not SITES.search(asset):
            return "financing"
        if re.search(r"(?:\$|€|£)[\d.,]+\s*(?:million|billion|[mb]n?)?\s+(?:equity\s+)?stake in", text, re.I):
            return "financing"
        if SITES.search(asset):
            return "asset_sale"
        return "acquisition" if target is not None else "asset_sale"
    if frame == "customer":
        return "lease" if "lease" in frames or re.search(r"\blease", text, re.I) else "hosting_contract"
    if frame == "power" and _HARDWARE.search(text) and not (_UTILITY_WORDS.search(text) or _ENERGY.search(text)):
        return "other"  # "a supply agreement with Dell for GPU servers" buys machines, not electricity
    stated = gazetteer.frames().get(frame, {}).get("deal_type")
    if stated:
        return stated
    if frame == "merge":
        return "acquisition" if "buy" in frames else "merger"
    if "utility" in {org_kind(roles.buyer), org_kind(roles.seller)} or _UTILITY_WORDS.search(text):
        return "power_agreement"
    if "ai_tenant" in {org_kind(roles.buyer), org_kind(roles.seller)} or _COMPUTE_WORDS.search(text):
        return "hosting_contract"  # "a $11.9 billion agreement with a GPU cloud", "computing agreement"
    return "other"
