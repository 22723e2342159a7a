"""A backfill and a poll at the same time, in two OS processes, against one warehouse and one Prefect server:
both finish, no lock errors, and the warehouse ends up exactly as after running them one after the other."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from flows.slots import slot_name
from tests.integration.stack import REPO, Process
from warehouse import connect_read_only

pytestmark = pytest.mark.prefect_server

MINEWIRE = str(Path(sys.executable).with_name("minewire"))
# Overlapping on purpose: both commands store the same news releases and extract the same documents.
BACKFILL = ["backfill", "--from", "2023-01-01", "--to", "2026-12-31", "--window-days", "731",
            "--source", "gnw-mining", "--source", "theminermag", "--source", "edgar-bitfarms"]
POLL = ["ingest", "--group", "news"]
LOCK_TROUBLE = ("could not set lock", "conflicting lock", "warehousebusy", "held the lock")

COUNTS = {
    "documents": "SELECT count(*), count(DISTINCT key) FROM documents",
    "deals": "SELECT count(*), count(DISTINCT deal_id) FROM deals",
    "evidence": "SELECT count(*), count(DISTINCT (doc_id, start_char, end_char, extractor_version)) "
                "FROM deal_evidence",
    "windows": "SELECT count(*), count(DISTINCT (source, window_start, window_end)) FROM backfill_windows",
}


def start_commands(stack, env: dict[str, str], names: list[str]) -> dict[str, Process]:
    commands = {"backfill": BACKFILL, "poll": POLL}
    return {n: stack.spawn(f"minewire-{n}", [MINEWIRE, *commands[n]], env, cwd=REPO) for n in names}


def finish(processes: dict[str, Process], timeout_s: float) -> None:
    """Wait for every command; each must exit 0 without a word about the warehouse lock."""
    for name, process in processes.items():
        try:
            code = process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"`minewire {name}` still running after {timeout_s:.0f} s\n{process.tail()}")
        output = process.log.read_text(errors="replace").lower()
        assert code == 0, process.tail(80)
        assert not [t for t in LOCK_TROUBLE if t in output], process.tail(80)


def snapshot(warehouse: Path) -> dict:
    con = connect_read_only(warehouse)
    try:
        state = {name: con.execute(sql).fetchone() for name, sql in COUNTS.items()}
        state["unextracted"] = con.execute("SELECT count(*) FROM documents WHERE doc_id NOT IN (SELECT doc_id FROM document_extractions)").fetchone()
        state["keys"] = sorted(k for (k,) in con.execute("SELECT key FROM documents").fetchall())
        state["deal_ids"] = sorted(d for (d,) in con.execute("SELECT deal_id FROM deals").fetchall())
    finally:
        con.close()
    return state


def test_backfill_and_poll_at_once_match_sequential_runs(prefect_stack, minewire_env, tmp_path):
    stack = prefect_stack
    together = tmp_path / "together.duckdb"
    env = stack.env(**{**minewire_env, "MINEWIRE_WAREHOUSE_PATH": str(together)})
    finish(start_commands(stack, env, ["backfill", "poll"]), timeout_s=150)

    one_by_one = tmp_path / "one-by-one.duckdb"
    env = stack.env(**{**minewire_env, "MINEWIRE_WAREHOUSE_PATH": str(one_by_one)})
    for name in ("backfill", "poll"):
        finish(start_commands(stack, env, [name]), timeout_s=120)

    concurrent, sequential = snapshot(together), snapshot(one_by_one)
    assert concurrent["documents"][0] > 0 and concurrent["deals"][0] > 0
    for name in COUNTS:
        count, distinct = concurrent[name]
        assert count == distinct, f"duplicated {name}: {concurrent[name]}"
    assert concurrent == sequential

    # Each warehouse got a write slot of its own from the runs, and both are free again.
    for warehouse in (together, one_by_one):
        limit = stack.get(f"/v2/concurrency_limits/{slot_name(warehouse)}")
        assert limit["limit"] == 1 and limit["active_slots"] == 0, limit
    assert slot_name(together) != slot_name(one_by_one)
    # Each of the four runs left its summary artifact on the server.
    artifacts = Counter(a["key"] for a in stack.post("/artifacts/filter"))
    assert artifacts["backfill-summary"] == 2 and artifacts["ingest-summary"] == 2, artifacts
