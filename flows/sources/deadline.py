"""One deadline for a whole HTTP exchange (connect, TLS, request, status line, headers and body), and a stop
that ends every exchange within a quarter of a second when a run is interrupted.

httpx's timeouts bound each socket operation, so a server sending one byte every second, under the read
timeout, could hold a request for as long as it liked (docs/operations.md, the fault table). Here every socket operation of a request made inside `deadline(s)` waits at most until that
moment, whichever timeout is shorter, and fails with httpx's own timeout errors once it has passed.

On SIGTERM or Ctrl-C the task runner waits for its threads before the process can end, and they were waiting
on servers; `stop_requests()` makes every read give up within READ_SLICE_S and every later request fail at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

_local = threading.local()
_stopping = threading.Event()
READ_SLICE_S = 0.25  # a read waits this long at a time, so that it notices a stop


class Stopped(httpcore.ReadTimeout):
    """The run is being interrupted: no more waiting on servers."""


def stop_requests() -> None:
    """End every exchange in this process now, and refuse new ones (the process is going down)."""
    _stopping.set()


def stopping() -> bool:
    return _stopping.is_set()


def pause(seconds: float) -> None:
    """Sleep, but not past a stop."""
    _stopping.wait(seconds)


@contextmanager
def stop_requests_on_interrupt() -> Iterator[None]:
    """Around a flow's body: SIGTERM (Prefect's TerminationSignal) or Ctrl-C stops its fetches at once."""
    try:
        yield
    except BaseException as exc:
        if not isinstance(exc, Exception):
            stop_requests()
        raise


@contextmanager
def deadline(at: float) -> Iterator[None]:
    """Requests made by this thread inside the block end by time.monotonic() == `at`."""
    previous = getattr(_local, "at", None)
    _local.at = at
    try:
        yield
    finally:
        _local.at = previous


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    """`timeout` cut to what is left of this thread's deadline; `error` once nothing is left."""
    at = getattr(_local, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise error("the whole exchange took longer than its deadline")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read in slices of READ_SLICE_S (a timed-out recv has consumed nothing, so it can be asked again)."""
        ends = None if timeout is None else time.monotonic() + timeout
        while True:
            if _stopping.is_set():
                raise Stopped("stopped: the run is being interrupted")
            left = _bounded(None if ends is None else ends - time.monotonic(), httpcore.ReadTimeout)
            if left is not None and left <= 0:
                raise httpcore.ReadTimeout("timed out")
            wait = READ_SLICE_S if left is None else min(left, READ_SLICE_S)
            try:
                return self._inner.read(max_bytes, wait)
            except httpcore.ReadTimeout:
                if wait == left:
                    raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname,
                                             _bounded(timeout, httpcore.ConnectTimeout)))

    def get_extra_info(self, info: str):
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        return _Stream(self._inner.connect_tcp(host, port, _bounded(timeout, httpcore.ConnectTimeout),
                                               local_address, socket_options))

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        return _Stream(self._inner.connect_unix_socket(path, _bounded(timeout, httpcore.ConnectTimeout),
                                                       socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def deadline_transport(**options) -> httpx.HTTPTransport:
    """httpx's own transport whose sockets honour `deadline`."""
    transport = httpx.HTTPTransport(**options)
    # httpx builds its connection pool without a way to pass a network backend: wrap the one it made.
    pool = transport._pool
    pool._network_backend = _Backend(pool._network_backend)
    return transport
