"""What the warehouse remembers between polls: cursors, HTTP validators, stored URLs, the retry list."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from models.records import SourceState, normalise_url


def walked_windows(conn: sa.Connection, sources: list[str]) -> set[tuple[str, date, date]]:
    """(source, start, end) of the backfill windows already walked for these sources."""
    q = sa.text("SELECT source, window_start, window_end FROM backfill_windows WHERE source IN :s").bindparams(
        sa.bindparam("s", expanding=True))
    return {tuple(r) for r in conn.execute(q, {"s": sources or [""]})}


def read_source_state(conn: sa.Connection, source: str) -> SourceState:
    """The state poll_source needs for one source."""
    state = SourceState()
    state.cursor = conn.execute(sa.text("SELECT cursor FROM sources WHERE name = :s"), {"s": source}).scalar()
    rows = conn.exec_driver_sql("SELECT url, etag, last_modified FROM http_validators").fetchall()
    state.validators = {url: (etag, lm) for url, etag, lm in rows}
    docs = conn.execute(
        sa.text("SELECT key, url, canonical_url FROM documents WHERE source = :s"), {"s": source}
    ).fetchall()
    state.known_keys = {k for k, _, _ in docs}
    state.known_urls = {normalise_url(u) for _, url, canon in docs for u in (url, canon) if u}
    copies = conn.execute(sa.text("SELECT url FROM document_copies WHERE source = :s"), {"s": source}).fetchall()
    state.known_urls |= {normalise_url(u) for (u,) in copies}
    failures = conn.execute(
        sa.text(
            "SELECT url, attempts, given_up FROM fetch_failures "
            "WHERE source = :s AND resolved_at IS NULL"  # given-up ones too: polling skips them
        ),
        {"s": source},
    ).fetchall()
    state.retry_urls = {url: attempts for url, attempts, _ in failures}
    state.given_up_urls = {url for url, _, given_up in failures if given_up}
    return state
