"""A real HTTP server on 127.0.0.1 that serves the bundled sample site and misbehaves on command.

The demo and the tests point minewire's base URLs at it, so every byte crosses a real socket.
"""

from __future__ import annotations

import gzip
import hashlib
import ipaddress
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field, fields
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


@dataclass
class Fault:
    """How one path misbehaves; `status` is served in order first, the rest on the first `times` hits."""

    status: list[int] = field(default_factory=list)
    retry_after: Any = None  # seconds, an HTTP-date string, or a datetime
    delay_s: float = 0.0
    reset_mid_body: bool = False
    truncated_gzip: bool = False
    corrupt_gzip: bool = False
    redirect_loop: bool = False
    redirect_to: str | None = None
    huge_bytes: int = 0
    trickle_bytes_per_s: int = 0
    trickle_head_s: float = 0.0  # seconds between the bytes of the status line and headers
    content_type: str | None = None
    charset: str | None = None
    body: bytes | None = None
    times: int | None = None  # None: every request after the status sequence
    hits: int = 0


def content_type_for(path: str, body: bytes) -> str:
    """Content type by extension; .xml is told apart by its root element as real feeds are."""
    suffix = Path(path).suffix.lower()
    if suffix == ".xml":
        head = body[:400]
        if b"<feed" in head:
            return "application/atom+xml; charset=utf-8"
        return "application/rss+xml; charset=utf-8" if b"<rss" in head else "application/xml; charset=utf-8"
    return _TYPES.get(suffix, "application/octet-stream")


def _retry_after_value(value: Any) -> str:
    if isinstance(value, datetime):
        return format_datetime(value.astimezone(timezone.utc), usegmt=True)
    return str(int(value)) if isinstance(value, (int, float)) else str(value)


def _last_modified_for(path: str) -> datetime:
    return _EPOCH - timedelta(hours=zlib.crc32(path.encode()) % 2000)


class SampleServer:
    """Serves `root` over HTTP on 127.0.0.1; see `fault` for the ways it can misbehave."""

    def __init__(self, root: Path = SAMPLE_SITE, host: str = "127.0.0.1", port: int = 0):
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(f"SampleServer only binds a loopback address, not {host!r}")
        self.root, self.host, self.port = Path(root), host, port
        self.requests: list[ServedRequest] = []
        # CPU seconds the handler threads spent answering since the last clear_log: the bench serves from its
        # own process and leaves this out of what a poll costs (a real source spends it on its own machine).
        self.served_cpu_s = 0.0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._overlay: dict[str, tuple[bytes, str | None]] = {}
        self._faults: dict[str, Fault] = {}
        self._connections: set[socket.socket] = set()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    def start(self) -> SampleServer:
        """Bind, then serve from a daemon thread; returns self so `SampleServer().start()` reads well."""
        httpd = ThreadingHTTPServer((self.host, self.port), _Handler)
        httpd.daemon_threads = False  # so server_close() joins every handler thread
        httpd.sample = self  # type: ignore[attr-defined]
        self._httpd, self._stopping = httpd, threading.Event()
        self.port = httpd.server_address[1]
        self.base_url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=httpd.serve_forever, name="sample-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting, cut idle keep-alive connections, and join every thread."""
        if self._httpd is None:
            return
        self._stopping.set()
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
            self._overlay[_clean(path)] = (body, content_type)

    def fault(self, path: str, **kind: Any) -> None:
        """Make one path misbehave, e.g. `fault("/a.xml", status=[503, 503], retry_after=1)`."""
        known = {f.name for f in fields(Fault)} - {"hits"}
        if set(kind) - known:
            raise TypeError(f"unknown fault kind(s) {sorted(set(kind) - known)}; known: {sorted(known)}")
        kind["status"] = list(kind.get("status") or [])
        with self._lock:
            self._faults[_clean(path)] = Fault(**kind)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def _resource(self, path: str) -> Resource | None:
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
        return Resource(body, ctype or content_type_for(path, body), _last_modified_for(path))

    def _file_for(self, path: str) -> Path | None:
        candidate = (self.root / path).resolve()
        if candidate.is_dir():
            candidate = candidate / "index.html"
        root = self.root.resolve()
        if root not in candidate.parents or not candidate.is_file():  # no escaping the site root
            return None
        return candidate

    def _take_fault(self, path: str) -> tuple[int | None, Fault | None]:
        """Count one hit on `path`: the status to fail with now (if any) and the fault to apply."""
        with self._lock:
            fault = self._faults.get(path)
            if fault is None:
                return None, None
            n, fault.hits = fault.hits, fault.hits + 1
        if n < len(fault.status):
            return fault.status[n], fault
        later = n - len(fault.status)
        return None, (fault if fault.times is None or later < fault.times else None)

    def _log(self, entry: ServedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def _track(self, conn: socket.socket, alive: bool) -> None:
        with self._lock:
            (self._connections.add if alive else self._connections.discard)(conn)


def _clean(path: str) -> str:
    """The lookup key of a URL path: no query, no leading slash."""
    return urlsplit(path).path.lstrip("/")


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
        finally:
            spent = time.thread_time() - started
            with self.sample._lock:
                self.sample.served_cpu_s += spent

    def do_GET(self) -> None:
        self._answer(head=False)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def _answer(self, head: bool) -> None:
        try:
            _respond(self, head)
        except (BrokenPipeError, ConnectionResetError):  # the client hung up mid-answer
            self.close_connection = True

    def record(self, status: int, bytes_sent: int) -> None:
        """Log the answer before its headers go out, so a client never sees a response the log lacks."""
        headers = dict(self.headers.items())
        self.sample._log(ServedRequest(self.command, self.path, headers, status, bytes_sent))


def _respond(h: _Handler, head: bool) -> None:
    """Answer one request, applying the path's fault if it has one."""
    sample, path = h.sample, _clean(h.path)
    status, fault = sample._take_fault(path)
    fault = fault or Fault()
    if fault.delay_s:
        sample._stopping.wait(fault.delay_s)
    if status is not None:
        extra = {"Retry-After": _retry_after_value(fault.retry_after)} if fault.retry_after is not None else {}
        return _send(h, status, f"{status} from the sample server\n".encode(), "text/plain", head, extra)
    if fault.redirect_loop or fault.redirect_to:
        target = h.path if fault.redirect_loop else str(fault.redirect_to).replace("{{BASE}}", sample.base_url)
        return _send(h, 302, b"", "text/plain", head, {"Location": target})
    if fault.huge_bytes:
        return _send_huge(h, fault.huge_bytes, fault.content_type or content_type_for(path, b""), head)
    res = sample._resource(path)
    if fault.body is not None:
        body = fault.body.replace(BASE_TOKEN, sample.base_url.encode())
        res = Resource(body, content_type_for(path, body), _last_modified_for(path))
    if res is None:
        return _send(h, 404, b"not found\n", "text/plain; charset=utf-8", head)
    validators = {"ETag": res.etag, "Last-Modified": format_datetime(res.last_modified, usegmt=True)}
    if _not_modified(h, res):
        return _send(h, 304, b"", None, head, validators)
    return _send_resource(h, res, fault, head, validators)


def _send_resource(h: _Handler, res: Resource, fault: Fault, head: bool, headers: dict[str, str]) -> None:
    ctype = fault.content_type or res.content_type
    if fault.charset:
        ctype = ctype.split(";", 1)[0].strip() + f"; charset={fault.charset}"
    payload = res.body
    broken_gzip = fault.truncated_gzip or fault.corrupt_gzip
    if broken_gzip or "gzip" in h.headers.get("Accept-Encoding", "").lower():
        payload = gzip.compress(payload, mtime=0)
        headers = {**headers, "Content-Encoding": "gzip"}
        if fault.truncated_gzip:
            payload = payload[: max(10, len(payload) // 2)]
        if fault.corrupt_gzip:
            payload = _corrupt(payload)
    headers = {**headers, "Vary": "Accept-Encoding"}
    if fault.trickle_head_s:
        return _send_head_slowly(h, payload, ctype, headers, fault.trickle_head_s)
    if fault.reset_mid_body or fault.trickle_bytes_per_s:
        return _send_slowly_or_cut(h, payload, ctype, head, headers, fault)
    return _send(h, 200, payload, ctype, head, headers)


def _send(h: _Handler, status: int, body: bytes, ctype: str | None, head: bool,
          headers: dict[str, str] | None = None) -> None:
    quiet = head or status == 304
    _send_headers(h, status, len(body), ctype, headers or {}, sent=0 if quiet else len(body))
    if not quiet:
        h.wfile.write(body)


def _send_headers(h: _Handler, status: int, length: int, ctype: str | None, headers: dict[str, str],
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


def _send_slowly_or_cut(h: _Handler, payload: bytes, ctype: str, head: bool, headers: dict[str, str],
                        fault: Fault) -> None:
    """Full Content-Length, then the body at a trickle, or only half of it before the socket dies."""
    body = payload[: len(payload) // 2] if fault.reset_mid_body else payload
    _send_headers(h, 200, len(payload), ctype, headers, sent=0 if head else len(body))
    if head:
        return
    rate = fault.trickle_bytes_per_s
    chunk = max(1, rate // 10) if rate else len(body) or 1
    sent = 0
    for start in range(0, len(body), chunk):
        if h.sample._stopping.is_set():
            break
        h.wfile.write(body[start:start + chunk])
        h.wfile.flush()
        sent += len(body[start:start + chunk])
        if rate:
            h.sample._stopping.wait(chunk / rate)
    if sent < len(payload):
        _reset(h)


def _send_head_slowly(h: _Handler, payload: bytes, ctype: str, headers: dict[str, str], every_s: float) -> None:
    """The status line and headers one byte every `every_s` seconds, then the body at once."""
    h.record(200, len(payload))
    lines = [f"{h.protocol_version} 200 OK", f"Content-Type: {ctype}", f"Content-Length: {len(payload)}",
             *(f"{k}: {v}" for k, v in headers.items())]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    try:
        for i in range(len(head)):
            if h.sample._stopping.wait(every_s if i else 0):
                return _reset(h)
            h.wfile.write(head[i:i + 1])
            h.wfile.flush()
        h.wfile.write(payload)
    except OSError:  # the client gave up
        h.close_connection = True


def _send_huge(h: _Handler, size: int, ctype: str, head: bool) -> None:
    _send_headers(h, 200, size, ctype, {}, sent=0 if head else size)
    if head:
        return
    block, sent = b"x" * 65536, 0
    while sent < size and not h.sample._stopping.is_set():
        piece = block[: min(len(block), size - sent)]
        h.wfile.write(piece)
        sent += len(piece)
    if sent < size:
        _reset(h)


def _reset(h: _Handler) -> None:
    """Close with SO_LINGER 0, so the client sees a TCP reset rather than a clean end."""
    h.close_connection = True
    try:
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
    except OSError:
        pass


def _corrupt(payload: bytes) -> bytes:
    """Keep the gzip header (so it looks like gzip) but scramble the deflate stream behind it."""
    data = bytearray(payload)
    for i in range(10, max(11, len(data) - 8), 3):
        data[i] ^= 0x5A
    return bytes(data)


def _not_modified(h: _Handler, res: Resource) -> bool:
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


def main() -> None:
    """`python -m flows.sample_server [port]`: serve the sample until Ctrl-C."""
    import sys
    import time

    with SampleServer(port=int(sys.argv[1]) if len(sys.argv) > 1 else 0) as server:
        print(server.base_url, *(f"  {k:14} {v}" for k, v in server.base_urls().items()), sep="\n", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
