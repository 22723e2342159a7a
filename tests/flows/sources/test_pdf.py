"""A PDF's text as the extractor reads it: one line per paragraph, whatever the page's line breaks."""

from __future__ import annotations

from flows.sources.pdf import pdf_text, unwrap_lines
from tests.pdfs import make_pdf


def test_unwrap_lines_joins_a_paragraph_but_not_a_heading_or_a_finished_sentence():
    page = ("Quarry sale closes\n"
            "The buyer agreed to pay a sum in cash and a long-\n"
            "term royalty on every tonne mined at the quarry in\n"
            "the north of the county over the next ten years.\n"
            "A second paragraph starts here and runs the width\n"
            "of the page before it ends.")
    assert unwrap_lines(page).split("\n") == [
        "Quarry sale closes",
        ("The buyer agreed to pay a sum in cash and a long-term royalty on every tonne mined at the quarry in the "
         "north of the county over the next ten years."),
        "A second paragraph starts here and runs the width of the page before it ends.",
    ]


def test_pdf_text_puts_pages_in_order_and_gives_nothing_for_a_page_without_text():
    data = make_pdf([["First page (one) line."], [], ["Third page line."]])
    assert pdf_text(data, "x.pdf") == "First page (one) line.\n\nThird page line."
