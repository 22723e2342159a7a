"""The watchlist: the bundled default sources, and edits of `[[sources]]` in a minewire.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import tomlkit
from pydantic import ValidationError

from flows.settings import Settings, SourceConfig
from flows.sources.errors import SourceError

BUNDLED = Path(__file__).with_name("watchlist.toml")


def read_sources(path: Path) -> list[SourceConfig]:
    """The `[[sources]]` of a TOML file; SourceError naming the file and entry when one is invalid."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SourceError(f"{path}: cannot read the watchlist ({exc})") from exc
    sources = []
    for i, entry in enumerate(data.get("sources") or []):
        try:
            sources.append(SourceConfig(**entry))
        except (TypeError, ValidationError) as exc:
            raise SourceError(f"{path}: sources entry {i + 1} is invalid: {exc}") from exc
    return sources


def load_watchlist(settings: Settings) -> list[SourceConfig]:
    """settings.sources when set (after the bundled watchlist if include_bundled_sources), else the bundled
    watchlist; without the skip_sources."""
    if settings.sources is None:
        sources = read_sources(BUNDLED)
    elif settings.include_bundled_sources:
        own = {s.name for s in settings.sources}  # a source of one's own replaces the bundled one of its name
        sources = [s for s in read_sources(BUNDLED) if s.name not in own] + list(settings.sources)
    else:
        sources = list(settings.sources)
    return [s for s in sources if s.name not in settings.skip_sources]


def source_problem(source: SourceConfig) -> str | None:
    """What a source lacks to be polled (a feed's URL, a filer's CIK), or None."""
    if source.kind in ("rss", "atom") and not source.url:
        return f"source {source.name!r}: an {source.kind} source needs --url, the feed's address"
    if source.kind == "edgar" and not (source.cik or "").strip().isdigit():
        return f"source {source.name!r}: an edgar source needs --cik, the company's SEC CIK (digits)"
    return None


def add_source(path: Path, source: SourceConfig, settings: Settings) -> None:
    """Add one source to minewire.toml, keeping the rest of the file (comments too). A file without sources
    gets include_bundled_sources = true, so the bundled watchlist is still polled without being copied in."""
    if source.url:
        try:
            settings.expand(source.url, source.name)
        except ValueError as exc:
            raise SourceError(str(exc)) from exc
    if any(s.name == source.name for s in load_watchlist(settings)):
        raise SourceError(f"a source named {source.name!r} already exists; remove it first or pick another name")
    doc = _read(path)
    if "sources" not in doc:
        if "include_bundled_sources" not in doc:
            doc["include_bundled_sources"] = tomlkit.item(True).comment(
                "poll the bundled watchlist too; false: only the [[sources]] here")
        doc["sources"] = tomlkit.aot()
    table = tomlkit.table()
    table.update(source.model_dump(exclude_none=True))
    table.trivia.indent = "\n"  # a blank line before each [[sources]]
    doc["sources"].append(table)
    _write(path, doc)


def remove_source(path: Path, name: str, settings: Settings) -> None:
    """Remove a source of minewire.toml, or stop polling a bundled one (its name goes into skip_sources)."""
    doc = _read(path)
    own = doc.get("sources") or []
    at = [i for i, entry in enumerate(own) if entry.get("name") == name]
    if at:
        del own[at[0]]
        if not own:  # an empty array of tables would be written as `sources = []`: no sources at all
            del doc["sources"]
    elif any(s.name == name for s in load_watchlist(settings)):
        doc["skip_sources"] = [*doc.get("skip_sources", []), name]
    else:
        raise SourceError(f"no source named {name!r}; `minewire sources list` shows the names")
    _write(path, doc)


def _read(path: Path) -> tomlkit.TOMLDocument:
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
    except tomlkit.exceptions.TOMLKitError as exc:
        raise SourceError(f"{path}: not valid TOML ({exc}); fix the file first") from exc


def _write(path: Path, doc: tomlkit.TOMLDocument) -> None:
    text = tomlkit.dumps(doc)
    tomllib.loads(text)  # never leave a file the settings loader cannot read
    path.write_text(text, encoding="utf-8")
