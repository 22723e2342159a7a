"""Poll an RSS or Atom feed: read the listing, then fetch and parse each article worth fetching."""

from __future__ import annotations

from flows.sources.dates import parse_date
from flows.sources.errors import SourceError
from flows.sources.feeds import is_truncated, read_feed
from flows.sources.pages import parse_article
from flows.sources.poll_run import PollRun
from models.records import Failure, FeedItem, normalise_url


def poll_feed(run: PollRun) -> None:
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


def _feed_jobs(run: PollRun, items: list[FeedItem], feed_url: str,
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


def _fetch_article(run: PollRun, url: str, item: FeedItem | None) -> None:
    try:
        resp = run.get(url)
        doc = parse_article(resp.content, url, resp.content_type, item, run.now)
    except Exception as exc:  # one bad page never stops the poll
        run.add(failures=[run.fail(url, exc)])
        return
    if doc.canonical_url is None and resp.url != url:
        doc.canonical_url = resp.url  # redirected: the final address is the better key
    run.add(docs=[doc], recovered=[url] if url in run.state.retry_urls else [])
