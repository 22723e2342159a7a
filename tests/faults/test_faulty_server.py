"""The tests' faulty server breaks the client in each way it is told to, and only as often as told."""

from __future__ import annotations

import gzip

import httpx
import pytest

from tests.support.faulty_server import FaultyServer

FEED = "globenewswire/RssFeed/industry/mining.xml"


@pytest.fixture()
def sample():
    """A faulty server of its own for each test: a fault never outlives the test that set it."""
    with FaultyServer() as server:
        yield server


def test_faulty_server_serves_fault_statuses_then_the_file(sample):
    sample.fault(FEED, status=[503, 429], retry_after=7)
    answers = [httpx.get(sample.url(FEED)) for _ in range(3)]
    assert [r.status_code for r in answers] == [503, 429, 200]
    assert answers[0].headers["retry-after"] == "7"
    assert "<rss" in answers[2].text


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ({"reset_mid_body": True}, httpx.TransportError),
        ({"corrupt_gzip": True}, httpx.DecodingError),
        ({"redirect_loop": True}, httpx.TooManyRedirects),
        ({"delay_s": 2.0}, httpx.ReadTimeout),
    ],
)
def test_faulty_server_fault_breaks_the_client(sample, kind, error):
    sample.fault(FEED, **kind)
    with pytest.raises(error):
        httpx.get(sample.url(FEED), follow_redirects=True, timeout=0.5)


@pytest.mark.parametrize(
    ("kind", "header", "value"),
    [
        ({"charset": "iso-8859-1"}, "content-type", "application/rss+xml; charset=iso-8859-1"),
        ({"content_type": "text/html"}, "content-type", "text/html"),
        ({"redirect_to": "ftp://example.invalid/feed"}, "location", "ftp://example.invalid/feed"),
        ({"huge_bytes": 3_000_000}, "content-length", "3000000"),
    ],
)
def test_faulty_server_fault_sets_header(sample, kind, header, value):
    sample.fault(FEED, **kind)
    with httpx.stream("GET", sample.url(FEED)) as response:
        assert response.headers[header] == value


def test_faulty_server_fault_times_limits_how_often_it_applies(sample):
    sample.fault(FEED, body=b"<html>not a feed</html>", times=1)
    bodies = [httpx.get(sample.url(FEED)).text for _ in range(2)]
    assert bodies[0] == "<html>not a feed</html>" and "<rss" in bodies[1]


def test_faulty_server_truncated_gzip_sends_short_stream(sample):
    sample.fault(FEED, truncated_gzip=True)
    with httpx.stream("GET", sample.url(FEED), headers={"Accept-Encoding": "identity"}) as raw:
        body = b"".join(raw.iter_raw())
    assert raw.headers["content-encoding"] == "gzip" and len(body) == int(raw.headers["content-length"])
    with pytest.raises(EOFError):
        gzip.decompress(body)
