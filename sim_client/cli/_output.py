"""What the command prints, and where: data and outcomes on stdout, messages on stderr.

Every text that may hold the service's words (names, ids, messages) goes through
:func:`printable`, :func:`to_json` or :func:`to_yaml`, so that no control character (C0, C1,
DEL) reaches the terminal or a file raw; plain text and JSON escape every other character that
is not printable too (``\u202e``), YAML those its emitter deems unprintable. A closed stdout
(``| head -1``) ends the printing quietly; the command itself finishes its work and keeps its
exit code.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table
from rich.text import Text


class _Console(Console):
    """A console that goes quiet on a closed pipe instead of exiting (rich's default)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        if not self.stderr:
            stdout_closed()


def console(*, stderr: bool = False) -> Console:
    """A console on the current stdout (or stderr); colour only on a terminal, no markup."""
    return _Console(stderr=stderr, highlight=False, soft_wrap=True, emoji=False, markup=False)


_closed: list[bool] = []


def stdout_closed() -> None:
    """Point stdout at the null device: the reader went away, and Python's last flush at
    exit must not fail (or print a traceback) because of it."""
    _closed.append(True)
    with contextlib.suppress(AttributeError, OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def reader_gone() -> bool:
    """Whether stdout was found closed (what was printed since went nowhere)."""
    return bool(_closed)


def printable(text: str) -> str:
    """``text`` with every character that is not printable escaped (``\\x1b``, ``\\x85``,
    ``\\u202e``): the service's text must not drive the terminal it is shown on."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode() for ch in text)


def to_json(data: object) -> str:
    """``data`` as indented JSON, every character that is not printable (C1 controls
    included, which JSON allows raw) written as a ``\\uXXXX`` escape."""
    text = json.dumps(data, indent=2, ensure_ascii=False)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == "\n" else json.dumps(ch)[1:-1] for ch in text)


def to_yaml(data: object) -> str:
    """``data`` as block YAML (control characters as YAML escapes, so the text reads back)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def line(text: str, style: str = "", *, to: Console | None = None) -> None:
    """Print one line of ``text`` (escaped) on stdout, or on ``to``."""
    (to or console()).print(Text(printable(text), style=style))


def lines(text: str, style: str = "", *, to: Console | None = None) -> None:
    """Print ``text`` line by line, each escaped."""
    for one in text.splitlines() or [""]:
        line(one, style, to=to)


def write(text: str) -> None:
    """Print ``text`` as it is (a document this command made: YAML, JSON)."""
    console().out(text, end="", highlight=False)


def message(text: str, style: str = "") -> None:
    """A message for the operator on stderr, each line escaped."""
    lines(text, style, to=console(stderr=True))


def fail(text: str) -> None:
    message(f"error: {text}", "red")


def table(columns: list[str], rows: list[dict[str, Any]]) -> None:
    """A table on a terminal; plain columns separated by two spaces otherwise."""
    out = console()
    cells = [
        ["" if row.get(c) is None else printable(str(row[c])) for c in columns] for row in rows
    ]
    if out.is_terminal:
        grid = Table(*columns)
        for cell_line in cells:
            grid.add_row(*(Text(cell) for cell in cell_line))
        out.print(grid)
        return
    widths = [max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)]
    for cell_line in [columns, *cells]:
        text = "  ".join(cell.ljust(w) for cell, w in zip(cell_line, widths, strict=True))
        out.print(Text(text.rstrip()))
