"""SEC fair access holds across processes: two runs at once share one limit of sec_requests_per_s, and the
scheduled polls of prefect.yaml never overlap themselves (issue 21 point 12)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import yaml

from tests.faults.harness import USER_AGENT

REPO = Path(__file__).resolve().parents[2]
RATE = 10.0
REQUESTS = 15  # per process
# One process: a Fetcher asking the loopback "SEC" for REQUESTS files from a common start time; prints when
# each request went out (FetchRecord.fetched_at is taken once the limiter has let it through).
FETCH = """
import json, sys, time
from flows.sources.http import Fetcher
from flows.settings import Settings
base, start, n, rate = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
settings = Settings(base_urls={"sec_data": base, "sec_www": base}, sec_user_agent=sys.argv[5],
                    sec_requests_per_s=rate, allow_private_addresses=True, retries=0)
with Fetcher(settings) as fetcher:
    time.sleep(max(0.0, start - time.time()))
    for i in range(n):
        try:
            fetcher.get(f"{base}/files/{i}.json", conditional=False)
        except Exception:
            pass  # 404: only the timing matters
print(json.dumps([r.fetched_at.timestamp() for r in fetcher.log]))
"""


def test_sec_rate_is_shared_by_two_processes_at_once(sample_server, tmp_path):
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    start = time.time() + 3  # both processes have imported everything by then
    procs = [subprocess.Popen([sys.executable, "-c", FETCH, sample_server.url("sec_data"), str(start),
                               str(REQUESTS), str(RATE), USER_AGENT], cwd=REPO, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    sent = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        sent += json.loads(out)
    sent.sort()
    assert len(sent) == 2 * REQUESTS
    # Any RATE + 1 requests in a row span at least a second (less a little for the clock's grain).
    spans = [sent[i + int(RATE)] - sent[i] for i in range(len(sent) - int(RATE))]
    assert min(spans) >= 0.97, f"{int(RATE) + 1} requests within {min(spans):.2f} s: over {RATE:g}/s together"


def test_scheduled_polls_have_a_concurrency_limit_that_cancels_an_overlapping_run():
    from prefect.client.schemas.objects import ConcurrencyLimitConfig

    deployments = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
    scheduled = [d for d in deployments if d.get("schedules")]
    assert {"poll-news", "poll-edgar"} <= {d["name"] for d in scheduled}  # and the nightly lake compaction
    for deployment in scheduled:
        assert "concurrency_limit" in deployment, f"{deployment['name']} may overlap its next run"
        limit = ConcurrencyLimitConfig.model_validate(deployment.get("concurrency_limit") or {})
        assert limit.limit == 1 and limit.collision_strategy.value == "CANCEL_NEW", deployment["name"]
