"""Headless Chromium (Debian's `chromium`) for the report's tests: the DOM after scripts ran, and screenshots.

Every host name resolves to nothing, so a page that needed the network would fail its loads here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

INSTALL_HINT = "install it with `apt-get install chromium` (.ci/run does)"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RuntimeError(f"headless Chromium is needed for the report's browser tests: {INSTALL_HINT}")
    return found


def _run(page: Path, profile: Path, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
               "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=15000", *args, page.as_uri()]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def dump_dom(page: Path, profile: Path) -> str:
    """The page's DOM as HTML once its scripts and timers have run."""
    return _run(page, profile, "--dump-dom").stdout


def screenshot(page: Path, profile: Path, out: Path, size: str = "1400,2400") -> Path:
    """A PNG of the page's top `size` pixels."""
    _run(page, profile, f"--window-size={size}", f"--screenshot={out}")
    assert out.exists() and out.stat().st_size > 10_000, f"no screenshot written to {out}"
    return out
