"""The process the crash test kills: poll and store each source in turn, saying so on stdout.

`python -m tests.faults.crash_run SETTINGS_JSON [HANG_AT]`: with HANG_AT=n, the n-th store stops inside its
transaction (documents written, nothing committed) and waits there to be killed.
"""

from __future__ import annotations

import json
import sys
import time

from flows import pipeline
from flows.settings import Settings


def main() -> None:
    settings = Settings(**json.loads(sys.argv[1]))
    hang_at = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    real_load, stores = pipeline.load_poll, []

    def load_then_maybe_hang(*args, **kwargs):
        report = real_load(*args, **kwargs)
        stores.append(1)
        if len(stores) == hang_at:
            print("inside-transaction", flush=True)
            time.sleep(60)
        return report

    pipeline.load_poll = load_then_maybe_hang
    pipeline.prepare_warehouse(settings)
    for source in settings.sources:
        report = pipeline.store(settings, source, pipeline.poll(settings, source))
        print("committed", source.name, len(report.stored), flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
