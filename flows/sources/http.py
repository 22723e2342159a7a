"""The polite HTTP fetcher: conditional GET, retries, rate limits, size caps and an SSRF guard.

Its errors (SourceError, FetchError, MissingUserAgent) and the retry rule `is_transient` are in
flows/sources/errors.py; `Fetcher.get` is the one place a fetch is tried again.
"""

from __future__ import annotations

import functools
import http
import random
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

from flows.settings import DEFAULT_BASE_URLS, Settings
from flows.sources.addresses import NonPublicAddress, host_port, pin_addresses
from flows.sources.deadline import deadline, deadline_transport, pause, stopping
from flows.sources.errors import FetchError, check_user_agent, is_transient, retry_after_s
from flows.sources.sec_rate import SharedRateLimiter, rate_file
from models.records import FetchRecord

GENERIC_USER_AGENT = "minewire/0.1 (mining deal tracker)"
MAX_RETRY_WAIT_S = 30.0  # a Retry-After longer than this is cut: the next poll retries anyway
REDIRECTS = {301, 302, 303, 307, 308}
_STATUS_PHRASES = {s.value: s.phrase for s in http.HTTPStatus}


@dataclass
class Response:
    """What a fetch returns: the final URL, status, decoded body and headers."""

    url: str
    status: int
    content: bytes = b""
    headers: httpx.Headers = field(default_factory=httpx.Headers)
    not_modified: bool = False

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")


# One limiter per (rate, file) for the whole process, so every Fetcher (and every task thread) shares it; the
# file shares it with every other minewire process (flows/sources/sec_rate.py).
_SEC_LIMITERS: dict[tuple[float, Path], SharedRateLimiter] = {}
_SEC_LIMITERS_LOCK = threading.Lock()


def sec_limiter(rate_per_s: float, path: Path | None = None) -> SharedRateLimiter:
    path = rate_file(path)
    with _SEC_LIMITERS_LOCK:
        return _SEC_LIMITERS.setdefault((rate_per_s, path), SharedRateLimiter(rate_per_s, path))


class Fetcher:
    """One per poll run: a thread-safe, polite GET with a log of every attempt."""

    def __init__(
        self,
        settings: Settings,
        validators: dict[str, tuple[str | None, str | None]] | None = None,
        *,
        transport: httpx.BaseTransport | None = None,
        backoff_s: float = 0.5,
        max_retry_wait_s: float = MAX_RETRY_WAIT_S,
    ):
        self.settings = settings
        self.known: dict[str, tuple[str | None, str | None]] = dict(validators or {})
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.log: list[FetchRecord] = []
        self.backoff_s = backoff_s
        self.max_retry_wait_s = max_retry_wait_s
        # Configured base URLs are trusted; anything else (feed item links, redirects) must be public, checked
        # on the address each connection dials (flows/sources/addresses.py).
        self._trusted = {host_port(settings.base_url(n)) for n in {**DEFAULT_BASE_URLS, **settings.base_urls}}
        # Every exchange, connect to last body byte, ends within 2 × timeout_s (flows/sources/deadline.py).
        transport = transport or pin_addresses(deadline_transport(verify=_ssl_context()), self._must_be_public)
        self._client = httpx.Client(timeout=settings.timeout_s, follow_redirects=False, transport=transport,
                                    verify=_ssl_context())
        self._lock = threading.Lock()
        self._host_slots: dict[str, threading.BoundedSemaphore] = {}
        self._sec_hosts = {_origin(settings.base_url(n))[1] for n in ("sec_data", "sec_www")}

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def remember(self, validators: dict[str, tuple[str | None, str | None]]) -> None:
        """Add validators from a stored SourceState (for a Fetcher shared by several sources)."""
        with self._lock:
            self.known.update(validators)

    def get(self, url: str, *, source: str | None = None, conditional: bool = True) -> Response:
        """GET with retries on transient errors; raises FetchError when the URL cannot be read."""
        attempts = max(1, self.settings.retries + 1)
        for attempt in range(attempts):
            if stopping():
                raise FetchError(f"{url}: not fetched, the run was interrupted", url=url)
            try:
                return self._follow(url, source, conditional)
            except FetchError as exc:
                if not exc.transient or attempt == attempts - 1:
                    raise
                wait = exc.retry_after_s
                if wait is None:
                    wait = self.backoff_s * (2**attempt) * (1 + random.random() / 4)
                pause(min(wait, self.max_retry_wait_s))
        raise AssertionError("unreachable")

    def _follow(self, url: str, source: str | None, conditional: bool) -> Response:
        """One attempt: follow redirects ourselves so every hop passes the same checks."""
        current = url
        for _ in range(self.settings.max_redirects + 1):
            resp = self._request(current, source, conditional and current == url, origin_url=url)
            if resp.status not in REDIRECTS:
                return resp
            location = resp.headers.get("location")
            if not location:
                raise FetchError(f"{current}: redirect without a Location header", url=url, transient=False)
            target = urljoin(current, location)
            if _origin(target)[0] not in ("http", "https"):
                raise FetchError(f"{url}: redirected to {target!r}; only http and https URLs are fetched",
                                 url=url, permanent=True)
            current = target
        raise FetchError(
            f"{url}: more than {self.settings.max_redirects} redirects (a loop?)", url=url, transient=False
        )

    def _request(self, url: str, source: str | None, conditional: bool, origin_url: str) -> Response:
        host = self._check_url(url)
        headers = {"User-Agent": self._user_agent(host), "Accept-Encoding": "gzip, deflate"}
        if conditional:
            etag, modified = self.validators.get(url) or self.known.get(url) or (None, None)
            if etag:
                headers["If-None-Match"] = etag
            if modified:
                headers["If-Modified-Since"] = modified
        if host in self._sec_hosts:
            sec_limiter(self.settings.sec_requests_per_s, self.settings.sec_rate_file).acquire()
        started = time.monotonic()
        record = FetchRecord(url=url, status=None, source=source, fetched_at=datetime.now(timezone.utc))
        try:
            with self._slot(host):
                resp = self._read(url, headers)
        except FetchError as exc:
            record.status, record.error = exc.status, str(exc)
            raise
        finally:
            record.elapsed_s = round(time.monotonic() - started, 4)
            self._append(record)
        record.status, record.bytes = resp.status, len(resp.content)
        record.not_modified = resp.not_modified
        self._raise_for_status(resp, url)
        if conditional and resp.status == 200:
            learned = (resp.headers.get("etag"), resp.headers.get("last-modified"))
            if any(learned):
                with self._lock:
                    self.validators[origin_url] = learned
        return resp

    def _read(self, url: str, headers: dict[str, str]) -> Response:
        """One exchange, from connect to the last body byte, within 2 × timeout_s; the body within the size cap."""
        cap = self.settings.max_response_bytes
        allowed_s = 2 * self.settings.timeout_s
        ends = time.monotonic() + allowed_s
        try:
            with deadline(ends), self._client.stream("GET", url, headers=headers) as r:
                declared = r.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise FetchError(f"{url}: response of {declared} bytes is over the {cap}-byte limit",
                                     url=url, status=r.status_code, transient=False)
                body = _read_capped(r, url, cap, ends)
                return Response(str(r.url), r.status_code, body, r.headers, r.status_code == 304)
        except httpx.TimeoutException as exc:
            if time.monotonic() >= ends - 0.01:
                raise FetchError(f"{url}: server too slow (no whole response within {allowed_s:g} s, "
                                 f"{type(exc).__name__})", url=url) from exc
            raise FetchError(f"{url}: timed out ({type(exc).__name__})", url=url) from exc
        except httpx.HTTPError as exc:
            raise FetchError(f"{url}: {type(exc).__name__}: {exc}", url=url) from exc
        except NonPublicAddress as exc:  # raised on connecting, before a byte of the request is sent
            raise FetchError(f"{url}: {exc}", url=url, permanent=True) from exc

    def _raise_for_status(self, resp: Response, url: str) -> None:
        if resp.status < 400:
            return
        phrase = _STATUS_PHRASES.get(resp.status, "")
        err = FetchError(f"{url}: HTTP {resp.status} {phrase}".rstrip(), url=url, status=resp.status,
                         transient=is_transient(resp.status))
        err.retry_after_s = retry_after_s(resp.headers.get("retry-after"))
        raise err

    def _check_url(self, url: str) -> str:
        scheme, host = _origin(url)
        if scheme not in ("http", "https") or not host:
            raise FetchError(f"{url}: only http and https URLs are fetched", url=url, permanent=True)
        return host

    def _must_be_public(self, host: str, port: int) -> bool:
        return not self.settings.allow_private_addresses and (host, port) not in self._trusted

    def _user_agent(self, host: str) -> str:
        return check_user_agent(self.settings) if host in self._sec_hosts else GENERIC_USER_AGENT

    def _slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            if host not in self._host_slots:
                self._host_slots[host] = threading.BoundedSemaphore(max(1, self.settings.per_host_concurrency))
            return self._host_slots[host]

    def _append(self, record: FetchRecord) -> None:
        with self._lock:
            self.log.append(record)


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """One verifying TLS context per process: loading the CA bundle is most of what making a Client costs."""
    return httpx.create_ssl_context()


def _read_capped(r: httpx.Response, url: str, cap: int, deadline: float) -> bytes:
    """Decompress the raw stream ourselves: the cap then bounds the decoded size (no gzip bombs),
    and a gzip stream that ends early is caught instead of passing as a short page."""
    encoding = r.headers.get("content-encoding", "").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise FetchError(f"{url}: unsupported Content-Encoding {encoding!r}", url=url, transient=False)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS) \
        if encoding not in ("", "identity") else None
    body, got_raw = bytearray(), False
    try:
        for raw in _raw_chunks(r):
            got_raw = got_raw or bool(raw)
            chunk = inflater.decompress(raw, cap + 1 - len(body)) if inflater else raw
            body.extend(chunk)
            if len(body) > cap or (inflater and inflater.unconsumed_tail):
                raise FetchError(f"{url}: response is over the {cap}-byte limit",
                                 url=url, status=r.status_code, transient=False)
            if time.monotonic() > deadline:
                raise FetchError(f"{url}: server too slow (body not complete in time)",
                                 url=url, status=r.status_code, transient=True)
    except zlib.error as exc:
        raise FetchError(f"{url}: corrupt compressed body ({exc})", url=url, status=r.status_code,
                         transient=False) from exc
    if inflater is not None and got_raw and not inflater.eof:
        raise FetchError(f"{url}: compressed body ended early (truncated)", url=url, status=r.status_code)
    return bytes(body)


def _raw_chunks(r: httpx.Response):
    try:
        yield from r.iter_raw()
    except httpx.StreamConsumed:  # a MockTransport response arrives already read and decoded
        r.headers.pop("content-encoding", None)
        yield r.content


def _origin(url: str) -> tuple[str, str]:
    """(scheme, host[:port]) in lower case; ('', '') when the URL has no host."""
    parts = urlsplit(url.strip())
    return parts.scheme.lower(), (parts.netloc.rsplit("@", 1)[-1]).lower()
