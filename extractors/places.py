"""Where a deal's asset is: country and region from gazetteer matches, a state or province implying its country."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from . import gazetteer
from .text import doc_text


@dataclass(frozen=True)
class Place:
    """One place named in the text."""

    name: str
    kind: str  # "country" or "region"
    country: str
    start: int
    end: int
    anchored: bool  # follows "in", "at", "near"…: the text says something is there


def find_places(doc: Doc) -> list[Place]:
    """Places in a rules-processed doc, minus those inside an org name or naming an org's home ("Peru's Minsur")."""
    org_tokens = {i for span in doc.spans.get("minewire_orgs", []) for i in range(span.start, span.end)}
    index = gazetteer.place_index()
    text = doc_text(doc)
    out = []
    for span in doc.spans.get("minewire_places", []):
        if org_tokens & set(range(span.start, span.end)):
            continue
        row = index.get(span.label_) or next((r for r in gazetteer.places() if r["name"] == span.label_), None)
        if row is None or _owner_nationality(doc, span.end) or _org_home(doc, span.start):
            continue
        if names_a_home(text[max(0, span.start_char - 50):span.start_char], text[span.end_char:span.end_char + 40]):
            continue
        before = text[max(0, span.start_char - 25):span.start_char]
        anchored = bool(re.search(r"\b(in|at|near|outside|across|within|of)\s+(?:\w+\s+){0,2}$|,\s*$", before))
        out.append(Place(row["name"], row["kind"], row["country"], span.start_char, span.end_char, anchored))
    return out


# "Western Australia's Mining Act": a place's own laws and offices say where the asset is regulated, not whose it is.
_JURISDICTION = re.compile(r"^(?:[A-Z][\w-]*\s+){0,3}(?:Act|Law|Code|Regulations?|Ministry|Minister|Government|"
                           r"Department|Parliament|Court|Regulator|Commission|Agency)\b")
# "Boroo Pte Ltd of Singapore": the place after an org word and "of" is the company's home.
_ORG_WORDS = {"ltd", "ltd.", "inc", "inc.", "corp", "corp.", "pte", "plc", "llc", "group", "limited", "ag", "sa",
              "company", "corporation", "holdings", "fund", "bank"}


# After a place: "Toronto-based", "a Delaware corporation", "Washington, D.C. 20549" (the SEC's address),
# "US private equity firm", "Swiss commodities giant": a party's home or legal seat, never where the asset is.
_HOME_AFTER = re.compile(
    r"^(?:[\s-]+based\b|,?\s*D\.\s?C\.|\s+(?:corporation|limited liability company|limited partnership|"
    r"LLC|L\.L\.C\.|Limited|Inc\.|Ltd\.?)\b|[\s-]+(?:listed|registered|headquartered|incorporated|domiciled)\b|"
    r"\s+(?:[a-z][\w-]*\s+){0,2}(?:firm|company|giant|group|miner|producer|investor|fund|bank|conglomerate|"
    r"private equity|major|outfit|operator)\b)")
_HOME_BEFORE = re.compile(r"\b(?:based|headquartered|incorporated|domiciled|organized|listed|registered)\s+"
                          r"(?:in|under the laws of(?: the State of)?)\s+(?:the\s+)?(?:[A-Z][\w.]*,?\s+)?$")


def names_a_home(before: str, after: str) -> bool:
    """True when the words around a place say it is a company's home or legal seat, not a site's location."""
    return bool(_HOME_AFTER.match(after) or _HOME_BEFORE.search(before))


def _owner_nationality(doc: Doc, end: int) -> bool:
    """ "Chile's Copec": a place in the possessive before a capitalised non-place names a party's home."""
    if end + 1 >= len(doc) or doc[end].text not in {"'s", "’s"}:
        return False
    nxt = doc[end + 1]
    places = {p.start for p in doc.spans.get("minewire_places", [])}
    return (nxt.is_title or nxt.is_upper) and nxt.i not in places and not _JURISDICTION.match(doc[end + 1:end + 6].text)


def _org_home(doc: Doc, start: int) -> bool:
    return start >= 2 and doc[start - 1].lower_ == "of" and doc[start - 2].lower_ in _ORG_WORDS


def written_names(doc: Doc) -> dict[str, str]:
    """Country -> the form the body writes when it is a name in its own right ("Côte d'Ivoire", not "Ivory Coast")."""
    body = doc_text(doc).find("\n\n")
    forms: dict[str, str] = {}
    for span in sorted(doc.spans.get("minewire_places", []), key=lambda s: (s.start_char < body, s.start)):
        row = gazetteer.place_index().get(span.text)
        if row and row["kind"] == "country" and span.text in row.get("written", ()):
            forms.setdefault(row["name"], span.text)
        elif row and row["kind"] == "country":
            forms.setdefault(row["name"], row["name"])
    return {country: form for country, form in forms.items() if form != country}


def resolve(places: list[Place]) -> tuple[str | None, str | None]:
    """(country, region) for places found in one stretch of text; a region names its own country."""
    if not places:
        return None, None
    ordered = sorted(places, key=lambda p: (not p.anchored, p.start))
    first = ordered[0]
    # The region, when one is named, of the country the text anchors the asset in ("in Paraguay" wins).
    regions = [p for p in ordered if p.kind == "region" and p.country == first.country]
    if regions:
        return regions[0].country, regions[0].name
    return first.country, None


def unambiguous(places: list[Place]) -> tuple[str | None, str | None]:
    """(country, region) when every place in the document points to one country (and one region, if any)."""
    countries = {p.country for p in places}
    if len(countries) != 1:
        return None, None
    regions = {p.name for p in places if p.kind == "region"}
    return countries.pop(), (regions.pop() if len(regions) == 1 else None)


def within(places: list[Place], start: int, end: int) -> list[Place]:
    return [p for p in places if p.start >= start and p.end <= end]
