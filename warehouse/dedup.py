"""Near-duplicate detection for syndicated copies: a 64-bit simhash over word shingles plus the figures."""

from __future__ import annotations

import hashlib
import re

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
_FIGURE = re.compile(r"\d[\d,.]*\d|\d")
NEAR_DUPLICATE_BITS = 3
_BITS = np.arange(64, dtype=np.uint64)


def simhash(text: str) -> int:
    """Signed 64-bit simhash of the text's word 3-shingles (signed so DuckDB's BIGINT holds it)."""
    words = _WORD.findall(text.lower())[:5000]
    digests = b"".join(hashlib.blake2b(" ".join(words[i : i + 3]).encode(), digest_size=8).digest()
                       for i in range(max(len(words) - 2, 1)))
    # Bit counts per position in one vectorised pass (the per-bit Python loop cost ~20 ms a document).
    hashes = np.frombuffer(digests, dtype=">u8")
    ones = ((hashes[:, None] >> _BITS) & np.uint64(1)).sum(axis=0)
    value = sum(1 << bit for bit in range(64) if 2 * int(ones[bit]) > len(hashes))
    return value - (1 << 64) if value >= 1 << 63 else value


def figures(text: str) -> frozenset[str]:
    """The numbers a text states: two monthly updates from one template differ here, syndicated copies do not."""
    return frozenset(f.replace(",", "") for f in _FIGURE.findall(text))


def distance(a: int, b: int) -> int:
    return bin((a ^ b) & (1 << 64) - 1).count("1")
