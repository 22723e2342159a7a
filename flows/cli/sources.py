"""`minewire sources list|add|remove`: the watchlist, edited in ./minewire.toml (its comments kept)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Optional

import typer

from flows import render
from flows.cli.app import fails_cleanly, out, settings, sources_app, usage

SETTINGS_FILE = Path("minewire.toml")


@sources_app.command("list")
@fails_cleanly
def sources_list() -> None:
    """List the sources minewire polls.

    Example: minewire sources list
    """
    from flows.sources.watchlist import load_watchlist

    cols = ["name", "kind", "group", "company", "cik", "url"]
    render.rows(out, cols, [tuple(getattr(s, c) for c in cols) for s in load_watchlist(settings())])


@sources_app.command("add")
@fails_cleanly
def sources_add(name: str = typer.Argument(..., help="a short unique name, e.g. riot-edgar"),
                kind: Literal["rss", "atom", "edgar"] = typer.Option(..., help="rss, atom or edgar"),
                url: Optional[str] = typer.Option(None, help="feed URL (rss/atom); may start with a {base_urls} name"),
                cik: Optional[str] = typer.Option(None, help="EDGAR CIK (edgar)"),
                company: Optional[str] = typer.Option(None, help="the company the source is about"),
                group: Optional[str] = typer.Option(None, help="deployments poll by group (default: edgar for an "
                                                    "edgar source, else news)")) -> None:
    """Add a source to ./minewire.toml (only the new one is written; the bundled watchlist stays polled).

    Example: minewire sources add riot-edgar --kind edgar --cik 1167419 --company "Riot Platforms"
    """
    from flows.settings import SourceConfig
    from flows.sources.watchlist import add_source, source_problem

    source = SourceConfig(name=name, kind=kind, url=url, cik=cik, company=company,
                          group=group or ("edgar" if kind == "edgar" else "news"))
    problem = source_problem(source)
    if problem:
        raise usage(problem)
    add_source(SETTINGS_FILE, source, settings())
    out.print(f"added {name} to {SETTINGS_FILE}", highlight=False)


@sources_app.command("remove")
@fails_cleanly
def sources_remove(name: str = typer.Argument(..., help="the source's name (see `minewire sources list`)")) -> None:
    """Remove a source from ./minewire.toml, or stop polling a bundled one.

    Example: minewire sources remove riot-edgar
    """
    from flows.sources.watchlist import remove_source

    remove_source(SETTINGS_FILE, name, settings())
    out.print(f"removed {name} from the watchlist ({SETTINGS_FILE})", highlight=False)
