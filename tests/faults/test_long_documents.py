"""Long documents (issue 21 point 4): a 10-K's later pages are read, and a text past the cap is cut with a word."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from extractors import build_nlp, extract
from extractors.sentences import MAX_DOC_CHARS, MAX_TEXT_CHARS

FILLER = "The registrant reported quarterly production and discussed its plans for the coming year in some detail.\n"
DEAL = "Kestrel Power Corp. agreed to buy the Dry Creek site in Ohio from Halvard Mining for $30 million.\n"
MINEWIRE = Path(sys.executable).parent / "minewire"


def test_a_deal_past_the_first_window_is_found_with_its_span_in_the_whole_text():
    nlp = build_nlp()
    text = FILLER * (105_600 // len(FILLER)) + DEAL + FILLER * 50
    assert len(text) > MAX_DOC_CHARS
    (deal,) = extract(text, nlp)
    assert (deal.buyer, deal.seller, deal.price_usd) == ("Kestrel Power Corp.", "Halvard Mining", 30e6)
    assert text[deal.start_char:deal.end_char].startswith("Kestrel Power Corp. agreed to buy")


def test_deals_in_several_windows_are_all_found():
    nlp = build_nlp()
    second = DEAL.replace("Dry Creek", "Lakeside").replace("$30 million", "$12 million")
    third = DEAL.replace("Dry Creek", "Red Mesa").replace("Ohio", "Texas").replace("$30 million", "$45 million")
    text = DEAL + FILLER * 1500 + second + FILLER * 1500 + third
    assert len(text) > 2 * MAX_DOC_CHARS
    deals = extract(text, nlp)
    assert sorted(d.price_usd for d in deals) == [12e6, 30e6, 45e6]
    assert {d.price_usd: d.region for d in deals}[45e6] == "Texas"


def test_cli_extract_warns_naming_a_file_past_the_cap_and_still_reads_its_start(tmp_path):
    path = tmp_path / "huge-10k.txt"
    path.write_text(DEAL + FILLER * (MAX_TEXT_CHARS // len(FILLER) + 10))
    result = subprocess.run([str(MINEWIRE), "extract", "--format", "jsonl", str(path)], capture_output=True,
                            text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    assert "huge-10k.txt" in result.stderr and f"first {MAX_TEXT_CHARS:,}" in result.stderr
    assert '"seller": "Halvard Mining"' in result.stdout
