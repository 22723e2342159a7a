"""Prefect's temporary server, started as a child that cannot outlive the CLI."""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys

from prefect.server.api import server as prefect_server

PR_SET_PDEATHSIG = 1  # linux/prctl.h
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def _tie_to(parent: int):
    """Runs in the child between fork and exec: die with `parent` (the kernel sends SIGTERM)."""

    def tie() -> None:
        if _prctl is not None:
            _prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the tie was made
            os._exit(1)

    return tie


class _TiedPopen(subprocess.Popen):
    def __init__(self, *args, **kwargs) -> None:
        # Its own process group: a Ctrl-C at the terminal goes to the CLI, which stops the server itself.
        kwargs.update(process_group=0, preexec_fn=_tie_to(os.getpid()))
        super().__init__(*args, **kwargs)


class TiedServer(prefect_server.SubprocessASGIServer):
    """The instance Prefect's own client uses (SubprocessASGIServer() returns it once it exists), started by the
    main thread: the parent-death signal follows the thread that forked, and the main thread ends last."""

    def _run_uvicorn_command(self) -> subprocess.Popen:
        # Prefect builds the command and calls subprocess.Popen; only this thread starts processes now.
        real, subprocess.Popen = subprocess.Popen, _TiedPopen
        try:
            return super()._run_uvicorn_command()
        finally:
            subprocess.Popen = real
