"""The JSONL data in patterns/: company registry, places and deal cues, loaded once per process."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from models.deal_types import deal_types

PATTERNS_DIR = Path(__file__).parent / "patterns"


def _read_jsonl(name: str) -> list[dict]:
    path = PATTERNS_DIR / name
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_company_registry() -> list[dict]:
    """The company registry: name, aliases, ticker, CIK (or None) and kind, one dict per company."""
    return [dict(row) for row in _companies()]


@lru_cache(maxsize=1)
def _companies() -> tuple[dict, ...]:
    return tuple(_read_jsonl("companies.jsonl"))


@lru_cache(maxsize=1)
def company_rows() -> dict[str, dict]:
    """Registry name -> its row (read-only: shared by every caller)."""
    return {row["name"]: row for row in _companies()}


@lru_cache(maxsize=1)
def company_index() -> dict[str, dict]:
    """Every surface form (name, alias, ticker) -> its registry row."""
    return _by_form(_companies())


@lru_cache(maxsize=1)
def places() -> tuple[dict, ...]:
    """Countries (pycountry's, under our names) then regions (patterns/places.jsonl): name, kind ("country" or
    "region"), country, aliases, optional abbrev. A form both could claim goes to the country."""
    from .countries import country_rows

    return country_rows() + tuple(_read_jsonl("places.jsonl"))


@lru_cache(maxsize=1)
def place_index() -> dict[str, dict]:
    """Every surface form of a place -> its row (US-state and province abbreviations excluded)."""
    return _by_form(places())


def _by_form(rows) -> dict[str, dict]:
    """Each row under its name and each alias; the first row to claim a form keeps it."""
    index: dict[str, dict] = {}
    for row in rows:
        for form in [row["name"], *row.get("aliases", [])]:
            index.setdefault(form, row)
    return index


@lru_cache(maxsize=1)
def abbrev_index() -> dict[str, dict]:
    """Two-letter state/province codes -> row; only trusted after "Town, " ("Garden City, TX")."""
    return {row["abbrev"]: row for row in places() if row.get("abbrev")}


@lru_cache(maxsize=1)
def frames() -> dict[str, dict]:
    """Cue frame -> its rank (which trigger wins a sentence), the deal type it states (or null when the
    object decides) and its role table: which party the subject and each preposition's object are."""
    return {row["frame"]: row for row in sorted(_read_jsonl("frames.jsonl"), key=lambda r: r["rank"])}


def has_site(deal_type: str) -> bool:
    """Loans and machine orders have no site (no capacity or place of their own to read)."""
    return deal_types()[deal_type]["site"]


@lru_cache(maxsize=1)
def cues() -> tuple[dict, ...]:
    """Deal cue words by frame (buy, sell, lease, host, power, merge, lend, invest, deal, customer)."""
    return tuple(_read_jsonl("cues.jsonl"))


@lru_cache(maxsize=1)
def cue_index() -> dict[str, str]:
    """Lower-cased cue form -> frame; the first frame listed wins for forms in two frames."""
    index: dict[str, str] = {}
    for row in cues():
        for form in row["forms"]:
            index.setdefault(form.lower(), row["frame"])
    return index


# Names shaped like a market or a wire service are never a deal's party ("the TSX Venture Exchange").
_NOT_PARTY_SHAPE = re.compile(r"(?:\bStock\s+Exchange|\bExchange|\bNewswire|\bWire|\bMarkets?)$", re.IGNORECASE)
# "NC-1", "CB-5", "MTL2": a site or building code, never an organisation.
_SITE_CODE = re.compile(r"^[A-Z]{1,5}-?\d{1,3}$")


@lru_cache(maxsize=1)
def _not_party_forms() -> frozenset[str]:
    return frozenset(form.lower() for row in _read_jsonl("not_parties.jsonl") if row["kind"] != "generic_word"
                     for form in row["forms"])


@lru_cache(maxsize=1)
def _generic_words() -> frozenset[str]:
    """Words that name no one in particular: a name made only of them ("Bitcoin Miner", "AI Cloud") is no party."""
    return frozenset(form for row in _read_jsonl("not_parties.jsonl") if row["kind"] == "generic_word"
                     for form in row["forms"])


def is_not_party(name: str | None) -> bool:
    """True for stock exchanges, wire services, regulators and generic nouns ("Sites", "the Company")."""
    if not name:
        return False
    text = " ".join(name.split()).strip(" ,.;:\"'“”")
    if text.lower().startswith("the "):
        text = text[4:]
    words = re.findall(r"[\w-]+", text.lower())
    return text.lower() in _not_party_forms() or bool(_NOT_PARTY_SHAPE.search(text) or _SITE_CODE.match(text)) \
        or (bool(words) and all(w in _generic_words() for w in words))
