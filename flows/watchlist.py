"""The watchlist: the bundled default sources, and edits of `[[sources]]` in a minewire.toml."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from pydantic import ValidationError

from flows.http import SourceError
from flows.settings import Settings, SourceConfig

BUNDLED = Path(__file__).with_name("watchlist.toml")


def load_watchlist(settings: Settings) -> list[SourceConfig]:
    """settings.sources when set, else the bundled watchlist."""
    if settings.sources is not None:
        return list(settings.sources)
    return read_sources(BUNDLED)


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


def add_source(path: Path, source: SourceConfig, settings: Settings | None = None) -> list[SourceConfig]:
    """Add a source to minewire.toml (starting from the bundled list if it has none); returns the list.

    Given the settings, a URL whose '{name}' placeholder they do not define is refused before writing."""
    if settings is not None and source.url:
        try:
            settings.expand(source.url, source.name)
        except ValueError as exc:
            raise SourceError(str(exc)) from exc
    sources = _current(path)
    if any(s.name == source.name for s in sources):
        raise SourceError(f"a source named {source.name!r} already exists; remove it first or pick another name")
    sources.append(source)
    _write(path, sources)
    return sources


def remove_source(path: Path, source: SourceConfig | str) -> list[SourceConfig]:
    """Remove a source by name from minewire.toml; returns the remaining list."""
    name = source if isinstance(source, str) else source.name
    sources = _current(path)
    kept = [s for s in sources if s.name != name]
    if len(kept) == len(sources):
        raise SourceError(f"no source named {name!r}; `minewire sources list` shows the names")
    _write(path, kept)
    return kept


def dump_toml(data: dict) -> str:
    """A tiny TOML writer for minewire's settings: scalars, lists, tables and arrays of tables."""
    scalars = {k: v for k, v in data.items() if not isinstance(v, dict) and not _is_table_list(v)}
    lines = [f"{_key(k)} = {_value(v)}" for k, v in scalars.items() if v is not None]
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{_key(key)}]"] + [f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None]
        elif _is_table_list(value):
            for table in value:
                lines += ["", f"[[{_key(key)}]]"]
                lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items() if v is not None]
    return "\n".join(lines).lstrip("\n") + "\n"


def _current(path: Path) -> list[SourceConfig]:
    if path.exists():
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        if "sources" in data:
            return read_sources(path)
    return read_sources(BUNDLED)


def _write(path: Path, sources: list[SourceConfig]) -> None:
    """Rewrite only the `[[sources]]` tables, keeping the rest of the file (and its comments) as it was."""
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    data = tomllib.loads(text) if text else {}
    tables = dump_toml({"sources": [s.model_dump(exclude_defaults=False) for s in sources]})
    if "sources" in data and "[[sources]]" not in text:
        data["sources"] = [s.model_dump() for s in sources]  # an inline array: rewrite the whole file
        new_text = dump_toml(data)
    else:
        new_text = _without_source_tables(text).rstrip("\n")
        new_text = (new_text + "\n\n" if new_text else "") + tables
    tomllib.loads(new_text)  # never leave a file the settings loader cannot read
    path.write_text(new_text, encoding="utf-8")


def _without_source_tables(text: str) -> str:
    kept, inside = [], False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("[[sources]]"):
            inside = True
            continue
        if inside and stripped.startswith("["):
            inside = False
        if not inside:
            kept.append(line)
    return "\n".join(kept)


def _is_table_list(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _key(key: str) -> str:
    return key if key.replace("_", "").replace("-", "").isalnum() else json.dumps(key)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None) + "}"
    # JSON string escapes are valid TOML basic-string escapes for everything json.dumps emits.
    return json.dumps(str(value), ensure_ascii=False)
