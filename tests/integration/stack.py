"""A real Prefect stack for integration tests: `prefect server start`, the prefect CLI, and a process worker.

Everything listens on 127.0.0.1 only. Each process runs in its own process group so that stopping it also
stops what it spawned (a worker's flow-run subprocesses, Dask workers), even when a test fails.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import psutil

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
TERMINAL_STATES = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def free_port() -> int:
    """A TCP port that was free on 127.0.0.1 a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """The test process's environment without its Prefect or minewire settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MINEWIRE_"))}
    env.update({"PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PYTHONUNBUFFERED": "1"})
    env.update(extra)
    return env


class Process:
    """A subprocess in its own process group, with its output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], log: Path, cwd: Path = REPO):
        self.name, self.log = name, log
        self._out = log.open("wb")
        self.popen = subprocess.Popen(args, env=env, cwd=cwd, stdout=self._out, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)

    def running(self) -> bool:
        return self.popen.poll() is None

    def wait(self, timeout_s: float) -> int:
        return self.popen.wait(timeout=timeout_s)

    def tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ({self.log}) ---\n" + "\n".join(text.splitlines()[-lines:])

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM the whole group, then SIGKILL whatever is left (children that left the group too)."""
        try:
            family = psutil.Process(self.popen.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            family = []
        _signal_group(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            pass
        _signal_group(self.popen.pid, signal.SIGKILL)
        for child in family:
            try:
                child.kill()
            except psutil.NoSuchProcess:
                pass
        psutil.wait_procs(family, timeout=5)
        if self.popen.poll() is None:
            self.popen.wait(timeout=5)
        self._out.close()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def wait_until(check: Callable[[], Any], timeout_s: float, what: str, logs: Callable[[], str] = str,
               every_s: float = 0.5) -> Any:
    """Poll `check` until it returns something truthy; fail naming `what` (with process logs) on timeout.

    A check whose request to the server timed out counts as "not yet": on two busy cores the server once took
    over 15 s to answer one status read while the run went on (CI rehearsal), and the deadline still bounds it."""
    deadline = time.monotonic() + timeout_s
    stalled = 0
    while True:
        try:
            value = check()
        except httpx.TimeoutException:
            value, stalled = None, stalled + 1
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what} ({stalled} requests to the "
                                 f"server timed out)\n{logs()}")
        time.sleep(every_s)


class PrefectStack:
    """`prefect server start` on a free loopback port with its own PREFECT_HOME; CLI calls and workers on it."""

    def __init__(self, home: Path):
        self.home = home
        self.port = free_port()
        self.api_url = f"http://127.0.0.1:{self.port}/api"
        self.processes: list[Process] = []
        self.client = httpx.Client(base_url=self.api_url, timeout=15)

    def env(self, **extra: str) -> dict[str, str]:
        return clean_env(PREFECT_HOME=str(self.home), PREFECT_API_URL=self.api_url, **extra)

    def start(self, scheduler: bool = False, timeout_s: float = 150) -> PrefectStack:
        """Start the server and wait for /api/health. Without `scheduler`, only the test creates flow runs
        (a cron schedule firing mid-test would add a poll); with it, the scheduler looks every 5 s."""
        env = self.env(PREFECT_UI_ENABLED="false", PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED=str(scheduler).lower(),
                       PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="5")
        env.pop("PREFECT_API_URL")
        self.spawn("server", [PYTHON, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                              "--port", str(self.port)], env)
        wait_until(self._healthy, timeout_s, f"the Prefect server at {self.api_url}", self.logs)
        return self

    def _healthy(self) -> bool:
        if not self.processes[0].running():
            raise AssertionError(f"the Prefect server exited early\n{self.logs()}")
        try:
            return self.client.get("/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def spawn(self, name: str, args: list[str], env: dict[str, str], cwd: Path = REPO) -> Process:
        log = self.home / f"{name}-{len(self.processes)}.log"
        process = Process(name, args, env, log, cwd)
        self.processes.append(process)
        return process

    def cli(self, *args: str, timeout_s: float = 120, env: dict[str, str] | None = None) -> str:
        """Run `prefect ARGS` from the repository root against this server; its output, or a failure."""
        done = subprocess.run([PYTHON, "-m", "prefect", *args], cwd=REPO, env=env or self.env(),
                              capture_output=True, text=True, timeout=timeout_s, stdin=subprocess.DEVNULL)
        output = done.stdout + done.stderr
        assert done.returncode == 0, f"`prefect {' '.join(args)}` exited {done.returncode}:\n{output}"
        return output

    def start_worker(self, pool: str, env: dict[str, str]) -> Process:
        """A process worker on `pool` that checks for work every second."""
        env = {**self.env(PREFECT_WORKER_QUERY_SECONDS="1", PREFECT_WORKER_PREFETCH_SECONDS="5"), **env}
        return self.spawn("worker", [PYTHON, "-m", "prefect", "worker", "start", "--pool", pool,
                                     "--type", "process"], env)

    def run_deployment(self, name: str) -> str:
        """`prefect deployment run NAME`; the new flow run's id."""
        output = self.cli("deployment", "run", name)
        match = _UUID.search(output.split("UUID", 1)[-1])
        assert match, f"no flow run id in the output of `prefect deployment run {name}`:\n{output}"
        return match.group(0)

    def post(self, path: str, body: dict | None = None) -> Any:
        response = self.client.post(path, json=body or {})
        response.raise_for_status()
        return response.json()

    def get(self, path: str) -> Any:
        response = self.client.get(path)
        response.raise_for_status()
        return response.json()

    def wait_for_run(self, flow_run_id: str, timeout_s: float) -> dict:
        """The flow run once it reached a terminal state (any: the caller asserts which)."""
        def finished() -> dict | None:
            run = self.get(f"/flow_runs/{flow_run_id}")
            return run if run.get("state_type") in TERMINAL_STATES else None

        return wait_until(finished, timeout_s, f"flow run {flow_run_id} to finish", self.logs)

    def runs_of(self, deployment_id: str) -> list[dict]:
        """The flow runs of one deployment, earliest first."""
        body = {"flow_runs": {"deployment_id": {"any_": [deployment_id]}}, "sort": "EXPECTED_START_TIME_ASC"}
        return self.post("/flow_runs/filter", body)

    def events(self, name: str) -> list[dict]:
        """Events called `name` that the server has stored (oldest first)."""
        page = self.post("/events/filter", {"filter": {"event": {"name": [name]}, "order": "ASC"}, "limit": 50})
        events = page["events"]
        while page.get("next_page"):
            page = self.get(page["next_page"])
            events += page["events"]
        return events

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.processes)

    def stop(self) -> None:
        """Stop workers first (so no flow run starts against a dying server), then the server."""
        self.client.close()
        for process in reversed(self.processes):
            process.stop()


def deploy_minewire(stack: PrefectStack) -> dict[str, dict]:
    """The README's deploy steps, run from the repository root; the deployments by name."""
    stack.cli("work-pool", "create", "minewire", "--type", "process")
    stack.cli("deploy", "--all", "--no-prompt")
    return {d["name"]: d for d in stack.post("/deployments/filter")}
