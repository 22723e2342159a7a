"""Every HTTP exchange ends within one deadline, whatever a server trickles, and a CLI run ends within seconds
of SIGTERM or Ctrl-C with the warehouse consistent (issue 21 point 1)."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from tests.faults.harness import BAD, GOOD, failed, fast_settings, page_path, publish, requested, rows, run_once, stored_urls

TIMEOUT_S = 2.0  # the setting: an exchange may then take 2 × 2 s
SLACK_S = 1.0  # for a busy CI runner


def finishes_within(bound_s: float, work):
    """work()'s result, or a test failure once bound_s has passed (the work thread is left to the server's stop)."""
    outcome: dict = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(bound_s)
    if thread.is_alive():
        pytest.fail(f"the run was still going after {bound_s:.0f} s: a trickling server held it")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"], time.monotonic() - started


def test_headers_trickled_one_byte_every_1_5_s_fail_within_the_deadline_and_are_retried(sample_server, warehouse):
    urls = publish(sample_server, [*GOOD, BAD])
    sample_server.fault(page_path(BAD), trickle_head_s=1.5)
    settings = fast_settings(sample_server, warehouse, timeout_s=TIMEOUT_S, retries=1)  # two attempts per run
    bound_s = 2 * (2 * TIMEOUT_S + SLACK_S)
    report, took_s = finishes_within(bound_s + 5, lambda: run_once(settings))
    assert took_s < bound_s, f"two attempts took {took_s:.1f} s"
    assert (len(report.stored), report.failed, report.duplicates) == (2, 1, 0)
    assert stored_urls(warehouse) == Counter(urls[s] for s in GOOD)
    assert requested(sample_server, page_path(BAD)) == 2  # retried once within the run, per `retries`
    attempts, reason, status = failed(warehouse)[urls[BAD]]
    assert (attempts, status) == (1, "will retry") and "too slow" in reason and "4 s" in reason, reason
    elapsed = rows(warehouse, "SELECT elapsed_s FROM fetches WHERE url = ?", [urls[BAD]])
    assert elapsed and all(2 * TIMEOUT_S - 0.1 <= e < 2 * TIMEOUT_S + SLACK_S for (e,) in elapsed), elapsed
