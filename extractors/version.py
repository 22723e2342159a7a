"""The extractor's version: stamped on every deal, and on the learned weights it must be used with."""

EXTRACTOR_VERSION = "0.4.1"
