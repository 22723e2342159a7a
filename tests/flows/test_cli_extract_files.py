"""`minewire extract` on real files, run as a user runs it: ids unique across folders, directories, standard input,
PDFs, and prices as written with their currency."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from flows.sources.files import list_inputs
from tests.flows.test_cli import MINEWIRE
from tests.pdfs import make_pdf

# Our own sentences: two sales, one priced in Canadian dollars, one with a ceiling.
CAD_SALE = ("Larchmont Digital Inc. said on Monday it has agreed to sell its 40 MW hosting site in Sherbrooke, "
            "Quebec, to Ostrava Compute Corp. for C$45 million in cash.")
UP_TO_SALE = ("Pemberly Mining Corp. agreed to acquire a 120 MW mining facility near Odessa, Texas, from Garnet "
              "Power LLC for up to $30 million, subject to milestones.")
WRAPPED_SALE = ["Harwick Mining Corp. said today it has agreed to buy a 75 MW data",
                "center campus near Elko, Nevada, from Solvane Energy LLC for $52",
                "million in cash, with closing expected in the third quarter."]


def extract(*args: str, stdin: bytes = b"") -> tuple[int, list[dict], str]:
    """Exit code, the JSON lines and stderr of `minewire extract ARGS` with `stdin` piped in."""
    result = subprocess.run([MINEWIRE, "extract", *args], input=stdin, capture_output=True, timeout=240, check=False,
                            env={**os.environ, "MINEWIRE_DEBUG": ""})
    lines = [json.loads(line) for line in result.stdout.decode().splitlines()]
    return result.returncode, lines, result.stderr.decode()


def page(title: str, body: str) -> str:
    return f"<!doctype html><html><head><title>{title}</title></head><body><article><h1>{title}</h1><p>{body}</p>" \
           "</article></body></html>"


@pytest.fixture()
def tree(tmp_path):
    """site/a/index.html (the C$ sale), site/b/index.html (the "up to" sale), a README and a hidden copy."""
    site = tmp_path / "site"
    for folder, title, body in (("a", "Larchmont sells Quebec site", CAD_SALE),
                                ("b", "Pemberly buys Texas facility", UP_TO_SALE)):
        (site / folder).mkdir(parents=True)
        (site / folder / "index.html").write_text(page(title, body), encoding="utf-8")
    (site / "a" / "notes.md").write_text("not a document extract reads from a folder\n", encoding="utf-8")
    (site / ".cache").mkdir()
    (site / ".cache" / "index.html").write_text(page("copy", UP_TO_SALE), encoding="utf-8")
    return site


def test_cli_extract_names_two_index_pages_by_their_folders_and_keeps_the_price_as_written(tree):
    code, lines, stderr = extract(str(tree / "a" / "index.html"), str(tree / "b" / "index.html"))
    assert code == 0, stderr
    assert [line["doc"] for line in lines] == ["a/index", "b/index"]
    (cad,), (up_to,) = (line["deals"] for line in lines)
    assert (cad["price_text"], cad["currency"], cad["price_usd"]) == ("C$45 million", "CAD", None)
    assert "Larchmont" in cad["seller"] and "Ostrava" in cad["buyer"]
    assert (up_to["price_text"], up_to["currency"], up_to["price_usd"]) == ("up to $30 million", "USD", 30_000_000)
    assert list(cad) == list(up_to) and list(cad).index("currency") == list(cad).index("price_text") + 1


def test_cli_extract_reads_a_directory_recursively_in_order_skipping_hidden_and_other_files(tree, tmp_path):
    (tmp_path / "empty").mkdir()
    code, lines, stderr = extract(str(tree), str(tmp_path / "empty"))
    assert code == 0, stderr
    assert [line["doc"] for line in lines] == ["a/index", "b/index"]  # not .cache/index, not notes.md
    assert [d["price_text"] for line in lines for d in line["deals"]] == ["C$45 million", "up to $30 million"]
    assert f"{tmp_path / 'empty'}: no .txt, .html, .htm, .pdf files" in " ".join(stderr.split())


def test_cli_extract_reads_standard_input_as_one_document_named_dash(tree):
    text = f"Pemberly buys Texas facility\n\n{UP_TO_SALE}\n".encode()
    code, lines, stderr = extract("-", str(tree / "a" / "index.html"), stdin=text)
    assert code == 0, stderr
    assert [line["doc"] for line in lines] == ["-", "index"]
    assert [d["price_text"] for d in lines[0]["deals"]] == ["up to $30 million"]
    # A page piped in is read as a page: the markup is not part of the text.
    code, lines, stderr = extract("-", stdin=page("Larchmont sells Quebec site", CAD_SALE).encode())
    assert code == 0, stderr
    (deal,) = lines[0]["deals"]
    assert deal["currency"] == "CAD" and "<" not in deal["evidence"]


def test_cli_extract_refuses_standard_input_twice_in_one_line():
    code, lines, stderr = extract("-", "-")
    assert code == 1 and lines == []
    assert "standard input" in stderr and "Traceback" not in stderr


def test_cli_extract_reads_a_pdf_joining_its_wrapped_lines_and_warns_on_one_without_text(tmp_path):
    (tmp_path / "harwick.pdf").write_bytes(make_pdf([["Harwick buys Nevada campus", "", *WRAPPED_SALE]]))
    (tmp_path / "scan.pdf").write_bytes(make_pdf([[]]))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    code, lines, stderr = extract(*(str(tmp_path / n) for n in ("harwick.pdf", "scan.pdf", "broken.pdf")))
    assert code == 1  # the damaged file fails; the others are still read
    assert [line["doc"] for line in lines] == ["harwick", "scan", "broken"]
    (deal,) = lines[0]["deals"]
    assert "Harwick" in deal["buyer"] and "Solvane" in deal["seller"]
    assert (deal["capacity_mw"], deal["price_usd"], deal["region"]) == (75, 52_000_000, "Nevada")
    assert deal["evidence"].startswith("Harwick Mining Corp.") and deal["evidence"].endswith("third quarter.")
    flat = " ".join(stderr.split())
    assert f"{tmp_path / 'scan.pdf'}: no text layer" in flat and lines[1]["deals"] == []
    assert f"{tmp_path / 'broken.pdf'}: not a readable PDF" in flat and "Traceback" not in stderr


def test_cli_extract_reads_a_pdf_from_standard_input():
    code, lines, stderr = extract("-", stdin=make_pdf([WRAPPED_SALE]))
    assert code == 0, stderr
    assert [d["price_usd"] for d in lines[0]["deals"]] == [52_000_000]


def test_files_that_differ_only_by_extension_keep_it_in_their_ids(tmp_path):
    for name in ("sale.txt", "sale.html", "other.txt"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    inputs, _ = list_inputs([str(tmp_path / n) for n in ("sale.txt", "other.txt", "sale.html", "sale.txt")])
    assert [i.doc_id for i in inputs] == ["sale.txt", "other", "sale.html", "sale.txt"]
