"""Prefect's environment, set before Prefect is imported: no analytics, a patient ephemeral server."""

from __future__ import annotations

import os
import tempfile
import tomllib
from pathlib import Path

DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",  # no internet to send it to
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",  # a fresh PREFECT_HOME builds its database first
    "PREFECT_LOGGING_LEVEL": "WARNING",
}


def prepare(own_home: bool = False) -> str | None:
    """Apply the defaults (the user's own settings win); with own_home and no server, use a temporary PREFECT_HOME.

    Returns the temporary home, if one was made.
    """
    for key, value in DEFAULTS.items():
        os.environ.setdefault(key, value)
    if own_home and not os.environ.get("PREFECT_API_URL") and "PREFECT_HOME" not in os.environ:
        home = tempfile.mkdtemp(prefix="minewire-prefect-")
        os.environ["PREFECT_HOME"] = home
        return home
    return None


def start_tied_server() -> None:
    """Start the temporary Prefect server (when no PREFECT_API_URL is set) tied to this process.

    Prefect starts it on first use as a plain child: a Ctrl-C at the terminal reached it too (then the run spent
    its last seconds retrying a dead API), and a kill -9 of the CLI would leave it running for good. Here it
    runs in its own process group, and on Linux the kernel sends it SIGTERM when this process dies."""
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:
        return
    from flows.tied_server import TiedServer

    TiedServer().start()


def api_url() -> str | None:
    """The Prefect server to run flows on: PREFECT_API_URL from the environment, else from the active Prefect
    profile (read here, without importing Prefect, which alone costs about a second); None when there is none."""
    if "PREFECT_API_URL" in os.environ:
        return os.environ["PREFECT_API_URL"] or None
    home = Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or home / "profiles.toml").expanduser()
    try:
        profiles = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or profiles.get("active") or "ephemeral"
    return profiles.get("profiles", {}).get(active, {}).get("PREFECT_API_URL") or None
