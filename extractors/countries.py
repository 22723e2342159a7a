"""Countries from pycountry (ISO 3166-1), under the names and extra forms our labels use (patterns/countries.jsonl)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pycountry

ALIASES = Path(__file__).parent / "patterns" / "countries.jsonl"


def _alias_layer() -> dict[str, dict]:
    """ISO code -> our row for it: the name we report, extra forms, forms kept as written, or a reason to skip."""
    rows = [json.loads(line) for line in ALIASES.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {row["code"]: row for row in rows}


@lru_cache(maxsize=1)
def country_rows() -> tuple[dict, ...]:
    """One gazetteer row per country: name, kind "country", country, aliases, written, code.

    The name is ours where the alias layer gives one, else pycountry's common name ("Bolivia", "Vietnam"),
    else its ISO short name. ISO's "Name, qualifier" forms are never matched in text; official names are."""
    layer = _alias_layer()
    rows = []
    for country in pycountry.countries:
        ours = layer.get(country.alpha_2, {})
        if "skip" in ours:
            continue
        if ours:
            name, forms = ours["name"], list(ours.get("aliases", []))
        else:
            name = getattr(country, "common_name", None) or country.name
            forms = [f for f in (country.name, getattr(country, "official_name", None)) if _matchable(f, name)]
        if "," in name or "(" in name:
            continue  # an ISO listing form with no alias: nobody writes it so
        rows.append({"name": name, "kind": "country", "country": name, "aliases": forms,
                     "written": list(ours.get("written", [])), "code": country.alpha_2})
    return tuple(rows)


def _matchable(form: str | None, name: str) -> bool:
    """A form worth matching beside the name: written as prose writes it ("Republic of Chile", not
    "Korea, Republic of" or "the State of Palestine")."""
    return bool(form) and form != name and "," not in form and "(" not in form and form[0].isupper()
