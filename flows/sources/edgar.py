"""SEC EDGAR: submissions JSON, filing index pages and filing documents (pure parsers and URL builders)."""

from __future__ import annotations

import logging
import re
from datetime import date, datetime
from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup, Tag

from flows.settings import Settings
from flows.sources.article_text import block_text
from flows.sources.dates import parse_date
from flows.sources.errors import SourceError
from flows.sources.markup import decode_html, make_soup
from models.records import FetchedDocument, Filing

log = logging.getLogger(__name__)

# EDGAR's column names, with the spellings seen in mirrors and older dumps as fallbacks.
FIELDS = {
    "accession": ("accessionNumber", "accession_number", "accessionNo"),
    "form": ("form", "formType", "form_type"),
    "filing_date": ("filingDate", "filing_date", "filedAt"),
    "acceptance": ("acceptanceDateTime", "acceptance_datetime", "acceptedDate"),
    "items": ("items",),
    "primary": ("primaryDocument", "primary_document"),
    "description": ("primaryDocDescription", "primary_doc_description"),
}
_ACCESSION = re.compile(r"^\d{10}-\d{2}-\d{6}$")
_DOC_EXTENSIONS = (".htm", ".html", ".txt")
_ITEM = re.compile(r"\d{1,2}\.\d{2}")


def normalise_cik(cik: str | int) -> str:
    """Ten digits, zero-padded; SourceError when the value is not a CIK."""
    digits = str(cik).strip().upper().removeprefix("CIK").lstrip("0") or "0"
    if not digits.isdigit() or len(digits) > 10:
        raise SourceError(f"{cik!r} is not an EDGAR CIK (expected up to ten digits)")
    return digits.zfill(10)


def submissions_url(settings: Settings, cik: str | int) -> str:
    return f"{settings.base_url('sec_data')}/submissions/CIK{normalise_cik(cik)}.json"


def submissions_page_url(settings: Settings, name: str) -> str:
    return f"{settings.base_url('sec_data')}/submissions/{name}"


def index_url(settings: Settings, cik: str | int, accession: str) -> str:
    folder = f"{int(normalise_cik(cik))}/{accession.replace('-', '')}"
    return f"{settings.base_url('sec_www')}/Archives/edgar/data/{folder}/{accession}-index.htm"


def parse_submissions(data: dict, cik: str | int) -> tuple[list[Filing], list[dict]]:
    """Filings from `filings.recent`, and the `filings.files` descriptors of older pages."""
    if not isinstance(data, dict):
        log.warning("CIK %s: submissions JSON is not an object; nothing read", cik)
        return [], []
    filings = data.get("filings") if isinstance(data.get("filings"), dict) else {}
    recent = filings.get("recent") if isinstance(filings.get("recent"), dict) else {}
    if not recent:
        log.warning("CIK %s: submissions JSON has no filings.recent; nothing read", cik)
    files = [f for f in filings.get("files") or [] if isinstance(f, dict) and f.get("name")]
    return _rows(recent, cik, data.get("name")), files


def submissions_problem(data: object) -> str | None:
    """Why a submissions JSON cannot be read (a format change, an error page), or None; no filings is fine."""
    if not isinstance(data, dict):
        return "is not a JSON object"
    filings = data.get("filings")
    recent = filings.get("recent") if isinstance(filings, dict) else None
    if not isinstance(recent, dict):
        return "has no filings.recent object; has EDGAR's format changed?"
    has_rows = any(isinstance(v, list) and v for v in recent.values())
    if has_rows and not any(isinstance(recent.get(name), list) for name in FIELDS["accession"]):
        return "has no accessionNumber array in filings.recent; has EDGAR's format changed?"
    return None


def parse_submissions_page(data: dict, cik: str | int) -> list[Filing]:
    """Filings from an older page (`CIK##########-submissions-001.json`): the arrays at top level."""
    if not isinstance(data, dict):
        log.warning("CIK %s: submissions page is not an object; nothing read", cik)
        return []
    return _rows(data, cik, data.get("name"))


def page_overlaps(descriptor: dict, since: date | None, until: date | None) -> bool:
    """Whether an older page's filingFrom..filingTo range meets the since..until window."""
    start = _date(descriptor.get("filingFrom")) or date.min
    end = _date(descriptor.get("filingTo")) or date.max
    return (since is None or end >= since) and (until is None or start <= until)


def parse_filing_index(content: bytes, url: str) -> list[tuple[str, str, str]]:
    """(document URL, type, description) rows of a filing's `-index.htm` page."""
    html, _ = decode_html(content, None)
    soup = make_soup(html, url)
    table = soup.find("table", class_="tableFile") or _table_with_headers(soup)
    if table is None:
        raise SourceError(f"{url}: no document table in the filing index; is this an EDGAR -index.htm page?")
    rows = table.find_all("tr")
    header = [c.get_text(" ", strip=True).lower() for c in rows[0].find_all(["th", "td"])]
    col = {name: _column(header, name) for name in ("description", "document", "type")}
    entries = []
    for row in rows[1:]:
        cells = row.find_all(["td", "th"])
        link = row.find("a", href=True)
        if link is None or len(cells) < len(header):
            continue
        kind = cells[col["type"]].get_text(" ", strip=True) if col["type"] is not None else ""
        desc = cells[col["description"]].get_text(" ", strip=True) if col["description"] is not None else ""
        entries.append((_resolve(url, _plain_href(link["href"])), kind, desc))
    return entries


def filing_documents(filing: Filing, entries: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """The primary document and the EX-99.x exhibits (press releases) among an index's rows."""
    chosen = []
    for url, kind, desc in entries:
        name = urlsplit(url).path.rsplit("/", 1)[-1]
        if not name.lower().endswith(_DOC_EXTENSIONS):
            continue  # images, PDFs, XBRL: no prose to read
        primary = name == filing.primary_document or (kind.upper() == filing.form.upper() and not chosen)
        if primary or kind.upper().startswith("EX-99"):
            chosen.append((url, kind, desc))
    return list(dict.fromkeys(chosen))


def parse_filing_document(content: bytes, url: str, filing: Filing, *, content_type: str | None = None,
                          kind: str = "", description: str = "", now: datetime | None = None) -> FetchedDocument:
    """A filing document (primary or exhibit) as a FetchedDocument with kind='filing'."""
    html, charset = decode_html(content, content_type)
    if url.lower().endswith(".txt") or "<" not in html[:2000]:
        paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", html) if p.strip()]
    else:
        soup = make_soup(html, url)
        for tag in soup.find_all(["script", "style", "ix:header", "head"]):
            tag.decompose()  # ix:header holds the inline-XBRL facts, not prose
        for tag in soup.find_all(style=re.compile(r"display:\s*none", re.I)):
            tag.decompose()
        paragraphs = block_text(soup.body or soup)
    text = "\n\n".join(paragraphs)
    if not re.search(r"[^\W\d_]", text):
        raise SourceError(f"{url}: filing {filing.accession} document has no readable text")
    label = description or kind or filing.description or filing.form
    return FetchedDocument(
        url=url, text=text, title=f"{filing.company or 'CIK ' + filing.cik} {filing.form}: {label}",
        published_at=filing.acceptance_at or _midnight(filing.filing_date), date_source="edgar",
        kind="filing", fetched_at=now, raw=content, content_type=content_type, charset=charset,
        accession=filing.accession, form=filing.form, items=list(filing.items), cik=filing.cik,
        issuer=filing.company,
    )


def _rows(arrays: dict, cik: str | int, company: str | None) -> list[Filing]:
    """Zip EDGAR's parallel arrays into Filings, skipping (and logging) rows that cannot be read."""
    columns = {key: next((arrays[n] for n in names if isinstance(arrays.get(n), list)), [])
               for key, names in FIELDS.items()}
    padded = normalise_cik(cik)
    filings = []
    for i, accession in enumerate(columns["accession"]):
        def cell(key: str, i: int = i) -> object:
            values = columns[key]
            return values[i] if i < len(values) else None
        form = cell("form")
        if not isinstance(accession, str) or not _ACCESSION.match(accession.strip()) or not form:
            log.warning("CIK %s: skipped row %d: no readable accession number or form", padded, i)
            continue
        items = cell("items") or ""
        filings.append(Filing(
            cik=padded, accession=accession.strip(), form=str(form).strip(),
            filing_date=_date(cell("filing_date")), acceptance_at=parse_date(_str(cell("acceptance"))),
            items=_ITEM.findall(items) if isinstance(items, str) else [str(x) for x in items],
            primary_document=_str(cell("primary")), description=_str(cell("description")), company=company,
        ))
    if not columns["accession"] and arrays:
        log.warning("CIK %s: no accessionNumber array; nothing read", padded)
    return filings


def _table_with_headers(soup: BeautifulSoup) -> Tag | None:
    for table in soup.find_all("table"):
        first = table.find("tr")
        text = first.get_text(" ", strip=True).lower() if first else ""
        if "document" in text and "type" in text:
            return table
    return None


def _column(header: list[str], name: str) -> int | None:
    return next((i for i, h in enumerate(header) if h.startswith(name)), None)


def _plain_href(href: str) -> str:
    """Inline-XBRL viewer links (`/ix?doc=/Archives/…`) point at the plain document."""
    parts = urlsplit(href)
    if parts.path.rstrip("/").endswith("/ix"):
        return parse_qs(parts.query).get("doc", [href])[0]
    return href


def _resolve(index_url: str, href: str) -> str:
    """Root-relative `/Archives/…` links resolve under the configured sec_www base, mirror paths included."""
    if href.startswith("/Archives/") and "/Archives/" in index_url:
        return index_url[: index_url.index("/Archives/")] + href
    return urljoin(index_url, href)


def _date(value: object) -> date | None:
    if isinstance(value, str) and value.strip():
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _midnight(day: date | None) -> datetime | None:
    return parse_date(day.isoformat()) if day else None


def _str(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None
