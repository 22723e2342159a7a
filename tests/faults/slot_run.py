"""The run the write-slot fault test starts and kills: the real ingest flow, its loads' write slot timed.

`python -m tests.faults.slot_run hold|load [HOLD_S]` with the settings in MINEWIRE_* variables. The store task's
write slot is the real one, wrapped to print "slot waited S s at T" (T: wall-clock time) once its load may
begin; with `hold` the load then says "holding" and waits HOLD_S seconds (default: until killed) before it
goes on. Without PREFECT_API_URL the run starts its temporary server tied to itself, as the CLI does.
"""

from __future__ import annotations

import sys
import time
from contextlib import contextmanager

from flows import prefect_env


def main() -> None:
    hold = sys.argv[1] == "hold"
    hold_s = float(sys.argv[2]) if len(sys.argv) > 2 else 3600.0
    prefect_env.prepare()
    prefect_env.start_tied_server()
    from flows import tasks
    from flows.ingest import ingest

    real = tasks.write_slot

    @contextmanager
    def timed(*args, **kwargs):
        asked = time.monotonic()
        with real(*args, **kwargs):
            print(f"slot waited {time.monotonic() - asked:.2f} s at {time.time():.2f}", flush=True)
            if hold:
                print("holding", flush=True)
                time.sleep(hold_s)
            yield

    tasks.write_slot = timed
    summary = ingest()
    print("stored", len(summary["stored_ids"]), flush=True)


if __name__ == "__main__":
    main()
