"""The benchmark runs end to end on a small corpus and prints every figure it promises (no timing asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_prints_each_stage_and_target(tmp_path):
    result = subprocess.run([sys.executable, "bench/run.py", "--quick", "--out", str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout.lower()
    for figure in ("fetch", "parse", "extract", "load", "end to end", "raw", "rss", "re-poll"):
        assert figure in out, figure
    assert (tmp_path / "results.json").exists()
