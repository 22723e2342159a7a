"""A run killed while it holds a warehouse's write slot (issue 21 point 8): loads on other warehouses never
wait for it, its own warehouse's slot comes back within the lease, and a long load keeps its slot."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.slots import slot_name
from tests.faults.harness import GOOD, SOURCE, USER_AGENT, publish
from tests.faults.test_deadlines import children, end_for_good
from tests.integration.stack import REPO, PrefectStack, clean_env

FREE_BOUND_S = 5.0  # another warehouse's load takes its slot at once: room for a busy machine only
BACK_BOUND_S = 85.0  # the 60 s lease, the server's look for expired leases every 15 s, the waiter's polls
HOLD_S = 80.0  # longer than the lease and the server's look for expired leases together
LEAKED = "relying on the warehouse file lock"


@pytest.fixture
def stack(tmp_path):
    """`prefect server start` on 127.0.0.1."""
    home = tmp_path / "prefect-home"
    home.mkdir()
    stack = PrefectStack(home)
    try:
        yield stack.start()
    finally:
        stack.stop()


def settings_env(sample_server, warehouse: Path, **prefect: str) -> dict[str, str]:
    """The environment of a run that ingests the fault feed into `warehouse`."""
    return clean_env(**prefect, MINEWIRE_WAREHOUSE_PATH=str(warehouse), MINEWIRE_ALLOW_PRIVATE_ADDRESSES="true",
                     MINEWIRE_BASE_URLS=json.dumps(sample_server.base_urls()), MINEWIRE_SEC_USER_AGENT=USER_AGENT,
                     MINEWIRE_SOURCES=json.dumps([SOURCE.model_dump(exclude_none=True)]))


class Run:
    """tests.faults.slot_run in its own session, its output read line by line."""

    def __init__(self, env: dict[str, str], mode: str, *args: str):
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.faults.slot_run", mode, *args], cwd=REPO,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self.lines: list[str] = []

    def until(self, prefix: str, timeout_s: float = 180) -> str:
        """The first line starting with `prefix` (reading on); fails with the output if it never comes."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line and self.proc.poll() is not None:
                break
            self.lines.append(line.rstrip())
            if line.startswith(prefix):
                return line
        raise AssertionError(f"no {prefix!r} line\n" + "\n".join(self.lines[-60:]))

    def slot(self) -> tuple[float, float]:
        """(seconds the load waited for its slot, wall-clock time it got it)."""
        words = self.until("slot waited").split()
        return float(words[2]), float(words[5])

    def finish(self, timeout_s: float = 180) -> str:
        """All output once the run exits 0."""
        out, _ = self.proc.communicate(timeout=timeout_s)
        text = "\n".join([*self.lines, out])
        assert self.proc.returncode == 0, text[-4000:]
        return text

    def kill(self) -> float:
        """SIGKILL the run; the wall-clock time of the kill."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)
        return time.time()

    def end(self) -> None:
        helpers = children(self.proc.pid) if self.proc.poll() is None else []
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        end_for_good(helpers)
        self.proc.communicate(timeout=30)


def killed_holder(env: dict[str, str]) -> float:
    """Start a run, kill -9 it while its load holds the write slot; the time of the kill."""
    holder = Run(env, "hold")
    try:
        holder.until("holding")
        return holder.kill()
    finally:
        holder.end()


def test_killed_writer_frees_other_warehouses_at_once_and_its_own_within_the_lease_while_long_loads_keep_theirs(
        stack, sample_server, tmp_path):
    """Warehouse a: its writer is killed. b: never held. c: a load longer than the lease (both at once, to
    spend the lease's minute once)."""
    publish(sample_server, GOOD)
    env = {name: settings_env(sample_server, tmp_path / f"{name}.duckdb", PREFECT_HOME=str(stack.home),
                              PREFECT_API_URL=stack.api_url) for name in "abc"}
    runs = {"long": Run(env["c"], "hold", str(HOLD_S)), "killed": Run(env["a"], "hold")}
    try:
        _, held_at = runs["long"].slot()
        runs["killed"].until("holding")
        killed = runs["killed"].kill()
        runs.update(other=Run(env["b"], "load"), same=Run(env["a"], "load"), second=Run(env["c"], "load"))

        waited_s, _ = runs["other"].slot()
        print(f"a load on another warehouse waited {waited_s:.2f} s for its slot")
        assert waited_s < FREE_BOUND_S, f"a load on another warehouse waited {waited_s:.1f} s for the slot"
        _, at = runs["same"].slot()
        print(f"the killed writer's slot came back {at - killed:.1f} s after the kill")
        assert at - killed < BACK_BOUND_S, f"the killed writer's slot came back only {at - killed:.1f} s after it"
        _, at = runs["second"].slot()
        print(f"a second writer got the slot {at - held_at:.1f} s into a {HOLD_S:.0f} s load")
        assert at >= held_at + HOLD_S, f"a second writer got the slot {at - held_at:.1f} s into a {HOLD_S:.0f} s load"
        for name in ("other", "same", "long", "second"):
            assert LEAKED not in runs[name].finish()
    finally:
        for run in runs.values():
            run.end()
    for name in "abc":
        limit = stack.get(f"/v2/concurrency_limits/{slot_name(tmp_path / f'{name}.duckdb')}")
        assert limit["limit"] == 1 and limit["active_slots"] == 0, limit


def test_killed_cli_run_leaves_no_slot_taken_in_the_prefect_database(sample_server, tmp_path):
    """Without PREFECT_API_URL (the CLI's temporary server, on the user's Prefect database)."""
    publish(sample_server, GOOD)
    home = {"PREFECT_HOME": str(tmp_path / "prefect")}
    killed_holder(settings_env(sample_server, tmp_path / "a.duckdb", **home))
    for warehouse in ("b.duckdb", "a.duckdb"):
        run = Run(settings_env(sample_server, tmp_path / warehouse, **home), "load")
        try:
            waited_s, _ = run.slot()
            print(f"a load on {warehouse} waited {waited_s:.2f} s after the kill")
            assert waited_s < FREE_BOUND_S, f"a load on {warehouse} waited {waited_s:.1f} s after the kill"
            assert LEAKED not in run.finish()
        finally:
            run.end()
