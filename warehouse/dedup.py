"""Near-duplicate detection for syndicated copies: a 64-bit simhash over word shingles plus the figures."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np

_WORD = re.compile(r"\w+", re.UNICODE)
_FIGURE = re.compile(r"\d[\d,.]*\d|\d")
NEAR_DUPLICATE_BITS = 3
_BITS = np.arange(64, dtype=np.uint64)


@lru_cache(maxsize=1 << 18)  # news vocabulary repeats: most words are hashed once per process
def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection that spreads every input bit over the output (wraps mod 2**64)."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


def simhash(text: str) -> int:
    """Signed 64-bit simhash of the text's word 3-shingles (signed so DuckDB's BIGINT holds it).

    A shingle's hash is mixed from its words' hashes (cached) in one vectorised pass: hashing each joined
    shingle with blake2b cost ~1.5 ms a document, most of a store's time (schema v4 re-hashed stored texts)."""
    words = _WORD.findall(text.lower())[:5000]
    w = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    if len(w) >= 3:  # rotations make the shingle ordered: "a b c" and "c b a" differ
        shingles = _mix(w[:-2] ^ _rotl(w[1:-1], 21) ^ _rotl(w[2:], 42))
    else:
        shingles = _mix(np.bitwise_xor.reduce(w, keepdims=True) if len(w) else np.zeros(1, np.uint64))
    ones = np.unpackbits(shingles.astype("<u8").view(np.uint8), bitorder="little").reshape(-1, 64).sum(axis=0)
    bits = (2 * ones > len(shingles)).astype(np.uint64)
    return int(np.bitwise_or.reduce(bits << _BITS).view(np.int64))


def figures(text: str) -> frozenset[str]:
    """The numbers a text states: two monthly updates from one template differ here, syndicated copies do not."""
    return frozenset(f.replace(",", "") for f in _FIGURE.findall(text))


def distance(a: int, b: int) -> int:
    return bin((a ^ b) & (1 << 64) - 1).count("1")
