"""The fault suite's tools: a small feed of made-up articles on the loopback server, fast settings,
one poll+store run with its counts checked, and read-only looks at the warehouse."""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

from flows.pipeline import StoreReport, poll, store
from flows.settings import Settings, SourceConfig
from tests.support.faulty_server import FaultyServer
from warehouse import connect_read_only

GOOD = ["north-ridge", "south-ridge"]  # the articles that must always arrive, once
BAD = "troubled-site"  # the article a case makes misbehave
LATE = "late-news"  # published after the fault, to show the feed is still read
SHORT_TIMEOUT = {"timeout_s": 0.5}  # for the timeout and trickle cases
RUN_BOUND_S = 12.0  # no fault may stall a run this long (the longest wait here is a 2 s Retry-After)
FEED_PATH = "globenewswire/faults/feed.xml"
SOURCE = SourceConfig(name="faults-wire", kind="rss", url="{globenewswire}/faults/feed.xml")
USER_AGENT = "minewire fault tests faults@example.invalid"
_DAY0 = datetime(2026, 2, 1, 9, 0, tzinfo=timezone.utc)
# Vocabulary for the made-up articles: every page reads differently, so none is taken for a syndicated copy.
_MINERS = ["Quarry Ridge Hashing", "Lowland Compute", "Basalt Digital", "Cinder Peak Mining", "Tamarack Data",
           "Harrow Energy Miners", "Ostrander Bit Works", "Greyfell Hosting"]
_PLACES = ["Manitoba", "West Texas", "Quebec", "Ohio", "Paraguay", "Norway", "Kentucky", "Alberta"]


def article_html(slug: str, *, title: str | None = None, body: str | None = None) -> bytes:
    """A small press release in plain HTML, written for these tests (figures differ by slug)."""
    n = int(hashlib.sha256(slug.encode()).hexdigest()[:6], 16)
    seller, buyer = _MINERS[n % 8], _MINERS[(n // 8) % 8 if (n // 8) % 8 != n % 8 else (n % 8 + 1) % 8]
    mw, price = 20 + n % 180, 5 + n % 90
    title = title or f"{seller} agrees to sell its {mw} MW {slug} campus to {buyer}"
    body = body or (
        f"<p>{seller} said on Monday that it will hand its {mw} MW {slug} facility in {_PLACES[n % 8]} to "
        f"{buyer} for ${price} million in cash.</p>"
        f"<p>The {slug} buildings were energised in {2015 + n % 9} and hold about {1000 + n % 9000} machines; "
        f"closing is expected within {2 + n % 10} months, subject to the usual approvals.</p>"
        f"<p>Reference {n} of the fault suite; nothing here describes a real transaction.</p>")
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><article><h1>{title}</h1>{body}</article></body></html>").encode()


def page_path(slug: str) -> str:
    return f"globenewswire/faults/{slug}.html"


def rss(server: FaultyServer, urls: list[str]) -> bytes:
    """An RSS 2.0 feed listing `urls` one day apart, so an item appended later is the newest."""
    items = "".join(
        f"<item><title>Release {i}</title><link>{url}</link><guid>{url}</guid>"
        f"<pubDate>{(_DAY0 + timedelta(days=i)).strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for i, url in enumerate(urls))
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>fault feed</title>"
            f"<link>{server.base_url}</link>{items}</channel></rss>").encode()


def atom(server: FaultyServer, urls: list[str]) -> bytes:
    """The same listing as `rss`, as an Atom feed."""
    entries = "".join(
        f"<entry><title>Release {i}</title><id>{url}</id><link href='{url}'/>"
        f"<updated>{(_DAY0 + timedelta(days=i)).isoformat()}</updated></entry>" for i, url in enumerate(urls))
    return (f"<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'><title>fault feed"
            f"</title><id>{server.base_url}</id>{entries}</feed>").encode()


def publish(server: FaultyServer, slugs: list[str], *, extra_urls: list[str] = (),
            feed_path: str = FEED_PATH) -> dict[str, str]:
    """Serve one article per slug and a feed listing them (plus `extra_urls`); returns slug -> URL."""
    urls = {slug: server.url(page_path(slug)) for slug in slugs}
    for slug in slugs:
        server.put(page_path(slug), article_html(slug), "text/html; charset=utf-8")
    server.put(feed_path, rss(server, [*urls.values(), *extra_urls]), "application/rss+xml; charset=utf-8")
    return urls


def fast_settings(server: FaultyServer, warehouse: Path, **overrides) -> Settings:
    """Settings for one fault case: loopback allowed, backoffs in milliseconds, few attempts.

    timeout_s stays roomy so a busy CI runner never fails a good page; timeout cases pass SHORT_TIMEOUT.
    """
    values = dict(warehouse_path=warehouse, base_urls=server.base_urls(), sources=[SOURCE],
                  allow_private_addresses=True, sec_user_agent=USER_AGENT, retries=1, timeout_s=3.0,
                  max_fetch_attempts=2, max_response_bytes=200_000, max_redirects=3, sec_requests_per_s=1000.0)
    return Settings(**{**values, **overrides})


def run_once(settings: Settings, source: SourceConfig = SOURCE) -> StoreReport:
    """One unattended run on a prepared warehouse: poll, store, and check that every item is accounted for."""
    result = poll(settings, source)
    report = store(settings, source, result)
    assert result.seen == len(result.documents) + len(result.failures) + result.skipped
    assert report.seen == len(report.stored) + report.copies + report.duplicates + report.failed + report.skipped
    return report


def rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = connect_read_only(warehouse)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def stored_urls(warehouse: Path) -> Counter:
    return Counter(url for (url,) in rows(warehouse, "SELECT url FROM documents"))


def failed(warehouse: Path) -> dict[str, tuple[int, str, str]]:
    """url -> (attempts, reason, status) from the analysts' failed_documents view."""
    found = rows(warehouse, "SELECT url, attempts, reason, status FROM failed_documents")
    return {url: (attempts, reason, status) for url, attempts, reason, status in found}


def requested(server: FaultyServer, path: str) -> int:
    """How many times the server was asked for `path` since its log was last cleared."""
    return sum(1 for r in server.requests if r.path.split("?", 1)[0].lstrip("/") == path)


def timed_run(settings: Settings, source: SourceConfig = SOURCE) -> StoreReport:
    """run_once, which must finish within RUN_BOUND_S whatever the server does."""
    started = time.monotonic()
    report = run_once(settings, source)
    assert time.monotonic() - started < RUN_BOUND_S, "a fault must never stall a run"
    return report


def assert_given_up_after_two_runs(server: FaultyServer, warehouse: Path, settings: Settings, bad_url: str,
                                   reason: str) -> None:
    """Runs 1 and 2 store the good pages once and record the bad one; run 3 no longer asks for it."""
    urls = {s: server.url(page_path(s)) for s in GOOD}
    for run, status in ((1, "will retry"), (2, "given up")):
        report = timed_run(settings)
        assert (len(report.stored), report.failed, report.duplicates) == (2 if run == 1 else 0, 1, 0)
        assert stored_urls(warehouse) == Counter(urls.values())
        attempts, text, shown = failed(warehouse)[bad_url]
        assert (attempts, shown) == (run, status)
        assert bad_url in text and re.search(reason, text, re.I), text
    publish(server, [*GOOD, LATE], extra_urls=[bad_url])  # a changed feed still lists the bad page
    asked = rows(warehouse, "SELECT count(*) FROM fetches WHERE url = ?", [bad_url])
    report = timed_run(settings)
    assert (len(report.stored), report.failed, report.skipped) == (1, 0, 3)
    assert rows(warehouse, "SELECT count(*) FROM fetches WHERE url = ?", [bad_url]) == asked
    assert stored_urls(warehouse) == Counter([*urls.values(), server.url(page_path(LATE))])


def edgar_filing(server: FaultyServer, cik: str, seq: int, text: str, form: str = "8-K") -> dict:
    """Serve one made-up filing (index page and primary document); returns its submissions row."""
    accession = f"{cik.zfill(10)}-26-{seq:06d}"
    folder = f"sec_www/Archives/edgar/data/{int(cik)}/{accession.replace('-', '')}"
    server.put(f"{folder}/{accession}-index.htm", (
        "<html><body><table class='tableFile'><tr><th>Seq</th><th>Description</th><th>Document</th><th>Type</th></tr>"
        f"<tr><td>1</td><td>current report</td><td><a href='/{folder.removeprefix('sec_www/')}/report{seq}.htm'>"
        f"report{seq}.htm</a></td><td>{form}</td></tr></table></body></html>").encode(), "text/html")
    server.put(f"{folder}/report{seq}.htm", f"<html><body><p>{text}</p></body></html>".encode(), "text/html")
    return {"accessionNumber": accession, "form": form, "filingDate": f"2026-01-{seq + 1:02d}",
            "primaryDocument": f"report{seq}.htm", "items": "2.01"}


def submissions(rows: list[dict], rename: dict[str, str] | None = None) -> dict:
    """EDGAR's submissions JSON: parallel arrays under filings.recent, with columns optionally renamed."""
    rename = rename or {}
    columns = {rename.get(k, k): [r.get(k) for r in rows] for k in (rows[0] if rows else {})}
    return {"cik": "x", "name": "Made-up Miner Corp", "filings": {"recent": columns, "files": []}}
