"""What the flows share: settings from parameters, source selection, events and artifacts."""

from __future__ import annotations

from pydantic import BaseModel

from flows.settings import SECRET_FIELDS, RunSettings, Settings, SourceConfig, read_settings
from flows.sources.errors import SourceError
from flows.sources.watchlist import load_watchlist

# Groups prefect.yaml polls: known even when the watchlist has no source in them (the run then polls none).
DEPLOYED_GROUPS = ("news", "edgar")


def settings_from(overrides: RunSettings | dict | None) -> Settings:
    """Settings for a flow run: environment and minewire.toml, with the caller's overrides on top. An empty
    (None) override keeps the worker's value: a form left blank and a caller's unset field mean the same."""
    if isinstance(overrides, BaseModel):
        overrides = overrides.model_dump(exclude_none=True)
    return read_settings(**{k: v for k, v in (overrides or {}).items() if v is not None})


def settings_param(settings: Settings) -> dict:
    """Settings as a flow parameter, without secrets (Prefect validates it into a RunSettings)."""
    return settings.model_dump(mode="json", exclude=SECRET_FIELDS)


def select_sources(settings: Settings, group: str | None = None, names: list[str] | None = None) -> list[SourceConfig]:
    """The sources of a group and/or by name; SourceError naming an unknown group or source."""
    sources = load_watchlist(settings)
    if group:
        groups = sorted({s.group for s in sources} | set(DEPLOYED_GROUPS))
        if group not in groups:
            raise SourceError(f"unknown group {group!r}: the watchlist's groups are {', '.join(groups) or 'none'} "
                              "(see `minewire sources list`)")
        sources = [s for s in sources if s.group == group]
    if names:
        known = {s.name: s for s in sources}
        missing = [n for n in names if n not in known]
        if missing:
            raise SourceError(f"unknown source(s) {', '.join(missing)}: see `minewire sources list`")
        sources = [known[n] for n in names]
    return [_expanded(settings, s) for s in sources]


def _expanded(settings: Settings, source: SourceConfig) -> SourceConfig:
    """The source with its URL's base-URL placeholders filled; as it was when they cannot be (polling it then
    fails that source alone, naming it and the missing setting)."""
    try:
        return source.model_copy(update={"url": settings.expand(source.url)}) if source.url else source
    except ValueError:
        return source


def deal_line(deal: dict) -> str:
    """One deal as a person reads it: 'Bitfarms -> Sympatheia: Paso Pe, 70 MW, $30.0M (Paraguay)'."""
    parts = [f"{deal.get('seller') or '?'} -> {deal.get('buyer') or '?'}"]
    details = [deal.get("asset"), deal.get("capacity_mw") and f"{deal['capacity_mw']:g} MW",
               deal.get("price_usd") and f"${deal['price_usd'] / 1e6:,.1f}M",
               deal.get("country")]
    return f"{parts[0]} ({deal.get('deal_type')}): " + ", ".join(str(d) for d in details if d)
