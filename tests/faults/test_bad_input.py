"""Bad input from a source: broken feeds, odd EDGAR JSON, pages that are not HTML or wear the wrong charset,
and text that is legal but strange. The run finishes, good documents are stored once, bad ones recorded."""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from flows.pipeline import extract_batch, load_deals, select_documents
from flows.settings import SourceConfig
from tests.faults.harness import (BAD, FEED_PATH, GOOD, article_html, assert_given_up_after_two_runs, atom,
                                  edgar_filing, failed, fast_settings, page_path, publish, rows, rss, stored_urls,
                                  submissions, timed_run)

EDGAR = SourceConfig(name="edgar-made-up", kind="edgar", cik="9990077", group="edgar")
SUBMISSIONS = "sec_data/submissions/CIK0009990077.json"
EXTRACT_BOUND_S = 20.0
ACCENTED = "Société Minière du Nord paid €41 million for the Évry data hall, said Zoë Brûlé."

NOT_ARTICLES = {
    "pdf-served-as-html": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n", "text/html",
                           r"not an HTML article \(got application/pdf, served as text/html\)"),
    "png-served-as-html": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "text/html; charset=utf-8",
                           r"not an HTML article \(got image/png"),
    "image-content-type": (b"GIF89a\x01\x00\x01\x00", "image/gif", r"not an HTML article \(got image/gif"),
    "empty-body": (b"", "text/html", r"empty body"),
    "markup-without-words": (b"<html><body><div> </div><p>2026 - 17 / 42</p></body></html>", "text/html",
                             r"no readable text"),
}


def page(paragraph: str) -> str:
    return f"<html><head><title>Charset case</title></head><body><article><p>{paragraph}</p></article></body></html>"


# How the bytes were written, what the server (or page) claims, and the text that must be stored.
CHARSETS = {
    "cp1252-labelled-utf8": (page(ACCENTED).encode("cp1252"), "text/html; charset=utf-8", ACCENTED),
    "utf8-labelled-latin1": (page(ACCENTED).encode("utf-8"), "text/html; charset=iso-8859-1", ACCENTED),
    "utf8-meta-says-cp1251": (page(ACCENTED).replace("<head>", "<head><meta charset='windows-1251'>").encode(),
                              "text/html", ACCENTED),
    "cp1252-no-label": (page(ACCENTED).encode("cp1252"), "text/html", ACCENTED),
    "unknown-label": (page(ACCENTED).encode("utf-8"), "text/html; charset=x-no-such-charset", ACCENTED),
    "utf8-with-a-stray-byte": (page(ACCENTED).encode("utf-8").replace(b"paid", b"pa\x92d"), "text/html; charset=utf-8",
                               "Société Minière du Nord pa\ufffdd €41 million"),
    "utf16-with-bom": (page(ACCENTED).encode("utf-16"), "text/html", ACCENTED),
}

STRANGE = {
    "one-endless-sentence": " ".join(f"the {w} site and its {n} megawatt hall" for n in range(4000)
                                     for w in ("northern",))[:150_000],
    "german": "Die Bergbaugesellschaft verkauft ihr Rechenzentrum in Sachsen mit 45 MW für 20 Millionen Euro an "
              "einen Infrastrukturfonds; der Abschluss wird im dritten Quartal erwartet.",
    "chinese": "该矿业公司同意以三千万美元出售其位于巴拉圭的七十兆瓦矿场，预计下季度完成交易。",
    "russian": "Горнодобывающая компания продала площадку мощностью 60 МВт в Казахстане за 18 млн долларов.",
    "numbers-only-prose": "Q3: 70 MW, $30M, 9M + 21M = 30M; 1.2 GW / 300 MW = 4; EUR 5,000,000; CAD$ 7.5bn. " * 300,
}


@pytest.mark.parametrize("body, content_type, reason", NOT_ARTICLES.values(), ids=NOT_ARTICLES.keys())
def test_page_that_is_not_an_article_is_recorded_and_given_up(sample_server, warehouse, body, content_type, reason):
    urls = publish(sample_server, [*GOOD, BAD])
    sample_server.put(page_path(BAD), body, content_type)
    settings = fast_settings(sample_server, warehouse)
    assert_given_up_after_two_runs(sample_server, warehouse, settings, urls[BAD], reason)


@pytest.mark.parametrize("body, content_type, expected", CHARSETS.values(), ids=CHARSETS.keys())
def test_page_with_wrong_or_missing_charset_is_stored_as_written(sample_server, warehouse, body, content_type,
                                                                 expected):
    urls = publish(sample_server, [*GOOD, BAD])
    sample_server.put(page_path(BAD), body, content_type)
    report = timed_run(fast_settings(sample_server, warehouse))
    assert (len(report.stored), report.failed) == (3, 0)
    assert stored_urls(warehouse) == Counter(urls.values())
    (text,) = rows(warehouse, "SELECT text FROM documents WHERE url = ?", [urls[BAD]])[0]
    assert expected in text


def test_strange_text_is_stored_once_and_extracted_within_bounds(sample_server, warehouse):
    urls = publish(sample_server, [*GOOD, *STRANGE])
    for slug, text in STRANGE.items():
        sample_server.put(page_path(slug), article_html(slug, title=f"Case {slug}", body=f"<p>{text}</p>"),
                          "text/html; charset=utf-8")
    settings = fast_settings(sample_server, warehouse)
    report = timed_run(settings)
    assert (len(report.stored), report.failed) == (len(urls), 0)
    assert stored_urls(warehouse) == Counter(urls.values())
    docs = select_documents(settings)
    started = time.monotonic()
    extractions = extract_batch(settings, docs)
    assert time.monotonic() - started < EXTRACT_BOUND_S
    assert len(extractions) == len(docs) == len(urls)
    load_deals(settings, extractions)
    assert rows(warehouse, "SELECT count(*) FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM document_extractions)") == [(0,)]


def test_feed_that_is_not_xml_is_recorded_then_resolved_when_fixed(sample_server, warehouse):
    settings = fast_settings(sample_server, warehouse)
    feed_url = sample_server.url(FEED_PATH)
    sample_server.put(FEED_PATH, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
    report = timed_run(settings)
    assert (report.seen, report.failed, report.stored) == (1, 1, [])
    assert "not an RSS or Atom document" in failed(warehouse)[feed_url][1]
    urls = publish(sample_server, GOOD)
    report = timed_run(settings)
    assert (len(report.stored), report.failed) == (2, 0)
    assert stored_urls(warehouse) == Counter(urls.values()) and not failed(warehouse)
    assert rows(warehouse, "SELECT count(*) FROM fetches WHERE url = ?", [feed_url]) == [(2,)]  # never as an article


@pytest.mark.parametrize("kind, damage", [("rss", "unescaped-ampersand"), ("rss", "cut-in-half"),
                                          ("rss", "junk-after-root"), ("rss", "bad-entity"),
                                          ("atom", "unescaped-ampersand"), ("atom", "cut-in-half")])
def test_slightly_broken_feed_still_yields_its_items(sample_server, warehouse, kind, damage):
    urls = publish(sample_server, [*GOOD, BAD])
    feed = (rss if kind == "rss" else atom)(sample_server, list(urls.values())).decode()
    closer = "</item>" if kind == "rss" else "</entry>"
    first_item_end = feed.index(closer) + len(closer)
    broken = {
        "unescaped-ampersand": feed.replace("<title>Release 0</title>", "<title>Smith & Sons buy a site</title>"),
        "cut-in-half": feed[: first_item_end + 40],
        "junk-after-root": feed + "<<garbage>> \x00",
        "bad-entity": feed.replace("<title>Release 1</title>", "<title>Release &nbsp; one &copy;</title>"),
    }[damage]
    sample_server.put(FEED_PATH, broken.encode(), f"application/{kind}+xml")
    settings = fast_settings(sample_server, warehouse)
    report = timed_run(settings)
    assert report.failed == (damage in ("cut-in-half", "bad-entity")) and report.stored  # each said, not silent
    assert set(stored_urls(warehouse)) <= set(urls.values()) and max(stored_urls(warehouse).values()) == 1
    assert urls[GOOD[0]] in stored_urls(warehouse)
    publish(sample_server, [*GOOD, BAD])  # whole again: whatever was missed arrives, nothing twice
    timed_run(settings)
    assert stored_urls(warehouse) == Counter(urls.values()) and not failed(warehouse)


def laughs(server, urls: list[str], levels: int) -> bytes:
    """An RSS feed whose DTD defines an entity that expands 10**levels times (a 'billion laughs')."""
    decls = "".join(f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, levels + 1))
    feed = rss(server, urls).decode().replace("<title>Release 0</title>", f"<title>Release &lol{levels};</title>")
    return feed.replace("<rss ", f'<!DOCTYPE rss [<!ENTITY lol0 "lol">{decls}]><rss ', 1).encode()


@pytest.mark.parametrize("kind", ["billion-laughs", "entity-loop"])
def test_feed_with_entity_expansion_is_recorded_failed_not_read_as_empty(sample_server, warehouse, kind):
    urls = publish(sample_server, GOOD)
    if kind == "billion-laughs":
        body = laughs(sample_server, list(urls.values()), 9)
    else:
        body = laughs(sample_server, list(urls.values()), 2).replace(b'"lol">', b'"&lol2;">', 1)
    sample_server.put(FEED_PATH, body, "application/rss+xml")
    settings = fast_settings(sample_server, warehouse)
    started = time.monotonic()
    report = timed_run(settings)
    assert time.monotonic() - started < 5
    assert (report.failed, report.stored) == (1, [])
    (url, (_, reason, _)), = failed(warehouse).items()
    assert url == sample_server.url(FEED_PATH) and "entit" in reason and "refused" in reason, reason
    publish(sample_server, GOOD)  # fixed: read in full, the failure resolved
    assert len(timed_run(settings).stored) == 2 and not failed(warehouse)


@pytest.mark.parametrize("cut", [False, True], ids=["whole", "also-cut-short"])
def test_feed_with_undefined_entities_keeps_its_items_and_records_the_reason(sample_server, warehouse, cut):
    urls = publish(sample_server, [*GOOD, BAD])
    feed = rss(sample_server, list(urls.values())).decode()
    feed = feed.replace("<title>Release 1</title>", "<title>Release &nbsp; &bogus;</title>")
    sample_server.put(FEED_PATH, (feed[: feed.rindex("</item>") + 7] if cut else feed).encode(),
                      "application/rss+xml")
    settings = fast_settings(sample_server, warehouse)
    report = timed_run(settings)
    assert (len(report.stored), report.failed) == (2 if cut else 3, 1)  # cut: the last item waits, as ever
    (url, (_, reason, _)), = failed(warehouse).items()
    assert url == sample_server.url(FEED_PATH)
    assert "undefined entit" in reason and "&nbsp;" in reason and "&bogus;" in reason, reason
    assert ("cut short" in reason) == cut
    publish(sample_server, [*GOOD, BAD])
    timed_run(settings)
    assert stored_urls(warehouse) == Counter(urls.values()) and not failed(warehouse)


@pytest.mark.parametrize("body, reason", [
    (b"", "empty response"),
    (b"\x89PNG\r\n\x1a\n" + bytes(40), "malformed XML"),
    (b"<?xml version='1.0'?><catalog><book>no feed here</book></catalog>", "not an RSS or Atom document"),
], ids=["empty", "binary", "other-xml"])
def test_unreadable_feed_is_recorded_with_a_plain_reason(sample_server, warehouse, body, reason):
    sample_server.put(FEED_PATH, body, "application/rss+xml")
    report = timed_run(fast_settings(sample_server, warehouse))
    assert (report.seen, report.failed, report.stored) == (1, 1, [])
    (attempts, text, status), = failed(warehouse).values()
    assert reason in text and (attempts, status) == (1, "will retry")


def serve_edgar(server, data: object) -> list[dict]:
    filings = [edgar_filing(server, "9990077", 1, "Made-up Miner Corp agreed to sell its 40 MW Riverbend site "
                            "to Lantern Infrastructure LLC for $12 million in cash."),
               edgar_filing(server, "9990077", 2, "Made-up Miner Corp signed a 25 MW hosting contract with a "
                            "cloud customer for three years.")]
    body = data if isinstance(data, bytes) else json.dumps(data(filings)).encode()
    server.put(SUBMISSIONS, body, "application/json")
    return filings


@pytest.mark.parametrize("data, stored", [
    (lambda f: submissions(f), 2),
    (lambda f: submissions(f, {"accessionNumber": "accession_number", "form": "formType",
                               "filingDate": "filing_date", "primaryDocument": "primary_document"}), 2),
    (lambda f: submissions([{**f[0], "accessionNumber": None}, f[1]]), 1),
    (lambda f: submissions([f[0], {**f[1], "form": None}]), 1),
    (lambda f: submissions([{k: v for k, v in f[0].items() if k != "filingDate"}, f[1]]), 2),
    (lambda f: submissions([]), 0),
], ids=["as-published", "renamed-columns", "row-without-accession", "row-without-form", "missing-filing-date",
        "no-filings-yet"])
def test_edgar_json_with_renamed_or_missing_fields_is_read_as_far_as_it_goes(sample_server, warehouse, data, stored):
    serve_edgar(sample_server, data)
    report = timed_run(fast_settings(sample_server, warehouse), EDGAR)
    assert (len(report.stored), report.failed, report.duplicates) == (stored, 0, 0)
    assert max(Counter(rows(warehouse, "SELECT content_hash FROM documents WHERE kind = 'filing'")).values(),
               default=1) == 1


@pytest.mark.parametrize("data, reason", [
    (lambda f: {"cik": "9990077", "name": "Made-up Miner Corp"}, "no filings.recent"),
    (lambda f: {"filings": {"recent": {"accNo": ["0009990077-26-000001"], "form": ["8-K"]}}}, "no accessionNumber"),
    (lambda f: [1, 2, 3], "not a JSON object"),
    (b"<html><body>Request rate threshold exceeded</body></html>", "not valid JSON"),
], ids=["no-filings", "unknown-accession-column", "a-list", "html-error-page"])
def test_edgar_json_that_cannot_be_read_is_recorded_then_resolved(sample_server, warehouse, data, reason):
    settings = fast_settings(sample_server, warehouse)
    serve_edgar(sample_server, data)
    report = timed_run(settings, EDGAR)
    assert (report.seen, report.failed, report.stored) == (1, 1, [])
    (url, (attempts, text, _)), = failed(warehouse).items()
    assert url.endswith(SUBMISSIONS) and reason in text
    serve_edgar(sample_server, lambda f: submissions(f))
    report = timed_run(settings, EDGAR)
    assert (len(report.stored), report.failed) == (2, 0) and not failed(warehouse)
