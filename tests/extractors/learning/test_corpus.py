"""Reading a labelled corpus: the extractor's text (title + body), gold deals, and errors that name the file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extractors.learning.corpus import read_corpus, read_text_file, split_headers
from tests.conftest import CASES

LEARNING = CASES / "learning"


def write_doc(directory: Path, name: str, body: str = "Acme sold a site.", label: dict | str | None = None) -> None:
    (directory / f"{name}.txt").write_text(f"TITLE: {name} title\nURL: https://example.invalid/{name}\n"
                                           f"PUBLISHED: 2025-01-01\n\n{body}\n", encoding="utf-8")
    if label is not None:
        text = label if isinstance(label, str) else json.dumps(label)
        (directory / f"{name}.json").write_text(text, encoding="utf-8")


def test_read_corpus_reads_every_labelled_document_sorted_by_name():
    docs = read_corpus(LEARNING)
    assert [d.name for d in docs] == sorted(p.stem for p in LEARNING.glob("*.json"))
    assert len(docs) == 10
    assert sum(len(d.deals) for d in docs) == 10
    assert [d.name for d in docs if not d.deals] == ["quarry-hash-october-production",
                                                     "tolland-q2-results-rejected-offer"]


def test_read_corpus_text_is_title_blank_line_body_without_headers():
    doc = {d.name: d for d in read_corpus(LEARNING)}["halvorsen-wabash-site-sale"]
    assert doc.text.startswith("Halvorsen Digital Sells Wabash Mining Site to Tessaract Compute for $38 Million\n\n"
                               "Halvorsen Digital Inc. said on Tuesday")
    assert "URL:" not in doc.text and "PUBLISHED:" not in doc.text and "TITLE:" not in doc.text
    assert doc.text.rstrip().endswith("The sale is expected to close in the second quarter.")


def test_read_corpus_gold_evidence_is_in_the_text():
    for doc in read_corpus(LEARNING):
        for deal in doc.deals:
            assert deal["evidence"] in doc.text, doc.name


def test_read_corpus_takes_the_name_from_the_label_or_else_the_file(tmp_path):
    write_doc(tmp_path, "a-file", label={"doc": "a-labelled-name", "deals": [{"buyer": "Acme"}]})
    write_doc(tmp_path, "b-file", label={"deals": None})
    docs = read_corpus(tmp_path)
    assert [(d.name, d.deals) for d in docs] == [("a-labelled-name", [{"buyer": "Acme"}]), ("b-file", [])]


def test_read_corpus_skips_texts_without_labels(tmp_path):
    write_doc(tmp_path, "labelled", label={"doc": "labelled", "deals": []})
    write_doc(tmp_path, "unlabelled")
    assert [d.name for d in read_corpus(tmp_path)] == ["labelled"]


def test_read_corpus_refuses_labels_without_their_text_naming_the_file(tmp_path):
    # Skipping them would drop gold deals from every score without a word.
    write_doc(tmp_path, "labelled", label={"doc": "labelled", "deals": []})
    (tmp_path / "orphan.json").write_text('{"doc": "orphan", "deals": []}')
    with pytest.raises(ValueError, match="orphan.txt") as info:
        read_corpus(tmp_path)
    assert "orphan.json" in str(info.value)


def test_read_corpus_of_an_empty_directory_names_the_directory(tmp_path):
    with pytest.raises(ValueError, match="no labelled documents") as info:
        read_corpus(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_read_corpus_of_texts_without_labels_names_the_directory(tmp_path):
    write_doc(tmp_path, "unlabelled")
    with pytest.raises(ValueError) as info:
        read_corpus(tmp_path)
    assert str(info.value).startswith(f"{tmp_path}: ")


def test_read_corpus_of_a_missing_directory_names_it(tmp_path):
    with pytest.raises(ValueError) as info:
        read_corpus(tmp_path / "no-such-dir")
    assert "no-such-dir" in str(info.value)


def test_read_corpus_invalid_json_names_the_file_and_line(tmp_path):
    write_doc(tmp_path, "good", label={"doc": "good", "deals": []})
    write_doc(tmp_path, "broken", label='{"doc": "broken",\n "deals": [,]}')
    with pytest.raises(ValueError) as info:
        read_corpus(tmp_path)
    message = str(info.value)
    assert message.startswith(str(tmp_path / "broken.json"))
    assert "line 2" in message and "not valid JSON" in message
    assert isinstance(info.value.__cause__, json.JSONDecodeError)


def test_read_text_file_drops_a_byte_order_mark_and_keeps_a_title(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_text("TITLE: Headline\nURL: https://example.invalid/x\nPUBLISHED: unknown\n\nBody.\n",
                    encoding="utf-8-sig")
    assert read_text_file(path) == "Headline\n\nBody.\n"


def test_read_text_file_without_a_title_is_the_body(tmp_path):
    path = tmp_path / "untitled.txt"
    path.write_text("URL: https://example.invalid/x\nPUBLISHED: 2024-01-02\n\nOnly the body.", encoding="utf-8")
    assert read_text_file(path) == "Only the body."


@pytest.mark.parametrize("text", [
    "No headers at all.\n\nSecond paragraph.",
    "TITLE: A\nthis line is no header\n\nBody.",
    "\nBody after a blank first line.",
    "TITLE: only headers, no blank line",
])
def test_split_headers_without_a_header_block_keeps_the_whole_text(text):
    assert split_headers(text) == ({}, text)


def test_split_headers_reads_keys_and_tolerates_windows_line_ends():
    headers, body = split_headers("TITLE: Deal\r\nURL: https://example.invalid/d\r\nPUBLISHED: 2024-05-06\r\n\r\nBody.")
    assert headers == {"TITLE": "Deal", "URL": "https://example.invalid/d", "PUBLISHED": "2024-05-06"}
    assert body == "Body."
