"""The CLI's own options: --version, -h as --help, and help with an example on the analyst commands."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from extractors.version import EXTRACTOR_VERSION
from tests.flows.test_cli import run


def test_cli_version_prints_package_and_extractor_versions():
    result = run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"minewire {version('minewire')} (extractor {EXTRACTOR_VERSION})"


@pytest.mark.parametrize("command", [(), ("deals",), ("sources",), ("sources", "add"), ("show",), ("report",),
                                     ("review",)])
def test_cli_h_is_help(command):
    short, long = run(*command, "-h"), run(*command, "--help")
    assert short.returncode == long.returncode == 0, short.stderr
    assert short.stdout == long.stdout and "Usage: minewire" in short.stdout


@pytest.mark.parametrize("command", ["show", "report", "review"])
def test_cli_analyst_commands_have_help_with_an_example(command):
    result = run(command, "--help")
    assert result.returncode == 0 and "Example:" in result.stdout
