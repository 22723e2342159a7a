"""The state of one poll of one source, shared by the threads that fetch its documents."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from typing import Callable, Iterable

from flows.settings import Settings, SourceConfig
from flows.sources.dates import parse_date
from flows.sources.errors import SourceError, is_transient
from flows.sources.http import Fetcher
from models.records import Failure, FetchedDocument, PollResult, SourceState, normalise_url


class PollRun:
    """The state of one poll, shared by its worker threads."""

    def __init__(self, source: SourceConfig, settings: Settings, state: SourceState, fetcher: Fetcher,
                 since: date | None, until: date | None):
        self.source, self.settings, self.state, self.fetcher = source, settings, state, fetcher
        self.since, self.until = since, until
        self.now = datetime.now(timezone.utc)
        self.result = PollResult(source=source.name, cursor=state.cursor)
        self.conditional_urls: set[str] = set()
        cap = settings.max_fetch_attempts
        self.pending = {u: n for u, n in state.retry_urls.items() if n < cap and u not in state.given_up_urls}
        self.given_up = {normalise_url(u) for u, n in state.retry_urls.items()
                         if n >= cap or u in state.given_up_urls}
        self._lock = threading.Lock()
        self._job = threading.local()  # which of map()'s jobs the current thread runs
        self._job_of: dict[int, int] = {}  # id(document) -> the job that added it

    @property
    def backfill(self) -> bool:
        return self.since is not None or self.until is not None

    def get(self, url: str, conditional: bool = False):
        if conditional:
            self.conditional_urls.add(url)
        return self.fetcher.get(url, source=self.source.name, conditional=conditional)

    def in_window(self, day: date | None) -> bool:
        if day is None:
            return not self.backfill
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def add(self, docs: Iterable[FetchedDocument] = (), failures: Iterable[Failure] = (), skipped: int = 0,
            recovered: Iterable[str] = ()) -> None:
        with self._lock:
            for doc in docs:
                doc.source = self.source.name
                if doc.key in self.state.known_keys:
                    self.result.skipped += 1  # a syndicated copy of something already stored
                else:
                    self.result.documents.append(doc)
                    self._job_of[id(doc)] = getattr(self._job, "index", 0)
            self.result.failures.extend(failures)
            self.result.skipped += skipped
            self.result.recovered_urls.extend(recovered)

    def fail(self, url: str, exc: BaseException) -> Failure:
        if isinstance(exc, SourceError):
            permanent = getattr(exc, "permanent", False)
            return Failure(url, str(exc), self.source.name, is_transient(exc), permanent)
        return Failure(url, f"{url}: could not be parsed ({type(exc).__name__}: {exc})", self.source.name, False)

    def recover_listing(self, url: str) -> None:
        """A feed or submissions listing on the retry list was read: resolve it there."""
        if url in self.state.retry_urls:
            self.add(recovered=[url])

    def advance(self, stamp: str | None) -> None:
        if self.backfill:  # a window in the past must not move the regular poll's cursor
            return
        with self._lock:
            if stamp and (self.result.cursor is None or _later(stamp, self.result.cursor)):
                self.result.cursor = stamp

    def map(self, fn: Callable, jobs: list) -> None:
        """Run jobs on a small thread pool; the fetcher's per-host limits still apply.

        Documents are kept in the order of the jobs (the listing's order), not of the answers: the store
        order is the extraction order, and matching mentions to deals depends on it, so the same sources
        must give the same deals on every run."""
        if not jobs:
            return
        first = len(self.result.documents)

        def run(index: int, job: object) -> None:
            self._job.index = index
            fn(job)

        workers = max(1, min(len(jobs), self.settings.per_host_concurrency))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=f"poll-{self.source.name}") as pool:
            list(pool.map(run, range(len(jobs)), jobs))
        added = self.result.documents[first:]
        self.result.documents[first:] = sorted(added, key=lambda doc: self._job_of[id(doc)])
        self._job_of.clear()


def _later(a: str, b: str) -> bool:
    """Compare two cursor stamps (ISO dates or datetimes) as points in time."""
    da, db = parse_date(a), parse_date(b)
    if da is None or db is None:
        return a > b
    return da > db
