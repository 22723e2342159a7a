"""normalise_url: one key per article, whatever tracking, port, order or fragment the link carried."""

from __future__ import annotations

import pytest

from models.records import FetchedDocument
from models.urls import normalise_url


@pytest.mark.parametrize("url, expected", [
    ("https://wire.test/news/a?utm_source=rss&utm_medium=feed", "https://wire.test/news/a"),
    ("https://wire.test/news/a?fbclid=IwAR0x&gclid=Cj0&msclkid=9", "https://wire.test/news/a"),
    ("https://wire.test/news?id=7&utm_campaign=x", "https://wire.test/news?id=7"),
    ("https://wire.test:443/news/a", "https://wire.test/news/a"),
    ("http://wire.test:80/news/a", "http://wire.test/news/a"),
    ("https://wire.test:8443/news/a", "https://wire.test:8443/news/a"),
    ("https://wire.test/news?b=2&a=1", "https://wire.test/news?a=1&b=2"),
    ("https://wire.test/news/a#comments", "https://wire.test/news/a"),
    ("HTTPS://Wire.TEST/News/A/", "https://wire.test/News/A"),
    ("https://wire.test/news/caf%c3%a9", "https://wire.test/news/caf%C3%A9"),
    ("https://wire.test/news/café", "https://wire.test/news/caf%C3%A9"),
    ("http://127.0.0.1:8765/x/?q=a%20b", "http://127.0.0.1:8765/x/?q=a+b"),
    ("  not a url ", "not a url"),
])
def test_normalise_url_gives_one_form_per_page(url, expected):
    assert normalise_url(url) == expected


def test_normalise_url_keeps_parameters_that_choose_the_page():
    assert normalise_url("https://wire.test/story?id=7") != normalise_url("https://wire.test/story?id=8")
    assert normalise_url("https://wire.test/story?page=2&ref=home") == "https://wire.test/story?page=2&ref=home"


def test_document_key_is_the_same_for_a_tracked_link_and_the_plain_one():
    plain = FetchedDocument(url="https://wire.test/news/a?id=7&lang=en", text="t")
    tracked = FetchedDocument(url="https://WIRE.test:443/news/a?lang=en&utm_source=x&id=7&fbclid=1#top", text="t")
    assert tracked.key == plain.key and tracked.doc_id == plain.doc_id
