"""Peak resident memory: the kernel's high-water mark, and a sampler to read the peak of one phase."""

from __future__ import annotations

import resource
import threading

import psutil


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
    """Largest peak RSS among finished child processes, MB."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def tree_rss_kb() -> tuple[int, int]:
    """(this process's RSS, RSS of it and every live descendant: the extraction workers), in kB."""
    me = psutil.Process()
    own = me.memory_info().rss
    total = own
    for child in me.children(recursive=True):
        try:
            total += child.memory_info().rss
        except psutil.Error:  # exited between listing and reading
            pass
    return own // 1024, total // 1024


class RssSampler:
    """Reads RSS every `interval_s` in a daemon thread: `peak_mb` is this process's largest, `tree_peak_mb` the
    largest sum over it and its child processes (the run's memory, extraction workers included)."""

    def __init__(self, interval_s: float = 0.1):
        self.interval_s, self.peak_kb, self.tree_peak_kb = interval_s, 0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _sample(self) -> None:
        own, tree = tree_rss_kb()
        self.peak_kb, self.tree_peak_kb = max(self.peak_kb, own), max(self.tree_peak_kb, tree)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    @property
    def peak_mb(self) -> float:
        return self.peak_kb / 1024

    @property
    def tree_peak_mb(self) -> float:
        return self.tree_peak_kb / 1024
