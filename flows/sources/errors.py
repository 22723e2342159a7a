"""Why a source could not be read, and whether trying again may help.

Errors::

    SourceError          a source is misconfigured or cannot be read
    ├── MissingUserAgent the SEC contact setting is missing (before any EDGAR request)
    └── FetchError       a URL could not be fetched; ``.transient`` says whether retrying may help,
                         ``.permanent`` that no later run can help either (a refused scheme or address)

`is_transient` is the one rule for retrying a fetch; the steps' rule (flows.retries) builds on it.
"""

from __future__ import annotations

import email.utils
import re
from datetime import datetime, timezone

import httpx

from flows.settings import Settings

_EMAIL = re.compile(r"[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}")


class SourceError(Exception):
    """A source that is misconfigured or cannot be read; the message names it and what to do."""


class MissingUserAgent(SourceError):
    """The SEC asks for an organisation and contact address; raised before any EDGAR request."""


class FetchError(SourceError):
    """A URL that could not be fetched after the allowed attempts."""

    def __init__(self, message: str, *, url: str, status: int | None = None, transient: bool = True,
                 permanent: bool = False):
        super().__init__(message)
        self.url = url
        self.status = status
        self.transient = transient and not permanent
        self.permanent = permanent  # refused by our own rules: given up at once, never asked again
        self.retry_after_s: float | None = None


def is_transient(exc_or_status: BaseException | int | None) -> bool:
    """True for failures that may pass on retry: network errors, timeouts, 429 and 5xx."""
    if isinstance(exc_or_status, bool) or exc_or_status is None:
        return False
    if isinstance(exc_or_status, int):
        return exc_or_status == 429 or 500 <= exc_or_status < 600
    if isinstance(exc_or_status, FetchError):
        return exc_or_status.transient
    if isinstance(exc_or_status, httpx.HTTPStatusError):
        return is_transient(exc_or_status.response.status_code)
    return isinstance(exc_or_status, (httpx.TransportError, TimeoutError, ConnectionError))


def check_user_agent(settings: Settings) -> str:
    """The SEC User-Agent, or MissingUserAgent when it lacks a contact address."""
    ua = (settings.sec_user_agent or "").strip()
    if not _EMAIL.search(ua):
        raise MissingUserAgent(
            "EDGAR needs a User-Agent naming your organisation and a contact email: set "
            "MINEWIRE_SEC_USER_AGENT='Your Org you@example.com' or sec_user_agent in minewire.toml"
        )
    return ua


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())
