"""Analyst-facing views: what a person queries with `minewire sql` or any DuckDB client."""

from models.records import DEAL_FIELD_TYPES
from warehouse.merging import merged_deals


# Fields a reviewer may set (`minewire review --set`), with their types: corrections keep values as text.
CORRECTABLE = {f: ("DOUBLE" if t is float else "VARCHAR") for f, t in DEAL_FIELD_TYPES.items()} | {"announced_date": "DATE"}


def reviewed_deals() -> str:
    """The merged deals with reviewers' corrections laid over them (schema v6): a field set by a reviewer shows
    the latest value set (an empty one clears it); `review` is rejected, accepted (the latest of the two
    decisions), or corrected. The mentions stay as extracted, so a re-extraction never undoes a review."""
    latest = ("SELECT deal_id, field, arg_max(value, decided_at) AS value FROM corrections "
              "WHERE action = 'set' GROUP BY deal_id, field")
    pivot = ", ".join(f"bool_or(field = '{f}') AS has_{f}, max(value) FILTER (WHERE field = '{f}') AS set_{f}"
                      for f in CORRECTABLE)
    fields = ", ".join(f"CASE WHEN s.has_{f} THEN CAST(NULLIF(s.set_{f}, '') AS {t}) ELSE m.{f} END AS {f}"
                       for f, t in CORRECTABLE.items())
    return f"""
        SELECT m.deal_id, {fields}, m.confidence, m.sources,
               CASE st.decision WHEN 'reject' THEN 'rejected' WHEN 'accept' THEN 'accepted'
                    ELSE CASE WHEN s.deal_id IS NOT NULL THEN 'corrected' END END AS review
        FROM ({merged_deals()}) m
        LEFT JOIN (SELECT deal_id, {pivot} FROM ({latest}) GROUP BY deal_id) s USING (deal_id)
        LEFT JOIN (SELECT deal_id, arg_max(action, decided_at) AS decision FROM corrections
                   WHERE action IN ('accept', 'reject') GROUP BY deal_id) st USING (deal_id)"""


# Created in this order: later views read earlier ones.
VIEWS: dict[str, str] = {
    # A view, so that a load writes mentions only and the deals can never disagree with them; reviewers'
    # corrections lie over the extracted values.
    "deals": reviewed_deals(),
    # One row per deal a reviewer has not rejected, with $/MW and how many documents told it.
    "deal_tracker": """
        SELECT d.deal_id, d.announced_date, d.deal_type, d.seller, d.buyer, d.asset,
               d.capacity_mw, d.price_usd, d.cash_usd,
               CASE WHEN d.capacity_mw > 0 AND d.price_usd IS NOT NULL
                    THEN round(d.price_usd / d.capacity_mw) END AS usd_per_mw,
               d.price_text, d.currency, d.country, d.region, d.sources, round(d.confidence, 2) AS confidence,
               d.review
        FROM deals d
        WHERE d.review IS DISTINCT FROM 'rejected'
        ORDER BY d.announced_date DESC NULLS LAST, d.price_usd DESC NULLS LAST""",
    # Which documents told each deal, with the sentence.
    "deal_sources": """
        SELECT e.deal_id, doc.published_at, doc.source, doc.title, doc.url, e.sentence, e.extractor_version
        FROM deal_evidence e JOIN documents doc USING (doc_id)
        ORDER BY e.deal_id, doc.published_at""",
    # Each document's latest extraction (the version that read it, and when); never-extracted ones are absent.
    "document_extractions": """
        SELECT doc_id, arg_max(extractor_version, extracted_at) AS extractor_version,
               max(extracted_at) AS extracted_at
        FROM (SELECT unnest(doc_ids) AS doc_id, extractor_version, extracted_at FROM extraction_batches)
        GROUP BY doc_id""",
    "documents_by_source": """
        SELECT coalesce(d.source, '(files)') AS source, count(*) AS documents,
               min(d.published_at) AS first_published, max(d.published_at) AS last_published,
               max(d.fetched_at) AS last_fetched,
               count(DISTINCT e.doc_id) AS documents_with_deals,
               count(DISTINCT e.deal_id) AS deals
        FROM documents d LEFT JOIN deal_evidence e USING (doc_id)
        GROUP BY 1 ORDER BY documents DESC""",
    # The retry list as a person reads it.
    "failed_documents": """
        SELECT url, source, attempts, reason, last_failed_at,
               CASE WHEN given_up THEN 'given up' ELSE 'will retry' END AS status
        FROM fetch_failures WHERE resolved_at IS NULL
        ORDER BY given_up DESC, last_failed_at DESC""",
    "sites": """
        SELECT asset AS site, country, region, max(capacity_mw) AS capacity_mw, count(*) AS deals,
               max(announced_date) AS last_deal
        FROM deals WHERE asset IS NOT NULL AND review IS DISTINCT FROM 'rejected' GROUP BY ALL ORDER BY capacity_mw DESC NULLS LAST""",
}
