"""Where the fetcher connects: to the addresses it resolved and checked itself, so that a name answering a
public address to a check and a private one a moment later (DNS rebinding) cannot lead it inside.

httpx resolves a name when it connects, so a check with a lookup of its own checks another answer than the
one dialled. Here the network backend under httpx resolves once, refuses the connection when any answer is
non-public, and dials only the answers it checked. The name itself is untouched: httpcore still hands it to
TLS as the server name (SNI and certificate checks), and the Host header still carries it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

import httpcore
import httpx

_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))  # RFC 6052, RFC 8215
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated, but a stack may still route it over IPv4
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")  # SIIT, RFC 2765


class NonPublicAddress(Exception):
    """A host resolves to a private, loopback, link-local or reserved address: no retry can change that."""


def embedded_ipv4(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, translated, 6to4, NAT64), if any.

    Python counts most of these forms as global whatever they carry, so the carried address is checked too."""
    if ip.version == 4:
        return None
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    if any(ip in net for net in (*_NAT64, _IPV4_COMPATIBLE, _IPV4_TRANSLATED)):
        return ipaddress.IPv4Address(ip.packed[-4:])
    return None


def check_public(host: str, address: str) -> None:
    """NonPublicAddress unless `address` (an answer for `host`) is public, also when an IPv6 address carries
    a private IPv4 one."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    for candidate in (ip, embedded_ipv4(ip)):
        if candidate is not None and (not candidate.is_global or candidate.is_multicast):
            shown = ip if candidate == ip else f"{candidate} (as {ip})"
            raise NonPublicAddress(f"refused {host!r}: it resolves to the non-public address {shown} "
                                   "(set allow_private_addresses only for demos and tests)")


def resolve(host: str, port: int, *, public_only: bool) -> list[str]:
    """The addresses to dial for host:port, in the resolver's order; with `public_only`, NonPublicAddress
    when any of them is not public (a name answering both kinds is not to be trusted with either)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if public_only:
        for address in addresses:
            check_public(host, address)
    return addresses


class PinnedBackend(httpcore.NetworkBackend):
    """Connects to the addresses `resolve` returned, checked when `public_only(host, port)` says so."""

    def __init__(self, inner: httpcore.NetworkBackend, public_only: Callable[[str, int], bool]) -> None:
        self._inner = inner
        self._public_only = public_only

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        try:
            addresses = resolve(host, port, public_only=self._public_only(host, port))
        except socket.gaierror as exc:
            raise httpcore.ConnectError(f"cannot resolve host {host!r}: {exc}") from exc
        failure: Exception | None = None
        for address in addresses:  # like socket.create_connection: the next answer when one cannot be reached
            try:
                return self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"{host!r} resolves to no address")

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("the fetcher connects over TCP only")

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def pin_addresses(transport: httpx.HTTPTransport, public_only: Callable[[str, int], bool]) -> httpx.HTTPTransport:
    """`transport`, its connections made by PinnedBackend over the backend it had."""
    # httpx builds its connection pool without a way to pass a network backend: wrap the one it has.
    pool = transport._pool
    pool._network_backend = PinnedBackend(pool._network_backend, public_only)
    return transport


def host_port(url: str) -> tuple[str, int]:
    """(host, port) of a URL as its connection sees them: the name in lower-case ASCII, the port filled in."""
    try:
        parsed = httpx.URL(url.strip())
    except httpx.InvalidURL:
        return "", 0
    return parsed.raw_host.decode("ascii"), parsed.port or {"http": 80, "https": 443}.get(parsed.scheme, 0)
