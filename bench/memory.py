"""Peak resident memory: the kernel's high-water mark, and a sampler to read the peak of one phase."""

from __future__ import annotations

import resource
import threading


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def rss_mb() -> float:
    """VmRSS: resident memory now (MB)."""
    return _status_kb("VmRSS") / 1024


def hwm_mb() -> float:
    """VmHWM: the process's peak RSS so far (MB)."""
    return _status_kb("VmHWM") / 1024


def children_peak_mb() -> float:
    """Largest peak RSS among finished child processes (spaCy n_process workers), MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


class RssSampler:
    """Reads VmRSS every `interval_s` in a daemon thread; `peak_mb` is the largest seen since start."""

    def __init__(self, interval_s: float = 0.1):
        self.interval_s, self.peak_kb = interval_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _status_kb("VmRSS"))
            self._stop.wait(self.interval_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kb = max(self.peak_kb, _status_kb("VmRSS"))

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024
