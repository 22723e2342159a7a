"""Connections go to the address that was resolved (and checked) once, while TLS and the Host header keep the
name: a real HTTPS server on 127.0.0.1 with a certificate for a made-up name, found through a stand-in resolver."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import trustme

from flows.settings import Settings
from flows.sources import http
from flows.sources.errors import FetchError
from flows.sources.http import Fetcher

NAME = "shop.test"
PAGE = b"<html><body><p>A page about a mining site sale.</p></body></html>"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self.server.hosts.append(self.headers["Host"])
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


@pytest.fixture
def ca(tmp_path, monkeypatch):
    """A test CA the fetcher trusts, as a user's own CA is trusted: through SSL_CERT_FILE."""
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    http._ssl_context.cache_clear()
    yield authority
    http._ssl_context.cache_clear()


@contextmanager
def serve_tls(ca: trustme.CA, cert_name: str) -> Iterator[ThreadingHTTPServer]:
    """An HTTPS server on 127.0.0.1 presenting a certificate for `cert_name`; it notes SNI names and Host headers."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ca.issue_cert(cert_name).configure_cert(context)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.hosts, server.server_names = [], []
    context.sni_callback = lambda _sock, name, _ctx: server.server_names.append(name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def resolver(monkeypatch):
    """NAME answers the addresses in `answers` (127.0.0.1 unless a test changes it); returns what was dialled."""
    real_lookup, real_connect = socket.getaddrinfo, socket.create_connection
    answers, dialled = ["127.0.0.1"], []

    def lookup(host, port, *args, **kwargs):
        if host != NAME:
            return real_lookup(host, port, *args, **kwargs)
        return [info for address in answers for info in real_lookup(address, port, *args, **kwargs)]

    def connect(address, *args, **kwargs):
        dialled.append(address[0])
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket, "create_connection", connect)
    return answers, dialled


def fetch(url: str) -> http.Response:
    settings = Settings(allow_private_addresses=True, retries=0, timeout_s=5.0)
    with Fetcher(settings, backoff_s=0.01) as fetcher:
        return fetcher.get(url)


def test_pinned_connection_verifies_tls_and_sends_the_name(ca, resolver):
    with serve_tls(ca, NAME) as server:
        resp = fetch(f"https://{NAME}:{server.server_port}/page.html")
    assert resp.status == 200 and resp.content == PAGE
    assert resolver[1] == ["127.0.0.1"]  # the resolved address was dialled, not the name (a second lookup)
    assert server.server_names == [NAME] and server.hosts == [f"{NAME}:{server.server_port}"]


def test_pinned_connection_refuses_a_certificate_for_another_name(ca, resolver):
    with serve_tls(ca, "elsewhere.test") as server, pytest.raises(FetchError, match="CERTIFICATE_VERIFY_FAILED"):
        fetch(f"https://{NAME}:{server.server_port}/page.html")
    assert server.hosts == []  # no request was sent over the unverified connection


def test_pinned_connection_tries_the_next_address_when_one_is_unreachable(ca, resolver):
    answers, dialled = resolver
    answers[:] = ["::1", "127.0.0.1"]  # nothing listens on ::1 (the server binds 127.0.0.1 only)
    with serve_tls(ca, NAME) as server:
        assert fetch(f"https://{NAME}:{server.server_port}/page.html").content == PAGE
    assert dialled == ["::1", "127.0.0.1"]
