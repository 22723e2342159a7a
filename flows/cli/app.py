"""The typer app, its consoles and settings, and the one place errors become a line on stderr and an exit code.

Exit codes: 0 done, 1 the work failed (a message says what and what to do), 2 the command was used wrongly.
MINEWIRE_DEBUG=1 lets the traceback through instead.
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Optional

import typer
from rich.console import Console
from typer._click import exceptions as click  # typer's own click: its commands raise these
from typer._click.globals import get_current_context
from typer.main import get_command

from flows.settings import Settings, read_settings

EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


class MinewireTyper(typer.Typer):
    """typer's app, whose usage errors are one line too (typer draws a box of several lines around them)."""

    def __call__(self, *args, **kwargs):
        command = get_command(self)
        try:
            code = command.main(*args, standalone_mode=False, **kwargs)
        except click.NoArgsIsHelpError as exc:
            exc.show()  # the help itself
            code = exc.exit_code
        except click.UsageError as exc:
            where = f" (see `{exc.ctx.command_path} -h`)" if exc.ctx else ""
            message = exc.format_message().replace("Value error, ", "")  # pydantic's prefix, through typer
            err.print(f"error: {message}{where}", highlight=False, markup=False, soft_wrap=True)
            code = EXIT_USAGE
        except typer.Abort:
            err.print("interrupted", highlight=False)
            code = EXIT_INTERRUPTED
        except click.ClickException as exc:
            err.print(f"error: {exc.format_message()}", highlight=False, markup=False, soft_wrap=True)
            code = exc.exit_code
        sys.exit(code if isinstance(code, int) else 0)


app = MinewireTyper(help="minewire: a warehouse of mining-company deals from news, press wires and SEC filings. "
                    "Runs happen in this process; with PREFECT_API_URL set, as Prefect flows on that server.",
                    no_args_is_help=True, pretty_exceptions_enable=False,
                    context_settings={"help_option_names": ["-h", "--help"]})
sources_app = typer.Typer(help="List and edit the watchlist (saved in ./minewire.toml).", no_args_is_help=True,
                          context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(sources_app, name="sources")
# Wide enough for the tracker when piped (rich assumes 80 columns without a terminal).
out = Console(width=None if sys.stdout.isatty() else 170)
err = Console(stderr=True)
_STATE: dict = {}


def settings() -> Settings:
    if "settings" not in _STATE:
        _STATE["settings"] = read_settings(**_STATE.get("overrides", {}))
    return _STATE["settings"]


def usage(message: str) -> click.UsageError:
    """A usage error to raise: one line, exit code 2."""
    return click.UsageError(message, get_current_context(silent=True))


def one_line(exc: BaseException) -> str:
    """An error's message on one line (pydantic's, for one, spans several)."""
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
    text = str(exc) or type(exc).__name__
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def fails_cleanly(fn):
    """Turn any error into one line on stderr and exit code 1 (MINEWIRE_DEBUG=1 shows the traceback)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (typer.Exit, click.ClickException):
            raise
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM on the plain path
            err.print("interrupted: what was stored is kept; run the command again to go on", highlight=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except MemoryError:  # its message is empty: say what happened
            err.print("error: out of memory; narrow the work (a query's WHERE or LIMIT, fewer documents at once)",
                      highlight=False, soft_wrap=True)
            raise typer.Exit(EXIT_FAILED) from None
        except Exception as exc:  # the CLI is the one place errors become exit codes
            if os.environ.get("MINEWIRE_DEBUG"):
                raise
            err.print(f"error: {one_line(exc)}", highlight=False, markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_FAILED) from None

    return wrapper


def _print_version(asked: bool) -> None:
    if asked:
        from importlib.metadata import version

        from extractors.version import EXTRACTOR_VERSION

        out.print(f"minewire {version('minewire')} (extractor {EXTRACTOR_VERSION})", highlight=False)
        raise typer.Exit()


@app.callback()
def main(warehouse: Optional[str] = typer.Option(
        None, "--warehouse", "-w", help="DuckDB file, or a DuckLake: ducklake:postgres:dbname=… host=…, "
        "ducklake:sqlite:PATH, ducklake:PATH.ducklake (default: setting warehouse_path, ./minewire.duckdb)"),
         show_version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                           help="print minewire's version and exit")) -> None:
    """Settings come from MINEWIRE_* variables and ./minewire.toml; --warehouse overrides the warehouse."""
    if warehouse:
        _STATE["overrides"] = {"warehouse_path": warehouse}
