"""The values a batch of deals travels in, from reading documents to loading their mentions.

Plain Python (no DuckDB, SQLAlchemy or Arrow), like warehouse.matching: the extraction workers import it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.records import DealMention
from warehouse.matching import PreparedMentions


@dataclass
class DocumentBatch:
    """Stored documents read for extraction: ids, full texts (title, blank line, body) and publication dates,
    in id order. The dates go on with the batch: the load dates the new deals by them."""

    doc_ids: list[str]
    texts: list[str]
    published: list[datetime | None]

    def __len__(self) -> int:
        return len(self.doc_ids)


@dataclass
class DealBatch:
    """What the load of one batch takes: each document's mentions, in order, with its date (None: not read,
    the load looks it up) and, when the extraction workers did it beside the extraction, the per-mention part
    of matching (a `prepared` made for another version or batch is not used)."""

    doc_ids: list[str]
    mentions: list[list[DealMention]]
    published: list[datetime | None] | None = None
    prepared: PreparedMentions | None = None

    @classmethod
    def of(cls, pairs: list[tuple[str, list[DealMention]]], **kw) -> DealBatch:
        """A batch from (doc_id, mentions) pairs."""
        return cls([doc_id for doc_id, _ in pairs], [told for _, told in pairs], **kw)

    def __len__(self) -> int:
        return len(self.doc_ids)

    @property
    def mention_count(self) -> int:
        return sum(map(len, self.mentions))

    def pairs(self) -> list[tuple[str, list[DealMention]]]:
        """(doc_id, mentions) of each document."""
        return list(zip(self.doc_ids, self.mentions))
