"""A real HTTP server on 127.0.0.1 that serves the bundled sample site the way a well-behaved host does.

The demo and the bench point minewire's base URLs at it, so every byte crosses a real socket. It answers
conditional GETs with 304, gzips for clients that accept it and logs each request; the tests' server that
misbehaves on command (tests/support/faulty_server.py) builds on it.
"""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SAMPLE_SITE = Path(__file__).resolve().parent / "sample" / "site"
BASE_TOKEN = b"{{BASE}}"
# Each file's Last-Modified is this date minus a few hours derived from its path: fixed, yet not all alike.
_EPOCH = datetime(2026, 1, 15, tzinfo=timezone.utc)
_TYPES = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8",
    ".json": "application/json", ".txt": "text/plain; charset=utf-8", ".toml": "text/plain; charset=utf-8",
}


@dataclass(frozen=True)
class ServedRequest:
    """One request as the server answered it."""

    method: str
    path: str
    headers: dict[str, str]
    status: int
    bytes_sent: int


@dataclass
class Resource:
    """A body ready to serve (after `{{BASE}}` substitution)."""

    body: bytes
    content_type: str
    last_modified: datetime

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'

    def validators(self) -> dict[str, str]:
        return {"ETag": self.etag, "Last-Modified": format_datetime(self.last_modified, usegmt=True)}


def content_type_for(path: str, body: bytes) -> str:
    """Content type by extension; .xml is told apart by its root element as real feeds are."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xml":
        head = body[:400]
        if b"<feed" in head:
            return "application/atom+xml; charset=utf-8"
        return "application/rss+xml; charset=utf-8" if b"<rss" in head else "application/xml; charset=utf-8"
    return _TYPES.get(suffix, "application/octet-stream")


def last_modified_for(path: str) -> datetime:
    return _EPOCH - timedelta(hours=zlib.crc32(path.encode()) % 2000)


def clean_path(path: str) -> str:
    """The lookup key of a URL path: no query, no leading slash."""
    return urlsplit(path).path.lstrip("/")


class SampleServer:
    """Serves `root` over HTTP on 127.0.0.1, logging every request it answers."""

    def __init__(self, root: Path = SAMPLE_SITE, host: str = "127.0.0.1", port: int = 0):
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"{type(self).__name__} only binds a loopback address, not {host!r}")
        self.root, self.host, self.port = Path(root), host, port
        self.requests: list[ServedRequest] = []
        # CPU seconds the handler threads spent answering since the last clear_log: the bench serves from its
        # own process and leaves this out of what a poll costs (a real source spends it on its own machine).
        self.served_cpu_s = 0.0
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._overlay: dict[str, tuple[bytes, str | None]] = {}
        self._connections: set[socket.socket] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def start(self) -> SampleServer:
        """Bind, then serve from a daemon thread; returns self so `SampleServer().start()` reads well."""
        httpd = ThreadingHTTPServer((self.host, self.port), _Handler)
        httpd.daemon_threads = False  # so server_close() joins every handler thread
        httpd.sample = self  # type: ignore[attr-defined]
        self._httpd, self.stopping = httpd, threading.Event()
        self.port = httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=httpd.serve_forever, name="sample-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, cut idle keep-alive connections, and join every thread."""
        if self._httpd is None:
            return
        self.stopping.set()
        self._httpd.shutdown()
        with self._lock:
            conns = list(self._connections)
        for conn in conns:  # a handler blocked reading the next keep-alive request wakes up
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()
        self._httpd = self._thread = None

    def __enter__(self) -> SampleServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def base_urls(self) -> dict[str, str]:
        """One base URL per top-level directory of the site: what minewire's `base_urls` setting wants."""
        return {p.name: self.url(p.name) for p in sorted(self.root.iterdir()) if p.is_dir()}

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.served_cpu_s = 0.0

    def put(self, path: str, body: bytes, content_type: str | None = None) -> None:
        """Add or replace a resource in memory (the files on disk are left alone)."""
        with self._lock:
            self._overlay[clean_path(path)] = (body, content_type)

    def answer(self, h: _Handler, head: bool) -> None:
        """Answer one request: the resource, a 304 to a matching validator, or a 404."""
        respond(h, self.resource(clean_path(h.path)), head)

    def resource(self, path: str) -> Resource | None:
        with self._lock:
            overlay = self._overlay.get(path)
        if overlay is not None:
            body, ctype = overlay
        else:
            file = self._file_for(path)
            if file is None:
                return None
            body = file.read_bytes()
            ctype = content_type_for(file.name, body)  # a directory URL takes its index.html's type
        body = body.replace(BASE_TOKEN, self.base_url.encode())
        return Resource(body, ctype or content_type_for(path, body), last_modified_for(path))

    def _file_for(self, path: str) -> Path | None:
        candidate = (self.root / path).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        root = self.root.resolve()
        if root not in candidate.parents or not candidate.is_file():  # no escaping the site root
            return None
        return candidate

    def _log(self, entry: ServedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def _track(self, conn: socket.socket, alive: bool) -> None:
        with self._lock:
            (self._connections.add if alive else self._connections.discard)(conn)

    def _spent(self, cpu_s: float) -> None:
        with self._lock:
            self.served_cpu_s += cpu_s


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so every answer carries a Content-Length
    server_version = "minewire-sample/1"

    @property
    def sample(self) -> SampleServer:
        return self.server.sample  # type: ignore[attr-defined]

    def setup(self) -> None:
        super().setup()
        self.sample._track(self.connection, True)

    def finish(self) -> None:
        self.sample._track(self.connection, False)
        try:
            super().finish()
        except OSError:  # the client (or a reset fault) already closed the socket
            pass

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def handle_one_request(self) -> None:
        started = time.thread_time()  # this handler thread's CPU only: waiting for the request costs none
        try:
            super().handle_one_request()
        except ConnectionResetError:  # the client reset its keep-alive connection between requests
            self.close_connection = True
        finally:
            self.sample._spent(time.thread_time() - started)

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        try:
            self.sample.answer(self, head)
        except (BrokenPipeError, ConnectionResetError):  # the client hung up mid-answer
            self.close_connection = True

    def record(self, status: int, bytes_sent: int) -> None:
        """Log the answer before its headers go out, so a client never sees a response the log lacks."""
        headers = dict(self.headers.items())
        self.sample._log(ServedRequest(self.command, self.path, headers, status, bytes_sent))


def respond(h: _Handler, res: Resource | None, head: bool) -> None:
    """Send `res` (gzipped if the client accepts it), a 304 if the client's copy is current, or a 404."""
    if res is None:
        return send(h, 404, b"not found\n", "text/plain; charset=utf-8", head)
    if not_modified(h, res):
        return send(h, 304, b"", None, head, res.validators())
    payload, headers = res.body, res.validators()
    if "gzip" in h.headers.get("Accept-Encoding", "").lower():
        payload, headers = gzip.compress(payload, mtime=0), {**headers, "Content-Encoding": "gzip"}
    send(h, 200, payload, res.content_type, head, {**headers, "Vary": "Accept-Encoding"})


def send(h: _Handler, status: int, body: bytes, ctype: str | None, head: bool,
         headers: dict[str, str] | None = None) -> None:
    quiet = head or status == 304
    send_headers(h, status, len(body), ctype, headers or {}, sent=0 if quiet else len(body))
    if not quiet:
        h.wfile.write(body)


def send_headers(h: _Handler, status: int, length: int, ctype: str | None, headers: dict[str, str],
                 sent: int) -> None:
    """Send the status line and headers; `sent` is what the log records as the body bytes to follow."""
    h.record(status, sent)
    h.send_response(status)
    if ctype:
        h.send_header("Content-Type", ctype)
    if status != 304:
        h.send_header("Content-Length", str(length))
    for name, value in headers.items():
        h.send_header(name, value)
    h.end_headers()


def not_modified(h: _Handler, res: Resource) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since when both are sent."""
    inm = h.headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return "*" in tags or res.etag in tags
    ims = h.headers.get("If-Modified-Since")
    if not ims:
        return False
    try:
        when = parsedate_to_datetime(ims)
    except (TypeError, ValueError):
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return res.last_modified <= when
