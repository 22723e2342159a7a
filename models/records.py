"""Plain records that travel between the hops: fetch -> parse -> extract -> load."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime

from models.urls import normalise_url  # noqa: F401  (re-exported: callers import it from here)

DEAL_TYPES = (
    "asset_sale",
    "acquisition",
    "merger",
    "hosting_contract",
    "lease",
    "power_agreement",
    "financing",
    "other",
)

# Keys of one deal in `minewire extract --format jsonl` output, in order (the public contract).
DEAL_JSON_KEYS = (
    "deal_type", "buyer", "seller", "asset", "capacity_mw", "price_usd", "cash_usd",
    "price_text", "currency", "country", "region", "evidence", "confidence",
)


def content_hash(text: str) -> str:
    """sha256 of the text with whitespace folded, so re-wrapped copies hash alike."""
    folded = " ".join(text.split())
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def document_id(key: str) -> str:
    """Stable 16-hex id for a document from its natural key (canonical URL or accession/file)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass
class FeedItem:
    """One entry of an RSS 2.0 or Atom feed, before its article page is fetched."""

    url: str
    title: str | None = None
    guid: str | None = None
    published_at: datetime | None = None
    modified_at: datetime | None = None
    summary: str | None = None
    issuer: str | None = None  # dc:contributor on press wires
    tickers: list[str] = field(default_factory=list)  # "NASDAQ:BITF"


@dataclass
class Filing:
    """One row of EDGAR's `filings.recent` arrays."""

    cik: str  # ten digits, zero-padded
    accession: str  # 0001234567-24-000123
    form: str
    filing_date: date | None = None
    acceptance_at: datetime | None = None
    items: list[str] = field(default_factory=list)  # 8-K items: "1.01", "2.01", "7.01"
    primary_document: str | None = None
    description: str | None = None
    company: str | None = None


@dataclass
class FetchedDocument:
    """A parsed document ready for extraction and loading."""

    url: str
    text: str
    title: str | None = None
    canonical_url: str | None = None
    published_at: datetime | None = None
    date_source: str | None = None  # feed | json-ld | opengraph | meta | time-tag | edgar | header | none
    modified_at: datetime | None = None
    source: str | None = None  # name of the configured source
    kind: str = "article"  # article | filing | text
    fetched_at: datetime | None = None
    raw: bytes | None = None  # the bytes as fetched, so a parser fix needs no refetch
    content_type: str | None = None
    charset: str | None = None
    accession: str | None = None  # EDGAR only: accession number
    form: str | None = None
    items: list[str] = field(default_factory=list)
    cik: str | None = None
    issuer: str | None = None
    tickers: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Natural key: accession/file for filings, canonical URL otherwise."""
        if self.accession:
            return f"{self.accession}/{self.url.rsplit('/', 1)[-1]}"
        return normalise_url(self.canonical_url or self.url)

    @property
    def doc_id(self) -> str:
        return document_id(self.key)

    @property
    def content_hash(self) -> str:
        return content_hash(self.text)

    @property
    def full_text(self) -> str:
        """What the extractor reads: the title, a blank line, then the body."""
        return f"{self.title}\n\n{self.text}" if self.title else self.text


@dataclass
class DealFacts:
    """What a deal is, as one document tells it and as the warehouse shows it merged: the one list of deal
    fields. The mention record below, the `deal_evidence` table and the `deals` view (models/tables.py), the
    load's Arrow schema and the view's merge (warehouse/) are all built from it."""

    deal_type: str
    buyer: str | None = None
    seller: str | None = None
    asset: str | None = None
    capacity_mw: float | None = None
    price_usd: float | None = None
    cash_usd: float | None = None
    price_text: str | None = None
    currency: str | None = None  # ISO code of price_text's amount: USD, CAD, AUD, EUR, GBP…
    price_amount: float | None = None  # headline amount in `currency`
    country: str | None = None
    region: str | None = None


DEAL_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(DealFacts))
# Each deal field's Python type (str or float): the table's and the Arrow schema's column types follow it.
DEAL_FIELD_TYPES: dict[str, type] = {f.name: float if "float" in str(f.type) else str for f in fields(DealFacts)}


@dataclass
class DealMention(DealFacts):
    """One deal as one document tells it: the facts, the sentence and its span (a row of `deal_evidence`; the
    warehouse merges the mentions of one deal into a row of the `deals` view)."""

    sentence: str = ""  # printed as "evidence" by `extract`
    start_char: int | None = None  # character span of `sentence` in the document's full text
    end_char: int | None = None
    confidence: float = 0.0
    extractor_version: str = ""

    def to_json(self) -> dict:
        """The deal as the `extract` contract prints it."""
        d = asdict(self)
        d["evidence"] = d.pop("sentence")
        return {k: d[k] for k in DEAL_JSON_KEYS}


@dataclass
class FetchRecord:
    """One HTTP request as the fetch log stores it."""

    url: str
    status: int | None  # None when no response came back
    bytes: int = 0
    elapsed_s: float = 0.0
    error: str | None = None
    source: str | None = None
    fetched_at: datetime | None = None
    not_modified: bool = False


@dataclass
class Failure:
    """A document (or feed) that could not be fetched or parsed, with a reason a person understands."""

    url: str
    reason: str
    source: str | None = None
    transient: bool = True  # False: retrying will not help (4xx, unparseable), still retried up to the cap
    permanent: bool = False  # refused by our own rules (scheme, address): given up at once, never retried


@dataclass
class SourceState:
    """What the warehouse remembers about one source between polls."""

    cursor: str | None = None  # ISO date of the newest feed item, or newest accession seen
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # url -> (etag, last-modified)
    known_keys: set[str] = field(default_factory=set)  # FetchedDocument.key of stored documents
    known_urls: set[str] = field(default_factory=set)  # normalised URLs already stored (skip before fetching)
    retry_urls: dict[str, int] = field(default_factory=dict)  # failed document url -> attempts so far
    given_up_urls: set[str] = field(default_factory=set)  # of retry_urls, those given up (also before the cap)


@dataclass
class PollResult:
    """Everything one poll of one source produced; the loader stores all of it in one transaction."""

    source: str
    documents: list[FetchedDocument] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    fetches: list[FetchRecord] = field(default_factory=list)
    validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # changed ones only
    cursor: str | None = None
    seen: int = 0  # items/filings listed by the source
    skipped: int = 0  # already stored, out of window, or unchanged
    recovered_urls: list[str] = field(default_factory=list)  # retry-list entries that succeeded this time
    listing_failed: bool = False  # the feed or submissions listing itself could not be read: the source failed
