"""Security: read paths cannot write the warehouse, a hostile feed cannot point the fetcher at internal
services, and the SEC contact (our one secret) appears in no log, artifact, flow parameter or warehouse byte."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import socket
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from flows.settings import SourceConfig
from tests.faults.harness import (GOOD, SOURCE, edgar_filing, failed, fast_settings, page_path, publish, rows,
                                  stored_urls, submissions, timed_run)
from warehouse import WarehouseError
from warehouse.queries import deal_tracker, export_parquet, run_sql

MINEWIRE = str(Path(sys.executable).parent / "minewire")
SECRET = "s3cret-contact@example.invalid"
SECRET_UA = f"Hidden Org {SECRET}"
EDGAR = SourceConfig(name="edgar-made-up", kind="edgar", cik="9990077", group="edgar")
WRITES = ["DELETE FROM documents", "UPDATE sources SET cursor = NULL", "INSERT INTO companies (company_id, name) "
          "VALUES ('x', 'x')", "DROP TABLE deal_evidence", "CREATE TABLE stolen AS SELECT * FROM documents",
          "ALTER TABLE documents ADD COLUMN note VARCHAR", "SELECT 1; DELETE FROM documents", "DROP VIEW deal_tracker",
          "ATTACH '{path}' AS again (READ_ONLY false); DELETE FROM again.documents",
          "ATTACH '{path}' AS again (READ_ONLY false)"]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def loopback_only(monkeypatch):
    """Fail the test if anything tries to open a connection beyond 127.0.0.1 / ::1 (proof, and a safety net)."""
    real = socket.create_connection
    tried = []

    def guarded(address, *args, **kwargs):
        tried.append(address[0])
        if address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"connection attempted to {address[0]}")
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", guarded)
    return tried


@pytest.fixture
def stocked(sample_server, warehouse) -> Path:
    publish(sample_server, GOOD)
    timed_run(fast_settings(sample_server, warehouse))
    return warehouse


@pytest.mark.parametrize("statement", WRITES)
def test_sql_read_path_refuses_writes_and_leaves_the_file_alone(stocked, statement):
    before = digest(stocked)
    with pytest.raises(WarehouseError, match="read-only|already attached|conflict|one statement at a time"):
        run_sql(stocked, statement.format(path=stocked))
    assert digest(stocked) == before and rows(stocked, "SELECT count(*) FROM documents") == [(2,)]


def test_cli_sql_refuses_a_write_with_one_clear_line(stocked):
    before = digest(stocked)
    result = subprocess.run([MINEWIRE, "-w", str(stocked), "sql", "DELETE FROM documents"], capture_output=True,
                            text=True, timeout=120, env={**os.environ, "MINEWIRE_DEBUG": ""})
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "read-only" in result.stderr and "Traceback" not in result.stderr
    assert digest(stocked) == before


@pytest.mark.parametrize("query", ["SELECT 1 AS a; SELECT 2 AS b", "SELECT count(*) FROM documents;\n SELECT 2;",
                                   "SELECT 1; DELETE FROM documents"])
def test_sql_with_several_statements_is_refused_not_shown_as_the_last(stocked, query):
    with pytest.raises(WarehouseError, match=r"2 statements.*one statement at a time"):
        run_sql(stocked, query)
    assert run_sql(stocked, "SELECT 2 AS b;") == (["b"], [(2,)])  # one statement and a trailing ';' is fine


def test_cli_sql_with_several_statements_fails_with_one_clear_line(stocked):
    result = subprocess.run([MINEWIRE, "-w", str(stocked), "sql", "SELECT 1 AS a; SELECT 2 AS b"],
                            capture_output=True, text=True, timeout=120, env={**os.environ, "MINEWIRE_DEBUG": ""})
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().count("\n") == 0 and "one statement at a time" in result.stderr


def test_other_read_paths_leave_the_file_alone(stocked, tmp_path):
    before = digest(stocked)
    deal_tracker(stocked, company="'; DELETE FROM documents; --", country="x' OR '1'='1")
    assert export_parquet(stocked, tmp_path / "export")
    assert digest(stocked) == before


def test_sql_read_path_cannot_write_files(stocked, tmp_path):
    target = tmp_path / "leak.csv"
    with pytest.raises(WarehouseError):
        run_sql(stocked, f"COPY (SELECT text FROM documents) TO '{target}'")
    assert not target.exists()


# Links a hostile feed could carry; all are refused before any connection when private addresses are not allowed.
HOSTILE = {
    "loopback-by-name": "http://localhost:{port}/globenewswire/faults/inside.html",
    "loopback-other": "http://127.0.0.2:{port}/globenewswire/faults/inside.html",
    "loopback-ipv6": "http://[::1]:{port}/globenewswire/faults/inside.html",
    "loopback-decimal": "http://2130706433:{port}/globenewswire/faults/inside.html",
    "userinfo-trick": "http://127.0.0.1:{port}@localhost:{port}/globenewswire/faults/inside.html",
    "unspecified": "http://0.0.0.0:{port}/globenewswire/faults/inside.html",
    "cloud-metadata": "http://169.254.169.254/latest/meta-data/iam/",
    "private-10": "http://10.0.0.7/admin",
    "private-192": "http://192.168.1.1/",
    "carrier-nat": "http://100.64.0.1/",
    "file-scheme": "file:///etc/passwd",
    "javascript": "javascript:alert(1)",
}


def test_feed_links_to_internal_addresses_are_refused_by_default(sample_server, warehouse, loopback_only):
    links = [u.format(port=sample_server.port) for u in HOSTILE.values()]
    urls = publish(sample_server, [*GOOD, "redirects-inside"], extra_urls=links)
    sample_server.fault(page_path("redirects-inside"),
                        redirect_to=f"http://localhost:{sample_server.port}/globenewswire/faults/inside.html")
    sample_server.put("globenewswire/faults/inside.html", b"<p>internal admin page</p>", "text/html")
    settings = fast_settings(sample_server, warehouse, allow_private_addresses=False)
    report = timed_run(settings)
    assert (len(report.stored), report.failed) == (2, len(links) + 1)
    assert stored_urls(warehouse) == Counter(urls[s] for s in GOOD)
    reasons = {url: reason for url, (_, reason, _) in failed(warehouse).items()}
    for link in links:
        assert re.search(r"non-public address|only http and https", reasons[link]), reasons[link]
    assert "non-public address" in reasons[urls["redirects-inside"]]
    assert not [r for r in sample_server.requests if r.path.endswith("/inside.html")]  # refused before connecting
    assert set(loopback_only) == {"127.0.0.1"}  # only the configured (trusted) base URL was ever dialled


def test_feed_links_to_loopback_are_fetched_when_allowed(sample_server, warehouse, loopback_only):
    inside = f"http://localhost:{sample_server.port}/globenewswire/faults/inside.html"
    sample_server.put("globenewswire/faults/inside.html", b"<html><body><article><p>The demo keeps its sample "
                      b"pages on this machine, and that is allowed here.</p></article></body></html>", "text/html")
    publish(sample_server, GOOD, extra_urls=[inside])
    report = timed_run(fast_settings(sample_server, warehouse, allow_private_addresses=True))
    assert (len(report.stored), report.failed) == (3, 0) and inside in stored_urls(warehouse)


def test_sec_contact_is_not_in_logs_output_exports_or_the_warehouse(sample_server, warehouse, caplog, capfd):
    caplog.set_level(logging.DEBUG)  # httpx and httpcore included
    sample_server.put("sec_data/submissions/CIK0009990077.json", json.dumps(submissions([
        edgar_filing(sample_server, "9990077", 1, "Made-up Miner Corp sold a 12 MW site for $4 million."),
        {"accessionNumber": "0009990077-26-000009", "form": "8-K", "filingDate": "2026-01-20"}])).encode(),
        "application/json")  # the second filing's index is missing: a failure with a reason to record
    publish(sample_server, [*GOOD, "missing-page"])
    sample_server.fault(page_path("missing-page"), status=[500] * 10)
    settings = fast_settings(sample_server, warehouse, sec_user_agent=SECRET_UA)
    timed_run(settings)
    timed_run(settings, EDGAR)
    assert any(SECRET in r.headers.get("User-Agent", "") for r in sample_server.requests)  # it was sent…
    assert failed(warehouse)  # …failures were recorded, and still the secret is nowhere else:
    out, err = capfd.readouterr()
    assert SECRET not in caplog.text and SECRET not in out + err
    files = [p for p in warehouse.parent.iterdir() if p.name.startswith(warehouse.name)]
    assert files and not [p for p in files if SECRET.encode() in p.read_bytes()]
    exported = export_parquet(warehouse, warehouse.parent / "export")
    assert exported and not [p for p in exported if SECRET.encode() in p.read_bytes()]
    dump = json.dumps(rows(warehouse, "SELECT * FROM fetches UNION ALL BY NAME SELECT * FROM fetch_failures"),
                      default=str)
    assert SECRET not in dump


def test_sec_contact_is_not_in_prefect_parameters_artifacts_or_logs(prefect_server, sample_server, warehouse,
                                                                    monkeypatch):
    from prefect.client.orchestration import get_client

    from flows.runner import run_ingest

    monkeypatch.setenv("MINEWIRE_SEC_USER_AGENT", SECRET_UA)
    sample_server.put("sec_data/submissions/CIK0009990077.json", json.dumps(submissions([
        edgar_filing(sample_server, "9990077", 1, "Made-up Miner Corp sold a 12 MW site for $4 million.")])).encode(),
        "application/json")
    publish(sample_server, GOOD)
    settings = fast_settings(sample_server, warehouse, sources=[SOURCE, EDGAR])
    settings = settings.model_copy(update={"sec_user_agent": None})  # from the environment, as in production
    summary, _ = run_ingest(settings, extract=False)
    assert summary["stored"] == 3 and not summary["source_errors"]
    assert any(SECRET in r.headers.get("User-Agent", "") for r in sample_server.requests)
    with get_client(sync_client=True) as client:
        flow_runs = client.read_flow_runs()
        seen = [json.dumps(r.model_dump(mode="json")) for r in flow_runs]
        seen += [json.dumps(r.model_dump(mode="json")) for r in client.read_task_runs()]
        seen += [json.dumps(a.model_dump(mode="json")) for a in client.read_artifacts()]
        seen += [json.dumps(log.model_dump(mode="json")) for log in client.read_logs()]
    assert flow_runs and any("ingest-summary" in s for s in seen)
    assert not [s for s in seen if SECRET in s]
