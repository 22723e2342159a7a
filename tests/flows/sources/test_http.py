"""The fetcher against a real loopback server: conditional GET, retries, caps, redirects, SSRF, rate limit."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest

from flows.settings import Settings
from flows.sources.errors import FetchError, MissingUserAgent, SourceError, is_transient, retry_after_s
from flows.sources.http import Fetcher
from tests.support.faulty_server import FaultyServer

UA = "minewire-tests ops@example.com"
PAGE = b"<html><body><p>A page about a mining site sale.</p></body></html>"


@pytest.fixture()
def server(tmp_path):
    (tmp_path / "www").mkdir()
    (tmp_path / "sec").mkdir()
    with FaultyServer(tmp_path) as srv:
        srv.put("/www/page.html", PAGE, "text/html; charset=utf-8")
        srv.put("/sec/data.json", b'{"ok": true}', "application/json")
        yield srv


def make_settings(srv: FaultyServer, **overrides) -> Settings:
    # The wire is addressed as localhost and the SEC as 127.0.0.1: two hosts on one loopback server.
    wire = f"http://localhost:{srv.port}/www"
    values = dict(base_urls={"globenewswire": wire, "sec_data": srv.url("sec"), "sec_www": srv.url("sec")},
                  sec_user_agent=UA, retries=2, timeout_s=5.0)
    return Settings(**{**values, **overrides})


def fetcher_for(srv: FaultyServer, **overrides) -> Fetcher:
    return Fetcher(make_settings(srv, **overrides), backoff_s=0.01, max_retry_wait_s=2.0)


@pytest.mark.parametrize("value, expected", [
    (429, True), (500, True), (503, True), (404, False), (400, False), (200, False), (None, False),
    (httpx.ConnectError("refused"), True), (httpx.ReadTimeout("slow"), True),
    (FetchError("x", url="u", transient=False), False), (FetchError("x", url="u"), True), (ValueError("x"), False),
])
def test_is_transient_classifies_statuses_and_errors(value, expected):
    assert is_transient(value) is expected


def test_retry_after_reads_seconds_and_http_dates():
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    assert retry_after_s("7") == 7.0
    assert retry_after_s(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == pytest.approx(30)
    assert retry_after_s("soon") is None
    assert retry_after_s(None) is None


def test_fetcher_conditional_get_returns_not_modified(server):
    url = server.url("www/page.html")
    with fetcher_for(server) as first:
        resp = first.get(url)
    assert resp.status == 200 and resp.content == PAGE and not resp.not_modified
    assert url in first.validators
    with fetcher_for(server) as second:
        second.remember(first.validators)
        again = second.get(url)
    assert again.not_modified and again.status == 304 and again.content == b""
    assert server.requests[-1].headers.get("If-None-Match") == first.validators[url][0]
    assert second.log[-1].not_modified


def test_fetcher_unconditional_get_sends_no_validators(server):
    url = server.url("www/page.html")
    with fetcher_for(server) as fetcher:
        fetcher.remember({url: ('"abc"', None)})
        assert fetcher.get(url, conditional=False).status == 200
    assert "If-None-Match" not in server.requests[-1].headers


def test_fetcher_retries_transient_status_then_succeeds(server):
    server.fault("www/page.html", status=[503, 502], retry_after=0)
    with fetcher_for(server) as fetcher:
        resp = fetcher.get(server.url("www/page.html"), source="wire")
    assert resp.content == PAGE
    assert [r.status for r in fetcher.log] == [503, 502, 200]
    assert all(r.source == "wire" for r in fetcher.log)


def test_fetcher_honours_retry_after_seconds(server):
    server.fault("www/page.html", status=[429], retry_after=1)
    started = time.monotonic()
    with fetcher_for(server) as fetcher:
        assert fetcher.get(server.url("www/page.html")).status == 200
    assert time.monotonic() - started >= 0.9


def test_fetcher_caps_a_long_retry_after(server):
    server.fault("www/page.html", status=[503], retry_after=3600)
    started = time.monotonic()
    with Fetcher(make_settings(server), max_retry_wait_s=0.1) as fetcher:
        assert fetcher.get(server.url("www/page.html")).status == 200
    assert time.monotonic() - started < 5


def test_fetcher_does_not_retry_client_errors(server):
    with fetcher_for(server) as fetcher, pytest.raises(FetchError) as err:
        fetcher.get(server.url("www/missing.html"))
    assert err.value.status == 404 and not err.value.transient
    assert len(fetcher.log) == 1 and "404" in str(err.value)


def test_fetcher_gives_up_after_the_retry_budget(server):
    server.fault("www/page.html", status=[500] * 10)
    with fetcher_for(server, retries=2) as fetcher, pytest.raises(FetchError) as err:
        fetcher.get(server.url("www/page.html"))
    assert err.value.transient and len(fetcher.log) == 3


@pytest.mark.parametrize("fault, transient", [
    ({"reset_mid_body": True}, True),
    ({"truncated_gzip": True}, True),
    ({"corrupt_gzip": True}, False),
])
def test_fetcher_reports_broken_bodies(server, fault, transient):
    server.fault("www/page.html", **fault)
    with fetcher_for(server, retries=1) as fetcher, pytest.raises(FetchError) as err:
        fetcher.get(server.url("www/page.html"))
    assert err.value.transient is transient
    assert all(r.error for r in fetcher.log)


def test_fetcher_decodes_gzip_bodies(server):
    with fetcher_for(server) as fetcher:
        assert fetcher.get(server.url("www/page.html")).content == PAGE
    assert "gzip" in server.requests[-1].headers.get("Accept-Encoding", "")


def test_fetcher_refuses_a_response_over_the_size_cap(server):
    server.fault("www/big.bin", huge_bytes=5_000_000)
    with fetcher_for(server, max_response_bytes=100_000) as fetcher, pytest.raises(FetchError) as err:
        fetcher.get(server.url("www/big.bin"))
    assert "limit" in str(err.value) and not err.value.transient


def test_fetcher_follows_redirects_up_to_the_limit(server):
    server.fault("www/old.html", redirect_to="{{BASE}}/www/page.html")
    with fetcher_for(server) as fetcher:
        resp = fetcher.get(server.url("www/old.html"))
    assert resp.url.endswith("/www/page.html") and resp.content == PAGE
    assert [r.status for r in fetcher.log] == [302, 200]


@pytest.mark.parametrize("fault", [{"redirect_loop": True}, {"redirect_to": "file:///etc/passwd"},
                                   {"redirect_to": "ftp://127.0.0.1/x"}])
def test_fetcher_refuses_loops_and_non_http_redirects(server, fault):
    server.fault("www/old.html", **fault)
    with fetcher_for(server, max_redirects=3) as fetcher, pytest.raises(FetchError) as err:
        fetcher.get(server.url("www/old.html"))
    assert not err.value.transient
    assert len(fetcher.log) <= 4


def test_fetcher_times_out_on_a_trickling_server(server):
    server.fault("www/page.html", trickle_bytes_per_s=20)
    with fetcher_for(server, timeout_s=0.5, retries=0) as fetcher, pytest.raises(FetchError) as err:
        fetcher.get(server.url("www/page.html"))
    assert err.value.transient


@pytest.mark.parametrize("host", ["127.0.0.2", "0.0.0.0", "127.1", "[::1]"])
def test_fetcher_refuses_private_hosts_from_feeds(server, host):
    with fetcher_for(server) as fetcher, pytest.raises(FetchError) as err:
        fetcher.get(f"http://{host}:{server.port}/www/page.html")
    assert not err.value.transient
    assert not server.requests  # refused before connecting


@pytest.fixture()
def other(tmp_path):
    """A second loopback server: its origin is in no base URL, like a link found in a feed."""
    (tmp_path / "elsewhere").mkdir()
    with FaultyServer(tmp_path / "elsewhere") as srv:
        srv.put("/page.html", PAGE, "text/html")
        yield srv


def test_fetcher_allows_private_hosts_only_when_told_to(server, other):
    with fetcher_for(server) as fetcher, pytest.raises(FetchError, match="non-public"):
        fetcher.get(other.url("page.html"))
    assert not other.requests
    with fetcher_for(server, allow_private_addresses=True) as fetcher:
        assert fetcher.get(other.url("page.html")).content == PAGE


def test_fetcher_checks_every_redirect_hop(server, other):
    server.fault("www/old.html", redirect_to=other.url("page.html"))
    with fetcher_for(server) as fetcher, pytest.raises(FetchError, match="non-public"):
        fetcher.get(f"http://localhost:{server.port}/www/old.html")
    assert len(server.requests) == 1 and not other.requests


def test_fetcher_rate_limits_sec_hosts_across_threads(server):
    from concurrent.futures import ThreadPoolExecutor

    with fetcher_for(server, sec_requests_per_s=20.0) as fetcher:
        started = time.monotonic()
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: fetcher.get(server.url("sec/data.json"), conditional=False), range(6)))
        elapsed = time.monotonic() - started
    assert elapsed >= 5 / 20 - 0.02  # six requests need at least five gaps of 50 ms


def test_fetcher_sends_sec_user_agent_only_to_sec_hosts(server):
    with fetcher_for(server) as fetcher:
        fetcher.get(server.url("sec/data.json"))
        fetcher.get(f"http://localhost:{server.port}/www/page.html")
    sec, other = server.requests[-2:]
    assert sec.headers["User-Agent"] == UA
    assert "example.com" not in other.headers["User-Agent"]
    assert all(UA not in repr(record) for record in fetcher.log)


@pytest.mark.parametrize("agent", [None, "", "minewire without a contact"])
def test_fetcher_needs_a_contact_user_agent_for_sec(server, agent):
    with fetcher_for(server, sec_user_agent=agent) as fetcher, pytest.raises(MissingUserAgent):
        fetcher.get(server.url("sec/data.json"))
    assert not server.requests


def test_fetcher_refuses_non_http_urls(server):
    with fetcher_for(server) as fetcher, pytest.raises(SourceError, match="only http and https"):
        fetcher.get("file:///etc/passwd")


def test_fetcher_works_with_a_mock_transport():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"ok", headers={"ETag": '"v1"'})

    settings = Settings(base_urls={"globenewswire": "https://wire.test"})
    with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
        resp = fetcher.get("https://wire.test/feed.xml")
    assert resp.content == b"ok" and fetcher.validators["https://wire.test/feed.xml"] == ('"v1"', None)
