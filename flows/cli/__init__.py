"""The `minewire` command line: a thin layer over the pipeline's functions and flows."""

from flows.cli import running, model, analysis, sources  # noqa: F401, I001 - each adds its commands, in this order
from flows.cli.app import app

__all__ = ["app"]
