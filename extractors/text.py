"""Doc.text, read once per doc: spaCy rebuilds it from every token on each access."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

_KEY = "minewire_text"


def doc_text(doc: Doc) -> str:
    """The doc's text, cached in doc.user_data (a Doc's text never changes)."""
    text = doc.user_data.get(_KEY)
    if text is None:
        text = doc.user_data[_KEY] = doc.text
    return text


def text_doc(nlp: Language, text: str) -> Doc:
    """nlp.make_doc(text) with its text already cached (the rule components read it several times)."""
    doc = nlp.make_doc(text)
    doc.user_data[_KEY] = text
    return doc
