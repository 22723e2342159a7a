"""Power capacity in running text ("70 MW", "1.1 GW", "200 megawatts of critical IT load") in MW."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"mw": 1.0, "megawatt": 1.0, "megawatts": 1.0, "gw": 1000.0, "gigawatt": 1000.0, "gigawatts": 1000.0,
          "gws": 1000.0, "mws": 1.0, "kw": 0.001, "kilowatts": 0.001}
CAPACITY_RE = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s?(?:-\s?)?"
    r"(?P<unit>megawatts?|gigawatts?|MWs?|GWs?|mw|gw)(?![\w/])(?!\s?(?:h|hours?)\b)",
)
# Words around a figure that say it is not this deal's site: fleet totals, pipelines, plans, options.
_NOT_DEAL_BEFORE = re.compile(
    r"\b(total|totals|portfolio|pipeline|fleet|worldwide|globally|across|company-wide|"
    r"expansion|expand|expands|expanding|additional|further|another|future|planned|plans?|potential|option|"
    r"up to an additional|increase|increasing|bringing|brings|grow|growth|target|reach|"
    r"existing|its own)\W+(?:\w+\W+){0,3}$",
    re.IGNORECASE,
)
_NOT_DEAL_AFTER = re.compile(
    r"^\W*(?:\w+\W+){0,2}(portfolio|pipeline|worldwide|globally|across|in total|expansion|fleet|"
    r"of (?:expansion|total|future))",
    re.IGNORECASE,
)


# "sites range from 10 MW to 20 MW": the bounds of a range describe its members, not the deal's asset.
_RANGE_END = re.compile(r"^\s*(?:to|and|-|–)\s*\d[\d,.]*\s?(?:MW|GW|megawatts?|gigawatts?)", re.I)
_RANGE_START = re.compile(r"\b(?:from|between)\s+[\d,.]+\s?(?:MW|GW|megawatts?|gigawatts?)?\s*(?:to|and|-|–)\s*$", re.I)


@dataclass
class Capacity:
    """One capacity figure as written, converted to MW."""

    text: str
    start: int
    end: int
    mw: float
    aside: bool = False  # looks like a fleet total, pipeline, plan or option rather than the deal's asset


def _to_mw(num: str, unit: str) -> float:
    value = float(num.replace(",", ""))
    return round(value * _UNITS[unit.lower()], 3)


def find_capacity(text: str) -> list[Capacity]:
    """Every MW/GW figure in `text` with offsets; `aside` marks totals, plans and options."""
    found = []
    for m in CAPACITY_RE.finditer(text):
        mw = _to_mw(m.group("num"), m.group("unit"))
        if mw <= 0:
            continue
        before = text[max(0, m.start() - 60):m.start()]
        after = text[m.end():m.end() + 40]
        aside = bool(_NOT_DEAL_BEFORE.search(before) or _NOT_DEAL_AFTER.match(after) or _RANGE_END.match(after)
                     or _RANGE_START.search(before))
        found.append(Capacity(text=m.group(0), start=m.start(), end=m.end(), mw=mw, aside=aside))
    return found


def parse_capacity(text: str) -> float | None:
    """MW of the first capacity figure in `text`, or None."""
    found = find_capacity(text)
    return found[0].mw if found else None
