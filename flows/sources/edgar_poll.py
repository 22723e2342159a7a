"""Poll an EDGAR company: read its submissions, then fetch each new filing's documents and exhibits."""

from __future__ import annotations

import json
from datetime import date

from flows.sources import edgar
from flows.sources.errors import SourceError, check_user_agent
from flows.sources.poll_run import PollRun
from models.records import Failure, Filing, normalise_url


def poll_edgar(run: PollRun) -> None:
    check_user_agent(run.settings)
    if not run.source.cik:
        raise SourceError(f"source {run.source.name!r}: an edgar source needs a cik")
    cik = edgar.normalise_cik(run.source.cik)
    url = edgar.submissions_url(run.settings, cik)
    try:
        resp = run.get(url, conditional=not run.pending and not run.backfill)
        if resp.not_modified:
            return
        data = _json(resp.content, url)
        problem = edgar.submissions_problem(data)
        if problem:
            raise SourceError(f"{url}: the submissions JSON for CIK {cik} {problem}")
        filings, files = edgar.parse_submissions(data, cik)
    except SourceError as exc:
        run.add(failures=[run.fail(url, exc)])
        run.result.listing_failed = True
        return
    run.recover_listing(url)
    if run.backfill:
        filings += _older_filings(run, cik, files)
    jobs = _edgar_jobs(run, filings)
    run.map(lambda filing: _fetch_filing(run, filing), jobs)


def _older_filings(run: PollRun, cik: str, files: list[dict]) -> list[Filing]:
    """Walk the older submissions pages whose date range meets the backfill window."""
    filings: list[Filing] = []
    for descriptor in files:
        if not edgar.page_overlaps(descriptor, run.since, run.until):
            continue
        url = edgar.submissions_page_url(run.settings, descriptor["name"])
        try:
            filings += edgar.parse_submissions_page(_json(run.get(url).content, url), cik)
        except SourceError as exc:
            run.add(failures=[run.fail(url, exc)])
            continue
        run.recover_listing(url)
    return filings


def _edgar_jobs(run: PollRun, filings: list[Filing]) -> list[Filing]:
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
        folder = edgar.index_url(run.settings, filing.cik, filing.accession).rsplit("/", 1)[0] + "/"
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


def _fetch_filing(run: PollRun, filing: Filing) -> None:
    """Index page -> primary document and EX-99 exhibits -> one FetchedDocument each."""
    url = edgar.index_url(run.settings, filing.cik, filing.accession)
    try:
        chosen = edgar.filing_documents(filing, edgar.parse_filing_index(run.get(url).content, url))
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
            doc = edgar.parse_filing_document(resp.content, doc_url, filing, content_type=resp.content_type,
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
