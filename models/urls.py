"""One canonical form per article address, so a page reached by two links is stored once."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Parameters that say who sent the reader, never which page: dropped. Names, not patterns, except utm_*.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
    "li_fat_id", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "_ga", "_gl", "ncid", "cmpid",
})
DEFAULT_PORTS = {"http": 80, "https": 443}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def normalise_url(url: str) -> str:
    """Canonical form for dedup: no tracking parameters, the others sorted, no default port, no fragment,
    lower-case scheme and host, no trailing slash. Text that is not an absolute URL comes back stripped."""
    url = url.strip()
    if not _SCHEME.match(url):
        return url
    tracking = [name for name, _ in parse_qsl(urlsplit(url).query, keep_blank_values=True)
                if name.lower().startswith("utm_") or name.lower() in TRACKING_PARAMS]
    if tracking:
        url = url_query_cleaner(url, tracking, remove=True, unique=False, keep_fragments=True)
    parts = urlsplit(canonicalize_url(url))  # sorts parameters, evens out %-escapes, drops the fragment
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None and parts.port != DEFAULT_PORTS.get(parts.scheme):
        netloc += f":{parts.port}"
    if parts.username or parts.password:
        netloc = parts.netloc.rsplit("@", 1)[0] + "@" + netloc
    path = parts.path.rstrip("/") if not parts.query else parts.path
    return urlunsplit((parts.scheme, netloc, path, parts.query, ""))
