"""Refusals that no retry can change (a scheme we do not fetch, a non-public address, also hidden in an IPv6
form) are given up at once and never asked again; an ingest where every source failed exits non-zero."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from flows.sources.addresses import NonPublicAddress, resolve
from tests.faults.harness import (
    FEED_PATH,
    GOOD,
    LATE,
    failed,
    fast_settings,
    page_path,
    publish,
    requested,
    rss,
    stored_urls,
    timed_run,
)

MINEWIRE = str(Path(sys.executable).parent / "minewire")
# IPv6 spellings of private IPv4 addresses: NAT64 (RFC 6052 and the local-use 64:ff9b:1::/48), 6to4,
# IPv4-compatible, IPv4-mapped and IPv4-translated.
HIDDEN_PRIVATE = {
    "nat64-loopback": "64:ff9b::7f00:1",
    "nat64-private-10": "64:ff9b::a00:7",
    "nat64-local-use": "64:ff9b:1::a00:7",
    "6to4-loopback": "2002:7f00:1::1",
    "6to4-private-192": "2002:c0a8:101::1",
    "ipv4-compatible-loopback": "::127.0.0.1",
    "ipv4-compatible-private": "::10.0.0.7",
    "ipv4-mapped-metadata": "::ffff:169.254.169.254",
    "ipv4-translated-private": "::ffff:0:a00:7",
}
REBINDING = "rebinding.test"  # a name whose resolver answers differently each time it is asked
PUBLIC = "8.8.8.8"
INSIDE = "globenewswire/faults/inside.html"


@pytest.fixture
def loopback_only(monkeypatch):
    """Fail the test if anything tries to open a connection beyond 127.0.0.1."""
    real, tried = socket.create_connection, []

    def guarded(address, *args, **kwargs):
        tried.append(address[0])
        if address[0] != "127.0.0.1":
            raise AssertionError(f"connection attempted to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return tried


@pytest.fixture
def rebinding_dns(monkeypatch):
    """DNS rebinding in-process: REBINDING answers PUBLIC to its first lookup and 127.0.0.1 to every later one
    (a TTL-0 record an attacker flips). This test machine reaches only 127.0.0.1: a connection to any other
    address is refused as unreachable, and recorded; returns the addresses (or names) dialled."""
    real_lookup, real_connect = socket.getaddrinfo, socket.create_connection
    lookups, dialled = [], []

    def lookup(host, port, *args, **kwargs):
        if host != REBINDING:
            return real_lookup(host, port, *args, **kwargs)
        lookups.append(host)
        return real_lookup(PUBLIC if len(lookups) == 1 else "127.0.0.1", port, *args, **kwargs)

    def connect(address, *args, **kwargs):
        dialled.append(address[0])
        if address[0] not in ("127.0.0.1", REBINDING):  # a name goes on to the lookup above
            raise ConnectionRefusedError(f"{address[0]} is unreachable from the test machine")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket, "create_connection", connect)
    return dialled


@pytest.mark.parametrize("hop", ["feed link", "redirect"])
def test_name_that_rebinds_to_loopback_after_the_check_is_refused_before_any_request(sample_server, warehouse,
                                                                                     rebinding_dns, hop):
    inside = f"http://{REBINDING}:{sample_server.port}/{INSIDE}"
    sample_server.put(INSIDE, b"<html><body><article><p>internal admin page</p></article></body></html>", "text/html")
    if hop == "feed link":
        publish(sample_server, GOOD, extra_urls=[inside])
        refused = inside
    else:
        refused = publish(sample_server, [*GOOD, "redirects-inside"])["redirects-inside"]
        sample_server.fault(page_path("redirects-inside"), redirect_to=inside)
    report = timed_run(fast_settings(sample_server, warehouse, allow_private_addresses=False, retries=1))
    assert not [r for r in sample_server.requests if r.path.endswith(INSIDE)]  # asked nothing
    assert (len(report.stored), report.failed) == (2, 1)
    attempts, reason, status = failed(warehouse)[refused]
    assert "non-public address 127.0.0.1" in reason and (attempts, status) == (1, "given up"), reason
    # Only the trusted base URL and the one address that passed the check were dialled (the first attempt went
    # to PUBLIC, unreachable here; the retry's lookup answered 127.0.0.1 and was refused without a connection).
    assert set(rebinding_dns) == {"127.0.0.1", PUBLIC}


@pytest.mark.parametrize("address", HIDDEN_PRIVATE.values(), ids=HIDDEN_PRIVATE.keys())
def test_resolve_refuses_private_ipv4_in_ipv6_forms(address):
    with pytest.raises(NonPublicAddress, match="non-public address"):
        resolve(address, 80, public_only=True)


@pytest.mark.parametrize("address", ["64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8", "8.8.8.8"])
def test_resolve_lets_public_ipv4_in_ipv6_forms_through(address):
    assert resolve(address, 80, public_only=True) == [address]  # no DNS: literal addresses resolve locally


def test_feed_links_to_private_addresses_in_ipv6_forms_are_refused(sample_server, warehouse, loopback_only):
    links = [f"http://[{a}]:{sample_server.port}/globenewswire/faults/inside.html" for a in HIDDEN_PRIVATE.values()]
    urls = publish(sample_server, GOOD, extra_urls=links)
    report = timed_run(fast_settings(sample_server, warehouse, allow_private_addresses=False))
    assert (len(report.stored), report.failed) == (2, len(links))
    assert stored_urls(warehouse) == Counter(urls.values())
    for link in links:
        assert "non-public address" in failed(warehouse)[link][1]
    assert set(loopback_only) == {"127.0.0.1"}


def test_permanent_refusals_are_given_up_at_once_and_never_asked_again(sample_server, warehouse):
    refused = ["http://10.0.0.7/admin", "file:///etc/passwd", sample_server.url(page_path("moved-to-ftp"))]
    publish(sample_server, GOOD, extra_urls=refused)
    sample_server.fault(page_path("moved-to-ftp"), redirect_to="ftp://files.example.invalid/deal.html")
    settings = fast_settings(sample_server, warehouse, allow_private_addresses=False, retries=3)
    report = timed_run(settings)
    assert (len(report.stored), report.failed) == (2, 3)
    assert requested(sample_server, page_path("moved-to-ftp")) == 1  # not retried within the run either
    for url in refused:
        attempts, reason, status = failed(warehouse)[url]
        assert (attempts, status) == (1, "given up"), (url, reason)
    # A changed feed still lists them (they would be retried whatever their date, were they not given up).
    late = publish(sample_server, [LATE])[LATE]
    sample_server.put(FEED_PATH, rss(sample_server, [*(sample_server.url(page_path(s)) for s in GOOD), *refused,
                                                     late]), "application/rss+xml")
    sample_server.clear_log()
    report = timed_run(settings)
    assert (len(report.stored), report.failed, report.skipped) == (1, 0, 5)
    assert requested(sample_server, page_path("moved-to-ftp")) == 0


def test_cli_ingest_where_every_source_failed_exits_non_zero(tmp_path, closed_port, sample_server):
    publish(sample_server, GOOD)
    toml = (f'retries = 0\nallow_private_addresses = true\n\n[base_urls]\nglobenewswire = "{closed_port}"\n'
            f'gone = "{sample_server.url("globenewswire/faults/no-such-feed.xml")}"\n'
            f'wire = "{sample_server.base_url}"\n\n'
            '[[sources]]\nname = "down-wire"\nkind = "rss"\nurl = "{globenewswire}/faults/feed.xml"\n\n'
            '[[sources]]\nname = "gone-wire"\nkind = "rss"\nurl = "{gone}"\n')
    (tmp_path / "minewire.toml").write_text(toml)
    env = {**os.environ, "MINEWIRE_DEBUG": "", "PREFECT_HOME": str(tmp_path / "prefect")}
    command = [MINEWIRE, "-w", str(tmp_path / "w.duckdb"), "ingest", "--no-extract"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "every source failed" in result.stderr and "Traceback" not in result.stderr
    assert "down-wire" in result.stderr and "gone-wire" in result.stderr
    # One source that works is enough for the run to succeed (its failed documents are on the retry list).
    (tmp_path / "minewire.toml").write_text(toml + '\n[[sources]]\nname = "up-wire"\nkind = "rss"\n'
                                            'url = "{wire}/globenewswire/faults/feed.xml"\n')
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=300, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "stored 2" in result.stdout
