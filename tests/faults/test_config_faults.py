"""Careless configuration: a source whose URL names a base URL the settings do not define fails that source
alone with its name and the missing setting, and the settings and `sources add` refuse it up front."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flows import pipeline
from flows.runs import select_sources
from flows.settings import Settings, SourceConfig
from flows.sources.errors import SourceError
from tests.faults.harness import GOOD, SOURCE, fast_settings, publish

MINEWIRE = str(Path(sys.executable).parent / "minewire")
TYPO = SourceConfig(name="typo-wire", kind="rss", url="{globenewswyre}/faults/feed.xml")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([MINEWIRE, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "MINEWIRE_DEBUG": "", "MINEWIRE_WAREHOUSE_PATH": str(cwd / "w.duckdb")})


def test_source_with_an_undefined_placeholder_fails_alone_naming_source_and_setting(sample_server, warehouse):
    urls = publish(sample_server, GOOD)
    settings = fast_settings(sample_server, warehouse)
    # A Settings copy is not validated again: the plain functions must still keep the bad source to itself.
    chosen = select_sources(settings.model_copy(update={"sources": [TYPO, SOURCE]}))
    assert [s.name for s in chosen] == ["typo-wire", "faults-wire"]
    states = pipeline.read_states(settings, chosen)
    bad, good = pipeline.poll_many(settings, chosen, states, retry_delays=())
    assert isinstance(bad, SourceError)
    assert "typo-wire" in str(bad) and "{globenewswyre}" in str(bad) and "base_urls" in str(bad)
    assert sorted(d.url for d in good.documents) == sorted(urls.values())


@pytest.mark.parametrize("url", ["{globenewswyre}/feed.xml", "{}/feed.xml", "{globenewswire/feed.xml"],
                         ids=["unknown-name", "empty-name", "stray-brace"])
def test_settings_refuse_a_source_url_with_an_undefined_placeholder(url):
    with pytest.raises(ValueError, match=r"source 'typo-wire'.*base_urls") as caught:
        Settings(sources=[SourceConfig(name="typo-wire", kind="rss", url=url)])
    assert "defined:" in str(caught.value) and "globenewswire" in str(caught.value)
    defined = Settings(sources=[SourceConfig(name="mirror", kind="rss", url="{mirror}/feed.xml")],
                       base_urls={"mirror": "http://127.0.0.1:9"})
    assert defined.expand(defined.sources[0].url) == "http://127.0.0.1:9/feed.xml"


def test_cli_ingest_with_a_bad_source_in_minewire_toml_fails_up_front_in_one_line(tmp_path):
    (tmp_path / "minewire.toml").write_text('[[sources]]\nname = "typo-wire"\nkind = "rss"\n'
                                            'url = "{globenewswyre}/feed.xml"\n')
    result = cli("ingest", "--no-extract", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "typo-wire" in result.stderr and "{globenewswyre}" in result.stderr and "base_urls" in result.stderr
    assert not (tmp_path / "w.duckdb").exists()  # refused before anything was opened or polled


def test_cli_sources_add_refuses_an_undefined_placeholder(tmp_path):
    result = cli("sources", "add", "typo-wire", "--kind", "rss", "--url", "{globenewswyre}/feed.xml", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "typo-wire" in result.stderr and "{globenewswyre}" in result.stderr
    assert not (tmp_path / "minewire.toml").exists()
    ok = cli("sources", "add", "gnw-x", "--kind", "rss", "--url", "{globenewswire}/x.xml", cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "gnw-x" in (tmp_path / "minewire.toml").read_text()
