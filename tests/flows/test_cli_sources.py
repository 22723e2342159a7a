"""`minewire sources add/remove`: arguments checked before writing, and only the change written to minewire.toml,
its comments and other settings kept."""

from __future__ import annotations

import tomllib

import pytest

from flows.settings import Settings
from flows.sources.watchlist import BUNDLED, load_watchlist, read_sources
from tests.flows.test_cli import run

OWN_TOML = """# minewire settings for the Acme desk
timeout_s = 30.0  # their mirror is slow

[base_urls]
mirror = "http://127.0.0.1:9"  # the office mirror
"""


@pytest.mark.parametrize(("args", "said"), [
    (["x", "--kind", "html", "--url", "http://x"], "'--kind'"),
    (["foo", "--kind", "rss"], "--url"),
    (["foo", "--kind", "atom"], "--url"),
    (["foo", "--kind", "edgar"], "--cik"),
    (["foo", "--kind", "edgar", "--cik", "Riot"], "--cik"),
    (["--kind", "rss", "--url", "http://127.0.0.1/feed.xml"], "argument 'name'"),
], ids=["bad-kind", "rss-without-url", "atom-without-url", "edgar-without-cik", "cik-not-digits", "no-name"])
def test_sources_add_refuses_incomplete_arguments_in_one_line_with_exit_2(tmp_path, args, said):
    result = run("sources", "add", *args, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1, result.stderr
    assert said in result.stderr and "minewire sources add -h" in result.stderr
    assert not (tmp_path / "minewire.toml").exists()


def test_sources_add_writes_only_the_new_source_and_the_bundled_ones_stay_polled(tmp_path):
    result = run("sources", "add", "acme-wire", "--kind", "rss", "--url", "http://127.0.0.1:9/feed.xml",
                 "--company", "Acme Mining", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = tomllib.loads((tmp_path / "minewire.toml").read_text())
    assert [s["name"] for s in data["sources"]] == ["acme-wire"] and data["include_bundled_sources"] is True
    names = [s.name for s in load_watchlist(Settings(**data))]
    assert names == [s.name for s in read_sources(BUNDLED)] + ["acme-wire"]
    assert "acme-wire" in run("sources", "list", cwd=tmp_path).stdout


def test_sources_add_and_remove_keep_the_files_comments_and_settings(tmp_path):
    (tmp_path / "minewire.toml").write_text(OWN_TOML)
    added = run("sources", "add", "mirror-wire", "--kind", "atom", "--url", "{mirror}/atom.xml", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    edgar = run("sources", "add", "acme-edgar", "--kind", "edgar", "--cik", "1234567", cwd=tmp_path)
    assert edgar.returncode == 0, edgar.stderr
    text = (tmp_path / "minewire.toml").read_text()
    assert text.startswith(OWN_TOML.split("\n[base_urls]")[0])  # the top of the file as it was
    assert "# the office mirror" in text and "# their mirror is slow" in text
    data = tomllib.loads(text)
    assert data["timeout_s"] == 30.0 and data["base_urls"] == {"mirror": "http://127.0.0.1:9"}
    assert [(s["name"], s["group"]) for s in data["sources"]] == [("mirror-wire", "news"), ("acme-edgar", "edgar")]

    assert run("sources", "remove", "mirror-wire", cwd=tmp_path).returncode == 0
    assert run("sources", "remove", "theminermag", cwd=tmp_path).returncode == 0  # a bundled one
    text = (tmp_path / "minewire.toml").read_text()
    assert "# the office mirror" in text and "mirror-wire" not in text
    names = [s.name for s in load_watchlist(Settings(**tomllib.loads(text)))]
    assert "acme-edgar" in names and "theminermag" not in names and "mirror-wire" not in names
    gone = run("sources", "remove", "theminermag", cwd=tmp_path)
    assert gone.returncode == 1 and "no source named 'theminermag'" in gone.stderr
