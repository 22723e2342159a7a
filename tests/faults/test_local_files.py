"""Odd local files for `minewire extract`: UTF-16 with and without a byte-order mark is read as written, an
empty file is named in a warning, and a binary file is refused as "not text" while the others are still read."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

from tests.conftest import CASES

MINEWIRE = str(Path(sys.executable).parent / "minewire")
SALE = (CASES / "docs" / "ridgeline-sale.txt").read_text(encoding="utf-8").replace(
    "$41 million", "€38 million ($41 million)")  # a character outside Latin-1 as well

ENCODED = {
    "utf16-bom": SALE.encode("utf-16"),
    "utf16le-no-bom": SALE.encode("utf-16-le"),
    "utf16be-no-bom": SALE.encode("utf-16-be"),
    "utf8": SALE.encode("utf-8"),
}


def extract(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run([MINEWIRE, "extract", "--format", "jsonl", *map(str, paths)], capture_output=True,
                          text=True, timeout=240, env={**os.environ, "MINEWIRE_DEBUG": ""})


def test_extract_reads_utf16_with_or_without_bom_refuses_binary_and_warns_on_empty(tmp_path):
    files = []
    for name, data in ENCODED.items():
        files.append(tmp_path / f"{name}.txt")
        files[-1].write_bytes(data)
    empty, binary = tmp_path / "empty.txt", tmp_path / "photo.txt"
    empty.write_bytes(b"")
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(21).randbytes(4000))
    result = extract(files[0], empty, binary, *files[1:])
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["doc"] for line in lines] == ["utf16-bom", "empty", "photo", "utf16le-no-bom", "utf16be-no-bom",
                                              "utf8"]
    deals = {line["doc"]: line["deals"] for line in lines}
    assert len(deals["utf8"]) == 1 and deals["utf8"][0]["price_usd"] == 41_000_000
    for name in ENCODED:
        assert deals[name] == deals["utf8"], name
    assert deals["empty"] == deals["photo"] == []
    errors = [line for line in result.stderr.splitlines() if line.startswith("error")]
    assert len(errors) == 1 and str(binary) in errors[0] and "not text" in errors[0]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning")]
    assert len(warnings) == 1 and str(empty) in warnings[0] and "empty" in warnings[0]


def test_extract_of_utf16_and_empty_files_alone_exits_zero(tmp_path):
    utf16, blank = tmp_path / "release.txt", tmp_path / "blank.txt"
    utf16.write_bytes(SALE.encode("utf-16-le"))
    blank.write_bytes(b"  \n\n")
    result = extract(utf16, blank)
    assert result.returncode == 0, result.stderr
    deals = [json.loads(line)["deals"] for line in result.stdout.splitlines()]
    assert len(deals[0]) == 1 and "Vantor" in deals[0][0]["buyer"] and deals[1] == []
    assert f"warning: {blank}" in result.stderr
