"""Poll one source: fetch what is new since the last poll, parse it, and report everything that happened."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone
from typing import Callable, Iterable

from flows.settings import Settings, SourceConfig
from flows.sources.dates import parse_date
from flows.sources.edgar import (
    filing_documents,
    index_url,
    normalise_cik,
    page_overlaps,
    parse_filing_document,
    parse_filing_index,
    parse_submissions,
    parse_submissions_page,
    submissions_page_url,
    submissions_problem,
    submissions_url,
)
from flows.sources.feeds import is_truncated, read_feed
from flows.sources.http import Fetcher, SourceError, check_user_agent, is_transient
from flows.sources.pages import parse_article
from models.records import Failure, FeedItem, FetchedDocument, Filing, PollResult, SourceState, normalise_url


def poll_source(source: SourceConfig, settings: Settings, state: SourceState, *, fetcher: Fetcher | None = None,
                since: date | None = None, until: date | None = None) -> PollResult:
    """Everything new from one source; per-document failures are recorded, never raised.

    Raises SourceError (MissingUserAgent for EDGAR) only for a misconfigured source.
    """
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings, state.validators)
    if not own:
        fetcher.remember(state.validators)
    start = len(fetcher.log)
    run = _Run(source, settings, state, fetcher, since, until)
    try:
        if source.kind == "edgar":
            _poll_edgar(run)
        elif source.kind in ("rss", "atom"):
            _poll_feed(run)
        else:
            raise SourceError(f"source {source.name!r}: unknown kind {source.kind!r} (use rss, atom or edgar)")
    finally:
        if own:
            fetcher.close()
    result = run.result
    result.fetches = [r for r in fetcher.log[start:] if r.source == source.name]
    result.validators = {u: v for u, v in fetcher.validators.items()
                         if u in run.conditional_urls and state.validators.get(u) != v}
    result.seen = len(result.documents) + len(result.failures) + result.skipped
    return result


class _Run:
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


# -- feeds ---------------------------------------------------------------------------------------------

def _poll_feed(run: _Run) -> None:
    if not run.source.url:
        raise SourceError(f"source {run.source.name!r}: an {run.source.kind} source needs a url")
    try:
        feed_url = run.settings.expand(run.source.url, run.source.name)
    except ValueError as exc:
        raise SourceError(str(exc)) from exc
    try:
        # With documents waiting for a retry we need the item list even if the feed is unchanged.
        # A backfill reads the whole listing: a 304 meant for the regular poll would hide its window's items.
        resp = run.get(feed_url, conditional=not run.pending and not run.backfill)
        items, problem = ([], None) if resp.not_modified else read_feed(resp.content, resp.url)
    except SourceError as exc:
        run.add(failures=[run.fail(feed_url, exc)])
        run.result.listing_failed = True
        return
    whole = resp.not_modified or not is_truncated(resp.content)
    reasons = [problem] if problem else []  # read, but not as written: said on the retry list
    if not whole:  # keep what arrived, but not the last item nor the cursor: the next whole read has them
        items = items[:-1]
        reasons.append(f"feed {feed_url}: cut short (no closing tag); read {len(items)} items, the rest on the "
                       "next run")
    if reasons:  # one entry per URL on the retry list; resolved by the next clean, whole read
        run.add(failures=[Failure(feed_url, "; ".join(reasons), run.source.name, transient=not whole)])
    else:
        run.recover_listing(feed_url)
    jobs = _feed_jobs(run, items, feed_url, advance=whole)
    run.map(lambda job: _fetch_article(run, *job), jobs)


def _feed_jobs(run: _Run, items: list[FeedItem], feed_url: str,
               advance: bool = True) -> list[tuple[str, FeedItem | None]]:
    """Items worth fetching: not stored, not given up, newer than the cursor or due for a retry."""
    cursor = parse_date(run.state.cursor) if run.state.cursor else None
    pending = {normalise_url(u): u for u in run.pending if u != feed_url}  # the feed is no article
    jobs, listed, skipped = [], set(), 0
    for item in items:
        key = normalise_url(item.url)
        if key in listed:
            continue
        listed.add(key)
        if item.published_at and advance:
            run.advance(item.published_at.isoformat())
        day = item.published_at.date() if item.published_at else None
        if key in run.state.known_urls or item.url in run.state.known_urls or key in run.given_up:
            skipped += 1
        elif key in pending:
            jobs.append((item.url, item))
        elif run.backfill and not run.in_window(day):
            skipped += 1
        elif not run.backfill and cursor and item.published_at and item.published_at < cursor:
            skipped += 1
        else:
            jobs.append((item.url, item))
    jobs += [(url, None) for key, url in pending.items() if key not in listed]
    run.add(skipped=skipped)
    return jobs


def _fetch_article(run: _Run, url: str, item: FeedItem | None) -> None:
    try:
        resp = run.get(url)
        doc = parse_article(resp.content, url, resp.content_type, item, run.now)
    except Exception as exc:  # one bad page never stops the poll
        run.add(failures=[run.fail(url, exc)])
        return
    if doc.canonical_url is None and resp.url != url:
        doc.canonical_url = resp.url  # redirected: the final address is the better key
    run.add(docs=[doc], recovered=[url] if url in run.state.retry_urls else [])


# -- EDGAR ---------------------------------------------------------------------------------------------

def _poll_edgar(run: _Run) -> None:
    check_user_agent(run.settings)
    if not run.source.cik:
        raise SourceError(f"source {run.source.name!r}: an edgar source needs a cik")
    cik = normalise_cik(run.source.cik)
    url = submissions_url(run.settings, cik)
    try:
        resp = run.get(url, conditional=not run.pending and not run.backfill)
        if resp.not_modified:
            return
        data = _json(resp.content, url)
        problem = submissions_problem(data)
        if problem:
            raise SourceError(f"{url}: the submissions JSON for CIK {cik} {problem}")
        filings, files = parse_submissions(data, cik)
    except SourceError as exc:
        run.add(failures=[run.fail(url, exc)])
        run.result.listing_failed = True
        return
    run.recover_listing(url)
    if run.backfill:
        filings += _older_filings(run, cik, files)
    jobs = _edgar_jobs(run, filings)
    run.map(lambda filing: _fetch_filing(run, filing), jobs)


def _older_filings(run: _Run, cik: str, files: list[dict]) -> list[Filing]:
    """Walk the older submissions pages whose date range meets the backfill window."""
    filings: list[Filing] = []
    for descriptor in files:
        if not page_overlaps(descriptor, run.since, run.until):
            continue
        url = submissions_page_url(run.settings, descriptor["name"])
        try:
            filings += parse_submissions_page(_json(run.get(url).content, url), cik)
        except SourceError as exc:
            run.add(failures=[run.fail(url, exc)])
            continue
        run.recover_listing(url)
    return filings


def _edgar_jobs(run: _Run, filings: list[Filing]) -> list[Filing]:
    forms = {f.upper() for f in run.settings.edgar_forms}
    cursor = date.fromisoformat(run.state.cursor[:10]) if _is_date(run.state.cursor) else None
    stored = {key.split("/", 1)[0] for key in run.state.known_keys}
    jobs, taken, skipped = [], set(), 0
    for filing in filings:
        if filing.form.upper().removesuffix("/A") not in forms or filing.accession in taken:
            continue  # amendments (8-K/A) count as their form
        taken.add(filing.accession)
        if filing.filing_date:
            run.advance(filing.filing_date.isoformat())
        folder = index_url(run.settings, filing.cik, filing.accession).rsplit("/", 1)[0] + "/"
        retrying = any(u.startswith(folder) for u in run.pending)
        given_up = any(u.startswith(normalise_url(folder)) for u in run.given_up)
        if retrying:
            jobs.append(filing)
        elif given_up or filing.accession in stored or not run.in_window(filing.filing_date):
            skipped += 1
        elif not run.backfill and cursor and filing.filing_date and filing.filing_date < cursor:
            skipped += 1
        else:
            jobs.append(filing)
    run.add(skipped=skipped)
    return jobs


def _fetch_filing(run: _Run, filing: Filing) -> None:
    """Index page -> primary document and EX-99 exhibits -> one FetchedDocument each."""
    url = index_url(run.settings, filing.cik, filing.accession)
    try:
        chosen = filing_documents(filing, parse_filing_index(run.get(url).content, url))
    except Exception as exc:
        run.add(failures=[run.fail(url, exc)])
        return
    if not chosen:
        reason = f"{url}: filing {filing.accession} lists no primary document or EX-99 exhibit in HTML or text"
        run.add(failures=[Failure(url, reason, run.source.name, transient=False)])
        return
    for doc_url, kind, description in chosen:
        if f"{filing.accession}/{doc_url.rsplit('/', 1)[-1]}" in run.state.known_keys:
            run.add(skipped=1)
            continue
        try:
            resp = run.get(doc_url)
            doc = parse_filing_document(resp.content, doc_url, filing, content_type=resp.content_type,
                                        kind=kind, description=description, now=run.now)
        except Exception as exc:
            run.add(failures=[run.fail(doc_url, exc)])
            continue
        recovered = [u for u in (doc_url, url) if u in run.state.retry_urls]
        run.add(docs=[doc], recovered=recovered)


def _json(content: bytes, url: str) -> object:
    try:
        return json.loads(content)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{url}: not valid JSON ({exc}); is the sec_data base URL right?") from exc


def _is_date(value: str | None) -> bool:
    try:
        return bool(value) and bool(date.fromisoformat(value[:10]))
    except ValueError:
        return False


def _later(a: str, b: str) -> bool:
    """Compare two cursor stamps (ISO dates or datetimes) as points in time."""
    da, db = parse_date(a), parse_date(b)
    if da is None or db is None:
        return a > b
    return da > db
