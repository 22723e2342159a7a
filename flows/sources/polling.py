"""Poll one source: fetch what is new since the last poll, parse it, and report everything that happened.

The poll's shared state is flows/sources/poll_run.py; a feed is read by feed_poll.py, an EDGAR company by
edgar_poll.py.
"""

from __future__ import annotations

from datetime import date

from flows.settings import Settings, SourceConfig
from flows.sources.edgar_poll import poll_edgar
from flows.sources.errors import SourceError
from flows.sources.feed_poll import poll_feed
from flows.sources.http import Fetcher
from flows.sources.poll_run import PollRun
from models.records import PollResult, SourceState


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
    run = PollRun(source, settings, state, fetcher, since, until)
    try:
        if source.kind == "edgar":
            poll_edgar(run)
        elif source.kind in ("rss", "atom"):
            poll_feed(run)
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
