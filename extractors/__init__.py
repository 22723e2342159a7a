"""Deal extraction: a spaCy pipeline (statistical model + our rule components) that turns text into DealMentions.

spaCy loads on first use of a name below, not on `import extractors`: a command that only needs the
version (a re-extraction with nothing to do) does not pay for it.
"""

from .version import EXTRACTOR_VERSION

__all__ = ["EXTRACTOR_VERSION", "build_nlp", "extract", "extract_many", "read_company_registry", "model_name"]
_LAZY = {"read_company_registry": ".gazetteer", "build_nlp": ".nlp", "extract": ".nlp", "extract_many": ".nlp",
         "model_name": ".nlp"}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
