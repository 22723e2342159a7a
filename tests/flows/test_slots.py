"""The write slot: one per warehouse file; quick retries while a SQLite-backed server is busy, Retry-After when
taken."""

from __future__ import annotations

import time

import httpx
import pytest

from flows import slots
from flows.settings import Settings

URL = "http://127.0.0.1/api/v2/concurrency_limits/increment-with-lease"
NAME = "minewire-write-minewire-0123abcd"


class ScriptedServer:
    """Answers increment-with-lease with the given statuses in turn (then grants), as the client would raise them."""

    def __init__(self, *statuses: int, retry_after: str = "0.1"):
        self.statuses, self.retry_after, self.calls = list(statuses), retry_after, []

    def increment_concurrency_slots_with_lease(self, **body):
        self.calls.append(time.monotonic())
        request = httpx.Request("POST", URL)
        if self.statuses:
            status = self.statuses.pop(0)
            response = httpx.Response(status, request=request, headers={"Retry-After": self.retry_after})
            raise httpx.HTTPStatusError(f"{status}", request=request, response=response)
        return httpx.Response(200, request=request, json={"lease_id": "lease-1", "limits": [{"name": body["names"][0]}]})


def test_a_busy_server_is_asked_again_within_a_fraction_of_a_second():
    server = ScriptedServer(503, 503, 503)
    started = time.monotonic()
    assert slots._acquire(server, NAME, time.monotonic() + 10) == "lease-1"
    assert len(server.calls) == 4 and time.monotonic() - started < 1.0  # not the client's 2 s per retry


def test_a_taken_slot_is_waited_for_as_the_server_says():
    server = ScriptedServer(423, retry_after="0.3")
    assert slots._acquire(server, NAME, time.monotonic() + 10) == "lease-1"
    assert server.calls[1] - server.calls[0] >= 0.3


def test_a_slot_that_never_frees_gives_up_at_the_deadline():
    server = ScriptedServer(*[423] * 100, retry_after="0.2")
    with pytest.raises(TimeoutError):
        slots._acquire(server, NAME, time.monotonic() + 0.5)
    assert len(server.calls) <= 4


def test_other_errors_are_not_retried():
    server = ScriptedServer(500)
    with pytest.raises(httpx.HTTPStatusError):
        slots._acquire(server, NAME, time.monotonic() + 10)
    assert len(server.calls) == 1


def test_slot_name_is_one_per_warehouse_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = slots.slot_name("Mine Wire.duckdb")
    assert name == slots.slot_name(tmp_path / "Mine Wire.duckdb")  # the same file, however it is written
    assert name.startswith("minewire-write-mine-wire-") and len(name) == len("minewire-write-mine-wire-") + 8
    assert slots.slot_name(tmp_path / "other" / "Mine Wire.duckdb") != name


def test_a_lake_or_a_temporary_server_has_no_write_slot(tmp_path):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    lake = Settings(warehouse_path=f"ducklake:{tmp_path / 'mw.ducklake'}")
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        assert slots.warehouse_slot(lake) is None
        assert slots.warehouse_slot(Settings(warehouse_path=tmp_path / "mw.duckdb")) == slots.slot_name(
            tmp_path / "mw.duckdb")
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert slots.warehouse_slot(Settings(warehouse_path=tmp_path / "mw.duckdb")) is None
