"""Shared fixtures: a temporary warehouse, the loopback sample server, and a Prefect test server."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Prefect reads these when first imported: every test session gets its own PREFECT_HOME (its own SQLite
# database), no analytics, and enough time for a fresh ephemeral server to start.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="minewire-test-prefect-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("MINEWIRE_SEC_USER_AGENT", None)

import pytest  # noqa: E402

from tests.support.faulty_server import FaultyServer  # noqa: E402

CASES = Path(__file__).parent / "cases"


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    """Where a test's DuckDB warehouse lives (created by the code under test)."""
    return tmp_path / "minewire.duckdb"


@pytest.fixture
def sample_server():
    """The bundled sample site on a free 127.0.0.1 port."""
    with FaultyServer() as server:
        yield server


@pytest.fixture(scope="session")
def prefect_server():
    """A real (ephemeral) Prefect API server for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture(scope="session")
def postgres_cluster():
    """A real PostgreSQL server on 127.0.0.1 for the lake tests (a temporary initdb cluster, removed after).
    Skipped, with the reason, only where PostgreSQL is not installed (.ci/run installs it)."""
    from tests.postgres import PostgresCluster

    try:
        cluster = PostgresCluster().start()
    except RuntimeError as exc:
        pytest.skip(f"no PostgreSQL for the DuckLake tests ({exc}); install Debian's postgresql package")
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_lake(postgres_cluster, tmp_path: Path) -> dict[str, str]:
    """A fresh DuckLake with its catalog in a new PostgreSQL database: the two settings that name it."""
    return {"warehouse_path": f"ducklake:postgres:{postgres_cluster.database()}",
            "data_path": str(tmp_path / "lake-data")}


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory) -> Path:
    """The warehouse `minewire demo` leaves (the real CLI, ~30 s, once a session). Tests only read it: copy
    it first to write."""
    path = tmp_path_factory.mktemp("demo") / "minewire-demo.duckdb"
    minewire = str(Path(sys.executable).parent / "minewire")
    result = subprocess.run([minewire, "demo", "--warehouse", str(path)], capture_output=True, text=True,
                            timeout=600, cwd=path.parent, env={**os.environ, "MINEWIRE_DEBUG": ""})
    assert result.returncode == 0, result.stdout + result.stderr
    return path
