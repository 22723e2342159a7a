"""Deeply nested HTML: reading a page must not take time growing with the square of its depth. A page nested
deeper than browsers build (512 levels) is recorded as failed with its reason; the rest of the run goes on,
and `minewire extract` names the file and reads the others."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import CASES
from tests.faults.harness import BAD, GOOD, failed, fast_settings, page_path, publish, stored_urls, timed_run

MINEWIRE = str(Path(sys.executable).parent / "minewire")
PARSE_BOUND_S = 5.0  # the whole run; 20,000 unclosed <b> took 75 s to read before the cap
NESTED = {
    "unclosed-b": lambda n: "<b>" * n + "The miner sold a site.",
    "closed-div": lambda n: "<div>" * n + "The miner sold a site." + "</div>" * n,
    "unclosed-span-in-table-cells": lambda n: "<table><tr><td>" + "<span>" * n + "The miner sold a site.",
}


def nested_page(kind: str, depth: int) -> bytes:
    return (f"<html><head><title>Nested</title></head><body><article><p>A mining company announced a sale.</p>"
            f"{NESTED[kind](depth)}</article></body></html>").encode()


@pytest.mark.parametrize("kind", NESTED)
def test_deeply_nested_page_is_recorded_failed_quickly_and_the_run_goes_on(sample_server, warehouse, kind):
    urls = publish(sample_server, [*GOOD, BAD])
    sample_server.put(page_path(BAD), nested_page(kind, 20_000), "text/html; charset=utf-8")
    started = time.monotonic()
    report = timed_run(fast_settings(sample_server, warehouse, max_response_bytes=1_000_000))
    assert time.monotonic() - started < PARSE_BOUND_S
    assert (len(report.stored), report.failed) == (2, 1)
    assert stored_urls(warehouse) == Counter(urls[s] for s in GOOD)
    attempts, reason, _ = failed(warehouse)[urls[BAD]]
    assert urls[BAD] in reason and "levels deep" in reason and "512" in reason, reason


def test_page_nested_as_deep_as_browsers_build_is_still_read(sample_server, warehouse):
    urls = publish(sample_server, [*GOOD, BAD])
    sample_server.put(page_path(BAD), nested_page("closed-div", 500), "text/html; charset=utf-8")
    report = timed_run(fast_settings(sample_server, warehouse))
    assert (len(report.stored), report.failed) == (3, 0) and stored_urls(warehouse) == Counter(urls.values())


def test_cli_extract_of_a_deeply_nested_file_names_it_and_reads_the_others(tmp_path):
    nested = tmp_path / "nested.html"
    nested.write_bytes(nested_page("unclosed-b", 100_000))
    started = time.monotonic()
    result = subprocess.run([MINEWIRE, "extract", "--format", "jsonl", str(nested), str(CASES / "docs" /
                             "ridgeline-sale.html")], capture_output=True, text=True, timeout=240,
                            env={**os.environ, "MINEWIRE_DEBUG": ""})
    assert time.monotonic() - started < 60
    assert result.returncode == 1 and "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and str(nested) in errors[0] and "levels deep" in errors[0]
    deals = [json.loads(line)["deals"] for line in result.stdout.splitlines()]
    assert deals[0] == [] and len(deals[1]) == 1
