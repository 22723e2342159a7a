"""The warehouse layer's one retry loop: what it tries again, what it raises at once, and when it gives up."""

import pytest

from warehouse.errors import WarehouseBusy
from warehouse.retry import doubling_delays, is_conflict, is_lock_error, keep_trying


def _failing(times: int, exc: Exception):
    calls = []

    def attempt():
        calls.append(1)
        if len(calls) <= times:
            raise exc
        return len(calls)

    return attempt, calls


def test_keep_trying_runs_again_after_a_failure_it_accepts():
    attempt, calls = _failing(2, RuntimeError("Transaction conflict on DuckLake commit"))
    assert keep_trying(attempt, is_conflict, [0.0, 0.0, 0.0], "busy") == 3


def test_keep_trying_raises_any_other_failure_at_once():
    attempt, calls = _failing(1, ValueError("bad value"))
    with pytest.raises(ValueError):
        keep_trying(attempt, is_conflict, [0.0, 0.0], "busy")
    assert len(calls) == 1


def test_keep_trying_gives_up_with_the_busy_message_when_the_delays_run_out():
    attempt, calls = _failing(10, RuntimeError("Could not set lock on file"))
    with pytest.raises(WarehouseBusy, match="another process is writing"):
        keep_trying(attempt, is_lock_error, [0.0, 0.0], "another process is writing")
    assert len(calls) == 3  # the first attempt and one after each delay


def test_doubling_delays_double_up_to_the_cap_and_stop_at_the_deadline():
    assert list(doubling_delays(0.05, 0.2, -1.0)) == []  # no time left: no more tries
    delays = doubling_delays(0.05, 0.2, 60.0)
    assert [next(delays) for _ in range(5)] == [0.05, 0.1, 0.2, 0.2, 0.2]
