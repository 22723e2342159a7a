"""minewire's data shapes: the plain records passed between steps and the warehouse tables."""

from models.records import DEAL_TYPES, DealMention, FeedItem, FetchedDocument, Filing, content_hash, document_id

__all__ = ["DEAL_TYPES", "DealMention", "FeedItem", "FetchedDocument", "Filing", "content_hash", "document_id"]
