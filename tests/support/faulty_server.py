"""The sample server, told to misbehave: error statuses, redirects, cut or trickled bodies, gzip bombs.

`FaultyServer` is `flows.demo.server.SampleServer` plus `fault(path, ...)`: the fault tests use it to show
each way a real host goes wrong and what minewire does about it.
"""

from __future__ import annotations

import gzip
import socket
import struct
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from email.utils import format_datetime
from typing import Any

from flows.demo.server import (
    BASE_TOKEN,
    Resource,
    SampleServer,
    clean_path,
    content_type_for,
    last_modified_for,
    not_modified,
    respond,
    send,
    send_headers,
)


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


class FaultyServer(SampleServer):
    """The sample site on 127.0.0.1; `fault` makes one path misbehave."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._faults: dict[str, Fault] = {}

    def fault(self, path: str, **kind: Any) -> None:
        """Make one path misbehave, e.g. `fault("/a.xml", status=[503, 503], retry_after=1)`."""
        known = {f.name for f in fields(Fault)} - {"hits"}
        if set(kind) - known:
            raise TypeError(f"unknown fault kind(s) {sorted(set(kind) - known)}; known: {sorted(known)}")
        kind["status"] = list(kind.get("status") or [])
        with self._lock:
            self._faults[clean_path(path)] = Fault(**kind)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def answer(self, h: Any, head: bool) -> None:
        """Answer one request, applying the path's fault if it has one."""
        path = clean_path(h.path)
        status, fault = self._take_fault(path)
        fault = fault or Fault()
        if fault.delay_s:
            self.stopping.wait(fault.delay_s)
        if status is not None:
            after = fault.retry_after
            extra = {} if after is None else {"Retry-After": _retry_after_value(after)}
            return send(h, status, f"{status} from the sample server\n".encode(), "text/plain", head, extra)
        if fault.redirect_loop or fault.redirect_to:
            target = h.path if fault.redirect_loop else str(fault.redirect_to).replace("{{BASE}}",
                                                                                       self.base_url)
            return send(h, 302, b"", "text/plain", head, {"Location": target})
        if fault.huge_bytes:
            return _send_huge(h, fault.huge_bytes, fault.content_type or content_type_for(path, b""), head)
        res = self.resource(path)
        if fault.body is not None:
            body = fault.body.replace(BASE_TOKEN, self.base_url.encode())
            res = Resource(body, content_type_for(path, body), last_modified_for(path))
        if res is None or not_modified(h, res):
            return respond(h, res, head)
        _send_resource(h, res, fault, head)

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


def _retry_after_value(value: Any) -> str:
    if isinstance(value, datetime):
        return format_datetime(value.astimezone(timezone.utc), usegmt=True)
    return str(int(value)) if isinstance(value, (int, float)) else str(value)


def _send_resource(h: Any, res: Resource, fault: Fault, head: bool) -> None:
    ctype = fault.content_type or res.content_type
    if fault.charset:
        ctype = ctype.split(";", 1)[0].strip() + f"; charset={fault.charset}"
    payload, headers = res.body, res.validators()
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
    return send(h, 200, payload, ctype, head, headers)


def _send_slowly_or_cut(h: Any, payload: bytes, ctype: str, head: bool, headers: dict[str, str],
                        fault: Fault) -> None:
    """Full Content-Length, then the body at a trickle, or only half of it before the socket dies."""
    body = payload[: len(payload) // 2] if fault.reset_mid_body else payload
    send_headers(h, 200, len(payload), ctype, headers, sent=0 if head else len(body))
    if head:
        return
    rate = fault.trickle_bytes_per_s
    chunk = max(1, rate // 10) if rate else len(body) or 1
    sent = 0
    for start in range(0, len(body), chunk):
        if h.sample.stopping.is_set():
            break
        h.wfile.write(body[start:start + chunk])
        h.wfile.flush()
        sent += len(body[start:start + chunk])
        if rate:
            h.sample.stopping.wait(chunk / rate)
    if sent < len(payload):
        _reset(h)


def _send_head_slowly(h: Any, payload: bytes, ctype: str, headers: dict[str, str], every_s: float) -> None:
    """The status line and headers one byte every `every_s` seconds, then the body at once."""
    h.record(200, len(payload))
    lines = [f"{h.protocol_version} 200 OK", f"Content-Type: {ctype}", f"Content-Length: {len(payload)}",
             *(f"{k}: {v}" for k, v in headers.items())]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    try:
        for i in range(len(head)):
            if h.sample.stopping.wait(every_s if i else 0):
                return _reset(h)
            h.wfile.write(head[i:i + 1])
            h.wfile.flush()
        h.wfile.write(payload)
    except OSError:  # the client gave up
        h.close_connection = True


def _send_huge(h: Any, size: int, ctype: str, head: bool) -> None:
    send_headers(h, 200, size, ctype, {}, sent=0 if head else size)
    if head:
        return
    block, sent = b"x" * 65536, 0
    while sent < size and not h.sample.stopping.is_set():
        piece = block[: min(len(block), size - sent)]
        h.wfile.write(piece)
        sent += len(piece)
    if sent < size:
        _reset(h)


def _reset(h: Any) -> None:
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
