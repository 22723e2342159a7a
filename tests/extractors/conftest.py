"""Fixtures for the extractor tests: the full pipeline once per session, and a model-free rules pipeline."""

import pytest
import spacy

from extractors import build_nlp
from extractors.components import RULE_COMPONENTS


@pytest.fixture(scope="session")
def nlp():
    """The statistical model plus our rule components, loaded once."""
    return build_nlp()


@pytest.fixture(scope="session")
def rules_nlp():
    """spacy.blank("en") with only our rule components: no model, so tests run in milliseconds."""
    blank = spacy.blank("en")
    for name in RULE_COMPONENTS:
        blank.add_pipe(name)
    return blank
