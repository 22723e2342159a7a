"""What a killed CLI leaves behind: the demo's temporary Prefect server dies with it (issue 21 point 8). The
other commands start no server without PREFECT_API_URL (tests/flows/test_cli_runs.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from tests.faults.test_deadlines import MINEWIRE, children, end_for_good, gone

GONE_BOUND_S = 5.0  # measured: 0.2 s (the parent-death SIGTERM); before: still running 15 s later (for good)


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except FileNotFoundError:
        return ""


def test_kill_9_of_the_demo_takes_its_temporary_prefect_server_with_it(tmp_path):
    env = {**os.environ, "MINEWIRE_DEBUG": "", "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen([MINEWIRE, "demo", "--warehouse", str(tmp_path / "demo.duckdb")], cwd=tmp_path,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    started, helpers = time.monotonic(), []
    while not [p for p in helpers if "uvicorn" in _cmdline(p) or "prefect" in _cmdline(p)]:
        assert proc.poll() is None, "the demo ended before its server started"
        assert time.monotonic() - started < 120, "the demo started no temporary server"
        time.sleep(0.1)
        helpers = children(proc.pid)
    try:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        killed = time.monotonic()
        while not all(gone(pid) for pid in helpers) and time.monotonic() - killed < GONE_BOUND_S + 10:
            time.sleep(0.1)
        took_s = time.monotonic() - killed
        assert all(gone(pid) for pid in helpers), f"the temporary server outlived the CLI by {took_s:.0f} s"
        assert took_s < GONE_BOUND_S, f"the temporary server took {took_s:.1f} s to go"
    finally:
        end_for_good(helpers)
