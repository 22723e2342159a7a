"""The demo's loopback sample server serves like a well-behaved host, and the bundled sample site hangs together."""

from __future__ import annotations

import json
import re
import threading
import tomllib
from pathlib import Path

import httpx
import pytest

from flows.demo.server import SAMPLE_SITE, SampleServer

SAMPLE_DIR = SAMPLE_SITE.parent
FEED = "globenewswire/RssFeed/industry/mining.xml"


@pytest.fixture(scope="module")
def server():
    with SampleServer() as srv:
        yield srv


@pytest.fixture()
def sample(server):
    """The shared server with a clean log."""
    server.clear_log()
    return server


def test_sample_server_substitutes_base_in_served_pages(sample):
    text = httpx.get(sample.url(FEED)).text
    assert "{{BASE}}" not in text
    assert f"<link>{sample.base_url}/globenewswire/news-release/" in text


def test_sample_server_base_urls_name_each_top_level_dir(sample):
    assert sample.base_urls() == {
        name: f"{sample.base_url}/{name}" for name in ("globenewswire", "sec_data", "sec_www", "theminermag")
    }


@pytest.mark.parametrize("validator", ["etag", "last-modified"])
def test_sample_server_answers_304_to_matching_validator(sample, validator):
    first = httpx.get(sample.url(FEED))
    header = {"etag": "If-None-Match", "last-modified": "If-Modified-Since"}[validator]
    again = httpx.get(sample.url(FEED), headers={header: first.headers[validator]})
    assert (first.status_code, again.status_code, again.content) == (200, 304, b"")


def test_sample_server_answers_200_to_stale_etag(sample):
    assert httpx.get(sample.url(FEED), headers={"If-None-Match": '"stale"'}).status_code == 200


@pytest.mark.parametrize(("accept", "encoding"), [("gzip, deflate", "gzip"), ("identity", None)])
def test_sample_server_gzips_only_when_client_accepts(sample, accept, encoding):
    response = httpx.get(sample.url(FEED), headers={"Accept-Encoding": accept})
    assert response.headers.get("content-encoding") == encoding
    assert "<rss" in response.text


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (FEED, "application/rss+xml"),
        ("theminermag/feed/atom.xml", "application/atom+xml"),
        ("sec_data/submissions/CIK0001167419.json", "application/json"),
        ("theminermag/news/2024-07-23/riot-acquires-block-mining-kentucky/", "text/html"),
    ],
)
def test_sample_server_types_content_by_extension(sample, path, content_type):
    response = httpx.get(sample.url(path))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)


def test_sample_server_answers_404_for_unknown_path(sample):
    assert httpx.get(sample.url("globenewswire/nope.html")).status_code == 404


def test_sample_server_head_sends_headers_without_body(sample):
    response = httpx.head(sample.url(FEED))
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_sample_server_put_serves_a_resource_from_memory(sample):
    sample.put("/extra/page.html", b"<a href='{{BASE}}/x'>x</a>")
    response = httpx.get(sample.url("extra/page.html"))
    assert response.text == f"<a href='{sample.base_url}/x'>x</a>"
    assert response.headers["content-type"].startswith("text/html")


def test_sample_server_logs_requests(sample):
    httpx.get(sample.url(FEED), headers={"User-Agent": "minewire-test"})
    [entry] = sample.requests
    assert (entry.method, entry.path, entry.status) == ("GET", "/" + FEED, 200)
    assert entry.headers["User-Agent"] == "minewire-test" and entry.bytes_sent > 0


def test_sample_server_refuses_non_loopback_host():
    with pytest.raises(ValueError, match="loopback"):
        SampleServer(host="0.0.0.0")


def test_sample_server_stop_joins_its_threads():
    before = set(threading.enumerate())
    srv = SampleServer().start()
    with httpx.Client() as client:  # leaves an idle keep-alive connection open on purpose
        client.get(srv.url(FEED))
        srv.stop()
    assert set(threading.enumerate()) <= before


# -- the sample data ---------------------------------------------------------------------------------
def _expected() -> dict:
    return json.loads((SAMPLE_DIR / "expected.json").read_text())


def test_sample_expected_documents_are_served(sample):
    paths = [d["doc_url_path"] for d in _expected()["deals"]] + _expected()["no_deal"]
    assert len(set(paths)) >= 30
    assert [p for p in set(paths) if httpx.get(sample.url(p)).status_code != 200] == []


def test_sample_links_to_the_sample_all_resolve(sample):
    linked = set()
    for file in SAMPLE_SITE.rglob("*"):
        if file.suffix in {".xml", ".html", ".htm"}:
            linked |= set(re.findall(r"\{\{BASE\}\}/((?:globenewswire/news-release|theminermag/news|sec_www/Archives)"
                                     r"/[^\"'<\s]+)", file.read_text()))
    assert linked
    assert [p for p in sorted(linked) if httpx.get(sample.url(p)).status_code != 200] == []


@pytest.mark.parametrize("file", sorted(SAMPLE_SITE.glob("sec_data/submissions/*.json")), ids=lambda f: f.name)
def test_sample_submissions_arrays_are_parallel(file: Path):
    data = json.loads(file.read_text())
    arrays = data["filings"]["recent"] if "filings" in data else data
    assert len({len(v) for v in arrays.values()}) == 1


def test_sample_sources_name_known_kinds():
    sources = tomllib.loads((SAMPLE_DIR / "sources.toml").read_text())["sources"]
    assert {s["kind"] for s in sources} == {"rss", "atom", "edgar"}
    assert len({s["name"] for s in sources}) == len(sources)
