"""The one rule that merges a deal's mentions into its row, in the two forms it runs in, side by side.

Each deal field comes from the most confident mention that has it; the announced date is the earliest
publication date among the documents that told it; the confidence is the highest; `sources` counts those
documents. The `deals` view runs it in SQL over every stored mention; a load runs it in Python over the
batch in memory for the deals new to the warehouse (a query costs more than the rest of a batch's load).
A test loads mentions and checks both forms give the same rows."""

from __future__ import annotations

from datetime import datetime

from models.records import DEAL_FIELDS, DealMention


def merged_deals(evidence: str = "deal_evidence", documents: str = "documents") -> str:
    """The rule in SQL: one row per deal of `evidence` (the `deals` view, before reviews)."""
    fields = ", ".join(f"arg_max(e.{f}, e.confidence) FILTER (WHERE e.{f} IS NOT NULL) AS {f}" for f in DEAL_FIELDS)
    return f"""
        SELECT e.deal_id, {fields},
               CAST(min(d.published_at) AS DATE) AS announced_date,
               max(e.confidence) AS confidence,
               count(DISTINCT e.doc_id) AS sources
        FROM {evidence} e JOIN {documents} d USING (doc_id)
        GROUP BY e.deal_id"""


def merge_mentions(deal_ids: list[str], mentions: list[tuple[str, str, DealMention]],
                   published: dict[str, datetime | None]) -> list[dict]:
    """The rule in Python: rows of the `deals` view for these deals from all their (deal_id, doc_id, mention),
    with `published` giving each document's date. Rows carry review=None: a new deal has had no review."""
    by_deal: dict[str, list[tuple[str, DealMention]]] = {d: [] for d in deal_ids}
    for deal_id, doc_id, told in sorted(mentions, key=lambda m: -float(m[2].confidence or 0)):
        by_deal[deal_id].append((doc_id, told))
    rows = []
    for deal_id, told in by_deal.items():
        best = told[0][1]
        values = {f: getattr(best, f) for f in DEAL_FIELDS}
        for _, other in told[1:]:  # most deals have one mention: only a second fills the first's gaps
            for f, v in values.items():
                if v is None:
                    values[f] = getattr(other, f)
        dates = [published[doc_id] for doc_id, _ in told if published.get(doc_id)]
        rows.append({"deal_id": deal_id, **values, "announced_date": min(dates).date() if dates else None,
                     "confidence": float(best.confidence or 0), "sources": len({doc_id for doc_id, _ in told}),
                     "review": None})
    return rows
