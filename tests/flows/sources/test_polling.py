"""poll_source against the loopback server serving tests/cases/sources: feeds, pages and EDGAR."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.settings import Settings, SourceConfig
from flows.sources.errors import MissingUserAgent
from flows.sources.http import Fetcher
from flows.sources.polling import poll_source
from models.records import PollResult, SourceState, normalise_url
from tests.support.faulty_server import FaultyServer

CASES = Path(__file__).resolve().parents[2] / "cases" / "sources"
WIRE = SourceConfig(name="wire", kind="rss", url="{globenewswire}/rss/mining-deals.xml")
TRADE = SourceConfig(name="trade", kind="atom", url="{theminermag}/feed.atom")
NORTHWIND = SourceConfig(name="edgar-northwind", kind="edgar", cik="9990001", group="edgar")
BOREALIS = SourceConfig(name="edgar-borealis", kind="edgar", cik="0009990002", group="edgar")
KESTREL = SourceConfig(name="edgar-kestrel", kind="edgar", cik="9990003", group="edgar")
MISSING = "globenewswire/news-release/2026/03/06/missing-page.html"


@pytest.fixture()
def server():
    with FaultyServer(CASES) as srv:
        yield srv


def make_settings(srv: FaultyServer, **overrides) -> Settings:
    values = dict(base_urls=srv.base_urls(), sec_user_agent="minewire-tests ops@example.com",
                  edgar_forms=["8-K", "6-K"], retries=1, timeout_s=5.0)
    return Settings(**{**values, **overrides})


def poll(srv: FaultyServer, source: SourceConfig, state: SourceState | None = None, **kwargs) -> PollResult:
    settings = make_settings(srv, **kwargs.pop("settings", {}))
    with Fetcher(settings, (state or SourceState()).validators, backoff_s=0.01) as fetcher:
        result = poll_source(source, settings, state or SourceState(), fetcher=fetcher, **kwargs)
    assert result.seen == len(result.documents) + len(result.failures) + result.skipped
    return result


def state_after(result: PollResult, previous: SourceState | None = None) -> SourceState:
    """What the warehouse would remember after storing `result` (the lead's loader does this for real)."""
    state = previous or SourceState()
    state.cursor = result.cursor
    state.validators.update(result.validators)
    for doc in result.documents:
        state.known_keys.add(doc.key)
        state.known_urls.update(normalise_url(u) for u in (doc.url, doc.canonical_url) if u)
    for failure in result.failures:
        state.retry_urls[failure.url] = state.retry_urls.get(failure.url, 0) + 1
    for url in result.recovered_urls:
        state.retry_urls.pop(url, None)
    return state


def test_poll_source_reads_a_wire_feed_and_its_pages(server):
    result = poll(server, WIRE)
    titles = sorted(d.title for d in result.documents)
    assert titles == ["Aurora Compute Signs 120 MW Hosting Agreement in West Texas",
                      "Northwind Hashing Agrees to Sell Its 48 MW Lac-Vert Site"]
    (failure,) = result.failures
    assert failure.url == server.url(MISSING) and "404" in failure.reason and not failure.transient
    assert result.cursor == "2026-03-06T09:00:00+00:00"
    assert list(result.validators) == [server.url("globenewswire/rss/mining-deals.xml")]
    assert all(d.source == "wire" and d.issuer for d in result.documents)
    assert {r.source for r in result.fetches} == {"wire"} and len(result.fetches) == 4


def test_poll_source_keeps_the_feed_order_whatever_order_the_pages_answer_in(server):
    # The store order is the extraction order, and matching mentions to deals depends on it: documents in
    # the order pages answered made two runs over the same sources give different deals (403, 405, 408).
    server.fault("globenewswire/news-release/2026/03/02/northwind-sells-site.html", delay_s=0.4)
    result = poll(server, WIRE)
    assert [d.title for d in result.documents] == ["Northwind Hashing Agrees to Sell Its 48 MW Lac-Vert Site",
                                                   "Aurora Compute Signs 120 MW Hosting Agreement in West Texas"]
    answered = [r.path for r in server.requests if ".html" in r.path and "missing" not in r.path]
    assert "northwind" in answered[-1], answered  # the first item's page did answer last


@pytest.mark.parametrize("source, documents", [(TRADE, 2), (NORTHWIND, 2), (BOREALIS, 2), (KESTREL, 2)])
def test_poll_source_second_poll_of_unchanged_source_is_conditional_and_empty(server, source, documents):
    first = poll(server, source)
    assert len(first.documents) == documents and not first.failures
    server.clear_log()
    second = poll(server, source, state_after(first))
    assert second.documents == [] and second.failures == []
    assert server.requests and all(r.status == 304 for r in server.requests)
    assert all("If-None-Match" in r.headers for r in server.requests)
    assert second.validators == {} and second.cursor == first.cursor


def test_poll_source_refetches_only_what_failed_last_time(server):
    state = state_after(poll(server, WIRE))
    server.put(MISSING, b"<html><body><p>The page is back: Gone Mining sold its mill.</p></body></html>",
               "text/html")
    server.clear_log()
    result = poll(server, WIRE, state)
    assert [d.url for d in result.documents] == [server.url(MISSING)]
    assert result.recovered_urls == [server.url(MISSING)] and result.skipped == 2
    assert sorted(r.path for r in server.requests) == sorted(["/globenewswire/rss/mining-deals.xml", "/" + MISSING])


def test_poll_source_gives_up_after_max_attempts(server):
    state = state_after(poll(server, WIRE))
    state.retry_urls[server.url(MISSING)] = 5
    server.clear_log()
    result = poll(server, WIRE, state, settings={"max_fetch_attempts": 5})
    assert result.documents == [] and result.failures == []
    assert [r.status for r in server.requests] == [304]  # nothing left to retry: a conditional GET is enough
    server.put("globenewswire/rss/mining-deals.xml", (CASES / "globenewswire/rss/mining-deals.xml").read_bytes()
               .replace(b"<title>A release", b"<title>Edited: a release"), "application/rss+xml")
    changed = poll(server, WIRE, state, settings={"max_fetch_attempts": 5})
    assert changed.documents == [] and changed.skipped == 3
    assert all(r.path != "/" + MISSING for r in server.requests)


def test_poll_source_skips_items_older_than_the_cursor(server):
    result = poll(server, WIRE, SourceState(cursor="2026-03-04T00:00:00+00:00"))
    assert [d.title for d in result.documents] == ["Aurora Compute Signs 120 MW Hosting Agreement in West Texas"]
    assert result.skipped == 1 and len(result.failures) == 1


def test_poll_source_keeps_going_when_one_page_breaks(server):
    server.fault("globenewswire/news-release/2026/03/05/aurora-hosting.html", reset_mid_body=True)
    result = poll(server, WIRE)
    assert [d.title for d in result.documents] == ["Northwind Hashing Agrees to Sell Its 48 MW Lac-Vert Site"]
    reasons = {f.url.rsplit("/", 1)[-1]: f for f in result.failures}
    assert reasons["aurora-hosting.html"].transient and not reasons["missing-page.html"].transient


@pytest.mark.parametrize("fault, reason", [
    ({"status": [503] * 5}, "HTTP 503"),
    ({"body": b"\x00\x01 this is not xml"}, "malformed XML"),
    ({"huge_bytes": 3_000_000}, "limit"),
])
def test_poll_source_reports_one_failure_for_a_broken_feed(server, fault, reason):
    server.fault("globenewswire/rss/mining-deals.xml", **fault)
    result = poll(server, WIRE, settings={"max_response_bytes": 1_000_000})
    assert result.documents == [] and len(result.failures) == 1 and result.seen == 1
    assert reason in result.failures[0].reason


def test_poll_source_refuses_feed_links_to_private_hosts(server):
    feed = (f"<rss><channel><item><title>Internal</title><link>http://127.0.0.2:{server.port}/admin</link>"
            "<pubDate>Mon, 02 Mar 2026 10:00 GMT</pubDate></item></channel></rss>").encode()
    server.put("globenewswire/rss/evil.xml", feed, "application/rss+xml")
    source = SourceConfig(name="evil", kind="rss", url="{globenewswire}/rss/evil.xml")
    (failure,) = poll(server, source).failures
    assert "non-public address" in failure.reason


def test_poll_source_needs_a_sec_user_agent_before_any_request(server):
    with pytest.raises(MissingUserAgent, match="MINEWIRE_SEC_USER_AGENT"):
        poll(server, NORTHWIND, settings={"sec_user_agent": None})
    assert server.requests == []


def test_poll_source_keys_filing_documents_by_accession_and_file(server):
    result = poll(server, BOREALIS)
    assert sorted(d.key for d in result.documents) == ["0009990002-26-000007/ex99-1.htm",
                                                       "0009990002-26-000007/form6-k.htm"]
    assert all(d.kind == "filing" and d.form == "6-K" and d.date_source == "edgar" for d in result.documents)
    assert result.cursor == "2026-02-27"
    assert all("User-Agent" in r.headers for r in server.requests)


def test_poll_source_skips_filings_already_stored(server):
    state = SourceState(known_keys={"0009990001-26-000012/nwhx-20260302.htm", "0009990001-26-000012/ex99-1.htm"})
    result = poll(server, NORTHWIND, state)
    assert result.documents == [] and result.skipped == 1
    assert [r.path for r in server.requests] == ["/sec_data/submissions/CIK0009990001.json"]


def test_poll_source_backfills_older_filings_from_paginated_pages(server):
    result = poll(server, NORTHWIND, since=date(2024, 1, 1), until=date(2024, 12, 31))
    assert [d.accession for d in result.documents] == ["0009990001-24-000031"]
    assert "Sandusky County, Ohio" in result.documents[0].text
    assert "/sec_data/submissions/CIK0009990001-submissions-001.json" in [r.path for r in server.requests]
    assert result.skipped == 1  # the 2026 8-K is outside the window


def test_poll_source_records_a_failed_filing_index(server):
    server.fault("sec_www/Archives/edgar/data/9990003/000999000326000020/0009990003-26-000020-index.htm",
                 status=[500] * 5)
    result = poll(server, KESTREL)
    (failure,) = result.failures
    assert failure.transient and "HTTP 500" in failure.reason and result.documents == []
