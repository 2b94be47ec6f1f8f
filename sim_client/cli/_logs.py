"""The library's log records on stderr: INFO (such as "waiting 6 s for the rate limit") always,
DEBUG (one line per request: method, path, status, time; never a secret) with ``--debug``."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from rich.console import Console

from ._output import console, line


class StderrHandler(logging.Handler):
    """Prints each record's message on stderr, escaped, with its level unless INFO; while a
    progress display runs, through its console, so that the bar stays below the messages."""

    def __init__(self) -> None:
        super().__init__()
        self.above: Console | None = None

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format
            self.handleError(record)
            return
        if record.levelno != logging.INFO:
            text = f"{record.levelname.lower()}: {text}"
        style = "yellow" if record.levelno >= logging.WARNING else "dim"
        line(text, style, to=self.above or console(stderr=True))


_HANDLER = StderrHandler()


def configure(*, debug: bool) -> None:
    """Attach the stderr handler to the ``sim_client`` logger at INFO, or DEBUG."""
    logger = logging.getLogger("sim_client")
    if _HANDLER not in logger.handlers:
        logger.addHandler(_HANDLER)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)


@contextlib.contextmanager
def above(progress: Console) -> Iterator[None]:
    """Log records go through ``progress`` (a live display's console) while in the block."""
    _HANDLER.above = progress
    try:
        yield
    finally:
        _HANDLER.above = None
