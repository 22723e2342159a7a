"""What a killed CLI leaves behind: its temporary Prefect server dies with it (issue 21 point 8)."""

from __future__ import annotations

import os
import signal
import time

from tests.faults.harness import BAD, GOOD, page_path, publish
from tests.faults.test_deadlines import children, end_for_good, gone, start_cli_ingest

GONE_BOUND_S = 5.0  # measured: 0.2 s (the parent-death SIGTERM); before: still running 15 s later (for good)


def test_kill_9_of_the_cli_takes_its_temporary_prefect_server_with_it(tmp_path, sample_server):
    publish(sample_server, [*GOOD, BAD])
    sample_server.fault(page_path(BAD), trickle_head_s=1.5)
    proc = start_cli_ingest(tmp_path, sample_server)
    helpers = children(proc.pid)
    assert helpers, "the CLI started no temporary server"
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
        proc.stdout.close()
