"""The warehouse's tables as SQLAlchemy 2.0 models (DuckDB dialect via duckdb-engine).

Keys are natural or hash keys (duckdb-engine has no SERIAL); timestamps are naive UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ARRAY, BigInteger, Boolean, Date, DateTime, Double, Integer, LargeBinary, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from models.records import DEAL_FIELD_TYPES

SCHEMA_VERSION = 6


class Base(DeclarativeBase):
    pass


class SchemaInfo(Base):
    """One row: the schema version this file is at (upgrades run in place up to SCHEMA_VERSION)."""

    __tablename__ = "minewire_schema"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    applied_at: Mapped[datetime] = mapped_column(DateTime)


class LakeWrites(Base):
    """On a DuckLake only: one row that every write transaction bumps first, so that two writers at once
    conflict and the later one runs again on the new state (warehouse.engine.run_write). A file has one
    writer and no such table."""

    __tablename__ = "minewire_writes"
    __table_args__ = {"info": {"lake_only": True}}
    writes: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    last_write_at: Mapped[datetime | None] = mapped_column(DateTime)


class Source(Base):
    """A feed or EDGAR company minewire polls, with its cursor."""

    __tablename__ = "sources"
    name: Mapped[str] = mapped_column(String, primary_key=True)
    kind: Mapped[str] = mapped_column(String)
    url: Mapped[str | None] = mapped_column(String)
    cik: Mapped[str | None] = mapped_column(String)
    company: Mapped[str | None] = mapped_column(String)
    grp: Mapped[str | None] = mapped_column(String)
    cursor: Mapped[str | None] = mapped_column(String)
    last_polled_at: Mapped[datetime | None] = mapped_column(DateTime)


class Document(Base):
    """A fetched and parsed article, release or filing document."""

    __tablename__ = "documents"
    doc_id: Mapped[str] = mapped_column(String, primary_key=True)
    key: Mapped[str] = mapped_column(String, unique=True)  # canonical URL, or accession/file name
    url: Mapped[str] = mapped_column(String)
    canonical_url: Mapped[str | None] = mapped_column(String)
    title: Mapped[str | None] = mapped_column(String)
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    date_source: Mapped[str | None] = mapped_column(String)
    modified_at: Mapped[datetime | None] = mapped_column(DateTime)
    fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    content_hash: Mapped[str] = mapped_column(String, index=True)
    simhash: Mapped[int | None] = mapped_column(BigInteger)
    text: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    content_type: Mapped[str | None] = mapped_column(String)
    charset: Mapped[str | None] = mapped_column(String)
    source: Mapped[str | None] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    accession: Mapped[str | None] = mapped_column(String)
    form: Mapped[str | None] = mapped_column(String)
    items: Mapped[str | None] = mapped_column(String)  # comma-separated 8-K items
    cik: Mapped[str | None] = mapped_column(String)
    issuer: Mapped[str | None] = mapped_column(String)
    tickers: Mapped[str | None] = mapped_column(String)  # comma-separated


class ExtractionBatch(Base):
    """One loaded batch of extraction: which documents a version of the extractor read, and when (schema v5;
    before, a column of documents). The view document_extractions gives each document's latest.

    One row a batch, not an update of each document: in a load of 500 documents the update and its checkpoint
    cost more than inserting the batch's deals."""

    __tablename__ = "extraction_batches"
    batch_id: Mapped[str] = mapped_column(String, primary_key=True)  # hash(version, time, documents)
    extractor_version: Mapped[str] = mapped_column(String)
    extracted_at: Mapped[datetime] = mapped_column(DateTime)
    documents: Mapped[int] = mapped_column(Integer)
    mentions: Mapped[int] = mapped_column(Integer)
    doc_ids: Mapped[list[str]] = mapped_column(ARRAY(String))


class DocumentCopy(Base):
    """A syndicated near-duplicate of a stored document: linked, not stored again (schema v2)."""

    __tablename__ = "document_copies"
    url: Mapped[str] = mapped_column(String, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String)
    source: Mapped[str | None] = mapped_column(String)
    title: Mapped[str | None] = mapped_column(String)
    distance: Mapped[int] = mapped_column(Integer)  # simhash bits that differ; 0 = same text
    seen_at: Mapped[datetime] = mapped_column(DateTime)


class Company(Base):
    """A company from the bundled registry (plus its aliases, ticker and CIK)."""

    __tablename__ = "companies"
    company_id: Mapped[str] = mapped_column(String, primary_key=True)
    name: Mapped[str] = mapped_column(String)
    aliases: Mapped[str | None] = mapped_column(String)  # '|'-separated
    ticker: Mapped[str | None] = mapped_column(String)
    cik: Mapped[str | None] = mapped_column(String)
    kind: Mapped[str | None] = mapped_column(String)


def _deal_columns() -> type:
    """A mixin with a column for each field of models.records.DealFacts, placed after the table's own leading
    columns (sort_order 1) and before its trailing ones (sort_order 2): the column order of existing files."""
    sql_types = {str: String, float: Double}
    annotations, columns = {}, {}
    for name, py_type in DEAL_FIELD_TYPES.items():
        required = name == "deal_type"
        annotations[name] = Mapped[py_type] if required else Mapped[py_type | None]
        columns[name] = mapped_column(sql_types[py_type], nullable=not required, sort_order=1)
    return type("DealColumns", (), {"__annotations__": annotations, **columns})


DealColumns = _deal_columns()


class Deal(DealColumns, Base):
    """One deal, merged from every mention of it: a view over deal_evidence (warehouse/views.py), so a load
    writes only mentions and the deals can never disagree with them (a table before schema v3)."""

    __tablename__ = "deals"
    __table_args__ = {"info": {"view": True}}
    deal_id: Mapped[str] = mapped_column(String, primary_key=True)
    announced_date: Mapped[date | None] = mapped_column(Date, sort_order=2)
    confidence: Mapped[float] = mapped_column(Double, sort_order=2)
    sources: Mapped[int] = mapped_column(Integer, sort_order=2)
    review: Mapped[str | None] = mapped_column(String, sort_order=2)  # rejected, accepted or corrected (v6)


class Correction(Base):
    """A reviewer's decision on a deal (schema v6): accept, reject, or set one field to a value (as text; empty
    clears it). The `deals` view lays the latest decisions over the extracted values; mentions are untouched."""

    __tablename__ = "corrections"
    correction_id: Mapped[str] = mapped_column(String, primary_key=True)  # hash(deal, action, field, time)
    deal_id: Mapped[str] = mapped_column(String, index=True)
    action: Mapped[str] = mapped_column(String)  # accept, reject or set
    field: Mapped[str | None] = mapped_column(String)
    value: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String)
    decided_at: Mapped[datetime] = mapped_column(DateTime)


class DealEvidence(DealColumns, Base):
    """The `deal_evidence` table: one row per DealMention, one deal in one document, with the sentence and its
    span (the `deals` view merges a deal's rows)."""

    __tablename__ = "deal_evidence"
    evidence_id: Mapped[str] = mapped_column(String, primary_key=True)  # hash(doc, span, version)
    deal_id: Mapped[str] = mapped_column(String, index=True)
    doc_id: Mapped[str] = mapped_column(String, index=True)
    sentence: Mapped[str] = mapped_column(Text)
    start_char: Mapped[int | None] = mapped_column(Integer)
    end_char: Mapped[int | None] = mapped_column(Integer)
    extractor_version: Mapped[str] = mapped_column(String)
    confidence: Mapped[float] = mapped_column(Double, sort_order=2)


class Fetch(Base):
    """Every HTTP request minewire made: URL, status, bytes, time, error."""

    __tablename__ = "fetches"
    fetch_id: Mapped[str] = mapped_column(String, primary_key=True)  # hash(url, fetched_at, n)
    url: Mapped[str] = mapped_column(String)
    source: Mapped[str | None] = mapped_column(String)
    status: Mapped[int | None] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(BigInteger)
    elapsed_s: Mapped[float] = mapped_column(Double)
    error: Mapped[str | None] = mapped_column(String)
    not_modified: Mapped[bool] = mapped_column(Boolean)
    fetched_at: Mapped[datetime] = mapped_column(DateTime)


class FetchFailure(Base):
    """The retry list: a document that failed, how often, why, and whether minewire gave up on it."""

    __tablename__ = "fetch_failures"
    url: Mapped[str] = mapped_column(String, primary_key=True)
    source: Mapped[str | None] = mapped_column(String)
    attempts: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String)
    first_failed_at: Mapped[datetime] = mapped_column(DateTime)
    last_failed_at: Mapped[datetime] = mapped_column(DateTime)
    given_up: Mapped[bool] = mapped_column(Boolean)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime)


class HttpValidator(Base):
    """ETag / Last-Modified per URL, for conditional GET."""

    __tablename__ = "http_validators"
    url: Mapped[str] = mapped_column(String, primary_key=True)
    etag: Mapped[str | None] = mapped_column(String)
    last_modified: Mapped[str | None] = mapped_column(String)


class BackfillWindow(Base):
    """A backfill date window already walked for a source (reruns skip it)."""

    __tablename__ = "backfill_windows"
    source: Mapped[str] = mapped_column(String, primary_key=True)
    window_start: Mapped[date] = mapped_column(Date, primary_key=True)
    window_end: Mapped[date] = mapped_column(Date, primary_key=True)
    documents: Mapped[int] = mapped_column(Integer)
    done_at: Mapped[datetime] = mapped_column(DateTime)
