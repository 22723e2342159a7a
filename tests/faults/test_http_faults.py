"""HTTP faults on one article of a feed: the run finishes, the good articles are stored once, and the bad one
is recorded with a plain reason, retried on the next run, then given up (max_fetch_attempts=2)."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from flows.settings import SourceConfig
from tests.faults.harness import (BAD, GOOD, SHORT_TIMEOUT, assert_given_up_after_two_runs, edgar_filing, failed,
                                  fast_settings, page_path, publish, requested, rows, stored_urls, submissions,
                                  timed_run)

EDGAR = SourceConfig(name="edgar-made-up", kind="edgar", cik="9990077", group="edgar")
SUBMISSIONS = "sec_data/submissions/CIK0009990077.json"

# fault -> what the reason must say. Status lists are long enough for every attempt of every run. A redirect to
# another scheme is refused for good at once (test_refusals.py).
PERSISTENT = {
    "429-without-retry-after": (dict(status=[429] * 20), r"HTTP 429"),
    "500-502-503-burst": (dict(status=[500, 502, 503] * 7), r"HTTP 50[023]"),
    "read-timeout": (dict(delay_s=3), r"timed out \(ReadTimeout\)"),
    "reset-mid-body": (dict(reset_mid_body=True), r"connection reset|closed connection|ReadError|RemoteProtocolError"),
    "truncated-gzip": (dict(truncated_gzip=True), r"ended early"),
    "corrupt-gzip": (dict(corrupt_gzip=True), r"corrupt compressed body"),
    "redirect-loop": (dict(redirect_loop=True), r"more than 3 redirects"),
    "huge-response": (dict(huge_bytes=5_000_000), r"over the 200000-byte limit"),
    "gzip-bomb": (dict(body=b"<p>" + b"a" * 3_000_000 + b"</p>"), r"over the 200000-byte limit"),
    "trickle": (dict(trickle_bytes_per_s=50), r"too slow"),
}
# fault that passes within the run's own retries -> requests the bad page takes
RECOVERING = {
    "429-with-retry-after": (dict(status=[429], retry_after=1), 2),
    "429-retry-after-an-hour-is-cut": (dict(status=[429], retry_after=3600), 2),
    "429-without-retry-after": (dict(status=[429]), 2),
    "503-once": (dict(status=[503]), 2),
    "500-502-503-then-ok": (dict(status=[500, 502, 503]), 4),
    "reset-mid-body-once": (dict(reset_mid_body=True, times=1), 2),
    "truncated-gzip-once": (dict(truncated_gzip=True, times=1), 2),
    "trickle-once": (dict(trickle_bytes_per_s=50, times=1), 2),
}


@pytest.mark.parametrize("fault, reason", PERSISTENT.values(), ids=PERSISTENT.keys())
def test_http_fault_is_recorded_retried_and_given_up(sample_server, warehouse, fault, reason):
    urls = publish(sample_server, [*GOOD, BAD])
    sample_server.fault(page_path(BAD), **fault)
    slow = SHORT_TIMEOUT if "delay_s" in fault or "trickle_bytes_per_s" in fault else {}
    settings = fast_settings(sample_server, warehouse, retries=0, **slow)  # retries within a run: see below
    assert_given_up_after_two_runs(sample_server, warehouse, settings, urls[BAD], reason)


@pytest.mark.parametrize("endpoint, reason", [("blackhole", r"timed out"), ("closed_port", r"connect|refused")],
                         ids=["connect-timeout", "connection-refused"])
def test_http_unreachable_host_is_recorded_retried_and_given_up(sample_server, warehouse, request, endpoint, reason):
    bad_url = request.getfixturevalue(endpoint) + "/press/troubled-site.html"
    publish(sample_server, GOOD, extra_urls=[bad_url])
    settings = fast_settings(sample_server, warehouse, retries=0, **SHORT_TIMEOUT)
    assert_given_up_after_two_runs(sample_server, warehouse, settings, bad_url, reason)


@pytest.mark.parametrize("fault, attempts", RECOVERING.values(), ids=RECOVERING.keys())
def test_http_fault_that_passes_is_retried_within_the_run(sample_server, warehouse, fault, attempts):
    publish(sample_server, [*GOOD, BAD])
    sample_server.fault(page_path(BAD), **fault)
    slow = SHORT_TIMEOUT if "trickle_bytes_per_s" in fault else {}
    settings = fast_settings(sample_server, warehouse, retries=3, **slow)
    started = time.monotonic()
    report = timed_run(settings)
    assert (len(report.stored), report.failed, report.duplicates) == (3, 0, 0)
    assert requested(sample_server, page_path(BAD)) == attempts
    assert sum(stored_urls(warehouse).values()) == 3 and not failed(warehouse)
    if fault.get("retry_after"):  # honoured, but never longer than the cap (2 s here, 30 s by default)
        assert time.monotonic() - started >= min(fault["retry_after"], 2.0) * 0.9, "Retry-After was not honoured"


def test_http_fault_that_clears_by_the_next_run_is_stored_once_and_resolved(sample_server, warehouse):
    urls = publish(sample_server, [*GOOD, BAD])
    sample_server.fault(page_path(BAD), status=[503, 503])
    settings = fast_settings(sample_server, warehouse)
    assert timed_run(settings).failed == 1
    report = timed_run(settings)
    assert (report.stored, report.failed, report.skipped) == (report.stored[:1], 0, 2)
    assert stored_urls(warehouse) == Counter(urls.values()) and not failed(warehouse)
    assert rows(warehouse, "SELECT attempts, resolved_at IS NOT NULL FROM fetch_failures") == [(1, True)]
    publish(sample_server, [*GOOD, BAD, "late-news"])
    assert len(timed_run(settings).stored) == 1
    assert max(stored_urls(warehouse).values()) == 1


def test_http_fault_on_the_newest_filing_is_given_up_not_refetched_forever(sample_server, warehouse):
    """The newest filing sets the cursor, so only the retry list can keep a failed one from being refetched."""
    good = edgar_filing(sample_server, "9990077", 1, "Made-up Miner Corp signed a 30 MW hosting contract.")
    bad = edgar_filing(sample_server, "9990077", 2, "Made-up Miner Corp sold a 12 MW site for $4 million.")
    sample_server.put(SUBMISSIONS, json.dumps(submissions([bad, good])).encode(), "application/json")
    accession = bad["accessionNumber"]
    index = f"sec_www/Archives/edgar/data/9990077/{accession.replace('-', '')}/{accession}-index.htm"
    sample_server.fault(index, status=[503] * 10)
    settings = fast_settings(sample_server, warehouse, retries=0)
    for run, status in ((1, "will retry"), (2, "given up")):
        report = timed_run(settings, EDGAR)
        assert (len(report.stored), report.failed) == (2 - run, 1)
        ((url, (attempts, reason, shown)),) = failed(warehouse).items()
        assert url.endswith(index) and (attempts, shown) == (run, status) and "HTTP 503" in reason
    newer = edgar_filing(sample_server, "9990077", 3, "Made-up Miner Corp bought 500 machines for its campus.")
    sample_server.put(SUBMISSIONS, json.dumps(submissions([newer, bad, good])).encode(), "application/json")
    sample_server.clear_log()
    report = timed_run(settings, EDGAR)
    assert (len(report.stored), report.failed, report.skipped) == (1, 0, 2)
    assert requested(sample_server, index) == 0
