"""Read the dates that feeds and pages print (ISO 8601, RFC 822, "Jan 2, 2026 8:00 PM ET") as aware UTC."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser

# US wires print the zone as a letter code. "ET" follows daylight saving (New York's rules); "EST" and
# "EDT" name one fixed offset each, as written, even when a wire prints the wrong one for the season.
_US_ZONES: dict[str, tzinfo] = {
    "ET": ZoneInfo("America/New_York"), "CT": ZoneInfo("America/Chicago"),
    "MT": ZoneInfo("America/Denver"), "PT": ZoneInfo("America/Los_Angeles"),
    "EST": timezone(timedelta(hours=-5)), "EDT": timezone(timedelta(hours=-4)),
    "CST": timezone(timedelta(hours=-6)), "CDT": timezone(timedelta(hours=-5)),
    "MST": timezone(timedelta(hours=-7)), "MDT": timezone(timedelta(hours=-6)),
    "PST": timezone(timedelta(hours=-8)), "PDT": timezone(timedelta(hours=-7)),
    "AKST": timezone(timedelta(hours=-9)), "AKDT": timezone(timedelta(hours=-8)),
    "HST": timezone(timedelta(hours=-10)),
}
# The few other codes our sources print that mean one offset only (IST, "Indian" or "Irish", is left out).
_OTHER_ZONES: dict[str, tzinfo] = {
    "UTC": timezone.utc, "GMT": timezone.utc, "UT": timezone.utc, "Z": timezone.utc,
    "BST": timezone(timedelta(hours=1)), "CET": timezone(timedelta(hours=1)),
    "CEST": timezone(timedelta(hours=2)), "AEST": timezone(timedelta(hours=10)),
    "AEDT": timezone(timedelta(hours=11)), "JST": timezone(timedelta(hours=9)),
    "HKT": timezone(timedelta(hours=8)), "SGT": timezone(timedelta(hours=8)),
}
ZONES = {**_US_ZONES, **_OTHER_ZONES}
_SPELLED_ZONE = re.compile(r"\b(Eastern|Central|Mountain|Pacific)(?:\s+(Standard|Daylight))?\s+Time\b", re.I)
_LABEL = re.compile(r"^\s*(?:(?:last\s+)?updated|published|posted|released|date)\s*(?:on|at)?\s*[:\-|]?\s*", re.I)
# Two far-apart defaults: a field that differs between the two readings was not in the string.
_DEFAULTS = (datetime(2001, 1, 1), datetime(2002, 2, 2))


def parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime from a written date; None when unreadable or when it lacks a day.

    A date without a time is midnight UTC; a time without a zone is taken as UTC (what feeds mean)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
    except ValueError:
        parsed = _parse_written(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def _parse_written(value: str) -> datetime | None:
    """dateutil's reading of a date in words, RFC 822 or US style; None unless year, month and day are all
    written (dateutil fills missing fields from a default, so "Tuesday" alone would become a date)."""
    text = _SPELLED_ZONE.sub(_zone_code, _LABEL.sub("", value)).replace("|", " ")
    readings = []
    for default in _DEFAULTS:
        try:
            readings.append(dateutil_parser.parse(text, default=default, tzinfos=_zone))
        except (ValueError, OverflowError):
            return None
    first, second = readings
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    return first


def _zone(name: str | None, offset: int | None) -> tzinfo | None:
    """The zone a code names; an unknown code with a numeric offset keeps the offset, else UTC is assumed."""
    if name and name.upper() in ZONES:
        return ZONES[name.upper()]
    return timezone(timedelta(seconds=offset)) if offset is not None else None


def _zone_code(match: re.Match) -> str:
    kind = (match.group(2) or "").lower()
    return match.group(1)[0].upper() + {"standard": "S", "daylight": "D"}.get(kind, "") + "T"
