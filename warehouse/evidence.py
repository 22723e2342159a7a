"""One deal with its evidence: the merged fields, which document gave each, and every sentence that told it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from warehouse.engine import WarehouseError
from warehouse.queries import run_sql
from models.records import DEAL_FIELDS

MIN_PREFIX = 4  # a shorter piece of an id matches too many deals to be meant


class UnknownDeal(WarehouseError):
    """No deal (or more than one) has the id the user gave."""


@dataclass
class SourcedMention:
    """One mention of a deal with the document that told it (a row of the `deal_sources` view, with its fields)."""

    doc_id: str
    published_at: object
    source: str | None
    title: str | None
    url: str
    sentence: str
    confidence: float
    extractor_version: str
    fields: dict = field(default_factory=dict)


@dataclass
class DealSources:
    """A deal as the `deal_tracker` view shows it, each field's document, and its mentions (most confident first)."""

    deal: dict
    field_sources: dict[str, SourcedMention]
    mentions: list[SourcedMention]
    corrections: list[dict] = field(default_factory=list)  # reviewers' decisions, oldest first


def resolve_deal_id(path: Path | str, deal_id: str) -> str:
    """The full id of the one deal whose id is `deal_id` or starts with it; UnknownDeal otherwise."""
    wanted = deal_id.strip().lower()
    if len(wanted) < MIN_PREFIX:
        raise UnknownDeal(f"deal id {deal_id!r} is too short: give at least {MIN_PREFIX} characters "
                          "(ids are in the first column of `minewire deals`)")
    _, rows = run_sql(path, "SELECT deal_id FROM deals WHERE starts_with(deal_id, ?) ORDER BY 1 LIMIT 3", [wanted])
    if not rows:
        raise UnknownDeal(f"no deal with id {deal_id!r} in {path} (ids are in the first column of `minewire deals`)")
    if len(rows) > 1:
        raise UnknownDeal(f"deal id {deal_id!r} matches several deals ({', '.join(r[0] for r in rows)}…): "
                          "give more characters")
    return rows[0][0]


def deal_evidence(path: Path | str, deal_id: str) -> DealSources:
    """The deal whose id is (or starts with) `deal_id`, with the document behind each of its fields.

    A field's source is the most confident mention whose value is the one the deal shows: the `deals` view takes
    each field from the most confident mention that has it."""
    full_id = resolve_deal_id(path, deal_id)
    columns, rows = run_sql(path, "SELECT *, CASE WHEN capacity_mw > 0 AND price_usd IS NOT NULL "
                            "THEN round(price_usd / capacity_mw) END AS usd_per_mw FROM deals WHERE deal_id = ?",
                            [full_id])
    deal = dict(zip(columns, rows[0]))
    mention_cols = ", ".join(f"e.{f}" for f in DEAL_FIELDS)
    _, found = run_sql(path, f"""
        SELECT e.doc_id, d.published_at, d.source, d.title, d.url, e.sentence, e.confidence, e.extractor_version,
               {mention_cols}
        FROM deal_evidence e JOIN documents d USING (doc_id)
        WHERE e.deal_id = ?
        ORDER BY e.confidence DESC, d.published_at NULLS LAST, e.doc_id, e.start_char""", [full_id])
    mentions = [SourcedMention(*row[:8], fields=dict(zip(DEAL_FIELDS, row[8:]))) for row in found]
    field_sources = {}
    for name in DEAL_FIELDS:
        value = deal.get(name)
        if value is None:
            continue
        source = next((m for m in mentions if m.fields.get(name) == value), None)
        if source is not None:
            field_sources[name] = source
    _, decided = run_sql(path, "SELECT action, field, value, note, reviewer, decided_at FROM corrections "
                               "WHERE deal_id = ? ORDER BY decided_at, correction_id", [full_id])
    corrections = [dict(zip(("action", "field", "value", "note", "reviewer", "decided_at"), r)) for r in decided]
    return DealSources(deal, field_sources, mentions, corrections)


def tracker_with_evidence(path: Path | str, since=None) -> tuple[list[dict], dict[str, list[SourcedMention]]]:
    """Every deal of the tracker announced on or after `since` (all, given None), and each one's mentions
    (most confident first), for the report."""
    where, params = ("WHERE announced_date >= ?", [since]) if since else ("", [])
    columns, rows = run_sql(path, f"SELECT * FROM deal_tracker {where}", params)
    deals = [dict(zip(columns, r)) for r in rows]
    _, found = run_sql(path, """
        SELECT e.deal_id, e.doc_id, d.published_at, d.source, d.title, d.url, e.sentence, e.confidence,
               e.extractor_version
        FROM deal_evidence e JOIN documents d USING (doc_id)
        ORDER BY e.deal_id, e.confidence DESC, d.published_at NULLS LAST, e.doc_id, e.start_char""")
    wanted = {d["deal_id"] for d in deals}
    mentions: dict[str, list[SourcedMention]] = {i: [] for i in wanted}
    for deal_id, *rest in found:
        if deal_id in wanted:
            mentions[deal_id].append(SourcedMention(*rest))
    return deals, mentions
