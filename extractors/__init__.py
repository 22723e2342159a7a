"""Deal extraction: a spaCy pipeline (statistical model + our rule components) that turns text into Deals."""

from .gazetteer import load_companies
from .pipeline import EXTRACTOR_VERSION, build_nlp, extract, extract_many, model_name

__all__ = ["EXTRACTOR_VERSION", "build_nlp", "extract", "extract_many", "load_companies", "model_name"]
