"""What the engine shows while a rerun takes time.

Apart from the report so that the engine can start without it: rich is imported only on a
terminal, when the first step is shown; the report's imports wait until the rerun runs.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

__all__ = ["progress"]


def progress(tr: pytest.TerminalReporter) -> Callable[[str], AbstractContextManager[object]]:
    """What the engine shows while a rerun takes time: a rich spinner on a terminal, one plain
    line per step elsewhere (CI logs); nothing with ``-qq``."""
    tw = tr.config.get_terminal_writer()
    started: list[bool] = []
    silent = tr.config.get_verbosity() <= -2

    @contextmanager
    def show(what: str) -> Iterator[None]:
        if silent:
            yield
            return
        if not started:  # pytest leaves its progress line open
            started.append(True)
            tw.line()
        if tr.isatty() and tw.hasmarkup:
            from rich.console import Console

            console = Console(file=sys.stdout, force_terminal=True, highlight=False)
            with console.status(f"autofix: {what}", spinner="dots"):
                yield
        else:
            tr.write_line(f"autofix: {what}")
            yield

    return show
